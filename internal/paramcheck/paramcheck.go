// Package paramcheck holds the character rules of the real server's
// DefaultParamChecker (common/.../paramcheck/DefaultParamChecker.java@2.4.3)
// that the HTTP and gRPC checkers share. Each protocol layer applies them
// to its own parameters and words its own answer.
package paramcheck

import "unicode/utf16"

// JavaLen is String.length(): the length in UTF-16 code units, which is
// what the checker's length limits count.
func JavaLen(s string) int { return len(utf16.Encode([]rune(s))) }

// IsJavaSpace is \s in a Java regular expression.
func IsJavaSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\x0B', '\f', '\r':
		return true
	}
	return false
}

// IsCJK is the checker's [\u4E00-\u9FA5].
func IsCJK(r rune) bool { return r >= 0x4E00 && r <= 0x9FA5 }

// HasSpaceOrCJK reports whether s holds a character the ip rule refuses.
func HasSpaceOrCJK(s string) bool {
	for _, r := range s {
		if IsJavaSpace(r) || IsCJK(r) {
			return true
		}
	}
	return false
}

// LegalServiceName is ^(?!@).((?!@@)[^\u4E00-\u9FA5\s])*$ (Go's regexp has
// no lookahead).
func LegalServiceName(s string) bool {
	rs := []rune(s)
	if len(rs) == 0 || rs[0] == '@' || rs[0] == '\n' || rs[0] == '\r' {
		return false
	}
	for i := 1; i < len(rs); i++ {
		if rs[i] == '@' && i+1 < len(rs) && rs[i+1] == '@' {
			return false
		}
		if IsJavaSpace(rs[i]) || IsCJK(rs[i]) {
			return false
		}
	}
	return true
}
