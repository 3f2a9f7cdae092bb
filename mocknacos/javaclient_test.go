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
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

const (
	javaClientDir   = "../javaapps/naming-client"
	javaClientJar   = "target/naming-client.jar"
	javaStepTimeout = 30 * time.Second
)

// TestJavaNamingClient: the Java client subscribes, registers over gRPC and
// is pushed its own instance; an instance the test registers is pushed to
// it; it queries and lists; it deregisters; it registers again and closes,
// and the connection's instance and subscription go with the connection.
func TestJavaNamingClient(t *testing.T) {
	jar := javaClient2x.jarPath(t)
	// A frozen mock clock: the instance the test seeds below lives by HTTP
	// beats on that clock and so stays healthy however slow the JVM is.
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	const service = "java-orders"
	const javaPort = 9001

	t.Cleanup(func() {
		if t.Failed() { // the mock's side, to line up with the client's "at" (wall clock, ms)
			var b strings.Builder
			for _, e := range srv.Journal() {
				fmt.Fprintf(&b, "%d %s %-12s %s %s %.300s -> %.200s %s\n", e.Seq, e.WallTime.Format("15:04:05.000"), e.Kind,
					e.Protocol, e.Request.Type, e.Request.Body, e.Response.Body, e.Error)
			}
			t.Logf("mock journal:\n%s", b.String())
		}
	})
	t0 := time.Now()
	step := func(what string) { t.Logf("%6.2fs %s", time.Since(t0).Seconds(), what) }
	c := startJavaClient(t, jar, srv.Addr(), service, javaPort)
	c.await(t, 0, "ready", func(e javaEvent) bool { return e.Event == "ready" })
	started := c.seen("started")
	if started == nil || !strings.HasPrefix(started.ClientVersion, "2.") {
		t.Fatalf("want a 2.x client's started event, got %s", c.history())
	}
	t.Logf("nacos-client %s: started in %d ms", started.ClientVersion, started.MS)
	for _, want := range []string{"subscribed", "registered"} {
		if c.seen(want) == nil {
			t.Errorf("no %q event before ready: %s", want, c.history())
		}
	}
	if c.findPush(func(hosts []javaHost) bool { return hostAt(hosts, "127.0.0.1", javaPort) != nil }) == nil {
		t.Fatalf("ready without a push of 127.0.0.1:%d: %s", javaPort, c.history())
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
	mark := c.mark()
	if err := srv.Register(service, other); err != nil {
		t.Fatal(err)
	}
	push := c.await(t, mark, "push with 9001 and 9002", func(e javaEvent) bool {
		return e.Event == "push" && hostAt(e.Hosts, "127.0.0.1", javaPort) != nil && hostAt(e.Hosts, "127.0.0.1", 9002) != nil
	})
	if h := hostAt(push.Hosts, "127.0.0.1", 9002); h.Metadata["from"] != "go-test" || h.Weight != 3 || !h.Healthy || h.Cluster != "DEFAULT" {
		t.Errorf("pushed test instance: %+v", *h)
	}

	step("pushed the test's instance")

	// ServiceQueryRequest and ServiceListRequest.
	q := c.await(t, c.send(t, "query"), "query", func(e javaEvent) bool { return e.Event == "query" })
	if len(q.Hosts) != 2 || hostAt(q.Hosts, "127.0.0.1", javaPort) == nil || hostAt(q.Hosts, "127.0.0.1", 9002) == nil {
		t.Errorf("query: %s", q.raw)
	}
	l := c.await(t, c.send(t, "list"), "list", func(e javaEvent) bool { return e.Event == "list" })
	if l.Count != 1 || len(l.Services) != 1 || l.Services[0] != service {
		t.Errorf("list: %s", l.raw)
	}

	step("queried and listed")

	// Deregister: the instance goes, the subscriber is pushed the rest.
	// The push may come before or after the answer: lines are matched
	// from the command on, in any order.
	mark = c.send(t, "deregister")
	c.await(t, mark, "deregistered", func(e javaEvent) bool { return e.Event == "deregistered" })
	if err := srv.WaitFor(javaStepTimeout, func() bool { return findInstance(srv.Instances(service), javaPort) == nil }); err != nil {
		t.Fatalf("deregistered instance still held: %+v", srv.Instances(service))
	}
	deregs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindDeregister, Service: service})
	if len(deregs) != 1 || deregs[0].ConnectionID != conn || deregs[0].Port != javaPort || deregs[0].Rejected ||
		!strings.Contains(deregs[0].Request.Body, `"deregisterInstance"`) {
		t.Errorf("deregister events: %+v", deregs)
	}
	c.await(t, mark, "push without 9001", func(e javaEvent) bool {
		return e.Event == "push" && hostAt(e.Hosts, "127.0.0.1", javaPort) == nil && hostAt(e.Hosts, "127.0.0.1", 9002) != nil
	})

	step("deregistered and pushed")

	// Register again, then close: the connection's instance and
	// subscription go with it; the test's instance stays.
	c.await(t, c.send(t, "register"), "push with 9001 again", func(e javaEvent) bool {
		return e.Event == "push" && hostAt(e.Hosts, "127.0.0.1", javaPort) != nil
	})
	step("registered again and pushed")
	c.await(t, c.send(t, "close"), "closed", func(e javaEvent) bool { return e.Event == "closed" })
	if code := c.wait(t, javaStepTimeout); code != 0 {
		t.Errorf("naming-client exited %d", code)
	}
	step("closed and exited")
	disconnected := func() bool {
		return len(srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("disconnect")})) > 0
	}
	if err := srv.WaitFor(javaStepTimeout, func() bool {
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
		if st.Info.Key.Namespace == "public" && st.Info.Key.Name == service {
			for _, s := range st.Subscribers {
				ids = append(ids, s.ID+" (owner "+s.Owner+")")
			}
		}
	}
	return ids
}

