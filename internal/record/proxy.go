// Package record is a recording proxy in front of any Nacos: HTTP on P
// forwarded to Q, gRPC on P+1000 forwarded to Q+1000, each client gRPC
// connection on an upstream connection of its own (Nacos ties instances to
// connections). Bytes pass through unchanged; what passes is written as the
// journal's JSON Lines (format mocknacos-journal), one line per event,
// flushed as it goes, so that `mocknacos replay` and mocknacos.Replay can
// send it again.
package record

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// GRPCPortOffset is the distance of a Nacos gRPC port above its HTTP port.
const GRPCPortOffset = 1000

// maxBody bounds what is read of an HTTP body (the mock's limit too).
const maxBody = 10 << 20

// Config says where to listen, where to forward and where to write.
type Config struct {
	Listen   string // "127.0.0.1:P": HTTP on P, gRPC on P+1000
	Upstream string // "127.0.0.1:Q": HTTP on Q, gRPC on Q+1000
	// Out receives the recording: the header line at Start, then one line
	// per event, each in one Write (and flushed, if Out has Flush).
	Out    io.Writer
	Logger *slog.Logger
}

// Proxy is a running recorder.
type Proxy struct {
	cfg      Config
	log      *slog.Logger
	upHTTP   string
	upGRPC   string
	client   *http.Client
	hs       *http.Server
	gs       *grpc.Server
	httpLn   net.Listener
	grpcLn   net.Listener
	seq      atomic.Int64
	written  atomic.Int64
	outMu    sync.Mutex
	outErr   error
	wg       sync.WaitGroup // Serve loops and stream pumps
	stopOnce sync.Once
}

func hostPortPair(addr string) (string, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p+GRPCPortOffset > 65535 {
		return "", "", fmt.Errorf("%s: port must be 1..%d (gRPC is port+%d)", addr, 65535-GRPCPortOffset, GRPCPortOffset)
	}
	return addr, net.JoinHostPort(host, strconv.Itoa(p+GRPCPortOffset)), nil
}

// Start listens and writes the recording's header line.
func Start(cfg Config) (*Proxy, error) {
	if cfg.Out == nil {
		return nil, errors.New("record: no output")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	lh, lg, err := hostPortPair(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen %w", err)
	}
	uh, ug, err := hostPortPair(cfg.Upstream)
	if err != nil {
		return nil, fmt.Errorf("upstream %w", err)
	}
	p := &Proxy{cfg: cfg, log: cfg.Logger, upHTTP: "http://" + uh, upGRPC: ug}
	p.client = &http.Client{
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, DisableCompression: true, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // the client sees the upstream's answer as it is
		},
	}
	if p.httpLn, err = net.Listen("tcp", lh); err != nil {
		return nil, err
	}
	if p.grpcLn, err = net.Listen("tcp", lg); err != nil {
		p.httpLn.Close()
		return nil, err
	}
	if err := p.writeHeader("mocknacos record " + lh + " -> " + uh); err != nil {
		p.httpLn.Close()
		p.grpcLn.Close()
		return nil, err
	}
	p.hs = &http.Server{Handler: http.HandlerFunc(p.serveHTTP), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(p.log.Handler(), slog.LevelDebug)}
	p.gs = grpc.NewServer(
		grpc.ForceServerCodecV2(rawCodec{}),
		grpc.UnknownServiceHandler(p.serveGRPC),
		grpc.StatsHandler(&connTagger{p: p}),
		grpc.MaxRecvMsgSize(maxBody),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	)
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		if err := p.hs.Serve(p.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("http proxy stopped", "err", err)
		}
	}()
	go func() {
		defer p.wg.Done()
		if err := p.gs.Serve(p.grpcLn); err != nil {
			p.log.Error("grpc proxy stopped", "err", err)
		}
	}()
	return p, nil
}

// Addr is the HTTP address clients are given ("127.0.0.1:P").
func (p *Proxy) Addr() string { return p.httpLn.Addr().String() }

// Events is how many events have been written.
func (p *Proxy) Events() int64 { return p.written.Load() }

// Close stops listening, closes every connection (a client's gRPC
// connections end, and their upstream ones with them: recorded as
// disconnects), and returns the first write error, if any.
func (p *Proxy) Close() error {
	p.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_ = p.hs.Shutdown(ctx)
		cancel()
		p.hs.Close()
		p.gs.Stop()
		p.wg.Wait()
		p.client.CloseIdleConnections()
	})
	p.outMu.Lock()
	defer p.outMu.Unlock()
	return p.outErr
}

func (p *Proxy) writeHeader(source string) error {
	var buf bytes.Buffer
	if err := journal.WriteJSONL(&buf, journal.Header{Source: source}, nil); err != nil {
		return err
	}
	return p.writeLine(buf.Bytes())
}

