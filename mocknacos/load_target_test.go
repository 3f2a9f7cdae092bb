package mocknacos_test

// The server the load tests drive: the in-process mock (through its Go
// API) or the standalone binary cmd/mocknacos (through the admin API), the
// same load and the same checks for both.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// loadTarget is what the load tests need of the server under load. Every
// method fails the test on an error of its own.
type loadTarget interface {
	URL() string // http://host:P/nacos
	GRPCAddr() string
	// Journal is every event; it fails the test when the journal's cap
	// dropped any (the counts would not be the whole story).
	Journal(t *testing.T) []mocknacos.Event
	CloseConnections(t *testing.T) int
	Restart(t *testing.T)
	Reset(t *testing.T)
	// Instances counts the instances per service name.
	Instances(t *testing.T) map[string]int
	Configs(t *testing.T) []mocknacos.ConfigItem
	// ResidentKB is the server process's resident memory (0 where unknown).
	ResidentKB() int64
}

// forEachLoadTarget runs f against the in-process mock and against the
// binary, each with a frozen clock: on a loaded machine a wall-clock run
// could let an HTTP instance expire between two beats (15 s), which a real
// server would do too but which is not what these tests are about.
func forEachLoadTarget(t *testing.T, f func(t *testing.T, tg loadTarget)) {
	t.Run("in-process", func(t *testing.T) {
		f(t, inProcessTarget{mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))})
	})
	t.Run("binary", func(t *testing.T) {
		f(t, startBinaryTarget(t, "--frozen-clock"))
	})
}

// ---- in-process ----

type inProcessTarget struct{ srv *mocknacos.Server }

func (p inProcessTarget) URL() string      { return p.srv.URL() }
func (p inProcessTarget) GRPCAddr() string { return p.srv.GRPCAddr() }
func (p inProcessTarget) Journal(t *testing.T) []mocknacos.Event {
	require.Zero(t, p.srv.JournalDropped(), "journal events dropped")
	return p.srv.Journal()
}
func (p inProcessTarget) CloseConnections(*testing.T) int { return p.srv.CloseConnections() }
func (p inProcessTarget) Restart(t *testing.T)            { require.NoError(t, p.srv.Restart()) }
func (p inProcessTarget) Reset(*testing.T)                { p.srv.Reset() }
func (p inProcessTarget) Instances(*testing.T) map[string]int {
	n := map[string]int{}
	for _, s := range p.srv.Services() {
		n[s.Info.Key.Name] += len(s.Instances)
	}
	return n
}
func (p inProcessTarget) Configs(*testing.T) []mocknacos.ConfigItem { return p.srv.Configs() }
func (p inProcessTarget) ResidentKB() int64                         { return residentKB("self") }

// ---- the binary ----

type binaryTarget struct {
	base, grpc string // http://127.0.0.1:P, 127.0.0.1:P+1000
	pid        int
	hc         *http.Client
}

// startBinaryTarget builds cmd/mocknacos into a temporary directory, starts
// it on a free port pair with args, and stops it with SIGTERM when the test
// ends, requiring a clean exit (status 0).
func startBinaryTarget(t *testing.T, args ...string) *binaryTarget {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mocknacos")
	// Built as this test is (with -race under -race): the packages are then
	// already compiled, and the server runs under the race detector too.
	buildArgs := []string{"build", "-o", bin}
	if raceBuild {
		buildArgs = append(buildArgs, "-race")
	}
	build := exec.Command("go", append(buildArgs, "github.com/mocknacos/mocknacos/cmd/mocknacos")...)
	started := time.Now()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("go build cmd/mocknacos: %s", time.Since(started).Round(time.Millisecond))
	// The binary takes no MOCKNACOS_* setting from our environment.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MOCKNACOS_") {
			env = append(env, kv)
		}
	}
	// Another process may take a port between our probe and the binary's
	// listen: the binary then exits at once, and we try other ports.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := freePortPair(t)
		var logs bytes.Buffer
		cmd := exec.Command(bin, append([]string{"--port", strconv.Itoa(port), "--journal-limit", strconv.Itoa(mocknacos.DefaultJournalLimit),
			"--log-level", "warn", "--log-format", "text", "--exit-on-stdin-eof"}, args...)...)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = &logs, &logs
		// A pipe on stdin: if this test process dies, the binary sees its
		// end and exits (--exit-on-stdin-eof), leaving no orphan.
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		b := &binaryTarget{base: "http://127.0.0.1:" + strconv.Itoa(port), grpc: "127.0.0.1:" + strconv.Itoa(port+mocknacos.GRPCPortOffset),
			pid: cmd.Process.Pid, hc: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{}}}
		if lastErr = b.waitReady(exited); lastErr != nil {
			_ = cmd.Process.Kill()
			<-exited
			lastErr = fmt.Errorf("%v; its log:\n%s", lastErr, logs.String())
			continue
		}
		t.Cleanup(func() {
			b.hc.CloseIdleConnections()
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("mocknacos after SIGTERM: %v (want exit status 0); its log:\n%s", err, logs.String())
				}
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				t.Errorf("mocknacos still running 60 s after SIGTERM; its log:\n%s", logs.String())
			}
			_ = stdin.Close()
		})
		return b
	}
	t.Fatalf("mocknacos did not start: %v", lastErr)
	return nil
}

