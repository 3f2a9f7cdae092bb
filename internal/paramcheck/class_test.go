package paramcheck

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var classExprs = []string{`^[\w-]+$`, `^[a-zA-Z0-9-_:.]*$`, `^[0-9a-zA-Z-_]+$`, `^[0-9a-zA-Z-]+$`, `^[0-9a-zA-Z@.:_-]+$`}

func TestClassAgreesWithRegexp(t *testing.T) {
	samples := []string{"", "a", "public", "DEFAULT_GROUP", "a-b_c:d.e", "a b", "ä", "a\x00", "\xff", "abc\n", "-", "@@", "g@@s", "x/y", "数"}
	for b := 0; b < 256; b++ {
		samples = append(samples, string([]byte{byte(b)}), "ok"+string([]byte{byte(b)}))
	}
	for _, expr := range classExprs {
		re, c := regexp.MustCompile(expr), NewClass(expr)
		for _, s := range samples {
			require.Equal(t, re.MatchString(s), c.MatchString(s), "%s on %q", expr, s)
		}
	}
}

func FuzzClassAgreesWithRegexp(f *testing.F) {
	f.Add("public", 0)
	f.Add("a:b.c", 1)
	f.Fuzz(func(t *testing.T, s string, i int) {
		expr := classExprs[(i%len(classExprs)+len(classExprs))%len(classExprs)]
		if regexp.MustCompile(expr).MatchString(s) != NewClass(expr).MatchString(s) {
			t.Fatalf("%s disagrees on %q", expr, s)
		}
	})
}
