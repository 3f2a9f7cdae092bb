package grpcv2

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// checkLeaks verifies, after every cleanup of the test has run (the server
// stopped, the clients closed), that no goroutine started during the test is
// left. Register it first: cleanups run last-in first-out.
func checkLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// recorder is a journal for tests.
type recorder struct {
	mu     sync.Mutex
	events []journal.Event
}

func (r *recorder) record(e journal.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) all() []journal.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]journal.Event(nil), r.events...)
}

func (r *recorder) kind(k journal.Kind) []journal.Event {
	var out []journal.Event
	for _, e := range r.all() {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

type testEnv struct {
	srv  *Server
	reg  *registry.Registry
	rec  *recorder
	addr string
}

// deliverPushes is what the public server's Notify does.
func deliverPushes(ch registry.Changes) {
	for _, p := range ch.Pushes {
		p.Subscriber.Pusher.Push(p.View)
	}
}

func startServer(t testing.TB, ln net.Listener, tune func(*Config)) *testEnv {
	t.Helper()
	env := &testEnv{rec: &recorder{}}
	env.reg = registry.New(registry.Config{Notify: deliverPushes})
	cfg := Config{Registry: env.reg, Record: env.rec.record}
	if tune != nil {
		tune(&cfg)
	}
	env.srv = New(cfg)
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	env.addr = ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- env.srv.Serve(ln) }()
	t.Cleanup(func() {
		env.srv.Stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return env
}

// testClient is a hand-built Nacos client speaking through the same codec.
type testClient struct {
	t      testing.TB
	cc     *grpc.ClientConn
	connID string

	stream   grpc.ClientStream
	cancel   context.CancelFunc
	sendMu   sync.Mutex
	received chan *payload
	// answer, when set, makes the client answer server requests.
	answer   bool
	readDone chan struct{}
}

func dial(t testing.TB, addr string) *testClient {
	t.Helper()
	cc, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(codec{})))
	if err != nil {
		t.Fatal(err)
	}
	c := &testClient{t: t, cc: cc, received: make(chan *payload, 256), answer: true}
	t.Cleanup(c.close)
	return c
}

func (c *testClient) close() {
	if c.cancel != nil {
		c.cancel()
		<-c.readDone
	}
	c.cc.Close()
}

func jsonBody(v any) []byte {
	if b, ok := v.([]byte); ok {
		return b
	}
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (c *testClient) call(typ string, body any) (*payload, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out := new(payload)
	err := c.cc.Invoke(ctx, "/Request/request", &payload{Type: typ, Body: jsonBody(body), Headers: map[string]string{"app": "test"}}, out)
	return out, err
}

type answer struct {
	ResultCode   int             `json:"resultCode"`
	ErrorCode    int             `json:"errorCode"`
	Message      string          `json:"message"`
	Success      bool            `json:"success"`
	ConnectionID string          `json:"connectionId"`
	Type         string          `json:"type"`
	Count        int             `json:"count"`
	ServiceNames []string        `json:"serviceNames"`
	ServiceInfo  json.RawMessage `json:"serviceInfo"`
}

// must calls and decodes, failing the test on a transport error.
func (c *testClient) must(typ string, body any) (string, answer) {
	c.t.Helper()
	p, err := c.call(typ, body)
	if err != nil {
		c.t.Fatalf("%s: %v", typ, err)
	}
	var a answer
	if err := json.Unmarshal(p.Body, &a); err != nil {
		c.t.Fatalf("%s answer %q: %v", typ, p.Body, err)
	}
	return p.Type, a
}

// connect does what a Nacos client does: server check, stream, setup.
func (c *testClient) connect() {
	c.t.Helper()
	typ, a := c.must(typeServerCheckRequest, `{"headers":{},"module":"internal"}`)
	if typ != typeServerCheckResponse || a.ConnectionID == "" {
		c.t.Fatalf("server check: %s %+v", typ, a)
	}
	c.connID = a.ConnectionID
	c.openStream()
	c.send(&payload{Type: typeConnectionSetupRequest,
		Body: []byte(`{"headers":{},"clientVersion":"Nacos-Go-Client:test","tenant":"","labels":{"source":"sdk","module":"naming"},"module":"internal"}`)})
}

// connectTo connects c and waits until the server has processed its setup
// (the stream is where pushes go; a real client sleeps 100 ms instead).
func (e *testEnv) connectTo(t testing.TB, c *testClient) {
	t.Helper()
	c.connect()
	waitFor(t, "setup of "+c.connID, func() bool {
		for _, ci := range e.srv.Connections() {
			if ci.ID == c.connID && ci.Stream && ci.ClientVersion != "" {
				return true
			}
		}
		return false
	})
}

func (c *testClient) openStream() {
	ctx, cancel := context.WithCancel(context.Background())
	st, err := c.cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, "/BiRequestStream/requestBiStream")
	if err != nil {
		cancel()
		c.t.Fatal(err)
	}
	c.stream, c.cancel, c.readDone = st, cancel, make(chan struct{})
	go c.readLoop()
}

func (c *testClient) send(p *payload) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	_ = c.stream.SendMsg(p)
}

