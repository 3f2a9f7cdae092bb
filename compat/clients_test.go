//go:build compat

package compat

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// The other languages' clients: nacos-sdk-python 2.0.11 (v2 over gRPC, v1
// over HTTP with its beat thread) and the nacos npm package 2.6.3 (HTTP,
// naming and config), the programs of clients/python and clients/node,
// driven over stdin as the tests of package mocknacos drive them. In the
// mock's columns they run against the standalone binary (cmd/mocknacos, as
// a Python or Node suite would use it, auth on), in a real server's column
// against that server; observations are compared as the apps' are.

const (
	scCRegister   = "registers: the server's instance list"
	scCView       = "the client's own view of the service"
	scCDeregister = "deregisters: gone from the server's list"
	scCConfig     = "config: get, listen, change published by another client (auth on)"
)

// obsClientView is a view of a service as a client program prints it.
const obsClientView = "client view"

// otherClient is one client program of another language.
type otherClient struct {
	Group string // the matrix row group
	GRPC  bool
	// start runs the program for service svc, instance port port, against
	// the server on addr with the suite's credentials.
	start func(t *testing.T, addr, svc string, port int) *clientproc.Proc
	// register, view and deregister are its commands for the scenarios; view
	// returns the event that carries the client's view (a push or a list).
	register   func(t *testing.T, c *clientproc.Proc, port int)
	view       func(t *testing.T, c *clientproc.Proc, port int) clientproc.Event
	deregister func(t *testing.T, c *clientproc.Proc, port int)
	config     bool // the npm package's config client runs too
	// blankNamespace: the client sends namespace "" (nacos-sdk-python 2.x),
	// which a 2.4.x server keeps apart from public, and which no HTTP
	// request can name: the server's view of the service is read with a
	// second client of the same program (query), and public's HTTP list
	// must not show the instance.
	blankNamespace bool
}

var credentials = []string{"NACOS_USERNAME=nacos", "NACOS_PASSWORD=nacos"}

func isEvent(name string) func(clientproc.Event) bool {
	return func(e clientproc.Event) bool { return e.Event == name }
}

func okEvent(name string) func(clientproc.Event) bool {
	return func(e clientproc.Event) bool { return e.Event == name && e.IsOK() }
}

func pushWith(port int) func(clientproc.Event) bool {
	return func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", port) != nil
	}
}

var otherClients = []otherClient{
	{
		Group: "nacos-sdk-python 2.0.11 v2 (gRPC)", GRPC: true, blankNamespace: true,
		start: func(t *testing.T, addr, svc string, port int) *clientproc.Proc {
			return clientproc.StartPython(t, clientproc.Python(t), "naming_v2.py", credentials,
				"--server", addr, "--service", svc, "--port", itoa(port))
		},
		register: func(t *testing.T, c *clientproc.Proc, _ int) {
			c.Await(t, c.Send(t, "register"), "registered", okEvent("registered"))
		},
		view: func(t *testing.T, c *clientproc.Proc, port int) clientproc.Event {
			return c.Await(t, c.Send(t, "subscribe"), "a push with its own instance", pushWith(port))
		},
		deregister: func(t *testing.T, c *clientproc.Proc, _ int) {
			c.Await(t, c.Send(t, "deregister"), "deregistered", okEvent("deregistered"))
		},
	},
	{
		Group: "nacos-sdk-python 2.0.11 v1 (HTTP, beat thread)",
		start: func(t *testing.T, addr, svc string, _ int) *clientproc.Proc {
			return clientproc.StartPython(t, clientproc.Python(t), "naming_v1.py", credentials, "--server", addr, "--service", svc)
		},
		register: func(t *testing.T, c *clientproc.Proc, port int) {
			// cluster=DEFAULT: without it the SDK sends clusterName=None, which
			// its beats (no cluster) then miss on a 1.4.x server, which
			// re-registers the instance in DEFAULT from the beat, at a moment
			// of its own (mocknacos/pythonclient_test.go checks that quirk).
			c.Await(t, c.Send(t, fmt.Sprintf("register port=%d cluster=DEFAULT heartbeat=5", port)), "registered", okEvent("registered"))
		},
		view: func(t *testing.T, c *clientproc.Proc, _ int) clientproc.Event {
			return c.Await(t, c.Send(t, "list"), "list", isEvent("list"))
		},
		deregister: func(t *testing.T, c *clientproc.Proc, port int) {
			c.Await(t, c.Send(t, fmt.Sprintf("remove port=%d cluster=DEFAULT", port)), "removed", okEvent("removed"))
		},
	},
	{
		Group: "nacos npm 2.6.3 (HTTP, beats, UDP push)", config: true,
		start: func(t *testing.T, addr, svc string, _ int) *clientproc.Proc {
			return clientproc.StartNode(t, "naming.js", addr, credentials, "--service", svc)
		},
		register: func(t *testing.T, c *clientproc.Proc, port int) {
			c.Await(t, c.Send(t, fmt.Sprintf("register port=%d", port)), "registered", okEvent("registered"))
		},
		view: func(t *testing.T, c *clientproc.Proc, port int) clientproc.Event {
			return c.Await(t, c.Send(t, "subscribe"), "a push with its own instance", pushWith(port))
		},
		deregister: func(t *testing.T, c *clientproc.Proc, port int) {
			c.Await(t, c.Send(t, fmt.Sprintf("deregister port=%d", port)), "deregistered", okEvent("deregistered"))
		},
	},
}

