package httpv1

import (
	"context"
	"net/http"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// Exchange is one request to a route that another package mounts (config,
// auth) through Handle, so that it gets what the naming routes get:
// parameters read as Java's request.getParameter does, injected faults, the
// Guard, and one journal event with the request and the answer.
type Exchange struct{ c *call }

// Handle wraps h as the naming handlers are wrapped. describe, when set,
// fills the journal event's subject from the parameters before anything
// else runs (faults match it; a request the Guard refuses is journaled
// with it). h answers with Answer (no answer: 200 with an empty body); it
// may block (a long poll) and may set response headers with Header.
func (s *Server) Handle(kind journal.Kind, describe, h func(x *Exchange)) http.Handler {
	inner := s.handle(kind, func(c *call) error {
		h(&Exchange{c})
		return nil
	})
	if describe == nil {
		return inner
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), describeKey{}, describe)))
	})
}

type describeKey struct{}

// describeMounted runs the describe function Handle was given, if any.
func (c *call) describeMounted() {
	if d, ok := c.r.Context().Value(describeKey{}).(func(*Exchange)); ok {
		d(&Exchange{c})
	}
}

// Request is the HTTP request.
func (x *Exchange) Request() *http.Request { return x.c.r }

// Param is request.getParameter: query first, then a form body; "" when
// absent.
func (x *Exchange) Param(name string) string { return x.c.p.get(name) }

// Has reports whether the parameter is present (even if empty).
func (x *Exchange) Has(name string) bool { return x.c.p.has(name) }

// Header is the response header, for headers other than Content-Type.
func (x *Exchange) Header() http.Header { return x.c.w.Header() }

// Event is the journal event being built; fill its subject (Namespace,
// Group, Service) and it is recorded when the handler returns.
func (x *Exchange) Event() *journal.Event { return &x.c.ev }

// Answer sets the status, Content-Type ("" for none) and body.
func (x *Exchange) Answer(status int, contentType string, body string) {
	x.c.status, x.c.ctype, x.c.body = status, contentType, []byte(body)
}

// SpringError answers with Spring Boot's /error JSON, as a servlet filter's
// sendError does on the real server.
func (x *Exchange) SpringError(status int, message string) { x.c.springError(status, message) }

// Record journals another event (a push) with the server's Record.
func (x *Exchange) Record(e journal.Event) { x.c.s.cfg.Record(e) }

// SpringReject is a Guard answer in Spring Boot's /error JSON (or its HTML
// page, by the request's Accept), as the AuthFilter's sendError(status,
// message) gives on the real server: there the JSON is labelled
// "application/json;charset=UTF-8".
func SpringReject(r *http.Request, status int, message string) *Reject {
	c := &call{r: r}
	c.springError(status, message)
	if c.ctype == "application/json" {
		c.ctype = "application/json;charset=UTF-8"
	}
	return &Reject{Status: c.status, Body: string(c.body), ContentType: c.ctype}
}

// FilterContentType imitates a servlet filter that sets contentType on the
// response before the chain runs: an answer that sets none, or only
// Spring's bare "application/json" (which then gains the charset), carries
// contentType; an answer not yet given is an empty 200.
func (x *Exchange) FilterContentType(contentType string) {
	if x.c.status == 0 {
		x.c.status, x.c.body = http.StatusOK, nil
		x.c.ctype = contentType
		return
	}
	if x.c.ctype == "" || x.c.ctype == "application/json" {
		x.c.ctype = contentType
	}
}
