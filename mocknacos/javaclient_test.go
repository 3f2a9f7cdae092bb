package mocknacos_test

// The real Java client, com.alibaba.nacos:nacos-client 2.x, against the
// mock over gRPC (issue 3, item 6). javaapps/naming-client is a small Maven
// program (no Spring) that this test builds once (skipped when its jar is
// newer than its sources) and drives step by step over stdin; it answers
// with one JSON object per line on stdout.
//
// Needs a JDK 17+ (java) and Maven (mvn) on PATH: `make test` fails without
// them. MOCKNACOS_SKIP_JAVA=1 skips this test instead.

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

const (
	javaClientDir = "../javaapps/naming-client"
	javaClientJar = "target/naming-client.jar"
)

// TestJavaNamingClient: the Java client subscribes, registers over gRPC and
// is pushed its own instance; an instance the test registers is pushed to
// it; it queries and lists; it deregisters; it registers again and closes,
// and the connection's instance and subscription go with the connection.
func TestJavaNamingClient(t *testing.T) { testJavaNaming(t, javaClient2x, "2.") }

// TestJavaNamingClient3x: the same with nacos-client 3.1.1 against the 3.0
// mode (nacos3x_test.go has the 3.x specifics).
func TestJavaNamingClient3x(t *testing.T) {
	testJavaNaming(t, javaClient3x, "3.", mocknacos.WithServerVersion(mocknacos.Nacos3))
}

// TestJavaNamingClient3xOn24: nacos-client 3.1.1 against the default 2.4
// mode, as a team that upgrades its clients before its server.
func TestJavaNamingClient3xOn24(t *testing.T) { testJavaNaming(t, javaClient3x, "3.") }

