package mocknacos

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/replay"
)

// ReplaySummary counts what a replay did: events read, requests sent,
// answers matched and differed (compared with the recorded ones after
// normalisation), transport errors, and more.
type ReplaySummary = replay.Summary

// ReplayOption tunes Replay.
type ReplayOption func(*replay.Options)

// ReplaySpeed keeps the recorded relative timing divided by n (the mock
// clock still moves by the recorded gaps). The default, 0, runs as fast as
// the CPU allows.
func ReplaySpeed(n float64) ReplayOption { return func(o *replay.Options) { o.Speed = n } }

// ReplayReport writes every difference (and error) as a JSON line to w.
func ReplayReport(w io.Writer) ReplayOption { return func(o *replay.Options) { o.Report = w } }

// ReplayProgress calls f about every interval with the counts so far, and
// once at the end.
func ReplayProgress(every time.Duration, f func(ReplaySummary)) ReplayOption {
	return func(o *replay.Options) { o.Progress, o.ProgressEvery = f, every }
}

// Replay applies a recording (the journal's JSON Lines, as ExportJournal
// or `mocknacos record` write it) to srv in process: each HTTP request goes
// through the same handler the network would call, each gRPC request
// through the same acceptor, on one connection per recorded connection,
// without sockets. Before each event the mock clock is moved to the event's
// recorded mock time (relative to the first event), so beats expire as they
// did; with WithFrozenClock nothing else moves it, and the replay runs as
// fast as the CPU allows. Every answer is compared with the recorded one.
//
// Connections the recording leaves open stay open, so the registry ends in
// the state the recording implies; they close with srv. The error is about
// reading the recording (or ctx); differences are counted, not errors.
func Replay(ctx context.Context, srv *Server, r io.Reader, opts ...ReplayOption) (ReplaySummary, error) {
	o := replay.Options{KeepOpen: true}
	for _, opt := range opts {
		opt(&o)
	}
	base := srv.Now()
	o.AdvanceTo = func(elapsed time.Duration) {
		if d := base.Add(elapsed).Sub(srv.clock.Now()); d > 0 {
			srv.Advance(d)
		}
	}
	return replay.Run(ctx, r, &inProcess{s: srv}, o)
}

// inProcess is the mock itself as a replay target.
type inProcess struct{ s *Server }

func (t *inProcess) HTTP(ctx context.Context, req *journal.Request, remote string) (journal.Response, error) {
	q, h := replay.HTTPParts(req)
	if remote == "" {
		remote = "127.0.0.1:0"
	}
	r := &http.Request{Method: req.Method, URL: &url.URL{Path: req.Path, RawQuery: q}, Proto: "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: t.s.Addr(), RemoteAddr: remote, Body: http.NoBody}
	r.RequestURI = r.URL.RequestURI()
	if req.Body != "" {
		r.Body = io.NopCloser(strings.NewReader(req.Body))
		r.ContentLength = int64(len(req.Body))
	}
	w := &replayWriter{h: make(http.Header)}
	t.s.cur.Load().hs.Handler.ServeHTTP(w, r.WithContext(ctx))
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return journal.Response{Status: w.status, Body: w.body.String()}, nil
}

func (t *inProcess) Open(_ context.Context, onPush func(*grpcv2.Payload)) (replay.Conn, error) {
	return directConn{t.s.cur.Load().grpc.OpenDirect(onPush)}, nil
}

// directConn adapts grpcv2.DirectConn to replay.Conn.
type directConn struct{ d *grpcv2.DirectConn }

func (c directConn) Request(_ context.Context, p *grpcv2.Payload) (*grpcv2.Payload, error) {
	return c.d.Request(p), nil
}

func (c directConn) Stream(_ context.Context, p *grpcv2.Payload) error {
	c.d.Stream(p)
	return nil
}

func (c directConn) Close() error {
	c.d.Close()
	return nil
}

// replayWriter is the http.ResponseWriter of an in-process request.
type replayWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (w *replayWriter) Header() http.Header { return w.h }

func (w *replayWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *replayWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// Flush lets a handler flush, as net/http's writer does.
func (w *replayWriter) Flush() {}