// write stamps and writes one event.
func (p *Proxy) write(e *journal.Event) {
	if e.Seq == 0 {
		e.Seq = p.seq.Add(1)
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.WallTime = e.Time // the proxy has no mock clock: both are the wall clock
	if e.Namespace == "" && e.Service != "" {
		e.Namespace = "public"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		p.log.Error("record: cannot encode an event", "err", err)
		return
	}
	if p.writeLine(buf.Bytes()) == nil {
		p.written.Add(1)
	}
}

func (p *Proxy) writeLine(b []byte) error {
	p.outMu.Lock()
	defer p.outMu.Unlock()
	if p.outErr != nil {
		return p.outErr
	}
	_, err := p.cfg.Out.Write(b)
	if f, ok := p.cfg.Out.(interface{ Flush() error }); ok && err == nil {
		err = f.Flush()
	}
	if err != nil {
		p.outErr = err
		p.log.Error("record: cannot write", "err", err)
	}
	return err
}

// --- HTTP ---

// hopHeaders are the transport's own (RFC 9110 7.6.1), not forwarded.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (p *Proxy) serveHTTP(w http.ResponseWriter, r *http.Request) {
	e := journal.Event{Seq: p.seq.Add(1), Time: time.Now(), Protocol: journal.HTTP, Remote: r.RemoteAddr}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upHTTP+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out.Header = r.Header.Clone()
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	if _, ok := r.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = []string{""} // none, rather than Go's
	}
	e.Request = journal.Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Params: params(r, body),
		Headers: journal.HeadersOf(r.Header), Body: string(body)}
	resp, err := p.client.Do(out)
	if err != nil {
		e.Rejected, e.Error = true, "upstream: "+err.Error()
		describeHTTP(&e, e.Request.Params)
		if r.Context().Err() == nil {
			http.Error(w, "mocknacos record: upstream: "+err.Error(), http.StatusBadGateway)
			e.Response.Status = http.StatusBadGateway
		}
		p.write(&e)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	for _, h := range hopHeaders {
		resp.Header.Del(h)
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
	e.Response = journal.Response{Status: resp.StatusCode, Body: string(decoded(resp.Header, answer))}
	if resp.StatusCode != http.StatusOK {
		e.Rejected, e.Error = true, e.Response.Body
	}
	describeHTTP(&e, e.Request.Params)
	p.write(&e)
}

// decoded is a gzip-encoded answer unpacked, for the recording.
func decoded(h http.Header, b []byte) []byte {
	if !strings.EqualFold(h.Get("Content-Encoding"), "gzip") {
		return b
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b
	}
	d, err := io.ReadAll(io.LimitReader(zr, maxBody))
	if err != nil {
		return b
	}
	return d
}

// params are the query's and a form body's parameters, as the journal
// keeps them; values that are not valid URL encoding stay as they are (old
// clients send bodies unencoded).
func params(r *http.Request, body []byte) map[string][]string {
	out := map[string][]string{}
	add := func(s string) {
		for _, pair := range strings.Split(s, "&") {
			if pair == "" {
				continue
			}
			k, v, _ := strings.Cut(pair, "=")
			if dk, err := url.QueryUnescape(k); err == nil {
				k = dk
			}
			if dv, err := url.QueryUnescape(v); err == nil {
				v = dv
			}
			out[k] = append(out[k], v)
		}
	}
	add(r.URL.RawQuery)
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded") {
		add(string(body))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// --- gRPC ---

// rawMsg is one gRPC message, passed on byte for byte.
type rawMsg struct{ b []byte }

// rawCodec moves messages without decoding them. Its name is "proto", the
// content subtype Nacos clients send.
type rawCodec struct{}

var _ encoding.CodecV2 = rawCodec{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(*rawMsg)
	if !ok {
		return nil, fmt.Errorf("record: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(m.b)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*rawMsg)
	if !ok {
		return fmt.Errorf("record: cannot unmarshal into %T", v)
	}
	m.b = data.Materialize()
	return nil
}

// pconn is one client transport and its upstream connection.
type pconn struct {
	p      *Proxy
	id     string
	remote string
	ip     string
	port   int

	mu sync.Mutex
	cc *grpc.ClientConn
}

type pconnKey struct{}

// connTagger learns of every client transport, as the mock's stats
// handler does.
type connTagger struct{ p *Proxy }

func (t *connTagger) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (t *connTagger) HandleRPC(context.Context, stats.RPCStats)                       {}

func (t *connTagger) TagConn(ctx context.Context, info *stats.ConnTagInfo) context.Context {
	c := &pconn{p: t.p, remote: info.RemoteAddr.String()}
	if ta, ok := info.RemoteAddr.(*net.TCPAddr); ok {
		c.ip, c.port = ta.IP.String(), ta.Port
	}
	// The mock's connection id format: "<millis>_<ip>_<port>".
	c.id = strconv.FormatInt(time.Now().UnixMilli(), 10) + "_" + c.ip + "_" + strconv.Itoa(c.port)
	return context.WithValue(ctx, pconnKey{}, c)
}

func (t *connTagger) HandleConn(ctx context.Context, st stats.ConnStats) {
	c, _ := ctx.Value(pconnKey{}).(*pconn)
	if c == nil {
		return
	}
	switch st.(type) {
	case *stats.ConnBegin:
		c.record(&journal.Event{Kind: journal.Connect})
	case *stats.ConnEnd:
		c.mu.Lock()
		cc := c.cc
		c.cc = nil
		c.mu.Unlock()
		if cc != nil {
			_ = cc.Close()
		}
		c.record(&journal.Event{Kind: journal.Disconnect, Error: "transport closed"})
	}
}

func (c *pconn) record(e *journal.Event) {
	e.Protocol, e.ConnectionID, e.Remote = journal.GRPC, c.id, c.remote
	if e.IP == "" && e.Port == 0 && e.Service == "" {
		e.IP, e.Port = c.ip, c.port
	}
	c.p.write(e)
}

// upstream is the client transport's own upstream connection.
func (c *pconn) upstream() (*grpc.ClientConn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cc != nil {
		return c.cc, nil
	}
	cc, err := grpc.NewClient("passthrough:///"+c.p.upGRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{}), grpc.MaxCallRecvMsgSize(maxBody)))
	if err != nil {
		return nil, err
	}
	c.cc = cc
	return cc, nil
}

// serveGRPC forwards any call as a bidirectional stream: for the unary
// Request.request that is one message each way.
func (p *Proxy) serveGRPC(_ any, ss grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(ss)
	c, _ := ss.Context().Value(pconnKey{}).(*pconn)
	if c == nil {
		return errors.New("record: stream without a connection")
	}
	cc, err := c.upstream()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ss.Context())
	defer cancel()
	if md, ok := metadata.FromIncomingContext(ss.Context()); ok {
		out := metadata.MD{}
		for k, v := range md {
			if !strings.HasPrefix(k, ":") && k != "content-type" && k != "user-agent" && !strings.HasPrefix(k, "grpc-") {
				out[k] = v
			}
		}
		ctx = metadata.NewOutgoingContext(ctx, out)
	}
	up, err := cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		c.record(&journal.Event{Kind: journal.Unknown, Rejected: true, Error: "upstream: " + err.Error()})
		return err
	}
	unary := method == grpcv2.MethodRequest
	type arrival struct {
		e journal.Event
		p grpcv2.Payload
	}
	requests := make(chan arrival, 1)
	p.wg.Add(1)
	go func() { // client -> upstream
		defer p.wg.Done()
		for {
			m := new(rawMsg)
			if err := ss.RecvMsg(m); err != nil {
				_ = up.CloseSend()
				return
			}
			a := arrival{e: journal.Event{Seq: p.seq.Add(1), Time: time.Now()}}
			_ = grpcv2.DecodePayload(m.b, &a.p)
			if unary {
				select {
				case requests <- a:
				default:
				}
			} else {
				a.e.Request = journal.Request{Type: a.p.Type, Headers: a.p.Headers, Body: string(a.p.Body)}
				describeGRPC(&a.e, a.p.Type, a.p.Body, false)
				c.record(&a.e)
			}
			if err := up.SendMsg(m); err != nil {
				return
			}
		}
	}()
	for {
		m := new(rawMsg)
		err := up.RecvMsg(m)
		if err != nil {
			ss.SetTrailer(up.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			if unary {
				select {
				case a := <-requests:
					a.e.Request = journal.Request{Type: a.p.Type, Headers: a.p.Headers, Body: string(a.p.Body)}
					describeGRPC(&a.e, a.p.Type, a.p.Body, false)
					a.e.Rejected, a.e.Error = true, "upstream: "+err.Error()
					c.record(&a.e)
				default:
				}
			}
			return err
		}
		var out grpcv2.Payload
		_ = grpcv2.DecodePayload(m.b, &out)
		if unary {
			a := <-requests
			a.e.Request = journal.Request{Type: a.p.Type, Headers: a.p.Headers, Body: string(a.p.Body)}
			describeGRPC(&a.e, a.p.Type, a.p.Body, false)
			rec := grpcv2.ResponseOf(&out)
			a.e.Response = rec
			if rec.Status != 200 {
				a.e.Rejected, a.e.Error = true, messageOf(out.Body)
			}
			c.record(&a.e)
		} else {
			e := journal.Event{Request: journal.Request{Type: out.Type, Body: string(out.Body)}}
			describeGRPC(&e, out.Type, out.Body, true)
			c.record(&e)
		}
		if err := ss.SendMsg(m); err != nil {
			return err
		}
	}
}

func messageOf(body []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &m)
	return m.Message
}
