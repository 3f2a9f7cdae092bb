package mocknacos_test

// The real Python SDK, nacos-sdk-python 2.0.11 from PyPI, against the mock
// (issue 3, item 6). One package ships two clients:
//
//   - v2.nacos (clients/python/naming_v2.py): the asyncio gRPC client;
//   - nacos (clients/python/naming_v1.py): the 1.x HTTP client with its
//     own beat thread.
//
// Both programs are driven step by step over stdin and answer with one JSON
// object per line on stdout, like the Java naming-client.
//
// The SDK is installed once into a venv cached across runs under
// os.UserCacheDir()/mocknacos/pyvenv-<hash of requirements.txt> (the first
// run needs PyPI). Needs python3 with venv and pip (Debian: apt-get install
// python3-venv): the tests fail without them. MOCKNACOS_SKIP_PYTHON=1 skips
// them instead.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// TestPythonV2NamingClient: the v2 (gRPC) client registers, subscribes and
// is handed its own instance, is pushed an instance the test registers,
// queries and lists, deregisters and is pushed the rest, registers again
// and closes; the connection's instance and subscription go with it.
func TestPythonV2NamingClient(t *testing.T) {
	python := clientproc.Python(t)
	t.Parallel()
	// Frozen: the instance the test seeds lives by HTTP beats on the mock
	// clock, so it stays healthy however slow the interpreter is.
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	dumpJournalOnFailure(t, srv)
	const service = "py-orders"
	const pyPort, testPort = 9201, 9202

	c := clientproc.StartPython(t, python, "naming_v2.py", nil, "--server", srv.Addr(), "--service", service,
		"--port", fmt.Sprint(pyPort))
	started := c.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })
	t.Logf("nacos-sdk-python %s (v2.nacos): connected in %d ms", started.ClientVersion, started.MS)

	// Register: the instance as the mock holds it. The SDK sends namespace
	// "", which a real 2.4.3 keeps apart from public (its gRPC handlers use
	// the namespace as sent): the instance is in namespace "", and public
	// (every HTTP request, the Java and Go clients) does not see it.
	c.Await(t, c.Send(t, "register"), "registered", func(e clientproc.Event) bool { return e.Event == "registered" && e.IsOK() })
	ins := srv.InstancesIn("", service)
	if len(ins) != 1 {
		t.Fatalf("want 1 instance of %s in namespace \"\", got %+v", service, ins)
	}
	if pub := srv.Instances(service); len(pub) != 0 {
		t.Errorf("public holds %+v: namespace \"\" is not public on a real 2.4.3", pub)
	}
	if resp, err := http.Get(srv.URL() + "/v1/ns/instance/list?serviceName=" + service); err != nil {
		t.Error(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `"hosts":[]`) {
			t.Errorf("the HTTP list (public) shows the instance of namespace \"\": %s", b)
		}
	}
	in := ins[0]
	if in.IP != "127.0.0.1" || in.Port != pyPort || in.Cluster != "DEFAULT" || in.Weight != 2 || !in.Healthy ||
		!in.Enabled || !in.Ephemeral || in.Source != mocknacos.SourceGRPC {
		t.Errorf("registered instance: %+v", in)
	}
	// The SDK sends clusterName "": stored as DEFAULT, but the real
	// server's id generator uses the raw value (nacos-protocol.md 5.4).
	if want := "127.0.0.1#9201##DEFAULT_GROUP@@" + service; in.InstanceID != want {
		t.Errorf("instance id %q, want %q", in.InstanceID, want)
	}
	for k, v := range map[string]string{"lang": "python", "client": "nacos-sdk-python", "version": started.ClientVersion} {
		if in.Metadata[k] != v {
			t.Errorf("metadata[%q] = %q, want %q (all: %v)", k, in.Metadata[k], v, in.Metadata)
		}
	}

	// ...and as it crossed the wire.
	regs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindRegister, Service: service})
	if len(regs) != 1 {
		t.Fatalf("want 1 gRPC register event, got %d: %+v", len(regs), regs)
	}
	reg := regs[0]
	conn := reg.ConnectionID
	if conn == "" || reg.Rejected || reg.IP != "127.0.0.1" || reg.Port != pyPort || reg.Group != "DEFAULT_GROUP" ||
		reg.Namespace != "public" || reg.Request.Type != "InstanceRequest" ||
		reg.Response.Type != "InstanceResponse" || reg.Response.Status != 200 {
		t.Errorf("register event: %+v", reg)
	}
	if in.Owner != conn {
		t.Errorf("instance owner %q, want the registering connection %q", in.Owner, conn)
	}
	var body struct {
		Namespace   *string `json:"namespace"`
		ServiceName string  `json:"serviceName"`
		GroupName   string  `json:"groupName"`
		Type        string  `json:"type"`
		Instance    struct {
			IP          string            `json:"ip"`
			Port        int               `json:"port"`
			Weight      float64           `json:"weight"`
			Ephemeral   bool              `json:"ephemeral"`
			ClusterName *string           `json:"clusterName"`
			Metadata    map[string]string `json:"metadata"`
		} `json:"instance"`
	}
	if err := json.Unmarshal([]byte(reg.Request.Body), &body); err != nil {
		t.Errorf("register body %q: %v", reg.Request.Body, err)
	} else if body.Type != "registerInstance" || body.ServiceName != service || body.GroupName != "DEFAULT_GROUP" ||
		// The Python SDK sends namespace "" (kept apart from public, as
		// above; the journal's event names it public) and clusterName "".
		body.Namespace == nil || *body.Namespace != "" ||
		body.Instance.ClusterName == nil || *body.Instance.ClusterName != "" ||
		body.Instance.IP != "127.0.0.1" || body.Instance.Port != pyPort || body.Instance.Weight != 2 ||
		!body.Instance.Ephemeral || body.Instance.Metadata["lang"] != "python" {
		t.Errorf("register body: %s", reg.Request.Body)
	}
	setups := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("setup")})
	if len(setups) != 1 || setups[0].ConnectionID != conn || !strings.Contains(setups[0].Request.Body, `"Nacos-Python-Client:v2.0.0"`) ||
		!strings.Contains(setups[0].Request.Body, `"module": "naming"`) {
		t.Errorf("want one ConnectionSetupRequest of a Python naming client on %s, got %+v", conn, setups)
	}

	// Subscribe: the SDK hands the callback the initial view (the SDK
	// skips empty views, so the service is subscribed once it has one).
	mark := c.Send(t, "subscribe")
	c.Await(t, mark, "subscribed", func(e clientproc.Event) bool { return e.Event == "subscribed" })
	first := c.Await(t, mark, "initial view with 9201", func(e clientproc.Event) bool { return e.Event == "push" })
	if len(first.Hosts) != 1 || clientproc.HostAt(first.Hosts, "127.0.0.1", pyPort) == nil {
		t.Errorf("initial view: %s", first.Raw)
	} else if h := clientproc.HostAt(first.Hosts, "127.0.0.1", pyPort); h.Cluster != "DEFAULT" || h.Weight != 2 || !h.Healthy ||
		h.Service != "DEFAULT_GROUP@@"+service || h.Metadata["lang"] != "python" {
		t.Errorf("own instance in the initial view: %+v", *h)
	}
	subs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindSubscribe, Service: service})
	if len(subs) != 1 || subs[0].ConnectionID != conn || subs[0].Rejected || subs[0].Request.Type != "SubscribeServiceRequest" ||
		subs[0].Response.Type != "SubscribeServiceResponse" {
		t.Errorf("want one SubscribeServiceRequest on %s, got %+v", conn, subs)
	}
	if !subscribedBy(srv, service, conn) {
		t.Errorf("the mock holds no subscription of %s by %s: %+v", service, conn, srv.Services())
	}

	// An instance the test registers is pushed, and the push acknowledged.
	other := mocknacos.NewInstance("127.0.0.1", testPort)
	other.Metadata = map[string]string{"from": "go-test"}
	other.Weight = 3
	mark = c.Mark()
	if err := srv.RegisterIn("", service, other); err != nil {
		t.Fatal(err)
	}
	push := c.Await(t, mark, "push with 9201 and 9202", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", pyPort) != nil && clientproc.HostAt(e.Hosts, "127.0.0.1", testPort) != nil
	})
	if h := clientproc.HostAt(push.Hosts, "127.0.0.1", testPort); h.Metadata["from"] != "go-test" || h.Weight != 3 || !h.Healthy ||
		h.Cluster != "DEFAULT" || h.InstanceID != "127.0.0.1#9202#DEFAULT#DEFAULT_GROUP@@"+service {
		t.Errorf("pushed test instance: %+v", *h)
	}
	if _, err := srv.WaitForEvents(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("push-ack")}, 1, clientproc.StepTimeout); err != nil {
		t.Errorf("no NotifySubscriberResponse from the client: %v", err)
	}
	for _, p := range srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindPush, Service: service}) {
		if p.ConnectionID != conn || p.Request.Type != "NotifySubscriberRequest" || p.Rejected {
			t.Errorf("push event: %+v", p)
		}
	}

	// list_instances(subscribe=False) and list_services (ServiceListRequest).
	q := c.Await(t, c.Send(t, "query"), "query", func(e clientproc.Event) bool { return e.Event == "query" })
	if len(q.Hosts) != 2 || clientproc.HostAt(q.Hosts, "127.0.0.1", pyPort) == nil || clientproc.HostAt(q.Hosts, "127.0.0.1", testPort) == nil {
		t.Errorf("query: %s", q.Raw)
	}
	// list_services asks for namespace "public", where the SDK's own
	// service is not (it is in ""): none, as a real 2.4.3 answers.
	l := c.Await(t, c.Send(t, "list"), "list", func(e clientproc.Event) bool { return e.Event == "list" })
	if l.Count != 0 || len(l.Services) != 0 {
		t.Errorf("list: %s", l.Raw)
	}

	// Deregister: the instance goes, the subscriber is pushed the rest (in
	// any order with the answer).
	mark = c.Send(t, "deregister")
	c.Await(t, mark, "deregistered", func(e clientproc.Event) bool { return e.Event == "deregistered" && e.IsOK() })
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool { return findInstance(srv.InstancesIn("", service), pyPort) == nil }); err != nil {
		t.Fatalf("deregistered instance still held: %+v", srv.InstancesIn("", service))
	}
	deregs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindDeregister, Service: service})
	if len(deregs) != 1 || deregs[0].ConnectionID != conn || deregs[0].Port != pyPort || deregs[0].Rejected ||
		!strings.Contains(deregs[0].Request.Body, `"deregisterInstance"`) {
		t.Errorf("deregister events: %+v", deregs)
	}
	c.Await(t, mark, "push without 9201", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", pyPort) == nil && clientproc.HostAt(e.Hosts, "127.0.0.1", testPort) != nil
	})

	// Register again, then close: shutdown sends no deregister, the
	// instance and the subscription go with the connection.
	mark = c.Send(t, "register")
	c.Await(t, mark, "push with 9201 again", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", pyPort) != nil
	})
	closed := c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if closed.ShutdownError != nil {
		// nacos-sdk-python 2.0.11: NacosNamingService.shutdown awaits
		// ServiceInfoUpdater.stop(), a plain function, after closing the
		// connection. An SDK bug, not the mock's.
		t.Logf("SDK shutdown error (known 2.0.11 bug, after the connection closed): %s", *closed.ShutdownError)
	}
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("naming_v2.py exited %d", code)
	}
	disconnects := func() []mocknacos.Event {
		return srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("disconnect")})
	}
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool {
		return len(disconnects()) > 0 && findInstance(srv.InstancesIn("", service), pyPort) == nil && !subscribedBy(srv, service, conn)
	}); err != nil {
		t.Errorf("after close: disconnects %+v, instances %+v, services %+v", disconnects(), srv.InstancesIn("", service), srv.Services())
	}
	for _, e := range disconnects() {
		if e.ConnectionID != conn {
			t.Errorf("disconnect of another connection %q (the client's is %q)", e.ConnectionID, conn)
		}
	}
	if n := srv.Count(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindDeregister}); n != 1 {
		t.Errorf("%d gRPC deregisters, want 1: close relies on the connection closing", n)
	}
	if findInstance(srv.InstancesIn("", service), testPort) == nil {
		t.Errorf("the test's instance went with the Python connection: %+v", srv.InstancesIn("", service))
	}
	if rej := srv.Find(mocknacos.Query{Rejected: ptr(true)}); len(rej) != 0 {
		t.Errorf("%d requests rejected: %+v", len(rej), rej)
	}
}

