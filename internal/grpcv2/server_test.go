package grpcv2

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

func TestServerCheckHealthCheckAndJournal(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	typ, a := c.must(typeServerCheckRequest, `{"headers":{},"module":"internal"}`)
	if typ != typeServerCheckResponse || a.ResultCode != 200 || !a.Success {
		t.Fatalf("server check: %s %+v", typ, a)
	}
	if !regexp.MustCompile(`^\d{13}_127\.0\.0\.1_\d+$`).MatchString(a.ConnectionID) {
		t.Fatalf("connection id %q", a.ConnectionID)
	}
	connID := a.ConnectionID
	// Registered at ServerCheck already: a health check before the setup
	// is answered.
	typ, a = c.must(typeHealthCheckRequest, `{"headers":{},"module":"internal"}`)
	if typ != typeHealthCheckResponse || a.ResultCode != 200 || a.ErrorCode != 0 || !a.Success {
		t.Fatalf("health check: %s %+v", typ, a)
	}
	hc := env.rec.kind(journal.HealthCheck)
	if len(hc) != 1 {
		t.Fatalf("healthcheck events: %+v", hc)
	}
	port, _ := strconv.Atoi(connID[strings.LastIndex(connID, "_")+1:])
	if e := hc[0]; e.Protocol != "grpc" || e.IP != "127.0.0.1" || e.Port != port || e.ConnectionID != connID ||
		e.Response.Status != 200 || e.Response.Type != typeHealthCheckResponse || e.Request.Type != typeHealthCheckRequest {
		t.Fatalf("healthcheck event %+v", e)
	}
	if len(env.rec.kind(journal.Connect)) != 1 || len(env.rec.kind(journal.ServerCheck)) != 1 {
		t.Fatalf("journal: %+v", env.rec.all())
	}
	conns := env.srv.Connections()
	if len(conns) != 1 || conns[0].ID != connID || conns[0].RemotePort != port {
		t.Fatalf("connections: %+v", conns)
	}
	c.close()
	waitFor(t, "disconnect", func() bool { return len(env.rec.kind(journal.Disconnect)) == 1 })
	if len(env.srv.Connections()) != 0 {
		t.Fatal("connection still listed")
	}
}

func TestErrorAnswers(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)

	// Before ServerCheck/setup the connection is unknown: 301.
	typ, a := c.must(typeHealthCheckRequest, `{}`)
	if typ != typeErrorResponse || a.ResultCode != 500 || a.ErrorCode != 301 || a.Message != "Connection is unregistered." || a.Success {
		t.Fatalf("unregistered: %s %+v", typ, a)
	}
	// Unknown type: 302, checked before the connection.
	typ, a = c.must("NoSuchRequest", `{}`)
	if typ != typeErrorResponse || a.ErrorCode != 302 || a.Message != "RequestHandler Not Found" {
		t.Fatalf("unknown: %s %+v", typ, a)
	}
	env.connectTo(t, c)
	// Unparsable JSON: 502.
	for _, body := range []string{`{"serviceName":`, ``, `null`, `{"instance":"x"}`} {
		typ, a = c.must(typeInstanceRequest, body)
		if typ != typeErrorResponse || a.ErrorCode != 502 || a.ResultCode != 500 || a.Message == "" {
			t.Fatalf("bad json %q: %s %+v", body, typ, a)
		}
	}
	// Parameter check: the handler's type, 500/400.
	typ, a = c.must(typeInstanceRequest, registerBody("orders", "10.0.0.1", 8080, "bad.cluster"))
	if typ != typeInstanceResponse || a.ResultCode != 500 || a.ErrorCode != 400 ||
		a.Message != "Param check invalid:Param 'cluster' is illegal, illegal characters should not appear in the param." {
		t.Fatalf("param check: %s %+v", typ, a)
	}
	// NamingUtils.checkInstanceIsLegal: thrown, so ErrorResponse 400/400.
	typ, a = c.must(typeInstanceRequest, registerBody("orders", "10.0.0.1", 8080, "bad_cluster"))
	if typ != typeErrorResponse || a.ResultCode != 400 || a.ErrorCode != 400 ||
		a.Message != "Instance 'clusterName' should be characters with only 0-9a-zA-Z-. (current: bad_cluster)" {
		t.Fatalf("cluster name: %s %+v", typ, a)
	}
	typ, a = c.must(typeInstanceRequest, strings.Replace(registerBody("orders", "10.0.0.1", 8080, ""), registerInstance, "nope", 1))
	if typ != typeErrorResponse || a.ErrorCode != 400 || a.Message != "Unsupported request type nope" {
		t.Fatalf("bad type: %s %+v", typ, a)
	}
	if instanceCount(env.reg) != 0 {
		t.Fatal("a rejected request registered something")
	}
	rejected := 0
	for _, e := range env.rec.all() {
		if e.Rejected {
			rejected++
		}
	}
	if rejected != 9 {
		t.Fatalf("rejected events: %d, %+v", rejected, env.rec.all())
	}
}

