package mocknacos_test

// The real Java client 1.x, com.alibaba.nacos:nacos-client 1.4.2 (the one
// Spring Cloud Alibaba 2.2.6.RELEASE ships), against the mock over HTTP
// (issue 7, item 2): registration, beats (full, then light), polling with a
// UDP port and the mock's UDP pushes, and what it does when the server
// restarts (its next light beat is answered 20404 and it registers again).
// javaapps/naming-client-1x is a small Maven program (no Spring) built once
// (skipped while its jar is newer than its sources) and driven over stdin
// like javaapps/naming-client; it answers one JSON object per line.
//
// Needs a JDK 17+ (java) and Maven (mvn) on PATH; MOCKNACOS_SKIP_JAVA=1
// skips it.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

var javaClient1x = &javaProject{name: "naming-client-1x", dir: "../javaapps/naming-client-1x", jar: "target/naming-client-1x.jar"}

// param is the first value of an HTTP event's parameter.
func param(e mocknacos.Event, name string) string {
	if v := e.Request.Params[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// TestJavaNamingClient1x: the 1.4.2 client subscribes (a poll with a UDP
// port), registers over HTTP and is pushed its own instance; it beats every
// second (preserved.heart.beat.interval=1000), light beats once the mock
// allows them; an instance the test registers reaches it by UDP push; after
// srv.Restart its next light beat is answered 20404 and it registers again,
// polls again and is pushed again; it deregisters and closes.
func TestJavaNamingClient1x(t *testing.T) {
	jar := javaClient1x.jarPath(t)
	// A frozen mock clock: the instances the test seeds live by beats on
	// that clock and so stay healthy however slow the JVM is.
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	dumpJournalOnFailure(t, srv)
	const service = "java1x-orders"
	const javaPort, otherPort, thirdPort = 9101, 9102, 9103
	httpQ := func(kind mocknacos.Kind) mocknacos.Query {
		return mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: kind, Service: service}
	}
	after := func(seq int64, es []mocknacos.Event) []mocknacos.Event {
		var out []mocknacos.Event
		for _, e := range es {
			if e.Seq > seq {
				out = append(out, e)
			}
		}
		return out
	}
	lastSeq := func() int64 {
		j := srv.Journal()
		if len(j) == 0 {
			return 0
		}
		return j[len(j)-1].Seq
	}

	t0 := time.Now()
	step := func(what string) { t.Logf("%6.2fs %s", time.Since(t0).Seconds(), what) }
	c := startJavaProgram(t, "naming-client-1x", "-Dcom.alibaba.nacos.client.naming.local.ip=127.0.0.1",
		"-jar", jar, srv.Addr(), service, strconv.Itoa(javaPort))
	c.Await(t, 0, "ready", func(e clientproc.Event) bool { return e.Event == "ready" })
	started := c.Seen("started")
	if started == nil || started.ClientVersion != "1.4.2" {
		t.Fatalf("want the 1.4.2 client's started event, got %s", c.History())
	}
	t.Logf("nacos-client %s: started in %d ms", started.ClientVersion, started.MS)
	step("ready: subscribed, registered, pushed its own instance")

	// The registration, as the mock holds it...
	ins := srv.Instances(service)
	if len(ins) != 1 {
		t.Fatalf("want 1 instance of %s, got %+v", service, ins)
	}
	in := ins[0]
	if in.IP != "127.0.0.1" || in.Port != javaPort || in.Cluster != "DEFAULT" || in.Weight != 2 || !in.Healthy || !in.Enabled ||
		!in.Ephemeral || in.Source != mocknacos.SourceHTTP || in.Metadata["lang"] != "java" || in.Metadata["version"] != "1.4.2" ||
		in.Metadata["preserved.heart.beat.interval"] != "1000" {
		t.Errorf("registered instance: %+v", in)
	}

	// ...and as it crossed the wire.
	regs := srv.Find(httpQ(mocknacos.KindRegister))
	if len(regs) != 1 {
		t.Fatalf("want 1 HTTP register event, got %d: %+v", len(regs), regs)
	}
	reg := regs[0]
	var md map[string]string
	if err := json.Unmarshal([]byte(param(reg, "metadata")), &md); err != nil || md["preserved.heart.beat.interval"] != "1000" {
		t.Errorf("register metadata %q: %v", param(reg, "metadata"), err)
	}
	want := map[string]string{"ip": "127.0.0.1", "port": strconv.Itoa(javaPort), "serviceName": "DEFAULT_GROUP@@" + service,
		"groupName": "DEFAULT_GROUP", "namespaceId": "public", "clusterName": "DEFAULT", "ephemeral": "true",
		"healthy": "true", "enable": "true", "weight": "2.0"}
	for k, v := range want {
		if got := param(reg, k); got != v {
			t.Errorf("register param %s = %q, want %q", k, got, v)
		}
	}
	if reg.Request.Method != "POST" || !strings.HasSuffix(reg.Request.Path, "/v1/ns/instance") || reg.Rejected ||
		reg.Response.Status != 200 || reg.Response.Body != "ok" || reg.Namespace != "public" || reg.Group != "DEFAULT_GROUP" {
		t.Errorf("register event: %+v", reg)
	}
	t.Logf("register: %s %s %v -> %d %s", reg.Request.Method, reg.Request.Path, reg.Request.Params, reg.Response.Status, reg.Response.Body)

	// The subscription: a poll with a UDP port and clientIP 127.0.0.1.
	subs := srv.Find(httpQ(mocknacos.KindSubscribe))
	if len(subs) == 0 {
		t.Fatalf("no HTTP subscribe (a list with udpPort) journaled")
	}
	udpPort := param(subs[0], "udpPort")
	if p, _ := strconv.Atoi(udpPort); p <= 0 || param(subs[0], "clientIP") != "127.0.0.1" || subs[0].Rejected {
		t.Errorf("subscribe: %+v", subs[0])
	}
	t.Logf("subscribe: %s %s %v", subs[0].Request.Method, subs[0].Request.Path, subs[0].Request.Params)
	pushes := srv.Find(httpQ(mocknacos.KindPush))
	if len(pushes) == 0 || strconv.Itoa(pushes[0].Port) != udpPort || pushes[0].Rejected || pushes[0].Request.Type != "udp-push" {
		t.Errorf("want UDP pushes to port %s, got %+v", udpPort, pushes)
	}

	// Beats: the first full (the "beat" parameter), then light ones once an
	// answer said lightBeatEnabled, every second.
	beatQ := mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.KindBeat, Service: service, IP: "127.0.0.1", Port: javaPort}
	beats, err := srv.WaitForEvents(beatQ, 4, clientproc.StepTimeout)
	if err != nil {
		t.Fatal(err)
	}
	lightOK := false
	for i, b := range beats {
		full := param(b, "beat") != ""
		if i == 0 && !full {
			t.Errorf("first beat without its beat JSON: %+v", b)
		}
		if lightOK && full {
			t.Errorf("beat %d is a full beat after an answer enabled light beats: %v", i, b.Request.Params)
		}
		if b.Rejected || b.Response.ErrorCode != 10200 || b.Response.Body != `{"clientBeatInterval":1000,"code":10200,"lightBeatEnabled":true}` {
			t.Errorf("beat %d answered %d %s", i, b.Response.Status, b.Response.Body)
		}
		lightOK = strings.Contains(b.Response.Body, `"lightBeatEnabled":true`)
	}
	var gaps []string
	for i := 1; i < len(beats); i++ {
		gaps = append(gaps, beats[i].WallTime.Sub(beats[i-1].WallTime).Round(time.Millisecond).String())
	}
	t.Logf("beats: first %v %v; then light %v; every %s", beats[0].Request.Method, beats[0].Request.Params,
		beats[1].Request.Params, strings.Join(gaps, ", "))
	step("beating every second, light beats")

	// An instance the test registers reaches the subscriber by UDP push.
	other := mocknacos.NewInstance("127.0.0.1", otherPort)
	other.Metadata = map[string]string{"from": "go-test"}
	other.Weight = 3
	mark := c.Mark()
	regAt := time.Now()
	if err := srv.Register(service, other); err != nil {
		t.Fatal(err)
	}
	push := c.Await(t, mark, "push with 9101 and 9102", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", javaPort) != nil && clientproc.HostAt(e.Hosts, "127.0.0.1", otherPort) != nil
	})
	t.Logf("srv.Register -> the Java listener: %v", time.Since(regAt).Round(time.Millisecond))
	if h := clientproc.HostAt(push.Hosts, "127.0.0.1", otherPort); h.Metadata["from"] != "go-test" || h.Weight != 3 || !h.Healthy || h.Cluster != "DEFAULT" {
		t.Errorf("pushed test instance: %+v", *h)
	}
	if h := clientproc.HostAt(push.Hosts, "127.0.0.1", javaPort); h.Weight != 2 || h.Metadata["lang"] != "java" || !h.Healthy {
		t.Errorf("pushed own instance: %+v", *h)
	}
	pushed := false
	for _, e := range srv.Find(httpQ(mocknacos.KindPush)) {
		if e.WallTime.After(regAt) && strconv.Itoa(e.Port) == udpPort && strings.Contains(e.Request.Body, strconv.Itoa(otherPort)) && !e.Rejected {
			pushed = true
		}
	}
	if !pushed {
		t.Errorf("no UDP push of %d to the client's port %s journaled", otherPort, udpPort)
	}
	step("UDP push of the test's instance")

	// Restart: the mock forgets every ephemeral instance. The client's next
	// light beat is answered 20404, and it registers again.
	before := lastSeq()
	restartAt := time.Now()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	var again mocknacos.Event
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool {
		regs := after(before, srv.Find(httpQ(mocknacos.KindRegister)))
		if len(regs) == 0 || findInstance(srv.Instances(service), javaPort) == nil {
			return false
		}
		again = regs[0]
		return true
	}); err != nil {
		t.Fatalf("no registration again within %v of the restart: instances %+v", clientproc.StepTimeout, srv.Instances(service))
	}
	took := time.Since(restartAt)
	var notFound *mocknacos.Event
	for _, b := range after(before, srv.Find(beatQ)) {
		if b.Seq < again.Seq && b.Response.ErrorCode == 20404 {
			notFound = &b
			break
		}
	}
	if notFound == nil {
		t.Fatalf("no beat answered 20404 before the registration again: %+v", after(before, srv.Find(beatQ)))
	}
	if param(*notFound, "beat") != "" || !strings.HasPrefix(notFound.Response.Body, `{"clientBeatInterval":5000,"code":20404,`) {
		t.Errorf("the 20404 beat: %v -> %s", notFound.Request.Params, notFound.Response.Body)
	}
	t.Logf("restart -> 20404 light beat %v (%s) -> registered again %v after the restart",
		notFound.WallTime.Sub(restartAt).Round(time.Millisecond), notFound.Response.Body, took.Round(time.Millisecond))
	for k, v := range want {
		if got := param(again, k); got != v && k != "healthy" {
			t.Errorf("registration again: param %s = %q, want %q", k, got, v)
		}
	}
	if again.Rejected || again.Response.Body != "ok" {
		t.Errorf("registration again: %+v", again)
	}
	if in := findInstance(srv.Instances(service), javaPort); in.Metadata["preserved.heart.beat.interval"] != "1000" || in.Weight != 2 || !in.Healthy {
		t.Errorf("instance registered again: %+v", *in)
	}
	step("restarted; 20404; registered again")

	// Beats go on after the registration again, answered OK (the next one
	// 5 s later: the clientBeatInterval of the 20404 answer).
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool {
		for _, b := range after(again.Seq, srv.Find(beatQ)) {
			if b.Response.ErrorCode == 10200 {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no beat answered 10200 after the registration again: %+v", after(again.Seq, srv.Find(beatQ)))
	}
	// The client's poll (every 10 s, with its UDP port) subscribes again;
	// then an instance the test registers is pushed to it.
	resubs, err := srv.WaitForEvents(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Kind: mocknacos.KindSubscribe, Service: service},
		len(srv.Find(httpQ(mocknacos.KindSubscribe)))+1, clientproc.StepTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if resub := after(before, resubs); len(resub) == 0 || param(resub[0], "udpPort") != udpPort {
		t.Fatalf("subscriptions after the restart: %+v", resub)
	} else {
		t.Logf("restart -> polled (subscribed) again: %v", resub[0].WallTime.Sub(restartAt).Round(time.Millisecond))
	}
	third := mocknacos.NewInstance("127.0.0.1", thirdPort)
	mark = c.Mark()
	regAt = time.Now()
	if err := srv.Register(service, third); err != nil {
		t.Fatal(err)
	}
	c.Await(t, mark, "push with 9101 and 9103 after the restart", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", javaPort) != nil && clientproc.HostAt(e.Hosts, "127.0.0.1", thirdPort) != nil &&
			clientproc.HostAt(e.Hosts, "127.0.0.1", otherPort) == nil
	})
	t.Logf("srv.Register -> the Java listener after the restart: %v", time.Since(regAt).Round(time.Millisecond))
	pushed = false
	for _, e := range srv.Find(httpQ(mocknacos.KindPush)) {
		if e.WallTime.After(regAt) && strconv.Itoa(e.Port) == udpPort && strings.Contains(e.Request.Body, strconv.Itoa(thirdPort)) && !e.Rejected {
			pushed = true
		}
	}
	if !pushed {
		t.Errorf("no UDP push of %d to the client's port %s journaled after the restart", thirdPort, udpPort)
	}
	step("polled again, beats answered OK, UDP push after the restart")

	// Deregister: the instance goes, its beats stop, the subscriber is
	// pushed the rest.
	mark = c.Send(t, "deregister")
	c.Await(t, mark, "deregistered", func(e clientproc.Event) bool { return e.Event == "deregistered" })
	if findInstance(srv.Instances(service), javaPort) != nil {
		t.Errorf("deregistered instance still held: %+v", srv.Instances(service))
	}
	deregs := srv.Find(httpQ(mocknacos.KindDeregister))
	if len(deregs) != 1 || deregs[0].Port != javaPort || deregs[0].Rejected || deregs[0].Request.Method != "DELETE" ||
		param(deregs[0], "ephemeral") != "true" {
		t.Errorf("deregister events: %+v", deregs)
	}
	c.Await(t, mark, "push without 9101", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", javaPort) == nil && clientproc.HostAt(e.Hosts, "127.0.0.1", thirdPort) != nil
	})
	step("deregistered and pushed")

	closed := c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("naming-client-1x exited %d", code)
	}
	t.Logf("NamingService.shutDown took %d ms", closed.MS)
	step("closed and exited")
	if findInstance(srv.Instances(service), javaPort) != nil {
		t.Errorf("the Java instance came back: %+v", srv.Instances(service))
	}
	if n := srv.Count(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Rejected: ptr(true)}); n != 0 {
		t.Errorf("%d HTTP requests rejected: %+v", n, srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP, Rejected: ptr(true)}))
	}
	logWireHTTP(t, srv)
}

// logWireHTTP logs what the client sent over HTTP: every kind of request
// with its first parameters and answer, for the record (go test -v).
func logWireHTTP(t *testing.T, srv *mocknacos.Server) {
	t.Helper()
	seen := map[string]bool{}
	var lines []string
	for _, e := range srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolHTTP}) {
		k := string(e.Kind) + " " + e.Request.Method + " " + e.Request.Path
		if e.Kind == mocknacos.KindBeat {
			k += fmt.Sprint(param(e, "beat") != "", e.Response.ErrorCode)
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		lines = append(lines, fmt.Sprintf("%-10s %s %s %v %.300s -> %d %.300s", e.Kind, e.Request.Method, e.Request.Path,
			e.Request.Params, e.Request.Body, e.Response.Status, e.Response.Body))
	}
	t.Logf("HTTP traffic of the client (first of each kind):\n%s", strings.Join(lines, "\n"))
}
