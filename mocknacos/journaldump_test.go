package mocknacos_test

// What the real-client tests share beside internal/clientproc.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// dumpJournalOnFailure logs the mock's journal when the test fails, to line
// up with the program's "at" (wall clock, ms).
func dumpJournalOnFailure(t *testing.T, srv *mocknacos.Server) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		var b strings.Builder
		for _, e := range srv.Journal() {
			what := e.Request.Type
			if what == "" {
				what = e.Request.Method + " " + e.Request.Path
				if len(e.Request.Params) > 0 {
					what += fmt.Sprintf(" %v", e.Request.Params)
				}
			}
			fmt.Fprintf(&b, "%d %s %-14s %s %s %.300s -> %d %.200s %s\n", e.Seq, e.WallTime.Format("15:04:05.000"), e.Kind,
				e.Protocol, what, e.Request.Body, e.Response.Status, e.Response.Body, e.Error)
		}
		t.Logf("mock journal:\n%s", b.String())
	})
}