func (c *testClient) readLoop() {
	defer close(c.readDone)
	for {
		p := new(payload)
		if err := c.stream.RecvMsg(p); err != nil {
			close(c.received)
			return
		}
		if c.answer {
			var r struct {
				RequestID string `json:"requestId"`
			}
			_ = json.Unmarshal(p.Body, &r)
			resp := map[string]string{
				typeNotifySubscriberRequest: "NotifySubscriberResponse",
				typeClientDetectionRequest:  "ClientDetectionResponse",
				typeConnectResetRequest:     "ConnectResetResponse",
			}[p.Type]
			c.send(&payload{Type: resp, Body: jsonBody(map[string]any{"resultCode": 200, "errorCode": 0, "requestId": r.RequestID, "success": true})})
		}
		select {
		case c.received <- p:
		default:
		}
	}
}

// next waits for the next server request of the given type.
func (c *testClient) next(typ string, within time.Duration) (*payload, error) {
	t := time.NewTimer(within)
	defer t.Stop()
	for {
		select {
		case p, ok := <-c.received:
			if !ok {
				return nil, io.EOF
			}
			if p.Type == typ {
				return p, nil
			}
		case <-t.C:
			return nil, errors.New("timed out waiting for " + typ)
		}
	}
}

type pushedView struct {
	RequestID   string `json:"requestId"`
	Module      string `json:"module"`
	ServiceInfo struct {
		Name      string `json:"name"`
		GroupName string `json:"groupName"`
		Clusters  string `json:"clusters"`
		Hosts     []struct {
			IP          string            `json:"ip"`
			Port        int               `json:"port"`
			InstanceID  string            `json:"instanceId"`
			ClusterName string            `json:"clusterName"`
			ServiceName string            `json:"serviceName"`
			Metadata    map[string]string `json:"metadata"`
		} `json:"hosts"`
		LastRefTime int64 `json:"lastRefTime"`
	} `json:"serviceInfo"`
}

func registerBody(service, ip string, port int, cluster string) string {
	b, _ := json.Marshal(map[string]any{
		"headers": map[string]string{}, "namespace": "public", "serviceName": service, "groupName": "DEFAULT_GROUP",
		"module": "naming", "type": registerInstance,
		"instance": map[string]any{"instanceId": "", "ip": ip, "port": port, "weight": 1.0, "healthy": true, "enabled": true,
			"ephemeral": true, "clusterName": cluster, "serviceName": "", "metadata": map[string]string{"k": "v"}},
	})
	return string(b)
}

func subscribeBody(service string, subscribe bool) string {
	b, _ := json.Marshal(map[string]any{
		"headers": map[string]string{}, "namespace": "public", "serviceName": service, "groupName": "DEFAULT_GROUP",
		"subscribe": subscribe, "clusters": "", "module": "naming",
	})
	return string(b)
}

// waitFor polls cond (a test helper, not the mock's behaviour).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func instanceCount(reg *registry.Registry) int {
	_, n := reg.Counts()
	return n
}
