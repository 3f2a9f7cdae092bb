package mocknacos_test

// Nothing lost under load: many HTTP clients and many gRPC connections
// register, beat, subscribe and publish at once against the mock over real
// sockets; afterwards every request a client saw answered is in the journal
// exactly once (counted per client and kind), every subscriber holds the
// final state, and no answer is one a real server would not give. The chaos
// variant closes every gRPC connection and restarts the mock half-way:
// clients come back as the SDKs do (re-register on a beat's 20404, redo
// registration and subscription on a new connection), and only what a
// restart documents is lost.
//
// Each test runs against the in-process mock and against the binary
// cmd/mocknacos (load_target_test.go), the chaos of the binary fired through
// the admin API.
//
// MOCKNACOS_SOAK=10m runs TestLoadSoak (make bench-soak): the same load in
// rounds for that long, logging resident memory and goroutines.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/mocknacos"
)

type loadPlan struct {
	httpClients, grpcClients int
	beats, publishes, checks int // per client and phase
	chaos                    bool
	// starved: connections may break at any time (the soak on a loaded
	// machine, where a client starved for 20 s is closed by the idle
	// check, as by a real server); clients reconnect as the SDKs do.
	starved bool
}

// counts are a client's answered requests by journal kind.
type counts map[mocknacos.Kind]int

func (c counts) add(k mocknacos.Kind) { c[k]++ }

// ---- HTTP clients ----

type httpLoadClient struct {
	id    int
	base  string // the server's URL()
	hc    *http.Client
	port  int
	data  string
	ok    counts // answered as a real server answers
	sent  counts // sent, whatever came of it
	lastV int
}

const (
	loadHTTPService = "load-http"
	loadGRPCService = "load-grpc"
	loadIP          = "10.9.0.1"
)