// TestPythonV1NamingClient: the 1.x HTTP client of the same package
// registers with its beat thread, beats, lists and removes, against the
// default (2.x) server. Python v1 sends a bare serviceName with groupName,
// booleans as True/False and, without a cluster, clusterName=None
// literally: the server keeps a cluster named "None", while the beats
// (which then carry no cluster) name DEFAULT; a 2.x server finds the beat's
// instance by ip:port, so the one instance stays alive.
func TestPythonV1NamingClient(t *testing.T) {
	python := clientproc.Python(t)
	t.Parallel()
	srv := mocknacos.Start(t)
	dumpJournalOnFailure(t, srv)
	const service = "py-legacy"
	const pyPort, testPort = 9301, 9302

	c := clientproc.StartPython(t, python, "naming_v1.py", nil, "--server", srv.Addr(), "--service", service)
	started := c.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })

	// Register with a beat every second (the first at once).
	c.Await(t, c.Send(t, fmt.Sprintf("register port=%d weight=2 heartbeat=1", pyPort)), "registered",
		func(e clientproc.Event) bool { return e.Event == "registered" && e.IsOK() })
	regs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.KindRegister, Service: service})
	if len(regs) != 1 {
		t.Fatalf("want 1 HTTP register, got %+v", regs)
	}
	reg := regs[0]
	p := reg.Request.Params
	for k, v := range map[string]string{"serviceName": service, "groupName": "DEFAULT_GROUP", "clusterName": "None",
		"enable": "True", "healthy": "True", "ephemeral": "True", "weight": "2.0", "ip": "127.0.0.1"} {
		if got := strings.Join(p[k], ","); got != v {
			t.Errorf("register param %s = %q, want %q (all: %v)", k, got, v, p)
		}
	}
	if reg.Rejected || reg.Request.Method != "POST" || reg.Group != "DEFAULT_GROUP" || reg.Service != service ||
		reg.Cluster != "None" || reg.Response.Body != "ok" {
		t.Errorf("register event: %+v", reg)
	}
	ins := srv.Instances(service)
	if len(ins) != 1 {
		t.Fatalf("want 1 instance, got %+v", ins)
	}
	in := ins[0]
	if in.IP != "127.0.0.1" || in.Port != pyPort || in.Cluster != "None" || in.Weight != 2 || !in.Healthy ||
		!in.Enabled || !in.Ephemeral || in.Source != mocknacos.SourceHTTP ||
		in.Metadata["lang"] != "python" || in.Metadata["version"] != started.ClientVersion {
		t.Errorf("registered instance: %+v", in)
	}

	// The SDK's beat thread: full beats with a grouped serviceName and no
	// cluster, each answered 10200; they keep the "None" instance.
	beats, err := srv.WaitForEvents(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.KindBeat, Service: service, Port: pyPort}, 2, clientproc.StepTimeout)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range beats {
		if b.Rejected || b.Request.Method != "PUT" || b.Cluster != "DEFAULT" || b.Response.ErrorCode != 10200 ||
			strings.Join(b.Request.Params["serviceName"], ",") != "DEFAULT_GROUP@@"+service ||
			!strings.Contains(strings.Join(b.Request.Params["beat"], ""), `"ip": "127.0.0.1"`) {
			t.Errorf("beat event: %+v", b)
		}
	}
	if ins := srv.Instances(service); len(ins) != 1 || ins[0].Cluster != "None" {
		t.Errorf("after beats: %+v", ins)
	}

	// One beat by hand: the answer as the SDK returns it.
	b := c.Await(t, c.Send(t, fmt.Sprintf("beat port=%d", pyPort)), "beat", func(e clientproc.Event) bool { return e.Event == "beat" })
	var ans struct {
		ClientBeatInterval int64 `json:"clientBeatInterval"`
		Code               int   `json:"code"`
		LightBeatEnabled   bool  `json:"lightBeatEnabled"`
	}
	if err := json.Unmarshal(b.Response, &ans); err != nil || ans.Code != 10200 || ans.ClientBeatInterval != 5000 || !ans.LightBeatEnabled {
		t.Errorf("beat answer: %s (%v)", b.Raw, err)
	}

	// The list sees the client's instance and one the test registers.
	if err := srv.Register(service, mocknacos.NewInstance("127.0.0.1", testPort)); err != nil {
		t.Fatal(err)
	}
	l := c.Await(t, c.Send(t, "list"), "list", func(e clientproc.Event) bool { return e.Event == "list" })
	if l.Name != "DEFAULT_GROUP@@"+service || l.Clusters != "" || len(l.Hosts) != 2 {
		t.Errorf("list: %s", l.Raw)
	}
	if h := clientproc.HostAt(l.Hosts, "127.0.0.1", pyPort); h == nil || h.Cluster != "None" || h.Weight != 2 || !h.Healthy || !h.Enabled ||
		h.InstanceID != "127.0.0.1#9301#None#DEFAULT_GROUP@@"+service || h.Metadata["lang"] != "python" {
		t.Errorf("listed own instance: %s", l.Raw)
	}
	if h := clientproc.HostAt(l.Hosts, "127.0.0.1", testPort); h == nil || h.Cluster != "DEFAULT" {
		t.Errorf("listed test instance: %s", l.Raw)
	}

	// Remove (without a cluster: DELETE names DEFAULT; a 2.x server
	// removes the ip:port client's instance of the service anyway).
	c.Await(t, c.Send(t, fmt.Sprintf("remove port=%d", pyPort)), "removed", func(e clientproc.Event) bool { return e.Event == "removed" && e.IsOK() })
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool { return findInstance(srv.Instances(service), pyPort) == nil }); err != nil {
		t.Errorf("removed instance still held: %+v", srv.Instances(service))
	}
	deregs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.KindDeregister, Service: service})
	if len(deregs) != 1 || deregs[0].Rejected || deregs[0].Request.Method != "DELETE" || deregs[0].Port != pyPort ||
		len(deregs[0].Request.Params["clusterName"]) != 0 || deregs[0].Response.Body != "ok" {
		t.Errorf("deregister events: %+v", deregs)
	}
	nBeats := srv.Count(mocknacos.Query{Kind: mocknacos.KindBeat, Service: service})
	l = c.Await(t, c.Send(t, "list"), "list after remove", func(e clientproc.Event) bool { return e.Event == "list" })
	if len(l.Hosts) != 1 || clientproc.HostAt(l.Hosts, "127.0.0.1", testPort) == nil {
		t.Errorf("list after remove: %s", l.Raw)
	}
	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("naming_v1.py exited %d", code)
	}
	// The beat thread was stopped (and joined) before the DELETE.
	if n := srv.Count(mocknacos.Query{Kind: mocknacos.KindBeat, Service: service}); n != nBeats {
		t.Errorf("%d beats after the removal", n-nBeats)
	}
	if findInstance(srv.Instances(service), pyPort) != nil {
		t.Errorf("the removed instance came back: %+v", srv.Instances(service))
	}
	if rej := srv.Find(mocknacos.Query{Rejected: ptr(true)}); len(rej) != 0 {
		t.Errorf("%d requests rejected: %+v", len(rej), rej)
	}
}

