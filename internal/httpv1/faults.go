package httpv1

import (
	"net/http"
	"time"

	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// injectFault carries out the fault that hits this request, if any. It
// reports true when the request is finished (answered or dropped); a delay
// alone, or a discard, lets the request go on.
func (c *call) injectFault() bool {
	if c.s.cfg.Faults == nil {
		return false
	}
	rule, ok := c.s.cfg.Faults.Match(faults.Request{Protocol: journal.HTTP, Method: c.r.Method, Path: c.r.URL.Path,
		Group: c.ev.Group, Service: c.ev.Service})
	if !ok {
		return false
	}
	c.ev.Fault = rule.Describe("status")
	if rule.Delay > 0 {
		t := time.NewTimer(rule.Delay)
		select {
		case <-t.C:
		case <-c.r.Context().Done():
			t.Stop()
		}
	}
	switch {
	case rule.Drop:
		c.ev.Rejected, c.ev.Error = true, "connection dropped by an injected fault"
		// Journal first: a client that sees the connection close may read
		// the journal at once.
		c.s.cfg.Record(c.ev)
		c.recorded = true
		if hj, ok := c.w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		// Cannot hijack (HTTP/2): abort the handler, which resets the stream.
		panic(http.ErrAbortHandler)
	case rule.Discard:
		c.discard = true
		return false
	case rule.Status != 0:
		msg := rule.Message
		if msg == "" {
			msg = http.StatusText(rule.Status)
		}
		c.text(rule.Status, msg)
		c.ev.Rejected, c.ev.Error = true, msg
		c.ev.Response.Status, c.ev.Response.Body = rule.Status, msg
		c.w.Header().Set("Content-Type", c.ctype)
		c.w.WriteHeader(c.status)
		_, _ = c.w.Write(c.body)
		return true
	}
	return false
}

// fakeSuccess answers a discarded request as if it had been applied; a
// beat is answered by its handler, which applies nothing when discarding.
func (c *call) fakeSuccess(h func(*call) error) error {
	if c.ev.Kind == journal.Beat {
		return h(c)
	}
	return c.ok()
}