// clientTarget is the server the client programs of a column talk to.
type clientTarget struct {
	port int
	api  *nacosAPI
	bin  *mockBinary // nil for a real server
}

// otherClients runs every client program's scenarios; in a mock column
// against the binary (started here, in the column's server version), in a
// real server's column against that server.
func (r *run) otherClients() {
	tg := clientTarget{port: r.srv.Port(), api: r.srv.API()}
	if r.srv.Mock() != nil {
		b, err := startMockBinary(r.t, r.srv.Generation())
		if err != nil {
			for _, oc := range otherClients {
				c := r.cell(oc.Group, scCRegister)
				c.problem("the mock binary did not start: %v", err)
			}
			return
		}
		tg = clientTarget{port: b.port, api: newAPI(b.port), bin: b}
		r.col.Notes = append(r.col.Notes, fmt.Sprintf("the Python and Node clients ran against the binary (cmd/mocknacos %s), up in %s",
			strings.Join(b.args, " "), round(b.startup)))
	}
	for _, oc := range otherClients {
		if oc.GRPC && r.srv.V1() {
			for _, sc := range []string{scCRegister, scCView, scCDeregister} {
				c := r.cell(oc.Group, sc)
				c.Status, c.Reason = NA, "a gRPC client needs a 2.x server"
			}
			continue
		}
		t0 := time.Now()
		r.otherClient(oc, tg)
		r.m.Timing("%s / %s: %s", r.col.Title, oc.Group, round(time.Since(t0)))
	}
}

