package paramcheck

import "testing"

func TestLegalServiceName(t *testing.T) {
	for s, want := range map[string]bool{
		"orders": true, "a@b": true, "@orders": false, "a@@b": false, "a b": false, "订单": false, "": false, " a": true,
	} {
		if got := LegalServiceName(s); got != want {
			t.Errorf("LegalServiceName(%q) = %v, want %v", s, got, want)
		}
	}
	if JavaLen("a😀") != 3 {
		t.Error("JavaLen counts UTF-16 code units")
	}
	if !HasSpaceOrCJK("1.2.3.4 ") || HasSpaceOrCJK("1.2.3.4") {
		t.Error("HasSpaceOrCJK")
	}
}