// TestPythonV1NamingClientNacos1: the same client against a 1.4.x server.
// There DistroFilter groups the bare serviceName before the controller
// runs, and beats look instances up by cluster, ip and port: the beats
// (cluster DEFAULT) miss the "None" instance and re-register the instance
// from their JSON in DEFAULT, so the service holds both.
func TestPythonV1NamingClientNacos1(t *testing.T) {
	python := clientproc.Python(t)
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithServerVersion(mocknacos.Nacos1))
	dumpJournalOnFailure(t, srv)
	const service = "py-legacy"
	const pyPort = 9301

	c := clientproc.StartPython(t, python, "naming_v1.py", nil, "--server", srv.Addr(), "--service", service)
	c.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })
	r := c.Await(t, c.Send(t, fmt.Sprintf("register port=%d weight=2 heartbeat=1", pyPort)), "registered",
		func(e clientproc.Event) bool { return e.Event == "registered" }, "register")
	if r.Event == "error" {
		t.Fatalf("register: %s; events %+v", r.Raw, srv.Find(mocknacos.Query{Kind: mocknacos.KindRegister}))
	}
	if !r.IsOK() {
		t.Fatalf("register: %s", r.Raw)
	}
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool { return len(srv.Instances(service)) == 2 }); err != nil {
		t.Fatalf("want the None instance and the one the beats registered in DEFAULT, got %+v", srv.Instances(service))
	}
	var clusters []string
	for _, in := range srv.Instances(service) {
		clusters = append(clusters, in.Cluster)
		if in.IP != "127.0.0.1" || in.Port != pyPort || !in.Healthy || in.Weight != 2 || in.Metadata["lang"] != "python" {
			t.Errorf("instance: %+v", in)
		}
	}
	if strings.Join(clusters, ",") != "DEFAULT,None" {
		t.Errorf("clusters %v, want DEFAULT and None", clusters)
	}
	// DELETE without a cluster names DEFAULT: 1.4.x removes only that one.
	c.Await(t, c.Send(t, fmt.Sprintf("remove port=%d", pyPort)), "removed", func(e clientproc.Event) bool { return e.Event == "removed" && e.IsOK() })
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool {
		ins := srv.Instances(service)
		return len(ins) == 1 && ins[0].Cluster == "None"
	}); err != nil {
		t.Errorf("after remove: %+v", srv.Instances(service))
	}
	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("naming_v1.py exited %d", code)
	}
}