// otherClient: the program registers an instance, its own view of the
// service shows it, it deregisters; the npm package's config client then
// reads, listens and is told of a change. A step the program fails (an
// error line, no answer within clientproc.StepTimeout) ends the group and
// is a problem of the cell it was in.
func (r *run) otherClient(oc otherClient, tg clientTarget) {
	svc := "compat-" + slug(oc.Group)
	port := freePort()
	roles := map[int]string{tg.port: "<nacos>", tg.port + 1000: "<nacos-grpc>", port: "<client>"}
	var cur *Cell
	ok := r.t.Run(slug(oc.Group), func(t *testing.T) {
		addr := "127.0.0.1:" + itoa(tg.port)
		cur = r.cell(oc.Group, scCRegister)
		c := oc.start(t, addr, svc, port)
		started := c.Await(t, 0, "started", isEvent("started"))
		cur.Notes = append(cur.Notes, fmt.Sprintf("client %s started in %d ms", started.ClientVersion, started.MS))
		oc.register(t, c, port)
		serverList := func(timeout time.Duration, ok func(map[string]any) bool) (map[string]any, time.Duration, error) {
			if !oc.blankNamespace {
				return waitListAPI(r.ctx, tg.api, svc, timeout, ok)
			}
			return pollList(func() (map[string]any, error) { return r.queryBlank(t, oc, addr, svc), nil }, timeout, time.Second, ok)
		}
		l, took, err := serverList(30*time.Second, func(l map[string]any) bool { return host(l, port) != nil })
		if err != nil {
			cur.problem("not in the server's list: %v", err)
			return
		}
		cur.Notes = append(cur.Notes, "listed "+round(took)+" after the client said registered")
		var public map[string]any
		if oc.blankNamespace {
			cur.Notes = append(cur.Notes, `listed by a second client's query in namespace ""`)
			if public, err = tg.api.list(r.ctx, svc); err != nil {
				cur.problem("public's HTTP list: %v", err)
			} else if host(public, port) != nil {
				cur.problem(`public's HTTP list shows the instance of namespace "": %v`, public)
			}
		}
		h := host(l, port)
		if h["ip"] != "127.0.0.1" || h["healthy"] != true || h["enabled"] != true || h["ephemeral"] != true {
			cur.problem("listed as %v", h)
		}
		if md, _ := h["metadata"].(map[string]any); md["version"] != started.ClientVersion {
			cur.problem("metadata %v: want the client's version %s", md, started.ClientVersion)
		}
		if tg.bin != nil {
			if n, err := tg.bin.count("register", svc); err != nil || n == 0 {
				cur.problem("the binary's journal has %d register events of %s (%v)", n, svc, err)
			}
		}
		cur.Obs = normalise(obsList, l, roles)
		if oc.blankNamespace {
			cur.Obs = map[string]any{`query in namespace ""`: cur.Obs, "public's HTTP list": normalise(obsList, public, roles)}
		}

		cur = r.cell(oc.Group, scCView)
		v := oc.view(t, c, port)
		if clientproc.HostAt(v.Hosts, "127.0.0.1", port) == nil {
			cur.problem("the client's view lacks its own instance: %s", v.Raw)
		}
		cur.Obs = normalise(obsClientView, v.Hosts, roles)

		cur = r.cell(oc.Group, scCDeregister)
		oc.deregister(t, c, port)
		l, took, err = serverList(45*time.Second, func(l map[string]any) bool { return host(l, port) == nil })
		if err != nil {
			cur.problem("still listed: %v", err)
		} else {
			cur.Notes = append(cur.Notes, "gone "+round(took)+" after the client said deregistered")
		}
		cur.Obs = normalise(obsList, l, roles)
		c.Await(t, c.Send(t, "close"), "closed", isEvent("closed"))

		if oc.config {
			cur = r.cell(oc.Group, scCConfig)
			r.nodeConfig(t, cur, tg, svc)
		}
	})
	if !ok && cur != nil && cur.Status == Pass && len(cur.Problems) == 0 {
		cur.problem("the client program failed this step (its output is in the test log)")
	}
}

// queryBlank is the view of svc in namespace "" as a second client of oc's
// program sees it (its query, straight from the server), as a list:
// {"hosts": [...]}.
func (r *run) queryBlank(t *testing.T, oc otherClient, addr, svc string) map[string]any {
	q := oc.start(t, addr, svc, freePort())
	q.Await(t, 0, "started", isEvent("started"))
	e := q.Await(t, q.Send(t, "query"), "query", isEvent("query"))
	q.Await(t, q.Send(t, "close"), "closed", isEvent("closed"))
	return map[string]any{"hosts": roundTrip(e.Hosts)}
}

