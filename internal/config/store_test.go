package config

import (
	"testing"
	"time"
)

type recorder struct{ got []Watch }

func (r *recorder) Changed(w Watch) { r.got = append(r.got, w) }

func TestMD5IsLowercaseHexOfUTF8(t *testing.T) {
	if got := MD5("port: 8080\n"); got != "d65b7670e0133039c838352e0fc0159e" {
		t.Fatal(got)
	}
	if got := MD5("中文"); got != "a7bac2239fcdcb3a067903d8077c4a07" {
		t.Fatalf("md5(中文) = %s", got)
	}
}

func TestTenantsPublicBlankAndNullAreOne(t *testing.T) {
	s := New(nil, nil)
	s.Publish(Publish{DataID: "a", Group: "G", Tenant: "", Content: "x"})
	for _, tenant := range []string{"", "public", "PUBLIC", " null ", "Null"} {
		if _, ok := s.Get("a", "G", tenant, ""); !ok {
			t.Errorf("tenant %q: not found", tenant)
		}
	}
	if _, ok := s.Get("a", "G", "dev", ""); ok {
		t.Error("tenant dev sees the public config")
	}
}

func TestListenersKeepTheirTenantSpelling(t *testing.T) {
	s := New(nil, nil)
	blank, public, dev := &recorder{}, &recorder{}, &recorder{}
	s.Listen(blank, []Probe{{Watch: Watch{"a", "G", ""}}})
	s.Listen(public, []Probe{{Watch: Watch{"a", "G", "public"}}})
	s.Listen(dev, []Probe{{Watch: Watch{"a", "G", "dev"}}})
	s.Publish(Publish{DataID: "a", Group: "G", Tenant: "public", Content: "x"})
	if len(blank.got) != 1 || blank.got[0].Tenant != "" {
		t.Errorf("blank listener got %+v", blank.got)
	}
	if len(public.got) != 1 || public.got[0].Tenant != "public" {
		t.Errorf("public listener got %+v", public.got)
	}
	if len(dev.got) != 0 {
		t.Errorf("dev listener got %+v", dev.got)
	}
	s.UnlistenAll(blank)
	s.Remove("a", "G", "", "")
	if len(blank.got) != 1 || len(public.got) != 2 {
		t.Errorf("after unlisten and remove: blank %+v public %+v", blank.got, public.got)
	}
}

func TestListenReturnsKeysWhoseMD5Differs(t *testing.T) {
	s := New(nil, nil)
	it, _ := s.Publish(Publish{DataID: "a", Group: "G", Content: "x"})
	l := &recorder{}
	changed := s.Listen(l, []Probe{
		{Watch: Watch{"a", "G", ""}, MD5: it.MD5}, // up to date
		{Watch: Watch{"b", "G", ""}, MD5: ""},     // missing on both sides
		{Watch: Watch{"a", "G", "public"}, MD5: "stale"},
		{Watch: Watch{"c", "G", ""}, MD5: "deleted-since"},
	})
	if len(changed) != 2 || changed[0].Tenant != "public" || changed[1].DataID != "c" {
		t.Fatalf("changed = %+v", changed)
	}
	if n := s.Listeners("a", "G", "null"); n != 1 {
		t.Fatalf("listeners of a = %d", n)
	}
}

func TestPublishCAS(t *testing.T) {
	now := time.Unix(1700000000, 0)
	s := New(func() time.Time { return now }, nil)
	// A missing config is created whatever casMd5 says (insertOrUpdateCas).
	it, err := s.Publish(Publish{DataID: "a", Group: "G", Content: "1", CasMD5: "whatever"})
	if err != nil || it.Type != "text" || !it.LastModified.Equal(now) {
		t.Fatalf("%+v %v", it, err)
	}
	if _, err := s.Publish(Publish{DataID: "a", Group: "G", Content: "2", CasMD5: "stale"}); err != ErrCASMismatch {
		t.Fatalf("stale cas: %v", err)
	}
	if _, err := s.Publish(Publish{DataID: "a", Group: "G", Content: "2", CasMD5: it.MD5, Type: "yaml"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get("a", "G", "", "")
	if got.Content != "2" || got.Type != "yaml" || got.MD5 != MD5("2") {
		t.Fatalf("%+v", got)
	}
}

func TestTypeNormalisation(t *testing.T) {
	for in, want := range map[string]string{"": "text", "yaml": "yaml", "YAML": "text", "yml": "text", "toml": "toml", "properties": "properties"} {
		if got := NormalizeType(in); got != want {
			t.Errorf("NormalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTagVariantsAreSeparateAndSilent(t *testing.T) {
	s := New(nil, nil)
	l := &recorder{}
	s.Listen(l, []Probe{{Watch: Watch{"a", "G", ""}}})
	s.Publish(Publish{DataID: "a", Group: "G", Tag: "canary", Content: "t"})
	if _, ok := s.Get("a", "G", "", ""); ok || len(l.got) != 0 {
		t.Fatal("a tag variant showed as the config or notified a listener")
	}
	if it, ok := s.Get("a", "G", "", "canary"); !ok || it.Content != "t" {
		t.Fatal("tag variant missing")
	}
}

// TestSealCarriesConfigsAndRefusesLaterChanges: a restart keeps the configs
// but not the listeners, and a change still in flight to the old store is
// refused, reaching neither store.
func TestSealCarriesConfigsAndRefusesLaterChanges(t *testing.T) {
	old := New(nil, nil)
	old.Publish(Publish{DataID: "a", Group: "G", Content: "before", Type: "yaml"})
	r := &recorder{}
	old.Listen(r, []Probe{{Watch: Watch{"a", "G", ""}, MD5: MD5("before")}})
	next := old.Seal()
	if _, err := old.Publish(Publish{DataID: "a", Group: "G", Content: "in flight"}); err != ErrClosed {
		t.Fatalf("publish to a sealed store: %v", err)
	}
	if _, err := old.Remove("a", "G", "", ""); err != ErrClosed {
		t.Fatalf("remove from a sealed store: %v", err)
	}
	if it, ok := next.Get("a", "G", "", ""); !ok || it.Content != "before" || it.Type != "yaml" {
		t.Fatalf("the new store holds %+v %v", it, ok)
	}
	if n := next.Listeners("a", "G", ""); n != 0 {
		t.Fatalf("listeners carried over: %d", n)
	}
	next.Publish(Publish{DataID: "a", Group: "G", Content: "after"})
	if len(r.got) != 0 {
		t.Fatalf("a listener of the old store was told of a change to the new one: %+v", r.got)
	}
}

func TestExactTenant(t *testing.T) {
	for _, tc := range []struct{ in, kept, spelled, ns string }{
		{"", "", "", DefaultTenant},
		{"public", `"public"`, "public", DefaultTenant},
		{"NULL", `"NULL"`, "NULL", DefaultTenant},
		{"dev", "dev", "dev", "dev"},
		{`"public"`, `""public""`, `"public"`, `"public"`},
	} {
		kept := Exact(tc.in)
		if kept != tc.kept || Spelling(kept) != tc.spelled || Namespace(kept) != tc.ns {
			t.Errorf("Exact(%q) = %q (spelled %q, namespace %q), want %q %q %q", tc.in, kept, Spelling(kept), Namespace(kept), tc.kept, tc.spelled, tc.ns)
		}
		if tc.in != "" && tc.kept != tc.in && NewKey("d", "g", kept) == NewKey("d", "g", "") {
			t.Errorf("Exact(%q) names the default namespace", tc.in)
		}
	}
}
