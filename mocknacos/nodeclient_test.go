package mocknacos_test

// The real Node.js client, the nacos npm package (nacos-sdk-nodejs, pinned in
// clients/node/package.json and package-lock.json), against the mock. It
// speaks the 1.x HTTP API only: naming with its own beat loop and a UDP push
// receiver (clients/node/naming.js), config with long polling
// (clients/node/config.js). Both programs are driven over stdin and answer
// one JSON object per line, like the Java and Python ones.
//
// The package is installed once with npm ci into a directory cached across
// runs under os.UserCacheDir()/mocknacos/node-<hash of package.json and
// package-lock.json> (the first run needs the npm registry). Needs node and
// npm (Debian: apt-get install nodejs npm): the tests fail without them.
// MOCKNACOS_SKIP_NODE=1 skips them instead.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// TestNodeNamingClient: the npm client registers over HTTP with metadata
// and beats (full beats only, at the interval the answers give); it
// subscribes with a poll carrying its UDP port and is pushed an instance the
// test registers; it lists and selects (healthy ones, or unhealthy ones);
// its beats bring its instance back to health after the clock jumps; it
// asks for the server status; it deregisters (its beats stop, the rest is
// pushed) and closes.
func TestNodeNamingClient(t *testing.T) {
	t.Parallel()
	// Frozen: the test's own instance lives by beats on the mock clock and
	// so stays healthy until the test moves the clock.
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	dumpJournalOnFailure(t, srv)
	const service = "node-orders"
	const nodePort, testPort = 9401, 9402
	grouped := "DEFAULT_GROUP@@" + service
	httpQ := func(kind mocknacos.Kind) mocknacos.Query {
		return mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: kind, Service: service}
	}

	c := clientproc.StartNode(t, "naming.js", srv.Addr(), nil, "--service", service)
	started := c.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })
	t.Logf("nacos (npm) %s: started in %d ms", started.ClientVersion, started.MS)

	// Register, beating every second from the server's first answer on.
	c.Await(t, c.Send(t, fmt.Sprintf("register port=%d weight=2 beatInterval=1000", nodePort)), "registered",
		func(e clientproc.Event) bool { return e.Event == "registered" && e.IsOK() })
	ins := srv.Instances(service)
	if len(ins) != 1 {
		t.Fatalf("want 1 instance of %s, got %+v", service, ins)
	}
	in := ins[0]
	if in.IP != "127.0.0.1" || in.Port != nodePort || in.Cluster != "DEFAULT" || in.Weight != 2 || !in.Healthy ||
		!in.Enabled || !in.Ephemeral || in.Source != mocknacos.SourceHTTP {
		t.Errorf("registered instance: %+v", in)
	}
	for k, v := range map[string]string{"lang": "node", "client": "nacos-sdk-nodejs", "version": started.ClientVersion,
		"preserved.heart.beat.interval": "1000"} {
		if in.Metadata[k] != v {
			t.Errorf("metadata[%q] = %q, want %q (all: %v)", k, in.Metadata[k], v, in.Metadata)
		}
	}
	regs := srv.Find(httpQ(mocknacos.KindRegister))
	if len(regs) != 1 {
		t.Fatalf("want 1 HTTP register, got %+v", regs)
	}
	reg := regs[0]
	// A grouped serviceName and groupName; every parameter in the query
	// string, the SDK's own namespace "public".
	for k, v := range map[string]string{"serviceName": grouped, "groupName": "DEFAULT_GROUP", "namespaceId": "public",
		"clusterName": "DEFAULT", "ip": "127.0.0.1", "port": "9401", "weight": "2", "enable": "true", "healthy": "true",
		"ephemeral": "true"} {
		if got := param(reg, k); got != v {
			t.Errorf("register param %s = %q, want %q (all: %v)", k, got, v, reg.Request.Params)
		}
	}
	if reg.Rejected || reg.Request.Method != "POST" || reg.Request.Path != "/nacos/v1/ns/instance" || reg.Response.Body != "ok" ||
		reg.Namespace != "public" || reg.Group != "DEFAULT_GROUP" {
		t.Errorf("register event: %+v", reg)
	}
	t.Logf("register: %s %s %v", reg.Request.Method, reg.Request.Path, reg.Request.Params)

	// Beats: the SDK's loop wakes every clientBeatInterval of the last
	// answer (10 s before the first), and always sends the full beat JSON,
	// although every answer enables light beats.
	beatQ := mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.KindBeat, Service: service, IP: "127.0.0.1", Port: nodePort}
	beats, err := srv.WaitForEvents(beatQ, 3, clientproc.StepTimeout)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range beats {
		var beat struct {
			ServiceName string            `json:"serviceName"`
			IP          string            `json:"ip"`
			Port        int               `json:"port"`
			Cluster     string            `json:"cluster"`
			Weight      float64           `json:"weight"`
			Metadata    map[string]string `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(param(b, "beat")), &beat); err != nil {
			t.Errorf("beat %d without its beat JSON: %v (%v)", i, b.Request.Params, err)
		} else if beat.ServiceName != grouped || beat.IP != "127.0.0.1" || beat.Port != nodePort || beat.Cluster != "DEFAULT" ||
			beat.Weight != 2 || beat.Metadata["lang"] != "node" {
			t.Errorf("beat %d JSON: %s", i, param(b, "beat"))
		}
		if b.Rejected || b.Request.Method != "PUT" || param(b, "serviceName") != grouped || param(b, "namespaceId") != "public" ||
			b.Response.Body != `{"clientBeatInterval":1000,"code":10200,"lightBeatEnabled":true}` {
			t.Errorf("beat %d: %s %v -> %d %s", i, b.Request.Method, b.Request.Params, b.Response.Status, b.Response.Body)
		}
	}
	t.Logf("beats: %s %v; then every %v", beats[0].Request.Method, beats[0].Request.Params,
		beats[2].WallTime.Sub(beats[1].WallTime).Round(time.Millisecond))

	// Subscribe: a poll with the receiver's UDP port makes the client a
	// subscriber; it is handed the current view.
	mark := c.Send(t, "subscribe")
	first := c.Await(t, mark, "initial view with 9401", func(e clientproc.Event) bool { return e.Event == "push" })
	if len(first.Hosts) != 1 || clientproc.HostAt(first.Hosts, "127.0.0.1", nodePort) == nil {
		t.Errorf("initial view: %s", first.Raw)
	} else if h := clientproc.HostAt(first.Hosts, "127.0.0.1", nodePort); h.Cluster != "DEFAULT" || h.Weight != 2 || !h.Healthy ||
		h.Service != grouped || h.InstanceID != "127.0.0.1#9401#DEFAULT#"+grouped || h.Metadata["lang"] != "node" {
		t.Errorf("own instance in the initial view: %+v", *h)
	}
	subs := srv.Find(httpQ(mocknacos.KindSubscribe))
	if len(subs) == 0 {
		t.Fatalf("no HTTP subscribe (a list with udpPort) journaled")
	}
	udpPort := param(subs[0], "udpPort")
	if udpPort == "" || udpPort == "0" || subs[0].Rejected || subs[0].Request.Method != "GET" ||
		param(subs[0], "serviceName") != grouped || param(subs[0], "clusters") != "DEFAULT" || param(subs[0], "healthyOnly") != "false" {
		t.Errorf("subscribe: %+v", subs[0])
	}
	t.Logf("subscribe: %s %s %v (clientIP is the machine's address; the mock pushes to where the poll came from)",
		subs[0].Request.Method, subs[0].Request.Path, subs[0].Request.Params)

	// An instance the test registers is pushed by UDP.
	other := mocknacos.NewInstance("127.0.0.1", testPort)
	other.Metadata = map[string]string{"from": "go-test"}
	other.Weight = 3
	mark = c.Mark()
	if err := srv.Register(service, other); err != nil {
		t.Fatal(err)
	}
	push := c.Await(t, mark, "push with 9401 and 9402", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", nodePort) != nil && clientproc.HostAt(e.Hosts, "127.0.0.1", testPort) != nil
	})
	if h := clientproc.HostAt(push.Hosts, "127.0.0.1", testPort); h.Metadata["from"] != "go-test" || h.Weight != 3 || !h.Healthy || h.Cluster != "DEFAULT" {
		t.Errorf("pushed test instance: %+v", *h)
	}
	pushed := false
	for _, e := range srv.Find(httpQ(mocknacos.KindPush)) {
		if fmt.Sprint(e.Port) == udpPort && strings.Contains(e.Request.Body, fmt.Sprint(testPort)) && !e.Rejected {
			pushed = true
		}
	}
	if !pushed {
		t.Errorf("no UDP push of %d to the client's port %s journaled", testPort, udpPort)
	}

	// getAllInstances and selectInstances straight from the server.
	if l := c.Await(t, c.Send(t, "list"), "list", func(e clientproc.Event) bool { return e.Event == "list" }); len(l.Hosts) != 2 {
		t.Errorf("list: %s", l.Raw)
	}
	if s := c.Await(t, c.Send(t, "select"), "select", func(e clientproc.Event) bool { return e.Event == "select" }); len(s.Hosts) != 2 {
		t.Errorf("select (healthy): %s", s.Raw)
	}

	// 16 s without a beat on the mock clock: both instances go unhealthy;
	// the client's next beat makes its own healthy again.
	srv.Advance(16 * time.Second)
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool {
		own, test := findInstance(srv.Instances(service), nodePort), findInstance(srv.Instances(service), testPort)
		return own != nil && own.Healthy && test != nil && !test.Healthy
	}); err != nil {
		t.Fatalf("after 16 s: want the beating instance healthy and the test's unhealthy: %+v", srv.Instances(service))
	}
	s := c.Await(t, c.Send(t, "select"), "select healthy", func(e clientproc.Event) bool { return e.Event == "select" })
	if len(s.Hosts) != 1 || clientproc.HostAt(s.Hosts, "127.0.0.1", nodePort) == nil {
		t.Errorf("select (healthy) after the jump: %s", s.Raw)
	}
	s = c.Await(t, c.Send(t, "select healthy=false"), "select unhealthy", func(e clientproc.Event) bool { return e.Event == "select" })
	if len(s.Hosts) != 1 || clientproc.HostAt(s.Hosts, "127.0.0.1", testPort) == nil || s.Hosts[0].Healthy {
		t.Errorf("select (unhealthy) after the jump: %s", s.Raw)
	}

	// getServerStatus reads operator/metrics.
	if st := c.Await(t, c.Send(t, "status"), "status", func(e clientproc.Event) bool { return e.Event == "status" }); st.Status != "UP" {
		t.Errorf("status: %s", st.Raw)
	}
	if n := srv.Count(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.Kind("metrics")}); n != 1 {
		t.Errorf("%d operator/metrics requests, want 1", n)
	}

	// Deregister: the beat is dropped before the DELETE; the subscriber is
	// pushed the rest.
	mark = c.Send(t, fmt.Sprintf("deregister port=%d", nodePort))
	c.Await(t, mark, "deregistered", func(e clientproc.Event) bool { return e.Event == "deregistered" && e.IsOK() })
	if findInstance(srv.Instances(service), nodePort) != nil {
		t.Errorf("deregistered instance still held: %+v", srv.Instances(service))
	}
	deregs := srv.Find(httpQ(mocknacos.KindDeregister))
	if len(deregs) != 1 || deregs[0].Rejected || deregs[0].Request.Method != "DELETE" || deregs[0].Port != nodePort ||
		param(deregs[0], "clusterName") != "DEFAULT" || param(deregs[0], "ephemeral") != "true" || deregs[0].Response.Body != "ok" {
		t.Errorf("deregister events: %+v", deregs)
	}
	c.Await(t, mark, "push without 9401", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", nodePort) == nil && clientproc.HostAt(e.Hosts, "127.0.0.1", testPort) != nil
	})

	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("naming.js exited %d", code)
	}
	if findInstance(srv.Instances(service), nodePort) != nil {
		t.Errorf("the deregistered instance came back: %+v", srv.Instances(service))
	}
	if rej := srv.Find(mocknacos.Query{Rejected: ptr(true)}); len(rej) != 0 {
		t.Errorf("%d requests rejected: %+v", len(rej), rej)
	}
	if logins := srv.Count(mocknacos.Query{Kind: mocknacos.KindLogin}); logins != 0 {
		t.Errorf("%d logins without credentials", logins)
	}
	logWireHTTP(t, srv)
}

// TestNodeNamingClientAuth: with auth on, the npm client never logs in: it
// sends username and password as parameters of every request, which the
// server accepts in place of a token; a wrong password is refused with 403.
func TestNodeNamingClientAuth(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithAuth("nacos", "nacos"))
	dumpJournalOnFailure(t, srv)
	const service = "node-secure"

	c := clientproc.StartNode(t, "naming.js", srv.Addr(), []string{"NACOS_USERNAME=nacos", "NACOS_PASSWORD=nacos"}, "--service", service)
	c.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })
	c.Await(t, c.Send(t, "register port=9411"), "registered", func(e clientproc.Event) bool { return e.Event == "registered" && e.IsOK() })
	if l := c.Await(t, c.Send(t, "list"), "list", func(e clientproc.Event) bool { return e.Event == "list" }); len(l.Hosts) != 1 {
		t.Errorf("list: %s", l.Raw)
	}
	for _, e := range srv.Find(mocknacos.Query{Service: service}) {
		if e.Rejected || param(e, "username") != "nacos" || param(e, "password") != "nacos" || param(e, "accessToken") != "" {
			t.Errorf("%s with auth: %v -> %d %s", e.Kind, e.Request.Params, e.Response.Status, e.Response.Body)
		}
	}

	bad := clientproc.StartNode(t, "naming.js", srv.Addr(), []string{"NACOS_USERNAME=nacos", "NACOS_PASSWORD=wrong"}, "--service", service)
	bad.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })
	e := bad.Await(t, bad.Send(t, "register port=9412"), "register refused", func(e clientproc.Event) bool { return false }, "register")
	if !strings.Contains(e.Error, "failed to req API") {
		t.Errorf("register with a wrong password: %s", e.Raw)
	}
	refused := srv.Find(mocknacos.Query{Kind: mocknacos.KindRegister, Port: 9412})
	if len(refused) == 0 {
		t.Fatalf("no register of 9412 journaled")
	}
	for _, r := range refused { // the SDK tries the one server three times
		if !r.Rejected || r.Response.Status != 403 {
			t.Errorf("register with a wrong password: %d %s", r.Response.Status, r.Response.Body)
		}
	}
	if findInstance(srv.Instances(service), 9412) != nil {
		t.Errorf("registered with a wrong password: %+v", srv.Instances(service))
	}
	if logins := srv.Count(mocknacos.Query{Kind: mocknacos.KindLogin}); logins != 0 {
		t.Errorf("%d logins: the npm client sends credentials with every request", logins)
	}
}

// TestNodeConfigClient: the npm config client reads a config seeded before
// it starts, listens (long polling) and is told of a change made by the
// test, publishes (the mock stores it, the listener is told), removes (the
// listener is told the config is gone) and reads null after that.
func TestNodeConfigClient(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t)
	dumpJournalOnFailure(t, srv)
	const dataID, group = "node-orders.yaml", "NODE_GROUP"
	seed := "port: 8080\nname: orders\n"
	srv.SetConfig(dataID, group, seed, mocknacos.ConfigType("yaml"))

	c := clientproc.StartNode(t, "config.js", srv.Addr(), nil, "--data-id", dataID, "--group", group)
	c.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })
	if g := c.Await(t, c.Send(t, "get"), "get", func(e clientproc.Event) bool { return e.Event == "get" }); !isContent("get", &seed)(g) {
		t.Fatalf("getConfig: want the seeded %q, got %s", seed, g.Raw)
	}
	// The listener is handed the current content, then the long poll holds.
	mark := c.Send(t, "listen")
	c.Await(t, mark, "listener handed the seed", isContent("change", &seed))
	if err := srv.WaitForConfigListeners(dataID, group, 1, clientproc.StepTimeout); err != nil {
		t.Fatal(err)
	}

	changed := "port: 9090\nname: orders\n"
	mark = c.Mark()
	setAt := time.Now()
	srv.SetConfig(dataID, group, changed, mocknacos.ConfigType("yaml"))
	c.Await(t, mark, "listener told of the test's change", isContent("change", &changed))
	t.Logf("SetConfig -> the npm listener: %v", time.Since(setAt).Round(time.Millisecond))

	published := "port: 7070\nname: orders\nfrom: node\n"
	configPublishStep(t, c, srv, dataID, group, published, " yaml", "npm")
	if it, _ := srv.Config(dataID, group); it.Type != "yaml" {
		t.Errorf("published with type yaml, held as %q", it.Type)
	}
	configRemoveStep(t, c, srv, dataID, group, "npm")
	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("config.js exited %d", code)
	}

	// The wire: HTTP 1.x config API, no tenant (no namespace set), the
	// listener a form POST of Listening-Configs held 30 s.
	key := group + "@@" + dataID
	listens := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.KindConfigListen})
	if len(listens) < 3 {
		t.Fatalf("want a long poll per change, got %+v", listens)
	}
	for _, e := range listens {
		lc := param(e, "Listening-Configs")
		if e.Request.Method != "POST" || e.Request.Path != "/nacos/v1/cs/configs/listener" ||
			!strings.HasPrefix(lc, dataID+"\x02"+group+"\x02") || !strings.HasSuffix(lc, "\x01") || e.Rejected {
			t.Errorf("listen: %s %s %q -> %d", e.Request.Method, e.Request.Path, lc, e.Response.Status)
		}
	}
	for kind, method := range map[mocknacos.Kind]string{mocknacos.KindConfigGet: "GET", mocknacos.KindConfigPublish: "POST",
		mocknacos.KindConfigRemove: "DELETE"} {
		es := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: kind, Service: key})
		if len(es) == 0 {
			t.Errorf("no %s of %s journaled", kind, key)
		}
		for _, e := range es {
			if e.Request.Method != method || e.Request.Path != "/nacos/v1/cs/configs" || param(e, "tenant") != "" {
				t.Errorf("%s: %s %s %v", kind, e.Request.Method, e.Request.Path, e.Request.Params)
			}
		}
	}
	// Only the get after the removal is refused (not found).
	for _, e := range srv.Find(mocknacos.Query{Rejected: ptr(true)}) {
		if e.Kind != mocknacos.KindConfigGet || e.Response.Status != 404 {
			t.Errorf("rejected: %s %v -> %d %s", e.Kind, e.Request.Params, e.Response.Status, e.Response.Body)
		}
	}
	logWireHTTP(t, srv)
}
