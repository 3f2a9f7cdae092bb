package confighttp

import (
	"testing"

	"github.com/mocknacos/mocknacos/internal/config"
)

func TestParseProbes(t *testing.T) {
	got, err := parseProbes("a.yaml\x02G\x02m1\x01b\x02G\x02\x02dev\x01c\x02G\x02\x01a.yaml\x02G\x02m2\x01trailing\x02ignored")
	if err != nil {
		t.Fatal(err)
	}
	want := []config.Probe{
		{Watch: config.Watch{DataID: "a.yaml", Group: "G"}, MD5: "m2"}, // a repeated key keeps the last md5
		{Watch: config.Watch{DataID: "b", Group: "G", Tenant: "dev"}, MD5: ""},
		{Watch: config.Watch{DataID: "c", Group: "G"}, MD5: ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("probe %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"a\x02b\x02c\x02d\x02e\x01", "a\x01", "\x01", "a\x02\x01x"} {
		if _, err := parseProbes(bad); err == nil {
			t.Errorf("parseProbes(%q) accepted", bad)
		}
	}
}

func TestChangedStringIsJavaURLEncoded(t *testing.T) {
	got := changedString([]config.Watch{{DataID: "app.yaml", Group: "DEFAULT_GROUP"}, {DataID: "a b~*", Group: "G", Tenant: "dev"}})
	if want := "app.yaml%02DEFAULT_GROUP%01a+b%7E*%02G%02dev%01"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestJavaURLDecode(t *testing.T) {
	for in, want := range map[string]string{"a+b": "a b", "%02%01x": "\x02\x01x", "%e4%b8%ad": "中", "plain": "plain", "%+1": "\x01"} {
		if got, err := javaURLDecode(in); err != nil || got != want {
			t.Errorf("decode(%q) = %q, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"%zz": `URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: "zz"`,
		"%-1": "URLDecoder: Illegal hex characters in escape (%) pattern - negative value",
		"a%4": "URLDecoder: Incomplete trailing escape (%) pattern",
	} {
		if _, err := javaURLDecode(in); err == nil || err.Error() != want {
			t.Errorf("decode(%q) error %v, want %q", in, err, want)
		}
	}
}

func TestVersionNumber(t *testing.T) {
	for in, want := range map[string]int{"2.0.4": 204, "1.4.2": 142, "Nacos-Go-Client:v1.1.6": 16, "2.0.0": 200} {
		if got := versionNumber(in); got != want {
			t.Errorf("versionNumber(%q) = %d, want %d", in, got, want)
		}
	}
}