func testJavaNaming(t *testing.T, project *javaProject, major string, opts ...mocknacos.Option) {
	jar := project.jarPath(t)
	// A frozen mock clock: the instance the test seeds below lives by HTTP
	// beats on that clock and so stays healthy however slow the JVM is.
	srv := mocknacos.Start(t, append([]mocknacos.Option{mocknacos.WithFrozenClock(time.Time{})}, opts...)...)
	const service = "java-orders"
	const javaPort = 9001

	dumpJournalOnFailure(t, srv)
	t0 := time.Now()
	step := func(what string) { t.Logf("%6.2fs %s", time.Since(t0).Seconds(), what) }
	c := startJavaProgram(t, "naming-client", "-jar", jar, srv.Addr(), service, strconv.Itoa(javaPort))
	c.Await(t, 0, "ready", func(e clientproc.Event) bool { return e.Event == "ready" })
	started := c.Seen("started")
	if started == nil || !strings.HasPrefix(started.ClientVersion, major) {
		t.Fatalf("want a %sx client's started event, got %s", major, c.History())
	}
	t.Logf("nacos-client %s: started in %d ms", started.ClientVersion, started.MS)
	for _, want := range []string{"subscribed", "registered"} {
		if c.Seen(want) == nil {
			t.Errorf("no %q event before ready: %s", want, c.History())
		}
	}
	if c.FindPush(func(hosts []clientproc.Host) bool { return clientproc.HostAt(hosts, "127.0.0.1", javaPort) != nil }) == nil {
		t.Fatalf("ready without a push of 127.0.0.1:%d: %s", javaPort, c.History())
	}

	step("ready: subscribed, registered, pushed its own instance")

	// The registration, as the mock holds it.
	ins := srv.Instances(service)
	if len(ins) != 1 {
		t.Fatalf("want 1 instance of %s, got %+v", service, ins)
	}
	in := ins[0]
	if in.IP != "127.0.0.1" || in.Port != javaPort || in.Cluster != "DEFAULT" || in.Weight != 2 || !in.Healthy || !in.Enabled || !in.Ephemeral {
		t.Errorf("registered instance: %+v", in)
	}
	for k, v := range map[string]string{"lang": "java", "client": "nacos-client", "version": started.ClientVersion} {
		if in.Metadata[k] != v {
			t.Errorf("metadata[%q] = %q, want %q (all: %v)", k, in.Metadata[k], v, in.Metadata)
		}
	}

	// ...and as the journal saw it cross the wire.
	regs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindRegister, Service: service})
	if len(regs) != 1 {
		t.Fatalf("want 1 gRPC register event, got %d: %+v", len(regs), regs)
	}
	reg := regs[0]
	conn := reg.ConnectionID
	if conn == "" || reg.Rejected || reg.IP != "127.0.0.1" || reg.Port != javaPort || reg.Group != "DEFAULT_GROUP" || reg.Namespace != "public" {
		t.Errorf("register event: %+v", reg)
	}
	if in.Owner != conn {
		t.Errorf("instance owner %q, want the registering connection %q", in.Owner, conn)
	}
	if reg.Request.Type != "InstanceRequest" {
		t.Errorf("register request type %q, want InstanceRequest", reg.Request.Type)
	}
	var body struct {
		Type        string `json:"type"`
		ServiceName string `json:"serviceName"`
		GroupName   string `json:"groupName"`
		Namespace   string `json:"namespace"`
		Instance    struct {
			IP          string            `json:"ip"`
			Port        int               `json:"port"`
			Weight      float64           `json:"weight"`
			Healthy     bool              `json:"healthy"`
			Enabled     bool              `json:"enabled"`
			Ephemeral   bool              `json:"ephemeral"`
			ClusterName string            `json:"clusterName"`
			Metadata    map[string]string `json:"metadata"`
		} `json:"instance"`
	}
	if err := json.Unmarshal([]byte(reg.Request.Body), &body); err != nil {
		t.Errorf("register body %q: %v", reg.Request.Body, err)
	} else if body.Type != "registerInstance" || body.ServiceName != service || body.GroupName != "DEFAULT_GROUP" ||
		body.Instance.IP != "127.0.0.1" || body.Instance.Port != javaPort || body.Instance.Weight != 2 ||
		body.Instance.ClusterName != "DEFAULT" || !body.Instance.Ephemeral || body.Instance.Metadata["lang"] != "java" {
		t.Errorf("register body: %s", reg.Request.Body)
	}
	if reg.Response.Type != "InstanceResponse" || reg.Response.Status != 200 {
		t.Errorf("register response: %+v", reg.Response)
	}
	t.Logf("register: %s %s -> %s %s", reg.Request.Type, reg.Request.Body, reg.Response.Type, reg.Response.Body)

	subs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindSubscribe, Service: service})
	if len(subs) == 0 || subs[0].ConnectionID != conn || subs[0].Rejected || subs[0].Request.Type != "SubscribeServiceRequest" {
		t.Errorf("want a SubscribeServiceRequest on %s, got %+v", conn, subs)
	}
	if !subscribedBy(srv, service, conn) {
		t.Errorf("the mock holds no subscription of %s by %s: %+v", service, conn, srv.Services())
	}
	pushes := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindPush, Service: service})
	if len(pushes) == 0 {
		t.Errorf("no gRPC push journaled for %s", service)
	}

	// An instance the test registers is pushed to the Java subscriber.
	other := mocknacos.NewInstance("127.0.0.1", 9002)
	other.Metadata = map[string]string{"from": "go-test"}
	other.Weight = 3
	mark := c.Mark()
	if err := srv.Register(service, other); err != nil {
		t.Fatal(err)
	}
	push := c.Await(t, mark, "push with 9001 and 9002", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", javaPort) != nil && clientproc.HostAt(e.Hosts, "127.0.0.1", 9002) != nil
	})
	if h := clientproc.HostAt(push.Hosts, "127.0.0.1", 9002); h.Metadata["from"] != "go-test" || h.Weight != 3 || !h.Healthy || h.Cluster != "DEFAULT" {
		t.Errorf("pushed test instance: %+v", *h)
	}

	step("pushed the test's instance")

	// ServiceQueryRequest and ServiceListRequest.
	q := c.Await(t, c.Send(t, "query"), "query", func(e clientproc.Event) bool { return e.Event == "query" })
	if len(q.Hosts) != 2 || clientproc.HostAt(q.Hosts, "127.0.0.1", javaPort) == nil || clientproc.HostAt(q.Hosts, "127.0.0.1", 9002) == nil {
		t.Errorf("query: %s", q.Raw)
	}
	l := c.Await(t, c.Send(t, "list"), "list", func(e clientproc.Event) bool { return e.Event == "list" })
	if l.Count != 1 || len(l.Services) != 1 || l.Services[0] != service {
		t.Errorf("list: %s", l.Raw)
	}

	step("queried and listed")

	// Deregister: the instance goes, the subscriber is pushed the rest.
	// The push may come before or after the answer: lines are matched
	// from the command on, in any order.
	mark = c.Send(t, "deregister")
	c.Await(t, mark, "deregistered", func(e clientproc.Event) bool { return e.Event == "deregistered" })
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool { return findInstance(srv.Instances(service), javaPort) == nil }); err != nil {
		t.Fatalf("deregistered instance still held: %+v", srv.Instances(service))
	}
	deregs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindDeregister, Service: service})
	if len(deregs) != 1 || deregs[0].ConnectionID != conn || deregs[0].Port != javaPort || deregs[0].Rejected ||
		!strings.Contains(deregs[0].Request.Body, `"deregisterInstance"`) {
		t.Errorf("deregister events: %+v", deregs)
	}
	c.Await(t, mark, "push without 9001", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", javaPort) == nil && clientproc.HostAt(e.Hosts, "127.0.0.1", 9002) != nil
	})

	step("deregistered and pushed")

	// Register again, then close: the connection's instance and
	// subscription go with it; the test's instance stays.
	c.Await(t, c.Send(t, "register"), "push with 9001 again", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", javaPort) != nil
	})
	step("registered again and pushed")
	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("naming-client exited %d", code)
	}
	step("closed and exited")
	disconnected := func() bool {
		return len(srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("disconnect")})) > 0
	}
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool {
		ins := srv.Instances(service)
		return disconnected() && findInstance(ins, javaPort) == nil && !subscribedBy(srv, service, conn)
	}); err != nil {
		t.Errorf("after close: disconnect journaled %v, instances %+v, subscribers %v", disconnected(), srv.Instances(service), subscribers(srv, service))
	}
	for _, e := range srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("disconnect")}) {
		if e.ConnectionID != conn {
			t.Errorf("disconnect of another connection %q (the client's is %q): %+v", e.ConnectionID, conn, e)
		}
	}
	if findInstance(srv.Instances(service), 9002) == nil {
		t.Errorf("the test's instance went with the Java connection: %+v", srv.Instances(service))
	}
	if n := srv.Count(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Rejected: ptr(true)}); n != 0 {
		t.Errorf("%d gRPC requests rejected: %+v", n, srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Rejected: ptr(true)}))
	}
	step("connection gone with its instance and subscription")
	logWire(t, srv)
}