// nodeConfig: a config published with the HTTP API is read by the npm
// config client (auth on), handed to its listener, and a change published
// by the suite reaches the listener.
func (r *run) nodeConfig(t *testing.T, c *Cell, tg clientTarget, svc string) {
	dataID := svc + ".properties"
	if err := tg.api.publish(r.ctx, dataID, "greeting=hello-1"); err != nil {
		c.problem("publish hello-1: %v", err)
		return
	}
	p := clientproc.StartNode(t, "config.js", "127.0.0.1:"+itoa(tg.port), credentials, "--data-id", dataID, "--group", "DEFAULT_GROUP")
	p.Await(t, 0, "started", isEvent("started"))
	content := func(want string) func(clientproc.Event) bool {
		return func(e clientproc.Event) bool { return strings.Contains(e.Raw, `"content":"`+want+`"`) }
	}
	get := p.Await(t, p.Send(t, "get"), "get", isEvent("get"))
	if !content("greeting=hello-1")(get) {
		c.problem("getConfig: %s", get.Raw)
	}
	p.Await(t, p.Send(t, "listen"), "the listener handed hello-1", func(e clientproc.Event) bool {
		return e.Event == "change" && content("greeting=hello-1")(e)
	})
	// The listener's long poll is in place once the server holds it; a
	// publish before then is found by the poll's md5 comparison anyway.
	mark := p.Mark()
	t0 := time.Now()
	if err := tg.api.publish(r.ctx, dataID, "greeting=hello-2"); err != nil {
		c.problem("publish hello-2: %v", err)
		return
	}
	p.Await(t, mark, "the listener handed hello-2", func(e clientproc.Event) bool {
		return e.Event == "change" && content("greeting=hello-2")(e)
	})
	took := time.Since(t0)
	c.Notes = append(c.Notes, "change reached the listener "+round(took)+" after the publish")
	r.m.Timing("%s / npm config client: change reached the listener %s after POST /nacos/v1/cs/configs", r.col.Title, round(took))
	p.Await(t, p.Send(t, "close"), "closed", isEvent("closed"))
	c.Obs = map[string]any{"get": "greeting=hello-1", "listener": []any{"greeting=hello-1", "greeting=hello-2"}}
}

// mockBinary is cmd/mocknacos running as a process, auth on.
type mockBinary struct {
	port    int
	args    []string // its command-line arguments
	startup time.Duration
}

// binaryDir holds the binary buildMockBinary builds; TestMain removes it.
var binaryDir string

// buildMockBinary builds cmd/mocknacos once per test process.
var buildMockBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "mocknacos-compat-bin-")
	if err != nil {
		return "", err
	}
	binaryDir = dir
	bin := filepath.Join(dir, "mocknacos")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/mocknacos")
	cmd.Dir = clientproc.Root()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/mocknacos: %v\n%s", err, out)
	}
	return bin, nil
})

// startMockBinary starts the binary on a free port pair with auth on and
// waits for its readiness probe, trying up to 5 port pairs; t.Cleanup stops
// it with SIGTERM and requires a clean exit.
func startMockBinary(t *testing.T, gen mocknacos.ServerVersion) (*mockBinary, error) {
	bin, err := buildMockBinary()
	if err != nil {
		return nil, err
	}
	for range 4 {
		if b, err := runMockBinary(t, bin, serverPort(), gen); err == nil {
			return b, nil
		}
	}
	return runMockBinary(t, bin, serverPort(), gen)
}

// runMockBinary is one try of startMockBinary on port p; a binary that
// does not answer within 10 s is killed.
func runMockBinary(t *testing.T, bin string, p int, gen mocknacos.ServerVersion) (*mockBinary, error) {
	args := []string{"--port", itoa(p), "--auth-user", "nacos", "--auth-password", "nacos", "--log-format", "json"}
	if gen != mocknacos.Nacos2 {
		args = append(args, "--server-version", string(gen))
	}
	cmd := exec.Command(bin, args...)
	logPath := filepath.Join(t.TempDir(), "mocknacos.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	t0 := time.Now()
	err = cmd.Start()
	logFile.Close()
	if err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	api := newAPI(p)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-exited:
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("the binary exited (%v): %s", err, out)
		default:
		}
		if !api.ready(context.Background()) {
			continue
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("the mock binary did not exit cleanly on SIGTERM: %v", err)
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Errorf("the mock binary still ran 10 s after SIGTERM")
			}
		})
		return &mockBinary{port: p, args: args, startup: time.Since(t0)}, nil
	}
	_ = cmd.Process.Kill()
	<-exited
	return nil, errors.New("the binary did not answer its readiness probe within 10 s")
}

// count is the number of journal events of kind for service svc, read
// with the admin API (GET /__mock/journal, JSON Lines after a header).
func (b *mockBinary) count(kind, svc string) (int, error) {
	q := url.Values{"kind": {kind}, "service": {svc}}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/__mock/journal?%s", b.port, q.Encode()))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("GET /__mock/journal: %d", resp.StatusCode)
	}
	n := -1 // the header line
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	return max(n, 0), sc.Err()
}