func (c *httpLoadClient) do(method, path string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// call sends one request of kind k, retrying transport errors and the
// answers of a server that is restarting (chaos only); it returns the body
// of the 200 answer.
func (c *httpLoadClient) call(t *testing.T, chaos bool, k mocknacos.Kind, method, path string, form url.Values) string {
	for attempt := 0; ; attempt++ {
		c.sent.add(k)
		status, body, err := c.do(method, path, form)
		if err == nil && status == http.StatusOK {
			c.ok.add(k)
			return body
		}
		if !chaos || attempt > 50 {
			t.Errorf("http client %d: %s %s: %d %q %v", c.id, method, path, status, body, err)
			return ""
		}
		if err == nil && status != http.StatusServiceUnavailable {
			t.Errorf("http client %d: %s %s: %d %q (not an answer of a restarting server)", c.id, method, path, status, body)
			return ""
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *httpLoadClient) instanceQuery() string {
	return "serviceName=" + loadHTTPService + "&ip=" + loadIP + "&port=" + strconv.Itoa(c.port) + "&ephemeral=true"
}

func (c *httpLoadClient) register(t *testing.T, chaos bool) {
	if body := c.call(t, chaos, mocknacos.KindRegister, http.MethodPost, "/v1/ns/instance?"+c.instanceQuery(), nil); body != "ok" && !t.Failed() {
		t.Errorf("http client %d: register answered %q", c.id, body)
	}
}

// beat beats once; an unknown instance (20404, after a restart) is
// registered again, as the SDKs do.
func (c *httpLoadClient) beat(t *testing.T, chaos bool) {
	body := c.call(t, chaos, mocknacos.KindBeat, http.MethodPut, "/v1/ns/instance/beat?"+c.instanceQuery(), nil)
	var b struct {
		Code int `json:"code"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		if !t.Failed() {
			t.Errorf("http client %d: beat answered %q", c.id, body)
		}
		return
	}
	switch {
	case b.Code == 10200:
	case b.Code == 20404 && chaos:
		c.register(t, chaos)
	default:
		t.Errorf("http client %d: beat answered %q", c.id, body)
	}
}

func (c *httpLoadClient) publish(t *testing.T, chaos bool) {
	c.lastV++
	form := url.Values{"dataId": {c.data}, "group": {"DEFAULT_GROUP"}, "content": {"v=" + strconv.Itoa(c.lastV)}}
	if body := c.call(t, chaos, mocknacos.KindConfigPublish, http.MethodPost, "/v1/cs/configs", form); body != "true" && !t.Failed() {
		t.Errorf("http client %d: publish answered %q", c.id, body)
	}
}

// ---- gRPC clients ----

type grpcLoadClient struct {
	id   int
	addr string
	port int
	data string

	mu     sync.Mutex
	cc     *grpc.ClientConn
	connID string
	cancel context.CancelFunc
	sendMu sync.Mutex
	stream grpc.ClientStream
	read   chan struct{}
	hosts  int   // hosts in the newest pushed view of loadGRPCService
	ref    int64 // its lastRefTime

	ok    map[string]counts // answered with success, by connection id
	sent  map[string]counts // sent, by connection id
	conns []string
	// broken are the connections that broke under the client: a request
	// cut off in flight may or may not be journaled.
	broken map[string]bool
	lastV  int
}

func (c *grpcLoadClient) invoke(typ string, body any) (*grpcv2.Payload, error) {
	b, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := new(grpcv2.Payload)
	err := c.cc.Invoke(ctx, grpcv2.MethodRequest, &grpcv2.Payload{Type: typ, Body: b, Headers: map[string]string{"app": "load"}}, out)
	return out, err
}

type loadAnswer struct {
	ResultCode   int    `json:"resultCode"`
	ErrorCode    int    `json:"errorCode"`
	Message      string `json:"message"`
	ConnectionID string `json:"connectionId"`
}

// request sends one request and counts it when answered with success; a
// transport error is returned, any other answer fails the test.
func (c *grpcLoadClient) request(t *testing.T, k mocknacos.Kind, typ string, body any) (loadAnswer, error) {
	if k != mocknacos.KindUnknown {
		c.sent[c.connID].add(k)
	}
	p, err := c.invoke(typ, body)
	if err != nil {
		return loadAnswer{}, err
	}
	var a loadAnswer
	if err := json.Unmarshal(p.Body, &a); err == nil && a.ErrorCode == 301 {
		// A closed connection's client reconnects on a new transport the
		// server does not know: the real server answers 301 and the SDKs
		// then reconnect (the caller decides whether that may happen).
		return a, errUnregistered
	}
	if err := json.Unmarshal(p.Body, &a); err != nil || a.ResultCode != 200 {
		t.Errorf("grpc client %d: %s answered %s %s", c.id, typ, p.Type, p.Body)
		return a, fmt.Errorf("refused")
	}
	if k == mocknacos.KindUnknown { // the server check: counted once its id is known
		return a, nil
	}
	c.ok[c.connID].add(k)
	return a, nil
}

var errUnregistered = fmt.Errorf("connection unregistered (301)")

// connect does what a 2.x client does: server check, stream, setup; then
// (re)does its registration and subscription.
func (c *grpcLoadClient) connect(t *testing.T) error {
	cc, err := grpc.NewClient("passthrough:///"+c.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(grpcv2.Codec())))
	if err != nil {
		return err
	}
	c.cc = cc
	a, err := c.request(t, mocknacos.KindUnknown, "ServerCheckRequest", map[string]any{"headers": map[string]string{}, "module": "internal"})
	if err != nil {
		return err
	}
	c.connID = a.ConnectionID
	c.conns = append(c.conns, c.connID)
	c.ok[c.connID] = counts{"server-check": 1}
	c.sent[c.connID] = counts{"server-check": 1, "setup": 1}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, grpcv2.MethodBiStream)
	if err != nil {
		cancel()
		return err
	}
	c.stream, c.cancel, c.read = st, cancel, make(chan struct{})
	go c.readLoop(st, c.read)
	setup, _ := json.Marshal(map[string]any{"headers": map[string]string{}, "clientVersion": "Nacos-Go-Client:load", "tenant": "",
		"labels": map[string]string{"source": "sdk", "module": "naming"}, "module": "internal"})
	c.send(&grpcv2.Payload{Type: "ConnectionSetupRequest", Body: setup})
	c.ok[c.connID].add("setup")
	if _, err := c.request(t, mocknacos.KindRegister, "InstanceRequest", map[string]any{
		"headers": map[string]string{}, "namespace": "public", "serviceName": loadGRPCService, "groupName": "DEFAULT_GROUP",
		"module": "naming", "type": "registerInstance",
		"instance": map[string]any{"ip": loadIP, "port": c.port, "weight": 1.0, "healthy": true, "enabled": true, "ephemeral": true, "metadata": map[string]string{}},
	}); err != nil {
		return err
	}
	_, err = c.request(t, mocknacos.KindSubscribe, "SubscribeServiceRequest", map[string]any{
		"headers": map[string]string{}, "namespace": "public", "serviceName": loadGRPCService, "groupName": "DEFAULT_GROUP",
		"subscribe": true, "clusters": "", "module": "naming",
	})
	return err
}

func (c *grpcLoadClient) send(p *grpcv2.Payload) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	_ = c.stream.SendMsg(p)
}

// readLoop answers pushes and keeps the newest view of loadGRPCService.
func (c *grpcLoadClient) readLoop(st grpc.ClientStream, done chan struct{}) {
	defer close(done)
	for {
		p := new(grpcv2.Payload)
		if err := st.RecvMsg(p); err != nil {
			return
		}
		var r struct {
			RequestID   string `json:"requestId"`
			ServiceInfo struct {
				Name        string            `json:"name"`
				Hosts       []json.RawMessage `json:"hosts"`
				LastRefTime int64             `json:"lastRefTime"`
			} `json:"serviceInfo"`
		}
		_ = json.Unmarshal(p.Body, &r)
		if p.Type == "NotifySubscriberRequest" && r.ServiceInfo.Name == loadGRPCService {
			c.mu.Lock()
			if r.ServiceInfo.LastRefTime >= c.ref {
				c.ref, c.hosts = r.ServiceInfo.LastRefTime, len(r.ServiceInfo.Hosts)
			}
			c.mu.Unlock()
		}
		if strings.HasSuffix(p.Type, "Request") {
			resp := strings.TrimSuffix(p.Type, "Request") + "Response"
			b, _ := json.Marshal(map[string]any{"resultCode": 200, "errorCode": 0, "requestId": r.RequestID, "success": true})
			c.send(&grpcv2.Payload{Type: resp, Body: b})
		}
	}
}

func (c *grpcLoadClient) close() {
	if c.cancel != nil {
		c.cancel()
		<-c.read
	}
	if c.cc != nil {
		c.cc.Close()
	}
}

// op runs one request, reconnecting (chaos only) when the connection broke.
func (c *grpcLoadClient) op(t *testing.T, chaos bool, k mocknacos.Kind, typ string, body func() any) {
	for attempt := 0; ; attempt++ {
		_, err := c.request(t, k, typ, body())
		if err == nil {
			return
		}
		if !chaos || attempt > 50 || err.Error() == "refused" {
			if err.Error() != "refused" {
				t.Errorf("grpc client %d: %s: %v", c.id, typ, err)
			}
			return
		}
		c.reconnect(t)
	}
}

func (c *grpcLoadClient) reconnect(t *testing.T) {
	for attempt := 0; attempt < 100; attempt++ {
		if c.connID != "" {
			c.broken[c.connID] = true
		}
		c.close()
		if err := c.connect(t); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("grpc client %d: no connection after 100 attempts", c.id)
}

func (c *grpcLoadClient) publish(t *testing.T, chaos bool) {
	c.lastV++
	v := c.lastV
	c.op(t, chaos, mocknacos.KindConfigPublish, "ConfigPublishRequest", func() any {
		return map[string]any{"headers": map[string]string{}, "dataId": c.data, "group": "DEFAULT_GROUP", "tenant": "",
			"content": "v=" + strconv.Itoa(v), "casMd5": "", "additionMap": map[string]string{}, "module": "config"}
	})
}

func (c *grpcLoadClient) healthCheck(t *testing.T, chaos bool) {
	c.op(t, chaos, mocknacos.KindHealthCheck, "HealthCheckRequest", func() any {
		return map[string]any{"headers": map[string]string{}, "module": "internal"}
	})
}

// ---- the run ----

// runLoad drives the plan against srv and checks the outcome.
func runLoad(t *testing.T, srv loadTarget, plan loadPlan, round int) {
	t.Helper()
	base := (round % 10) * 100 // ports stay below 65536; a reset empties the registry between rounds
	hcs := make([]*httpLoadClient, plan.httpClients)
	for i := range hcs {
		hcs[i] = &httpLoadClient{id: i, base: srv.URL(), hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}},
			port: 10000 + base + i, data: fmt.Sprintf("load-http-%d-%d.txt", round, i), ok: counts{}, sent: counts{}}
	}
	gcs := make([]*grpcLoadClient, plan.grpcClients)
	for i := range gcs {
		gcs[i] = &grpcLoadClient{id: i, addr: srv.GRPCAddr(), port: 30000 + base + i, data: fmt.Sprintf("load-grpc-%d-%d.txt", round, i),
			ok: map[string]counts{}, sent: map[string]counts{}, broken: map[string]bool{}}
	}
	defer func() {
		for _, c := range gcs {
			c.close()
		}
		for _, c := range hcs {
			c.hc.CloseIdleConnections()
		}
	}()

	phase := func(first bool) {
		var wg sync.WaitGroup
		for _, c := range hcs {
			wg.Add(1)
			go func(c *httpLoadClient) {
				defer wg.Done()
				if first {
					c.register(t, plan.chaos && !first)
				}
				for i := 0; i < plan.beats; i++ {
					c.beat(t, plan.chaos && !first)
					if i%(plan.beats/plan.publishes+1) == 0 {
						c.publish(t, plan.chaos && !first)
					}
				}
			}(c)
		}
		for _, c := range gcs {
			wg.Add(1)
			go func(c *grpcLoadClient) {
				defer wg.Done()
				if first {
					if err := c.connect(t); err != nil && !plan.starved {
						t.Errorf("grpc client %d: connect: %v", c.id, err)
						return
					} else if err != nil {
						// A client starved for 20 s (a loaded machine) is
						// closed by the idle check, as by a real server;
						// it connects again, as the SDKs do.
						t.Logf("grpc client %d: connect: %v; connecting again", c.id, err)
						c.reconnect(t)
					}
				}
				for i := 0; i < plan.checks; i++ {
					retry := plan.chaos && !first || plan.starved
					c.healthCheck(t, retry)
					if i%(plan.checks/plan.publishes+1) == 0 {
						c.publish(t, retry)
					}
				}
			}(c)
		}
		wg.Wait()
	}
	phase(true)
	require.False(t, t.Failed())
	if plan.chaos {
		// Everything so far must be journaled exactly once; from here on a
		// request cut off by the chaos may or may not have reached it.
		checkJournal(t, srv, hcs, gcs, true)
		n := srv.CloseConnections(t)
		assert.Equal(t, plan.grpcClients, n, "CloseConnections")
		srv.Restart(t)
	}
	phase(false)
	if t.Failed() {
		return
	}
	// Every client comes back: after a restart, HTTP instances come back
	// with the beats that follow it, gRPC ones with the redo.
	for _, c := range hcs {
		c.beat(t, plan.chaos)
	}
	for _, c := range gcs {
		c.healthCheck(t, plan.chaos)
	}
	// After chaos, a request cut off in flight may or may not be in the
	// journal; one answered always is, and nothing is in it twice.
	checkJournal(t, srv, hcs, gcs, !plan.chaos)
	checkFinalState(t, srv, hcs, gcs)
}

// checkJournal compares the journal with what each client saw answered:
// exact when nothing was cut off; otherwise at least what was answered and
// at most what was sent.
func checkJournal(t *testing.T, srv loadTarget, hcs []*httpLoadClient, gcs []*grpcLoadClient, exact bool) {
	t.Helper()
	httpSeen := map[int]counts{}
	dataSeen := map[string]int{}
	grpcSeen := map[string]counts{}
	for _, e := range srv.Journal(t) {
		switch {
		case e.Protocol == mocknacos.ProtocolHTTP && e.Kind == mocknacos.KindConfigPublish:
			dataSeen[e.Service]++
		case e.Protocol == mocknacos.ProtocolHTTP && e.IP == loadIP:
			if httpSeen[e.Port] == nil {
				httpSeen[e.Port] = counts{}
			}
			httpSeen[e.Port].add(e.Kind)
		case e.Protocol == mocknacos.ProtocolGRPC && e.ConnectionID != "":
			if grpcSeen[e.ConnectionID] == nil {
				grpcSeen[e.ConnectionID] = counts{}
			}
			grpcSeen[e.ConnectionID].add(e.Kind)
		}
	}
	check := func(who string, k mocknacos.Kind, ok, sent, seen int) {
		if exact {
			assert.Equal(t, ok, seen, "%s: %s events", who, k)
			return
		}
		assert.GreaterOrEqual(t, seen, ok, "%s: %s events: fewer than answered", who, k)
		assert.LessOrEqual(t, seen, sent, "%s: %s events: more than sent", who, k)
	}
	for _, c := range hcs {
		who := fmt.Sprintf("http client %d", c.id)
		for _, k := range []mocknacos.Kind{mocknacos.KindRegister, mocknacos.KindBeat} {
			check(who, k, c.ok[k], c.sent[k], httpSeen[c.port][k])
		}
		check(who, mocknacos.KindConfigPublish, c.ok[mocknacos.KindConfigPublish], c.sent[mocknacos.KindConfigPublish], dataSeen[c.data])
	}
	for _, c := range gcs {
		for _, id := range c.conns {
			who := fmt.Sprintf("grpc client %d, connection %s", c.id, id)
			for _, k := range []mocknacos.Kind{"server-check", "setup", mocknacos.KindRegister, mocknacos.KindSubscribe, mocknacos.KindHealthCheck, mocknacos.KindConfigPublish} {
				if exact && c.broken[id] {
					assert.GreaterOrEqual(t, grpcSeen[id][k], c.ok[id][k], "%s (broken): %s events: fewer than answered", who, k)
					assert.LessOrEqual(t, grpcSeen[id][k], c.sent[id][k], "%s (broken): %s events: more than sent", who, k)
					continue
				}
				check(who, k, c.ok[id][k], c.sent[id][k], grpcSeen[id][k])
			}
		}
	}
}

// checkFinalState: every instance is registered, every subscriber's newest
// view holds every gRPC instance, every config holds its last content.
func checkFinalState(t *testing.T, srv loadTarget, hcs []*httpLoadClient, gcs []*grpcLoadClient) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for _, c := range gcs {
		for {
			c.mu.Lock()
			hosts := c.hosts
			c.mu.Unlock()
			if hosts == len(gcs) {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("grpc client %d: its newest view holds %d of %d instances", c.id, hosts, len(gcs))
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	perService := srv.Instances(t)
	assert.Equal(t, len(hcs), perService[loadHTTPService], "HTTP instances registered")
	assert.Equal(t, len(gcs), perService[loadGRPCService], "gRPC instances registered")
	content := map[config.Key]string{}
	for _, cfg := range srv.Configs(t) {
		content[cfg.Key] = cfg.Content
	}
	want := map[string]string{}
	for _, c := range hcs {
		want[c.data] = "v=" + strconv.Itoa(c.lastV)
	}
	for _, c := range gcs {
		want[c.data] = "v=" + strconv.Itoa(c.lastV)
	}
	for data, v := range want {
		got, ok := content[config.NewKey(data, "DEFAULT_GROUP", "")]
		if assert.True(t, ok, data) {
			assert.Equal(t, v, got, data)
		}
	}
}

var ciLoad = loadPlan{httpClients: 100 / loadScale, grpcClients: 100 / loadScale, beats: 6, publishes: 2, checks: 6}

func TestLoadNothingLost(t *testing.T) {
	forEachLoadTarget(t, func(t *testing.T, srv loadTarget) { runLoad(t, srv, ciLoad, 0) })
}

func TestLoadWithRestartAndClosedConnections(t *testing.T) {
	plan := ciLoad
	plan.chaos = true
	forEachLoadTarget(t, func(t *testing.T, srv loadTarget) { runLoad(t, srv, plan, 0) })
}

// TestLoadSoak runs the load in rounds for $MOCKNACOS_SOAK (e.g. 10m),
// resetting between rounds (Reset empties the journal too, so each round's
// counts are exact), and logs the server's resident memory, and this
// process's heap and goroutines, after each: they must stay flat.
// MOCKNACOS_SOAK_TARGET=binary runs it against the binary (its resident
// memory and threads are logged; the heap and goroutines are then the
// clients').
func TestLoadSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("MOCKNACOS_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("MOCKNACOS_SOAK=10m runs it (make bench-soak)")
	}
	var srv loadTarget
	var pid string
	if os.Getenv("MOCKNACOS_SOAK_TARGET") == "binary" {
		b := startBinaryTarget(t, "--frozen-clock", "--journal-limit", "100000")
		srv, pid = b, strconv.Itoa(b.pid)
	} else {
		srv, pid = inProcessTarget{mocknacos.Start(t, mocknacos.WithJournalLimit(100000), mocknacos.WithFrozenClock(time.Time{}))}, "self"
	}
	start := time.Now()
	var firstRSS, firstG int64
	var rounds atomic.Int64
	for round := 0; time.Since(start) < d; round++ {
		plan := ciLoad
		plan.chaos = round%5 == 4 // every fifth round restarts the mock half-way
		plan.starved = true
		srv.Reset(t)
		runLoad(t, srv, plan, round)
		if t.Failed() {
			return
		}
		rounds.Add(1)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		rss := srv.ResidentKB()
		g := int64(runtime.NumGoroutine())
		if round == 0 {
			firstRSS, firstG = rss, g
		}
		t.Logf("soak t=%s round=%d rss=%d KiB threads=%s heap=%d KiB goroutines=%d", time.Since(start).Round(time.Second), round, rss,
			procStatus(pid, "Threads"), ms.HeapAlloc>>10, g)
	}
	t.Logf("soak: %d rounds; rss first %d KiB, goroutines first %d", rounds.Load(), firstRSS, firstG)
}
