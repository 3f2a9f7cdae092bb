package mocknacos_test

// The real Java client, com.alibaba.nacos:nacos-client 2.x, listening to a
// config over gRPC (issue 5, item 5). io.mocknacos.namingclient.ConfigMain
// lives in javaapps/naming-client (the jar TestJavaNamingClient builds) and
// is driven over stdin like that test's program: it reads a config, listens
// to it, publishes and removes it, and prints one JSON object per line.
//
// Needs a JDK 17+ (java) and Maven (mvn) on PATH; MOCKNACOS_SKIP_JAVA=1
// skips it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// configEvent is the config program's own fields of a line.
type configEvent struct {
	Event   string  `json:"event"`
	DataID  string  `json:"dataId"`
	Group   string  `json:"group"`
	Content *string `json:"content"` // null: no such config
	OK      bool    `json:"ok"`
	At      int64   `json:"at"` // wall clock, ms
	MS      int64   `json:"ms"`
}

func configLine(t *testing.T, e clientproc.Event) configEvent {
	t.Helper()
	var ce configEvent
	if err := json.Unmarshal([]byte(e.Raw), &ce); err != nil {
		t.Fatalf("config-client line %q: %v", e.Raw, err)
	}
	return ce
}

// isContent matches a line of the given event whose content is want (nil:
// a null content).
func isContent(event string, want *string) func(clientproc.Event) bool {
	return func(e clientproc.Event) bool {
		if e.Event != event {
			return false
		}
		var ce configEvent
		if json.Unmarshal([]byte(e.Raw), &ce) != nil {
			return false
		}
		if want == nil || ce.Content == nil {
			return want == nil && ce.Content == nil
		}
		return *ce.Content == *want
	}
}

// configPublishStep: the program publishes content (the command
// "publish <JSON string><suffix>"), the mock holds it, and the program's
// listener (it listens to the config) is told of its own publish.
func configPublishStep(t *testing.T, c *clientproc.Proc, srv *mocknacos.Server, dataID, group, content, suffix, who string, ns ...mocknacos.ConfigOption) {
	t.Helper()
	arg, _ := json.Marshal(content)
	mark := c.Send(t, "publish "+string(arg)+suffix)
	if p := configLine(t, c.Await(t, mark, "published", func(e clientproc.Event) bool { return e.Event == "published" })); !p.OK {
		t.Fatalf("the %s publish returned false: %s", who, c.History())
	}
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool {
		it, ok := srv.Config(dataID, group, ns...)
		return ok && it.Content == content
	}); err != nil {
		it, ok := srv.Config(dataID, group, ns...)
		t.Fatalf("after the %s publish the mock holds %+v (%v)", who, it, ok)
	}
	c.Await(t, mark, "listener told of its own publish", isContent("change", &content))
}

// configRemoveStep: the program removes the config, the mock no longer
// holds it, the program's listener is told it is gone (null content), and a
// get reads null.
func configRemoveStep(t *testing.T, c *clientproc.Proc, srv *mocknacos.Server, dataID, group, who string, ns ...mocknacos.ConfigOption) {
	t.Helper()
	mark := c.Send(t, "remove")
	if r := configLine(t, c.Await(t, mark, "removed", func(e clientproc.Event) bool { return e.Event == "removed" })); !r.OK {
		t.Fatalf("the %s remove returned false: %s", who, c.History())
	}
	if _, ok := srv.Config(dataID, group, ns...); ok {
		t.Errorf("config still held after the %s remove: %+v", who, srv.Configs())
	}
	c.Await(t, mark, "listener told of the removal (null content)", isContent("change", nil))
	if g := c.Await(t, c.Send(t, "get"), "get after remove", func(e clientproc.Event) bool { return e.Event == "get" }); !isContent("get", nil)(g) {
		t.Errorf("get after the %s remove: %s", who, g.Raw)
	}
}

// TestJavaConfigClient: the Java config client reads a config seeded before
// it starts, its listener is told of a change made by the test, its publish
// is what the mock stores, its remove deletes it (and the listener is told
// the config is gone), and the journal shows the gRPC config requests and
// pushes carrying the tenant the client sent.
func TestJavaConfigClient(t *testing.T) { testJavaConfig(t, javaClient2x, "2.", nil) }

// TestJavaConfigClient3x: the same with nacos-client 3.1.1 against the 3.0
// mode; the 3.x client sends tenant "public" and gets it back.
func TestJavaConfigClient3x(t *testing.T) {
	testJavaConfig(t, javaClient3x, "3.", nil, mocknacos.WithServerVersion(mocknacos.Nacos3))
}

