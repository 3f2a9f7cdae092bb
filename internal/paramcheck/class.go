package paramcheck

import (
	"regexp"
	"strings"
)

// Class is a regular expression of the form ^[set]+$ or ^[set]*$ whose set
// holds only ASCII characters, matched by a table instead of the regexp
// engine: the parameter checks run on every request (a beat), and a table
// lookup per byte costs a fraction of a regexp match. The table is built by
// asking the regexp itself about each ASCII character, so the two agree by
// construction; any byte outside ASCII (a rune the set cannot hold) fails.
type Class struct {
	re         *regexp.Regexp
	in         [128]bool
	allowEmpty bool
}

// NewClass compiles expr, which must be ^[...]+$ or ^[...]*$.
func NewClass(expr string) *Class {
	if !strings.HasPrefix(expr, "^[") || !(strings.HasSuffix(expr, "]+$") || strings.HasSuffix(expr, "]*$")) {
		panic("paramcheck.NewClass: not a ^[set]+$ or ^[set]*$ expression: " + expr)
	}
	c := &Class{re: regexp.MustCompile(expr), allowEmpty: strings.HasSuffix(expr, "*$")}
	for b := 1; b < 128; b++ {
		c.in[b] = c.re.MatchString(string(rune(b)))
	}
	return c
}

// MatchString reports whether s matches the expression.
func (c *Class) MatchString(s string) bool {
	if s == "" {
		return c.allowEmpty
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= 128 || !c.in[b] {
			return false
		}
	}
	return true
}

// String is the expression.
func (c *Class) String() string { return c.re.String() }
