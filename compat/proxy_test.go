//go:build compat

package compat

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// recorder is an HTTP reverse proxy in front of a server's HTTP port that
// records every request an app sends through it: the traffic a 1.x client
// sends is then observed the same way for the mock and for a real server
// (whose own logs the suite cannot read reliably). Only HTTP-protocol
// providers are pointed at a recorder; gRPC goes to P+1000 directly.
type recorder struct {
	Port int
	srv  *http.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	At     time.Time
	Method string
	Path   string
	Status int
	Body   []byte // the answer, decompressed, at most 4 KiB
}

func startRecorder(t testing.TB, serverPort int) *recorder {
	target, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(serverPort))
	proxy := httputil.NewSingleHostReverseProxy(target)
	r := &recorder{}
	proxy.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return err
		}
		plain := body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				if b, err := io.ReadAll(zr); err == nil {
					plain = b
				}
			}
		}
		if len(plain) > 4096 {
			plain = plain[:4096]
		}
		r.add(recorded{At: startOf(resp.Request), Method: resp.Request.Method, Path: resp.Request.URL.Path, Status: resp.StatusCode, Body: plain})
		return nil
	}
	proxy.ErrorHandler = func(w http.ResponseWriter, req *http.Request, err error) {
		r.add(recorded{At: startOf(req), Method: req.Method, Path: req.URL.Path, Status: http.StatusBadGateway, Body: []byte(err.Error())})
		w.WriteHeader(http.StatusBadGateway)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.Port = ln.Addr().(*net.TCPAddr).Port
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		proxy.ServeHTTP(w, withStart(req))
	}), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { r.srv.Close() })
	return r
}

func (r *recorder) add(x recorded) {
	r.mu.Lock()
	r.reqs = append(r.reqs, x)
	r.mu.Unlock()
}

// find returns the recorded requests of a method and path, oldest first.
func (r *recorder) find(method, path string) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, x := range r.reqs {
		if x.Method == method && x.Path == path {
			out = append(out, x)
		}
	}
	return out
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

type startKey struct{}

func withStart(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), startKey{}, time.Now()))
}

func startOf(req *http.Request) time.Time {
	if t, ok := req.Context().Value(startKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}
