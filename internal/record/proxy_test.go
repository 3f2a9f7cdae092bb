package record_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/record"
	"github.com/mocknacos/mocknacos/internal/replay"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// syncBuffer is a bytes.Buffer safe for the proxy's writes and the test's
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// key is what must agree between the proxy's event and the mock's own.
type key struct {
	Protocol, Kind, Namespace, Group, Service string
	Method, Path, Query, Type, Body           string
	Status, ErrorCode                         int
	Answer                                    string
}

func keyOf(e journal.Event) key {
	k := key{e.Protocol, string(e.Kind), e.Namespace, e.Group, e.Service, e.Request.Method, e.Request.Path,
		e.Request.Query, e.Request.Type, e.Request.Body, e.Response.Status, e.Response.ErrorCode, e.Response.Body}
	if e.Kind == journal.ServerCheck {
		k.Answer = "" // names the connection: the proxy's upstream one
	}
	return k
}

// TestProxyRecordsWhatTheMockJournals: HTTP and gRPC requests through the
// proxy are forwarded unchanged (the client gets the mock's answers) and
// recorded as the mock journals them; Close leaves no goroutine behind.
func TestProxyRecordsWhatTheMockJournals(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	upstream, err := mocknacos.New(mocknacos.WithFrozenClock(time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	defer upstream.Close()
	probe, err := mocknacos.New()
	if err != nil {
		t.Fatal(err)
	}
	listen := probe.Addr()
	if err := probe.Close(); err != nil {
		t.Fatal(err)
	}
	var file syncBuffer
	p, err := record.Start(record.Config{Listen: listen, Upstream: upstream.Addr(), Out: &file})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	client := &http.Client{Transport: &http.Transport{}}
	base := "http://" + listen + "/nacos/v1/ns"
	for _, r := range []struct{ method, url, form, want string }{
		{"POST", base + "/instance?serviceName=orders&ip=127.0.0.1&port=8080", "", "ok"},
		{"PUT", base + "/instance/beat", "serviceName=DEFAULT_GROUP@@orders&beat=" + `{"ip":"127.0.0.1","port":8080,"cluster":"DEFAULT"}`, `"code":10200`},
		{"GET", base + "/instance/list?serviceName=orders", "", `"port":8080`},
		{"GET", base + "/instance?serviceName=orders&ip=127.0.0.1&port=1", "", "no matched ip found"},
		{"DELETE", base + "/instance?serviceName=orders&ip=127.0.0.1&port=8080", "", "ok"},
	} {
		var body io.Reader
		if r.form != "" {
			body = strings.NewReader(r.form)
		}
		req, _ := http.NewRequest(r.method, r.url, body)
		if r.form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), r.want) {
			t.Fatalf("%s %s: %d %s", r.method, r.url, resp.StatusCode, b)
		}
	}
	client.CloseIdleConnections()

	// gRPC through the proxy, as a client speaks it (the replay client).
	nt, err := replay.NewNetwork(listen)
	if err != nil {
		t.Fatal(err)
	}
	pushes := make(chan *grpcv2.Payload, 8)
	c, err := nt.Open(context.Background(), func(p *grpcv2.Payload) { pushes <- p })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func(typ, body string) *grpcv2.Payload {
		out, err := c.Request(ctx, &grpcv2.Payload{Type: typ, Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := call("ServerCheckRequest", `{"headers":{},"requestId":"1"}`); !strings.Contains(string(out.Body), `"connectionId"`) {
		t.Fatalf("server check: %s", out.Body)
	}
	if err := c.Stream(ctx, &grpcv2.Payload{Type: "ConnectionSetupRequest", Body: []byte(`{"clientVersion":"test","labels":{"module":"naming"},"headers":{}}`)}); err != nil {
		t.Fatal(err)
	}
	// The setup travels on the stream, the subscribe on a request of its
	// own: wait until the mock has the stream to push on (real clients wait
	// after their setup too), or the subscribe may overtake it.
	if _, err := upstream.WaitForEvents(mocknacos.Query{Kind: mocknacos.Kind("setup")}, 1, 5*time.Second); err != nil {
		t.Fatal("the setup did not reach the mock:", err)
	}
	call("SubscribeServiceRequest", `{"headers":{},"requestId":"2","namespace":"public","serviceName":"pay","groupName":"DEFAULT_GROUP","subscribe":true,"clusters":""}`)
	select { // a new subscriber is pushed the view (still empty)
	case p := <-pushes:
		if p.Type != "NotifySubscriberRequest" || !strings.Contains(string(p.Body), `"hosts":[]`) {
			t.Fatalf("first push %s %s", p.Type, p.Body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no push of the view to a new subscriber through the proxy")
	}
	out := call("InstanceRequest", `{"headers":{},"requestId":"3","namespace":"public","serviceName":"pay","groupName":"DEFAULT_GROUP","type":"registerInstance",`+
		`"instance":{"ip":"127.0.0.1","port":9090,"weight":1,"healthy":true,"enabled":true,"ephemeral":true,"clusterName":"DEFAULT","metadata":{}}}`)
	if out.Type != "InstanceResponse" {
		t.Fatalf("register: %s %s", out.Type, out.Body)
	}
	select {
	case p := <-pushes:
		if p.Type != "NotifySubscriberRequest" || !strings.Contains(string(p.Body), `"port":9090`) {
			t.Fatalf("push %s %s", p.Type, p.Body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no push through the proxy")
	}
	if _, err := upstream.WaitForEvents(mocknacos.Query{Kind: mocknacos.Kind(journal.PushAck)}, 2, 5*time.Second); err != nil {
		t.Fatal("the push's acknowledgement did not reach the mock:", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	nt.Close()
	if err := upstream.WaitForInstances("pay", 0, 5*time.Second); err != nil {
		t.Fatal("closing the client's connection must close the upstream one:", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	_, recorded, err := journal.ReadJSONL(strings.NewReader(file.String()))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(recorded)) != p.Events() {
		t.Fatalf("read %d events, the proxy counted %d", len(recorded), p.Events())
	}
	want := map[key]int{}
	for _, e := range upstream.Journal() {
		want[keyOf(e)]++
	}
	got := map[key]int{}
	for _, e := range recorded {
		got[keyOf(e)]++
	}
	for k, n := range want {
		if k.Kind == string(journal.Connect) || k.Kind == string(journal.Disconnect) {
			continue // the same transports' lifecycle, compared below
		}
		if got[k] != n {
			t.Errorf("the mock journaled %d of\n  %+v\nthe proxy recorded %d", n, k, got[k])
		}
	}
	kinds := map[journal.Kind]int{}
	for _, e := range recorded {
		kinds[e.Kind]++
		if e.Protocol == journal.GRPC && e.ConnectionID == "" {
			t.Errorf("gRPC event without a connection id: %+v", e)
		}
	}
	if kinds[journal.Connect] != 1 || kinds[journal.Disconnect] != 1 || kinds[journal.Push] != 2 || kinds[journal.PushAck] != 2 {
		t.Errorf("kinds recorded: %v", kinds)
	}
}

// TestProxyRefusesBadAddresses: a port without room for +1000, or no
// output, is refused before anything listens.
func TestProxyRefusesBadAddresses(t *testing.T) {
	for _, cfg := range []record.Config{
		{Listen: "127.0.0.1:65000", Upstream: "127.0.0.1:8848", Out: io.Discard},
		{Listen: "127.0.0.1:18848", Upstream: "nowhere", Out: io.Discard},
		{Listen: "127.0.0.1:18848", Upstream: "127.0.0.1:8848"},
	} {
		if p, err := record.Start(cfg); err == nil {
			p.Close()
			t.Errorf("%+v accepted", cfg)
		}
	}
}