// TestJavaConfigClient3xOn24: nacos-client 3.1.1 against the 2.4 mode. The
// client sends tenant "public", which a real 2.4.3's gRPC handlers keep
// apart from the default namespace "" (what an HTTP publish without tenant
// or SetConfig writes): its configs are those of ConfigTenantAsSent("public"),
// and a config of the same key in the default namespace is not read.
func TestJavaConfigClient3xOn24(t *testing.T) {
	testJavaConfig(t, javaClient3x, "3.", []mocknacos.ConfigOption{mocknacos.ConfigTenantAsSent("public")})
}

// testJavaConfig runs ConfigMain; ns names the namespace the client's
// tenant reaches (nil: the default). With ns set, a config of the same key
// in the default namespace must stay unread and untouched.
func testJavaConfig(t *testing.T, project *javaProject, major string, ns []mocknacos.ConfigOption, opts ...mocknacos.Option) {
	jar := project.jarPath(t) // ConfigMain is in the naming-client jar
	srv := mocknacos.Start(t, opts...)
	dumpJournalOnFailure(t, srv)
	const dataID, group = "java-orders.yaml", "JAVA_GROUP"
	seed := "port: 8080\nname: orders\n"
	const decoy = "in the default namespace\n"
	if ns != nil {
		srv.SetConfig(dataID, group, decoy)
	}
	srv.SetConfig(dataID, group, seed, append(ns, mocknacos.ConfigType("yaml"))...)

	t0 := time.Now()
	step := func(what string) { t.Logf("%6.2fs %s", time.Since(t0).Seconds(), what) }
	c := startJavaProgram(t, "config-client", "-cp", jar, "io.mocknacos.namingclient.ConfigMain", srv.Addr(), dataID, group)
	c.Await(t, 0, "ready", func(e clientproc.Event) bool { return e.Event == "ready" })
	started := c.Seen("started")
	if started == nil || !strings.HasPrefix(started.ClientVersion, major) {
		t.Fatalf("want a %sx client's started event, got %s", major, c.History())
	}
	t.Logf("nacos-client %s: started in %d ms", started.ClientVersion, started.MS)
	if get := c.Seen("get"); get == nil || !isContent("get", &seed)(*get) {
		t.Fatalf("getConfig before listening: want the seeded %q, got %s", seed, c.History())
	}
	step("ready: read the seeded config, listener added")

	// A change made by the test reaches the listener.
	if err := srv.WaitForConfigListeners(dataID, group, 1, clientproc.StepTimeout, ns...); err != nil {
		t.Fatal(err)
	}
	changed := "port: 9090\nname: orders\n"
	mark := c.Mark()
	setAt := time.Now()
	srv.SetConfig(dataID, group, changed, append(ns, mocknacos.ConfigType("yaml"))...)
	ch := c.Await(t, mark, "listener told of the test's change", isContent("change", &changed))
	seenAt := time.Now()
	ce := configLine(t, ch)
	if ce.DataID != dataID || ce.Group != group {
		t.Errorf("change line: %s", ch.Raw)
	}
	t.Logf("SetConfig -> listener: %v (line read by the test), %d ms (the listener's own clock)",
		seenAt.Sub(setAt).Round(time.Millisecond), ce.At-setAt.UnixMilli())
	// Where the time went: the push, the client's ConfigBatchListenRequest
	// (answered with the changed key), its query of the new content, the
	// listener.
	var pushAt, listenAt, queryAt time.Time
	for _, e := range srv.Journal() {
		if e.WallTime.Before(setAt) || e.Service != dataID && e.Kind != mocknacos.KindConfigListen {
			continue
		}
		switch {
		case e.Kind == mocknacos.KindConfigPush && pushAt.IsZero():
			pushAt = e.WallTime
		case e.Kind == mocknacos.KindConfigListen && !pushAt.IsZero() && listenAt.IsZero():
			listenAt = e.WallTime
		case e.Kind == mocknacos.KindConfigGet && !pushAt.IsZero() && queryAt.IsZero():
			queryAt = e.WallTime
		}
	}
	if !pushAt.IsZero() && !listenAt.IsZero() && !queryAt.IsZero() {
		t.Logf("  SetConfig -> push sent %v -> the client's ConfigBatchListenRequest %v -> its ConfigQueryRequest %v -> listener line %d ms",
			pushAt.Sub(setAt).Round(time.Millisecond), listenAt.Sub(pushAt).Round(time.Millisecond),
			queryAt.Sub(listenAt).Round(time.Millisecond), ce.At-queryAt.UnixMilli())
	}
	step("listener told of the test's change")

	// A publish from the Java side is what the mock stores; the mock also
	// tells the publishing connection, which listens to the config.
	published := "port: 7070\nname: orders\nfrom: java\n"
	configPublishStep(t, c, srv, dataID, group, published, "", "Java", ns...)
	step("published from Java, stored by the mock, listener told")

	// Remove: the config goes, and the listener is told it is gone (null).
	configRemoveStep(t, c, srv, dataID, group, "Java", ns...)
	step("removed; listener told; get reads null")

	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	if code := c.Wait(t, clientproc.StepTimeout); code != 0 {
		t.Errorf("config-client exited %d", code)
	}
	if err := srv.WaitFor(clientproc.StepTimeout, func() bool { return srv.ConfigListeners(dataID, group, ns...) == 0 }); err != nil {
		t.Errorf("%d listeners of %s after close", srv.ConfigListeners(dataID, group, ns...), dataID)
	}
	if ns != nil {
		if it, ok := srv.Config(dataID, group); !ok || it.Content != decoy {
			t.Errorf("the default namespace's config: %+v %v, want %q untouched", it, ok, decoy)
		}
	}
	step("closed and exited; no listener left")

	// The journal: every config request and push of the client, with the
	// tenant it sent.
	cfgKey := group + "@@" + dataID
	grpc := func(kind mocknacos.Kind) []mocknacos.Event {
		return srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: kind, Service: cfgKey})
	}
	queries := grpc(mocknacos.KindConfigGet)
	if len(queries) < 3 { // getConfig, the change, its own publish (and the removal, and get)
		t.Fatalf("want ConfigQueryRequests for the get and the changes, got %d: %+v", len(queries), queries)
	}
	var q0 struct {
		DataID string  `json:"dataId"`
		Group  string  `json:"group"`
		Tenant *string `json:"tenant"`
	}
	if queries[0].Request.Type != "ConfigQueryRequest" || json.Unmarshal([]byte(queries[0].Request.Body), &q0) != nil ||
		q0.DataID != dataID || q0.Group != group || q0.Tenant == nil {
		t.Fatalf("first config query: %s %s", queries[0].Request.Type, queries[0].Request.Body)
	}
	tenant := *q0.Tenant
	t.Logf("the Java client's tenant: %q (journaled as namespace %q)", tenant, queries[0].Namespace)
	if queries[0].Namespace != "public" || queries[0].Response.Status != 200 ||
		!strings.Contains(queries[0].Response.Body, `"content":`+jsonString(seed)) {
		t.Errorf("first config query: %+v", queries[0])
	}
	for _, e := range queries {
		if e.Request.Type != "ConfigQueryRequest" || !strings.Contains(e.Request.Body, `"tenant":`+jsonString(tenant)) {
			t.Errorf("config query with another tenant: %s %s", e.Request.Type, e.Request.Body)
		}
	}

	listens := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindConfigListen})
	listened := false
	for _, e := range listens {
		if e.Request.Type != "ConfigBatchListenRequest" {
			t.Errorf("config-listen event of type %s", e.Request.Type)
			continue
		}
		var body struct {
			Listen   bool `json:"listen"`
			Contexts []struct {
				DataID string  `json:"dataId"`
				Group  string  `json:"group"`
				Tenant *string `json:"tenant"`
				MD5    string  `json:"md5"`
			} `json:"configListenContexts"`
		}
		if err := json.Unmarshal([]byte(e.Request.Body), &body); err != nil {
			t.Errorf("ConfigBatchListenRequest body %s: %v", e.Request.Body, err)
			continue
		}
		for _, lc := range body.Contexts {
			if lc.DataID == dataID && lc.Group == group && body.Listen {
				listened = true
				if lc.Tenant == nil || *lc.Tenant != tenant {
					t.Errorf("listen context with tenant %v, the client's queries sent %q: %s", lc.Tenant, tenant, e.Request.Body)
				}
			}
		}
	}
	if !listened {
		t.Errorf("no ConfigBatchListenRequest listening to %s: %+v", cfgKey, listens)
	}

	pushes := grpc(mocknacos.KindConfigPush)
	if len(pushes) < 3 { // the test's change, the Java publish, the removal
		t.Errorf("want 3 config pushes, got %d: %+v", len(pushes), pushes)
	}
	for _, e := range pushes {
		var body struct {
			DataID string  `json:"dataId"`
			Group  string  `json:"group"`
			Tenant *string `json:"tenant"`
		}
		if e.Request.Type != "ConfigChangeNotifyRequest" || json.Unmarshal([]byte(e.Request.Body), &body) != nil ||
			body.DataID != dataID || body.Group != group || e.Rejected ||
			// A blank tenant is pushed as none (null), as 2.4.3 and 3.0.3 do.
			(tenant == "") != (body.Tenant == nil) || body.Tenant != nil && *body.Tenant != tenant {
			t.Errorf("config push (want tenant %q): %+v", tenant, e)
		}
	}
	if pubs := grpc(mocknacos.KindConfigPublish); len(pubs) != 1 || pubs[0].Request.Type != "ConfigPublishRequest" || pubs[0].Rejected ||
		!strings.Contains(pubs[0].Request.Body, `"tenant":`+jsonString(tenant)) {
		t.Errorf("config publish events: %+v", pubs)
	}
	if rms := grpc(mocknacos.KindConfigRemove); len(rms) != 1 || rms[0].Request.Type != "ConfigRemoveRequest" || rms[0].Rejected ||
		!strings.Contains(rms[0].Request.Body, `"tenant":`+jsonString(tenant)) {
		t.Errorf("config remove events: %+v", rms)
	}
	// Only a query of the removed config may be refused (not found).
	for _, e := range srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Rejected: ptr(true)}) {
		if e.Kind != mocknacos.KindConfigGet || e.Response.ErrorCode != 300 {
			t.Errorf("gRPC request rejected: %+v", e)
		}
	}
	logWire(t, srv)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// startJavaProgram runs a JVM with the given arguments after the suite's