func ptr[T any](v T) *T { return &v }

func findInstance(ins []mocknacos.Instance, port int) *mocknacos.Instance {
	for i := range ins {
		if ins[i].IP == "127.0.0.1" && ins[i].Port == port {
			return &ins[i]
		}
	}
	return nil
}

func subscribers(srv *mocknacos.Server, service string) []string {
	var ids []string
	for _, st := range srv.Services() {
		if st.Info.Key.Name == service { // in any namespace
			for _, s := range st.Subscribers {
				ids = append(ids, s.ID+" (owner "+s.Owner+")")
			}
		}
	}
	return ids
}

func subscribedBy(srv *mocknacos.Server, service, conn string) bool {
	for _, st := range srv.Services() {
		if st.Info.Key.Name == service { // in any namespace
			for _, s := range st.Subscribers {
				if s.Owner == conn || s.ID == conn {
					return true
				}
			}
		}
	}
	return false
}

// logWire logs what the Java client sent over gRPC: every request type
// with its first body, for the record (go test -v).
func logWire(t *testing.T, srv *mocknacos.Server) {
	t.Helper()
	seen := map[string]bool{}
	var lines []string
	for _, e := range srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC}) {
		k := string(e.Kind) + " " + e.Request.Type
		if seen[k] {
			continue
		}
		seen[k] = true
		lines = append(lines, fmt.Sprintf("%-16s %-28s headers=%v body=%s -> %s %s", e.Kind, e.Request.Type, e.Request.Headers, e.Request.Body, e.Response.Type, e.Response.Body))
	}
	t.Logf("gRPC traffic of the Java client (first of each kind):\n%s", strings.Join(lines, "\n"))
}

// javaClient2x is the naming-client program (2.x client), built once per
// test binary and not at all while its jar is newer than its sources.
var javaClient2x = &javaProject{name: "naming-client", dir: javaClientDir, jar: javaClientJar}

// javaClient3x is the same program built on nacos-client 3.1.1, with
// FuzzyMain (mvn -Pnacos3, into target-3x/).
var javaClient3x = &javaProject{name: "naming-client-3x", dir: javaClientDir, jar: "target-3x/naming-client.jar",
	mvnArgs: []string{"-Pnacos3"}}

// jarFresh reports whether jar is newer than pom.xml and everything
// under src/.
func jarFresh(dir, jar string) (bool, string) {
	st, err := os.Stat(jar)
	if err != nil {
		return false, "no jar yet"
	}
	built := st.ModTime()
	var newer []string
	check := func(p string, info fs.FileInfo) {
		if info.ModTime().After(built) {
			rel, _ := filepath.Rel(dir, p)
			newer = append(newer, rel)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, "pom.xml")); err != nil {
		return false, "no pom.xml"
	} else {
		check(filepath.Join(dir, "pom.xml"), info)
	}
	err = filepath.WalkDir(filepath.Join(dir, "src"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		check(p, info)
		return nil
	})
	if err != nil {
		return false, err.Error()
	}
	if len(newer) > 0 {
		sort.Strings(newer)
		return false, "changed since the last build: " + strings.Join(newer, ", ")
	}
	return true, ""
}
