package httpv1

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// FuzzRequest sends one arbitrary request through the HTTP API: whatever
// arrives, the mock must not crash, must answer a status the real server
// could give, and must journal the request exactly once.
//
// The seed corpus (testdata/fuzz/FuzzRequest) holds the shapes real clients
// send: Java 1.x (query string), Go v1 (form bodies and queries that are not
// URL-encoded, metadata as raw JSON), Python v1 (bare names, True/None).
// Plain `go test` runs the seeds; `go test -fuzz=FuzzRequest` explores.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "/nacos/v1/ns/instance", "serviceName=orders&ip=127.0.0.1&port=8080", "", false, false)
	f.Add("PUT", "/nacos/v1/ns/instance/beat", "", `serviceName=DEFAULT_GROUP@@orders&beat={"ip":"127.0.0.1","port":8080}`, true, false)
	f.Add("GET", "/nacos/v1/ns/instance/list", "serviceName=DEFAULT_GROUP@@orders&healthyOnly=true", "", false, true)
	f.Fuzz(func(t *testing.T, method, path, query, body string, form, v1 bool) {
		target := path
		if query != "" {
			target += "?" + query
		}
		// What net/http's server refuses before any handler runs never
		// reaches the mock.
		u, err := url.ParseRequestURI(target)
		if err != nil || !validMethod(method) || strings.ContainsAny(target, " \r\n") {
			t.Skip()
		}
		mode := registry.ModeV2
		if v1 {
			mode = registry.ModeV1
		}
		now := time.Unix(1700000000, 0)
		reg := registry.New(registry.Config{Mode: mode, Now: func() time.Time { return now }})
		var events []journal.Event
		s, err := New(Config{Registry: reg, Record: func(e journal.Event) { events = append(events, e) }})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()

		r := &http.Request{
			Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Host: "127.0.0.1:8848", RemoteAddr: "127.0.0.1:40000",
			Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
		}
		if form {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
		}
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)

		switch w.Code {
		case 200, 400, 403, 404, 405, 500, 501:
		default:
			t.Fatalf("%s %s: status %d (%q)", method, target, w.Code, w.Body.String())
		}
		if len(events) != 1 {
			t.Fatalf("%s %s: journaled %d events, want 1", method, target, len(events))
		}
		ev := events[0]
		if ev.Response.Status != w.Code || ev.Rejected != (w.Code != 200) {
			t.Fatalf("%s %s: answered %d, journaled status %d rejected=%v", method, target, w.Code, ev.Response.Status, ev.Rejected)
		}
		if ev.Response.Body != w.Body.String() {
			t.Fatalf("%s %s: journaled body %q, answered %q", method, target, ev.Response.Body, w.Body.String())
		}
		if ct := w.Header().Get("Content-Type"); strings.HasPrefix(ct, "application/json") && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: invalid JSON answered: %q", method, target, w.Body.String())
		}
		if w.Code == 200 && w.Body.Len() == 0 {
			t.Fatalf("%s %s: empty 200 answer", method, target)
		}
	})
}

// validMethod is net/http's check of a request method (a token).
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c > 0x7e || c <= ' ' || strings.ContainsRune(`()<>@,;:\"/[]?={}`, c) {
			return false
		}
	}
	return true
}