// freePortPair finds P with P and P+1000 free on 127.0.0.1.
func freePortPair(t *testing.T) int {
	t.Helper()
	for i := 0; i < 100; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		p := l.Addr().(*net.TCPAddr).Port
		if p+mocknacos.GRPCPortOffset > 65535 {
			l.Close()
			continue
		}
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+mocknacos.GRPCPortOffset))
		l.Close()
		if err == nil {
			l2.Close()
			return p
		}
	}
	t.Fatal("no free port pair P, P+1000 on 127.0.0.1")
	return 0
}

// waitReady waits for the admin API to answer, or the process to exit.
func (b *binaryTarget) waitReady(exited <-chan error) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("mocknacos exited before serving: %v", err)
		default:
		}
		resp, err := b.hc.Get(b.base + mocknacos.AdminPrefix + "/clock")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("mocknacos did not answer %s within 60 s", mocknacos.AdminPrefix+"/clock")
}

// admin sends one admin request, requires a 200 and decodes the JSON
// answer into out (when not nil); it returns the answer's header.
func (b *binaryTarget) admin(t *testing.T, method, path string, out any) http.Header {
	t.Helper()
	req, err := http.NewRequest(method, b.base+mocknacos.AdminPrefix+path, nil)
	require.NoError(t, err)
	resp, err := b.hc.Do(req)
	require.NoError(t, err, "%s %s", method, path)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "%s %s", method, path)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, path, body)
	if out != nil {
		if p, ok := out.(*[]byte); ok {
			*p = body
		} else {
			require.NoError(t, json.Unmarshal(body, out), "%s %s: %s", method, path, body)
		}
	}
	return resp.Header
}

func (b *binaryTarget) URL() string      { return b.base + "/nacos" }
func (b *binaryTarget) GRPCAddr() string { return b.grpc }

// Journal reads GET /__mock/journal (JSON Lines) with the journal's own
// reader, the one `mocknacos replay` uses.
func (b *binaryTarget) Journal(t *testing.T) []mocknacos.Event {
	var body []byte
	h := b.admin(t, http.MethodGet, "/journal", &body)
	require.Equal(t, "0", h.Get("X-Mocknacos-Dropped"), "journal events dropped")
	_, events, err := journal.ReadJSONL(bytes.NewReader(body))
	require.NoError(t, err)
	return events
}

func (b *binaryTarget) CloseConnections(t *testing.T) int {
	var out struct {
		Closed *int `json:"closed"`
	}
	b.admin(t, http.MethodDelete, "/connections", &out)
	require.NotNil(t, out.Closed, "DELETE /__mock/connections: no closed count")
	return *out.Closed
}

func (b *binaryTarget) Restart(t *testing.T) {
	var out struct {
		Restarted bool `json:"restarted"`
	}
	b.admin(t, http.MethodPost, "/restart", &out)
	require.True(t, out.Restarted, "POST /__mock/restart")
}

func (b *binaryTarget) Reset(t *testing.T) {
	var out struct {
		Reset bool `json:"reset"`
	}
	b.admin(t, http.MethodPost, "/reset", &out)
	require.True(t, out.Reset, "POST /__mock/reset")
}

func (b *binaryTarget) Instances(t *testing.T) map[string]int {
	var svcs []mocknacos.AdminService
	b.admin(t, http.MethodGet, "/services", &svcs)
	n := map[string]int{}
	for _, s := range svcs {
		n[s.Name] += len(s.Instances)
	}
	return n
}

func (b *binaryTarget) Configs(t *testing.T) []mocknacos.ConfigItem {
	var items []mocknacos.ConfigItem
	b.admin(t, http.MethodGet, "/configs", &items)
	return items
}

func (b *binaryTarget) ResidentKB() int64 { return residentKB(strconv.Itoa(b.pid)) }

// residentKB reads VmRSS from /proc/<pid>/status (0 where there is none).
func residentKB(pid string) int64 {
	f := strings.Fields(procStatus(pid, "VmRSS"))
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(f[0], 10, 64)
	return n
}

// procStatus is the value of one line of /proc/<pid>/status ("" where
// there is none).
func procStatus(pid, key string) string {
	raw, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