// JVM flags (small heap, C1 only, serial GC) and reads its stdout as JSON
// lines (startClientProc); name labels its output in the test log.
func startJavaProgram(t *testing.T, name string, args ...string) *clientproc.Proc {
	t.Helper()
	java, _ := exec.LookPath("java")
	jvm := []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
		"-Dnaming.client.dir=" + t.TempDir(),
		"-Dnaming.client.pushTimeoutSec=30",
		"-Dnaming.client.maxLifetimeSec=180"}
	return clientproc.Start(t, name, exec.Command(java, append(jvm, args...)...), "")
}

// javaProject is another Maven program, built once per test binary like
// naming-client (and not at all while its jar is newer than its pom and
// sources).
type javaProject struct {
	name, dir, jar string   // dir relative to the package; jar relative to dir
	mvnArgs        []string // more arguments to mvn package (a profile)

	once sync.Once
	path string
	err  error
}

// jarPath returns the built jar, building it when needed; it skips the
// test only under MOCKNACOS_SKIP_JAVA=1.
func (p *javaProject) jarPath(t *testing.T) string {
	t.Helper()
	if os.Getenv("MOCKNACOS_SKIP_JAVA") == "1" {
		t.Skipf("MOCKNACOS_SKIP_JAVA=1: the Java %s test is skipped", p.name)
	}
	var missing []string
	for _, tool := range []string{"java", "mvn"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%s not found on PATH: the Java %s test needs a JDK 17+ and Maven "+
			"(Debian: apt-get install openjdk-17-jdk-headless maven); set MOCKNACOS_SKIP_JAVA=1 to skip it",
			strings.Join(missing, " and "), p.name)
	}
	p.once.Do(func() { p.path, p.err = p.build(t) })
	if p.err != nil {
		t.Fatal(p.err)
	}
	return p.path
}

func (p *javaProject) build(t *testing.T) (string, error) {
	dir, err := filepath.Abs(p.dir)
	if err != nil {
		return "", err
	}
	jar := filepath.Join(dir, p.jar)
	if fresh, why := jarFresh(dir, jar); fresh {
		t.Logf("%s: %s is up to date", p.name, jar)
		return jar, nil
	} else {
		t.Logf("%s: building (%s)", p.name, why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "mvn", append([]string{"-q", "-B", "-Dstyle.color=never", "package", "-DskipTests"}, p.mvnArgs...)...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("mvn package in %s: %v\n%s", dir, err, out.String())
	}
	if _, err := os.Stat(jar); err != nil {
		return "", fmt.Errorf("mvn package in %s built no %s:\n%s", dir, p.jar, out.String())
	}
	t.Logf("%s: built in %v", p.name, time.Since(start).Round(time.Millisecond))
	return jar, nil
}
