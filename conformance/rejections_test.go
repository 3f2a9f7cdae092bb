//go:build conformance

package conformance

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mocknacos/mocknacos/internal/httpcases"
)

// renamed gives a table case its own service (the tables all use "orders"),
// so that the cases can share one long-running real server.
func renamed(c httpcases.Rejection, n int) httpcases.Rejection {
	name := fmt.Sprintf("orders%s%d", processToken, n)
	rr := func(r httpcases.Request) httpcases.Request {
		r.Path = strings.ReplaceAll(r.Path, "orders", name)
		r.Form = strings.ReplaceAll(r.Form, "orders", name)
		return r
	}
	c.Req = rr(c.Req)
	setup := make([]httpcases.Request, len(c.Setup))
	for i, s := range c.Setup {
		setup[i] = rr(s)
	}
	c.Setup = setup
	c.Body = strings.ReplaceAll(c.Body, "orders", name)
	if c.Spring != nil {
		s := *c.Spring
		s.Message = strings.ReplaceAll(s.Message, "orders", name)
		c.Spring = &s
	}
	return c
}

// tableAnswer is a table's expectation, or a server's answer, in the form
// the table states it: a Spring /error JSON compared field by field.
type tableAnswer struct {
	Status int
	CType  string
	Body   string
	Spring *httpcases.SpringError
}

func asTableAnswer(a httpAnswer, spring bool) tableAnswer {
	ta := tableAnswer{Status: a.Status, CType: a.CType, Body: a.Body}
	if spring {
		var se httpcases.SpringError
		if err := json.Unmarshal([]byte(a.Body), &se); err == nil {
			ta.Body, ta.Spring = "", &se
		}
	}
	return ta
}

// runRejectionTable sends each case of the row's hand-written table to the
// real server and to the mock: the real server checks the table, the table
// checks the mock.
func runRejectionTable(t *testing.T, p *pair) {
	for i, c := range p.row.rejections() {
		c := renamed(c, i)
		t.Run(c.Name, func(t *testing.T) {
			want := tableAnswer{Status: c.Status, CType: c.CType, Body: c.Body, Spring: c.Spring}
			for _, side := range []struct{ name, url string }{{"real Nacos " + p.row.version, p.realURL()}, {"mock", p.mockURL()}} {
				for _, s := range c.Setup {
					a, err := send(side.url, s)
					if err != nil || a.Status != 200 {
						t.Fatalf("%s: setup %s %s: %+v %v", side.name, s.Method, s.Path, a, err)
					}
				}
				a, err := send(side.url, c.Req)
				if err != nil {
					t.Fatalf("%s: %v", side.name, err)
				}
				countRequest(p.row.version, 1+len(c.Setup))
				// A read after a setup may see the real server before it
				// settled (its lists lag a change by ~0.5 s): read again.
				for deadline := time.Now().Add(*flagSettle); len(c.Setup) > 0 && c.Req.Method == "GET" &&
					!cmp.Equal(want, asTableAnswer(a, c.Spring != nil)) && time.Now().Before(deadline); {
					time.Sleep(100 * time.Millisecond)
					if a, err = send(side.url, c.Req); err != nil {
						t.Fatalf("%s: %v", side.name, err)
					}
					countRequest(p.row.version, 1)
				}
				if d := cmp.Diff(want, asTableAnswer(a, c.Spring != nil)); d != "" {
					t.Errorf("%s answers %s %s unlike the table (-table +%s):\n%s", side.name, c.Req.Method, c.Req.Path, side.name, d)
				}
			}
		})
	}
}