func TestGuard(t *testing.T) {
	env := startServer(t, nil, func(cfg *Config) {
		cfg.Guard = func(typ string, headers map[string]string) error {
			if headers["accessToken"] != "ok" {
				return errors.New("user not found!")
			}
			return nil
		}
	})
	c := dial(t, env.addr)
	env.connectTo(t, c)
	typ, a := c.must(typeInstanceRequest, registerBody("orders", "10.0.0.1", 8080, ""))
	if typ != typeInstanceResponse || a.ResultCode != 500 || a.ErrorCode != 403 || a.Message != "user not found!" {
		t.Fatalf("guard: %s %+v", typ, a)
	}
}

func TestRegisterSubscribePushAndDisconnect(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	sub := dial(t, env.addr)
	env.connectTo(t, sub)
	typ, a := sub.must(typeSubscribeServiceRequest, subscribeBody("orders", true))
	if typ != typeSubscribeServiceResponse || a.ResultCode != 200 || a.Message != "success" {
		t.Fatalf("subscribe: %s %+v", typ, a)
	}
	if got := string(a.ServiceInfo); !strings.Contains(got, `"name":"orders","groupName":"DEFAULT_GROUP","clusters":"","cacheMillis":10000,"hosts":[]`) ||
		!strings.Contains(got, `"checksum":"","allIPs":false,"reachProtectionThreshold":false,"valid":true`) {
		t.Fatalf("serviceInfo %s", got)
	}
	// A connection new to the service is also pushed the view, as a real
	// 2.4.3 does (ServiceSubscribedEvent).
	first, err := sub.next(typeNotifySubscriberRequest, 5*time.Second)
	if err != nil {
		t.Fatal("no push of the view to a new subscriber:", err)
	}
	if got := string(first.Body); !strings.Contains(got, `"name":"orders","groupName":"DEFAULT_GROUP","clusters":"","cacheMillis":10000,"hosts":[]`) {
		t.Fatalf("first push %s", got)
	}
	// Subscribing again is not new: nothing more is pushed.
	sub.must(typeSubscribeServiceRequest, subscribeBody("orders", true))
	if p, err := sub.next(typeNotifySubscriberRequest, 200*time.Millisecond); err == nil {
		t.Fatalf("a second subscribe was pushed: %s", p.Body)
	}

	pub := dial(t, env.addr)
	env.connectTo(t, pub)
	typ, a = pub.must(typeInstanceRequest, registerBody("orders", "10.0.0.1", 8080, ""))
	if typ != typeInstanceResponse || a.ResultCode != 200 || a.Type != registerInstance || !a.Success {
		t.Fatalf("register: %s %+v", typ, a)
	}
	p, err := sub.next(typeNotifySubscriberRequest, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var v pushedView
	if err := json.Unmarshal(p.Body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Module != "naming" || v.RequestID == "" || v.ServiceInfo.Name != "orders" || len(v.ServiceInfo.Hosts) != 1 {
		t.Fatalf("push %s", p.Body)
	}
	h := v.ServiceInfo.Hosts[0]
	if h.IP != "10.0.0.1" || h.Port != 8080 || h.ClusterName != "DEFAULT" || h.InstanceID != "10.0.0.1#8080##DEFAULT_GROUP@@orders" ||
		h.ServiceName != "DEFAULT_GROUP@@orders" || h.Metadata["k"] != "v" {
		t.Fatalf("host %+v", h)
	}
	// The register event carries the instance.
	regs := env.rec.kind(journal.Register)
	if len(regs) != 1 || regs[0].Namespace != "public" || regs[0].Group != "DEFAULT_GROUP" || regs[0].Service != "orders" ||
		regs[0].IP != "10.0.0.1" || regs[0].Port != 8080 || regs[0].ConnectionID != pub.connID {
		t.Fatalf("register events %+v", regs)
	}
	waitFor(t, "push ack", func() bool { return len(env.rec.kind(journal.PushAck)) >= 1 })

	// Re-registering from the same connection replaces its instance.
	pub.must(typeInstanceRequest, registerBody("orders", "10.0.0.2", 8081, "c1"))
	if p, err = sub.next(typeNotifySubscriberRequest, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(p.Body, &v)
	if len(v.ServiceInfo.Hosts) != 1 || v.ServiceInfo.Hosts[0].IP != "10.0.0.2" || v.ServiceInfo.Hosts[0].ClusterName != "c1" {
		t.Fatalf("replaced: %s", p.Body)
	}

	// Query, list.
	typ, a = pub.must(typeServiceQueryRequest, `{"namespace":"public","serviceName":"orders","groupName":"DEFAULT_GROUP","cluster":"","healthyOnly":false,"udpPort":0}`)
	if typ != typeQueryServiceResponse || !strings.Contains(string(a.ServiceInfo), `"ip":"10.0.0.2"`) {
		t.Fatalf("query: %s %+v %s", typ, a, a.ServiceInfo)
	}
	pub.must(typeInstanceRequest, registerBody("payments", "10.0.0.3", 1, ""))
	typ, a = pub.must(typeServiceListRequest, `{"namespace":"public","serviceName":"","groupName":"DEFAULT_GROUP","pageNo":1,"pageSize":2147483647}`)
	if typ != typeServiceListResponse || a.Count != 2 || fmt.Sprint(a.ServiceNames) != "[orders payments]" {
		t.Fatalf("list: %s %+v", typ, a)
	}
	typ, a = pub.must(typeServiceListRequest, `{"namespace":"public","groupName":"DEFAULT_GROUP","pageNo":2,"pageSize":1}`)
	if a.Count != 2 || fmt.Sprint(a.ServiceNames) != "[payments]" {
		t.Fatalf("list page 2: %s %+v", typ, a)
	}

	// The publisher's connection drops: the subscriber is pushed the
	// removal, and the publisher's instances are gone.
	pub.close()
	for {
		if p, err = sub.next(typeNotifySubscriberRequest, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(p.Body, &v)
		if len(v.ServiceInfo.Hosts) == 0 {
			break
		}
	}
	if instanceCount(env.reg) != 0 {
		t.Fatalf("instances left: %d", instanceCount(env.reg))
	}
	if len(env.rec.kind(journal.Disconnect)) != 1 {
		t.Fatal("no disconnect event")
	}

	// Unsubscribe: no more pushes.
	sub.must(typeSubscribeServiceRequest, subscribeBody("orders", false))
	other := dial(t, env.addr)
	env.connectTo(t, other)
	other.must(typeInstanceRequest, registerBody("orders", "10.0.0.9", 9, ""))
	if _, err := sub.next(typeNotifySubscriberRequest, 200*time.Millisecond); err == nil {
		t.Fatal("pushed after unsubscribe")
	}
}

func TestDeregisterAndBatch(t *testing.T) {
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	batch := `{"namespace":"public","serviceName":"orders","groupName":"DEFAULT_GROUP","type":"batchRegisterInstance","instances":[
		{"ip":"10.0.0.1","port":1,"clusterName":""},{"ip":"10.0.0.2","port":2,"clusterName":"c"}]}`
	typ, a := c.must(typeBatchInstanceRequest, batch)
	if typ != typeBatchInstanceResponse || a.Type != batchRegisterInstance || a.ResultCode != 200 {
		t.Fatalf("batch: %s %+v", typ, a)
	}
	if instanceCount(env.reg) != 2 {
		t.Fatalf("batch registered %d", instanceCount(env.reg))
	}
	// A batch replaces the connection's set.
	c.must(typeBatchInstanceRequest, strings.Replace(batch, `{"ip":"10.0.0.1","port":1,"clusterName":""},`, "", 1))
	if instanceCount(env.reg) != 1 {
		t.Fatalf("after second batch %d", instanceCount(env.reg))
	}
	dereg := strings.Replace(registerBody("orders", "10.0.0.2", 2, "c"), registerInstance, deregisterInstance, 1)
	typ, a = c.must(typeInstanceRequest, dereg)
	if typ != typeInstanceResponse || a.Type != deregisterInstance || a.ResultCode != 200 {
		t.Fatalf("deregister: %s %+v", typ, a)
	}
	if instanceCount(env.reg) != 0 {
		t.Fatal("deregister left an instance")
	}
	if len(env.rec.kind(journal.Deregister)) != 1 || len(env.rec.kind(journal.BatchRegister)) != 2 {
		t.Fatalf("journal %+v", env.rec.all())
	}

	// Persistent instances outlive the connection.
	persistent := strings.Replace(registerBody("db", "10.0.0.5", 5432, ""), `"ephemeral":true`, `"ephemeral":false`, 1)
	typ, a = c.must(typePersistentInstanceReq, persistent)
	if typ != typeInstanceResponse || a.ResultCode != 200 {
		t.Fatalf("persistent: %s %+v", typ, a)
	}
	// An ephemeral instance in the persistent service is refused.
	typ, a = c.must(typeInstanceRequest, registerBody("db", "10.0.0.6", 1, ""))
	if typ != typeErrorResponse || a.ErrorCode != 400 || !strings.Contains(a.Message, "is persistent service") {
		t.Fatalf("mixed: %s %+v", typ, a)
	}
	c.close()
	waitFor(t, "disconnect", func() bool { return len(env.rec.kind(journal.Disconnect)) == 1 })
	in, err := env.reg.Instance(registry.Key("", "", "db"), "", "10.0.0.5", 5432)
	if err != nil || in.Ephemeral {
		t.Fatalf("persistent instance: %+v %v", in, err)
	}
}

func TestClientDetection(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, func(cfg *Config) {
		cfg.IdleTimeout = 150 * time.Millisecond
		cfg.DetectInterval = 30 * time.Millisecond
		cfg.DetectTimeout = 150 * time.Millisecond
	})
	alive := dial(t, env.addr)
	env.connectTo(t, alive)
	mute := dial(t, env.addr)
	mute.answer = false
	env.connectTo(t, mute)
	mute.must(typeInstanceRequest, registerBody("orders", "10.0.0.1", 1, ""))

	// The mute client is detected, does not answer, and its transport is
	// closed: its stream breaks, which is what makes SDKs reconnect.
	if _, err := mute.next(typeClientDetectionRequest, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "mute stream closed", func() bool {
		select {
		case <-mute.readDone:
			return true
		default:
			return false
		}
	})
	waitFor(t, "instance removed", func() bool { return instanceCount(env.reg) == 0 })
	// The answering client is detected too, and stays.
	if _, err := alive.next(typeClientDetectionRequest, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	conns := env.srv.Connections()
	if len(conns) != 1 || conns[0].ID != alive.connID {
		t.Fatalf("connections %+v", conns)
	}
	var failed, passed int
	for _, e := range env.rec.kind(journal.ClientDetection) {
		if e.Rejected {
			failed++
		} else {
			passed++
		}
	}
	if failed == 0 || passed == 0 {
		t.Fatalf("detections: %+v", env.rec.kind(journal.ClientDetection))
	}
}

func TestCloseAndResetConnection(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	c.must(typeInstanceRequest, registerBody("orders", "10.0.0.1", 1, ""))

	env.srv.ResetConnection(c.connID, "127.0.0.1", "8848")
	p, err := c.next(typeConnectResetRequest, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(p.Body); !strings.Contains(got, `"serverIp":"127.0.0.1","serverPort":"8848"`) || !strings.Contains(got, `"module":"internal"`) {
		t.Fatalf("reset body %s", got)
	}
	if ev := env.rec.kind(journal.ConnectReset); len(ev) != 1 || ev[0].Rejected || ev[0].Response.Status != 200 {
		t.Fatalf("reset events %+v", ev)
	}

	if env.srv.CloseConnection("nope") {
		t.Fatal("closed an unknown connection")
	}
	if !env.srv.CloseConnection(c.connID) {
		t.Fatal("CloseConnection: not found")
	}
	// Synchronous: the instance is gone when it returns.
	if instanceCount(env.reg) != 0 {
		t.Fatal("instance survived CloseConnection")
	}
	if _, err := c.next("never", 5*time.Second); err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("stream not broken: %v", err)
	}
	if d := env.rec.kind(journal.Disconnect); len(d) != 1 || d[0].Error != "closed by server" {
		t.Fatalf("disconnect %+v", d)
	}
}

// TestConcurrentConnectAndDrop drives many hand-built clients that connect,
// register, subscribe and drop at random while others keep going; at the
// end nothing of the dropped connections remains, the survivors' instances
// are intact, and no goroutine is left (run with -race).
func TestConcurrentConnectAndDrop(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, func(cfg *Config) { cfg.PushTimeout = 500 * time.Millisecond })
	const workers = 24
	var wg sync.WaitGroup
	survivors := make([]*testClient, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 6; round++ {
				c := dial(t, env.addr)
				env.connectTo(t, c)
				svc := "svc" + strconv.Itoa(rand.IntN(4))
				if _, err := c.call(typeSubscribeServiceRequest, subscribeBody(svc, true)); err != nil {
					t.Error(err)
				}
				if _, err := c.call(typeInstanceRequest, registerBody(svc, "10.1.0."+strconv.Itoa(w), 1000+round, "")); err != nil {
					t.Error(err)
				}
				if rand.IntN(2) == 0 {
					// Drop mid-flight: a request may be in progress.
					go func() { _, _ = c.call(typeHealthCheckRequest, `{}`) }()
				}
				if round == 5 && w%2 == 0 {
					survivors[w] = c
					continue
				}
				c.close()
			}
		}()
	}
	wg.Wait()
	want := 0
	for _, c := range survivors {
		if c != nil {
			want++
		}
	}
	waitFor(t, "dropped connections cleaned up", func() bool {
		return instanceCount(env.reg) == want && len(env.srv.Connections()) == want
	})
	for _, st := range env.reg.Snapshot() {
		for _, in := range st.Instances {
			alive := false
			for _, c := range survivors {
				if c != nil && c.connID == in.Owner {
					alive = true
				}
			}
			if !alive {
				t.Fatalf("instance of a dropped connection: %+v", in)
			}
		}
		if len(st.Subscribers) > want {
			t.Fatalf("subscribers left: %d", len(st.Subscribers))
		}
	}
	for _, c := range survivors {
		if c != nil {
			c.close()
		}
	}
	waitFor(t, "all cleaned up", func() bool { return instanceCount(env.reg) == 0 })
}

func TestStopClosesConnections(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	c.must(typeInstanceRequest, registerBody("orders", "10.0.0.1", 1, ""))
	c.must(typeSubscribeServiceRequest, subscribeBody("orders", true))
	env.srv.Stop()
	if _, err := c.next("never", 5*time.Second); err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("stream survived Stop: %v", err)
	}
	if instanceCount(env.reg) != 0 {
		t.Fatal("instances survived Stop")
	}
}

// TestAbilityNegotiation: the server check offers ability negotiation, as
// 2.4.3 does; a setup carrying an ability table (Java clients 2.3+, even
// "{}") gets a SetupAckRequest with the server's abilities and no
// requestId; a setup without one (nacos-sdk-go, older Java) gets nothing.
func TestAbilityNegotiation(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	var check struct {
		SupportAbilityNegotiation bool `json:"supportAbilityNegotiation"`
	}
	c := dial(t, env.addr)
	p, err := c.call(typeServerCheckRequest, `{"headers":{},"module":"internal"}`)
	if err != nil || json.Unmarshal(p.Body, &check) != nil || !check.SupportAbilityNegotiation {
		t.Fatalf("server check: %v %s", err, p.Body)
	}
	c.openStream()
	c.send(&payload{Type: typeConnectionSetupRequest, Body: []byte(`{"headers":{},"clientVersion":"Nacos-Java-Client:v2.4.3",` +
		`"labels":{"source":"sdk","module":"naming"},"abilityTable":{},"module":"internal"}`)})
	ack, err := c.next(typeSetupAckRequest, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if string(ack.Body) != `{"headers":{},"abilityTable":{"supportPersistentInstanceByGrpc":true},"module":"internal"}` {
		t.Fatalf("SetupAckRequest body %s", ack.Body)
	}
	waitFor(t, "setup-ack journaled", func() bool { return len(env.rec.kind(journal.SetupAck)) == 1 })
	all := env.rec.all()
	if i := slices.IndexFunc(all, func(e journal.Event) bool { return e.Kind == journal.Setup }); i < 0 ||
		i > slices.IndexFunc(all, func(e journal.Event) bool { return e.Kind == journal.SetupAck }) {
		t.Fatalf("setup-ack before its setup: %+v", all)
	}

	old := dial(t, env.addr)
	env.connectTo(t, old) // a setup without abilityTable
	if _, err := old.next(typeSetupAckRequest, 300*time.Millisecond); err == nil {
		t.Fatal("a client without an ability table was sent a SetupAckRequest")
	}
	if n := len(env.rec.kind(journal.SetupAck)); n != 1 {
		t.Fatalf("%d setup-ack events, want 1", n)
	}
	c.close()
	old.close()
}

// TestBlankNamespaceIsItsOwn: a naming request with namespace "" (as
// nacos-sdk-python 2.x sends it) is not public, as on a real 2.4.3, whose
// handlers build their Service from the namespace as sent: the instance is
// in namespace "", a subscriber in "" sees it, one in "public" does not,
// and the journal still names the namespace public.
func TestBlankNamespaceIsItsOwn(t *testing.T) {
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	blank := func(body string) string { return strings.Replace(body, `"namespace":"public"`, `"namespace":""`, 1) }
	if typ, a := c.must(typeInstanceRequest, blank(registerBody("py", "10.0.0.9", 9000, ""))); typ != typeInstanceResponse || a.ResultCode != 200 {
		t.Fatalf("register: %s %+v", typ, a)
	}
	if _, err := env.reg.Instance(registry.GRPCKey("", "DEFAULT_GROUP", "py"), "", "10.0.0.9", 9000); err != nil {
		t.Errorf("not held in namespace \"\": %v", err)
	}
	if v := env.reg.View(registry.Key("public", "", "py"), registry.Selection{}); len(v.Hosts) != 0 {
		t.Errorf("public sees %+v", v.Hosts)
	}
	hosts := func(body string) string {
		_, a := c.must(typeSubscribeServiceRequest, body)
		return string(a.ServiceInfo)
	}
	if got := hosts(blank(subscribeBody("py", true))); !strings.Contains(got, `"ip":"10.0.0.9"`) {
		t.Errorf("a subscriber in namespace \"\" is answered %s", got)
	}
	if got := hosts(subscribeBody("py", true)); !strings.Contains(got, `"hosts":[]`) {
		t.Errorf("a subscriber in public is answered %s", got)
	}
	for _, e := range env.rec.all() {
		if e.Kind == journal.Register && e.Namespace != "public" {
			t.Errorf("register journaled in namespace %q, want public (events are normalised)", e.Namespace)
		}
	}
}
