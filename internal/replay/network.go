package replay

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// HTTPParts is the raw query and the headers to send for a recorded HTTP
// request. A recording made before the journal kept the raw query and the
// headers has only the merged parameters: those not in the form body then
// go in the query, and a form body gets the form content type.
func HTTPParts(req *journal.Request) (string, http.Header) {
	h := make(http.Header, len(req.Headers)+1)
	for k, v := range req.Headers {
		h.Set(k, v)
	}
	if h.Get("User-Agent") == "" {
		h["User-Agent"] = []string{""} // send none rather than Go's own
	}
	if req.Query != "" || req.Headers != nil || len(req.Params) == 0 {
		return req.Query, h
	}
	inBody := map[string]int{}
	if req.Body != "" {
		if vals, err := url.ParseQuery(req.Body); err == nil {
			for k, v := range vals {
				inBody[k] = len(v)
			}
			h.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	q := url.Values{}
	for k, vs := range req.Params {
		if n := inBody[k]; n < len(vs) {
			q[k] = vs[:len(vs)-n]
		}
	}
	return q.Encode(), h
}

// Network is a target over the network: HTTP on host:port, gRPC on
// host:port+1000.
type Network struct {
	base     string // "http://host:port"
	grpcAddr string
	client   *http.Client
}

// NewNetwork is the target at hostPort ("127.0.0.1:8848").
func NewNetwork(hostPort string) (*Network, error) {
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return nil, err
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p+1000 > 65535 {
		return nil, errors.New("target port must be 1..64535 (gRPC is port+1000)")
	}
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 64,
		DisableCompression:  true, // send Accept-Encoding only if the recording did
		IdleConnTimeout:     30 * time.Second,
	}
	return &Network{
		base:     "http://" + hostPort,
		grpcAddr: net.JoinHostPort(host, strconv.Itoa(p+1000)),
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // answers are compared as they are
		}},
	}, nil
}

// Close releases idle HTTP connections.
func (n *Network) Close() { n.client.CloseIdleConnections() }

// HTTP sends the request and reads the whole answer.
func (n *Network) HTTP(ctx context.Context, req *journal.Request, _ string) (journal.Response, error) {
	q, h := HTTPParts(req)
	u := n.base + req.Path
	if q != "" {
		u += "?" + q
	}
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	r, err := http.NewRequestWithContext(ctx, req.Method, u, body)
	if err != nil {
		return journal.Response{}, err
	}
	r.Header = h
	resp, err := n.client.Do(r)
	if err != nil {
		return journal.Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return journal.Response{}, err
	}
	return journal.Response{Status: resp.StatusCode, Body: string(b)}, nil
}

// Open dials a new gRPC connection (its own HTTP/2 transport: Nacos ties
// a connection's instances to it).
func (n *Network) Open(_ context.Context, onPush func(*grpcv2.Payload)) (Conn, error) {
	cc, err := grpc.NewClient("passthrough:///"+n.grpcAddr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(grpcv2.Codec()), grpc.MaxCallRecvMsgSize(10<<20)))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &netConn{cc: cc, ctx: ctx, cancel: cancel, onPush: onPush}, nil
}

type netConn struct {
	cc     *grpc.ClientConn
	ctx    context.Context // the stream's: ends with Close
	cancel context.CancelFunc
	onPush func(*grpcv2.Payload)

	mu      sync.Mutex // the stream's sends
	stream  grpc.ClientStream
	setupAt time.Time
	wg      sync.WaitGroup
}

// unregisteredRetry is how long after the stream's setup a 301
// ("Connection is unregistered") is retried: a real server registers the
// connection while handling the setup on the stream, which can finish
// after a request sent right behind it arrives (clients wait for it).
const unregisteredRetry = time.Second

func (c *netConn) Request(ctx context.Context, p *grpcv2.Payload) (*grpcv2.Payload, error) {
	for {
		out := new(grpcv2.Payload)
		if err := c.cc.Invoke(ctx, grpcv2.MethodRequest, p, out); err != nil {
			return nil, err
		}
		c.mu.Lock()
		fresh := !c.setupAt.IsZero() && time.Since(c.setupAt) < unregisteredRetry
		c.mu.Unlock()
		if !fresh || p.Type == "ServerCheckRequest" || grpcv2.ResponseOf(out).ErrorCode != 301 {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (c *netConn) Stream(_ context.Context, p *grpcv2.Payload) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stream == nil {
		st, err := c.cc.NewStream(c.ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, grpcv2.MethodBiStream)
		if err != nil {
			return err
		}
		c.stream = st
		c.wg.Add(1)
		go c.receive(st)
	}
	if p.Type == "ConnectionSetupRequest" {
		c.setupAt = time.Now()
	}
	return c.stream.SendMsg(p)
}

// receive answers what the target sends on the stream, as a client does.
func (c *netConn) receive(st grpc.ClientStream) {
	defer c.wg.Done()
	for {
		in := new(grpcv2.Payload)
		if err := st.RecvMsg(in); err != nil {
			return
		}
		if c.onPush != nil {
			c.onPush(in)
		}
		c.mu.Lock()
		err := st.SendMsg(grpcv2.AckFor(in))
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (c *netConn) Close() error {
	c.cancel()
	err := c.cc.Close()
	c.wg.Wait()
	return err
}