func subscribedBy(srv *mocknacos.Server, service, conn string) bool {
	for _, st := range srv.Services() {
		if st.Info.Key.Namespace == "public" && st.Info.Key.Name == service {
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

// javaEvent is one line of the program's stdout.
type javaEvent struct {
	Event         string     `json:"event"`
	Op            string     `json:"op"`
	Error         string     `json:"error"`
	Service       string     `json:"service"`
	Group         string     `json:"group"`
	Hosts         []javaHost `json:"hosts"`
	Count         int        `json:"count"`
	Services      []string   `json:"services"`
	ClientVersion string     `json:"clientVersion"`
	MS            int64      `json:"ms"`

	raw string
}

type javaHost struct {
	IP         string            `json:"ip"`
	Port       int               `json:"port"`
	Weight     float64           `json:"weight"`
	Healthy    bool              `json:"healthy"`
	Enabled    bool              `json:"enabled"`
	Ephemeral  bool              `json:"ephemeral"`
	Cluster    string            `json:"cluster"`
	InstanceID string            `json:"instanceId"`
	Metadata   map[string]string `json:"metadata"`
}

func hostAt(hosts []javaHost, ip string, port int) *javaHost {
	for i := range hosts {
		if hosts[i].IP == ip && hosts[i].Port == port {
			return &hosts[i]
		}
	}
	return nil
}

// javaClient is a running naming-client. One goroutine reads its stdout
// into lines and then reaps it; the test waits for lines with await, which
// wakes on every new line (no polling).
type javaClient struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
	done   chan struct{} // closed when the process has been reaped
	exit   int           // valid after done

	mu      sync.Mutex
	lines   []javaEvent
	eof     bool
	changed chan struct{} // closed and replaced on every new line and at EOF
}

func startJavaClient(t *testing.T, jar, addr, service string, port int) *javaClient {
	t.Helper()
	java, _ := exec.LookPath("java")
	cmd := exec.Command(java,
		"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
		"-Dnaming.client.dir="+t.TempDir(),
		"-Dnaming.client.pushTimeoutSec=30",
		"-Dnaming.client.maxLifetimeSec=180",
		"-jar", jar, addr, service, strconv.Itoa(port))
	c := &javaClient{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{}), changed: make(chan struct{})}
	cmd.Stderr = c.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start naming-client: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			e := javaEvent{raw: sc.Text()}
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				e = javaEvent{Event: "error", Op: "parse", Error: "stdout line is not JSON", raw: sc.Text()}
			}
			c.add(&e)
		}
		c.add(nil)
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			c.exit = ee.ExitCode()
		default:
			c.exit = -1
		}
		close(c.done)
	}()
	t.Cleanup(func() {
		c.stdin.Close() // end of input is "close" to the program
		select {
		case <-c.done:
		case <-time.After(15 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("naming-client stdout:\n%s", c.history())
			t.Logf("naming-client stderr (tail):\n%s", c.stderr.tail(16<<10))
		}
	})
	return c
}

// add appends a line, or marks EOF when e is nil.
func (c *javaClient) add(e *javaEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e == nil {
		c.eof = true
	} else {
		c.lines = append(c.lines, *e)
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// mark is the number of lines so far: await(mark, ...) looks only at
// later lines.
func (c *javaClient) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

// await returns the first line from index from on that matches; an "error"
// line, the end of output or the step timeout fails the test.
func (c *javaClient) await(t *testing.T, from int, what string, match func(javaEvent) bool) javaEvent {
	t.Helper()
	deadline := time.NewTimer(javaStepTimeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		lines, eof, changed := c.lines, c.eof, c.changed
		c.mu.Unlock()
		for _, e := range lines[min(from, len(lines)):] {
			if e.Event == "error" {
				t.Fatalf("waiting for %s: naming-client reported %s", what, e.raw)
			}
			if match(e) {
				return e
			}
		}
		if eof {
			t.Fatalf("waiting for %s: naming-client ended its output", what)
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("waiting for %s: nothing within %v", what, javaStepTimeout)
		}
	}
}

// seen returns the first line of an event name, or nil.
func (c *javaClient) seen(event string) *javaEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.lines {
		if c.lines[i].Event == event {
			e := c.lines[i]
			return &e
		}
	}
	return nil
}

// findPush returns the first push whose hosts match, or nil.
func (c *javaClient) findPush(match func([]javaHost) bool) *javaEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.lines {
		if c.lines[i].Event == "push" && match(c.lines[i].Hosts) {
			e := c.lines[i]
			return &e
		}
	}
	return nil
}

func (c *javaClient) history() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, e := range c.lines {
		b.WriteString(e.raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// send writes one command line and returns the mark before it.
func (c *javaClient) send(t *testing.T, command string) int {
	t.Helper()
	mark := c.mark()
	if _, err := io.WriteString(c.stdin, command+"\n"); err != nil {
		t.Fatalf("send %q to naming-client: %v", command, err)
	}
	return mark
}

// wait waits for the process to exit and returns its exit code.
func (c *javaClient) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
		return c.exit
	case <-time.After(timeout):
		t.Fatalf("naming-client still running %v after close", timeout)
		return -1
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// javaClient2x is the naming-client program (2.x client), built once per
// test binary and not at all while its jar is newer than its sources.
var javaClient2x = &javaProject{name: "naming-client", dir: javaClientDir, jar: javaClientJar}

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
