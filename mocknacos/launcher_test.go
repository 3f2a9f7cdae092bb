package mocknacos_test

// The launcher the real-client tests share (Java, Python and Node programs):
// a program is started, driven step by step over stdin and answers with one
// JSON object per line on stdout; the test waits for lines without polling.
// The SDKs that need installing (the Python venv, the Node modules) are
// installed once into a directory cached across runs and keyed by a hash of
// what they install.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// clientStepTimeout bounds every await and the exit after close.
const clientStepTimeout = 30 * time.Second

// clientEvent is one line of a program's stdout: the fields the programs
// print (each uses some); raw is the line itself, for the fields of one
// program alone (configLine).
type clientEvent struct {
	Event         string          `json:"event"`
	Op            string          `json:"op"`
	Error         string          `json:"error"`
	OK            *bool           `json:"ok"`
	Service       string          `json:"service"`
	Group         string          `json:"group"`
	Name          string          `json:"name"`
	Clusters      string          `json:"clusters"`
	Hosts         []clientHost    `json:"hosts"`
	Count         int             `json:"count"`
	Services      []string        `json:"services"`
	Status        string          `json:"status"`
	Response      json.RawMessage `json:"response"`
	ClientVersion string          `json:"clientVersion"`
	MS            int64           `json:"ms"`
	ShutdownError *string         `json:"shutdownError"`

	raw string
}

func (e clientEvent) isOK() bool { return e.OK != nil && *e.OK }

// clientHost is an instance as a program prints it.
type clientHost struct {
	IP         string            `json:"ip"`
	Port       int               `json:"port"`
	Weight     float64           `json:"weight"`
	Healthy    bool              `json:"healthy"`
	Enabled    bool              `json:"enabled"`
	Ephemeral  bool              `json:"ephemeral"`
	Cluster    string            `json:"cluster"`
	InstanceID string            `json:"instanceId"`
	Service    string            `json:"service"`
	Metadata   map[string]string `json:"metadata"`
}

func hostAt(hosts []clientHost, ip string, port int) *clientHost {
	for i := range hosts {
		if hosts[i].IP == ip && hosts[i].Port == port {
			return &hosts[i]
		}
	}
	return nil
}

// clientProc is a running program. One goroutine reads its stdout into
// lines and then reaps it; await wakes on every new line (no polling).
type clientProc struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
	done   chan struct{} // closed when the process has been reaped
	exit   int           // valid after done

	mu      sync.Mutex
	lines   []clientEvent
	eof     bool
	changed chan struct{} // closed and replaced on every new line and at EOF
}

// startClientProc starts cmd (its path, arguments, directory and
// environment set by the caller) and reads its stdout as JSON lines. At
// cleanup its stdin is closed (end of input is "close" to the programs) and
// it gets 15 s to exit before it is killed; when the test failed, its
// stdout, the tail of its stderr and the tails of the files matching
// logGlob (if not empty) are logged.
func startClientProc(t *testing.T, name string, cmd *exec.Cmd, logGlob string) *clientProc {
	t.Helper()
	c := &clientProc{name: name, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{}), changed: make(chan struct{})}
	cmd.Stderr = c.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go c.readLines(stdout)
	t.Cleanup(func() {
		c.stdin.Close()
		select {
		case <-c.done:
		case <-time.After(15 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if !t.Failed() {
			return
		}
		t.Logf("%s stdout:\n%s", name, c.history())
		t.Logf("%s stderr (tail):\n%s", name, c.stderr.tail(16<<10))
		if logGlob == "" {
			return
		}
		logs, _ := filepath.Glob(logGlob)
		for _, f := range logs {
			b, _ := os.ReadFile(f)
			if len(b) > 8<<10 {
				b = b[len(b)-8<<10:]
			}
			t.Logf("%s (tail):\n%s", filepath.Base(f), b)
		}
	})
	return c
}

// readLines reads the program's stdout into lines, then reaps it.
func (c *clientProc) readLines(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		e := clientEvent{raw: sc.Text()}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			e = clientEvent{Event: "error", Op: "parse", Error: "stdout line is not JSON", raw: sc.Text()}
		}
		c.add(&e)
	}
	c.add(nil)
	err := c.cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		c.exit = ee.ExitCode()
	default:
		c.exit = -1
	}
	close(c.done)
}

// add appends a line, or marks EOF when e is nil.
func (c *clientProc) add(e *clientEvent) {
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
func (c *clientProc) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

// await returns the first line from index from on that matches. An "error"
// line fails the test, unless its op is one of tolerate (then it is
// returned); so do the end of output and the step timeout.
func (c *clientProc) await(t *testing.T, from int, what string, match func(clientEvent) bool, tolerate ...string) clientEvent {
	t.Helper()
	deadline := time.NewTimer(clientStepTimeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		lines, eof, changed := c.lines, c.eof, c.changed
		c.mu.Unlock()
		for _, e := range lines[min(from, len(lines)):] {
			if e.Event == "error" {
				for _, op := range tolerate {
					if e.Op == op {
						return e
					}
				}
				t.Fatalf("waiting for %s: %s reported %s", what, c.name, e.raw)
			}
			if match(e) {
				return e
			}
		}
		if eof {
			t.Fatalf("waiting for %s: %s ended its output", what, c.name)
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("waiting for %s: nothing within %v", what, clientStepTimeout)
		}
	}
}

// seen returns the first line of an event name, or nil.
func (c *clientProc) seen(event string) *clientEvent {
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
func (c *clientProc) findPush(match func([]clientHost) bool) *clientEvent {
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

func (c *clientProc) history() string {
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
func (c *clientProc) send(t *testing.T, command string) int {
	t.Helper()
	mark := c.mark()
	if _, err := io.WriteString(c.stdin, command+"\n"); err != nil {
		t.Fatalf("send %q to %s: %v", command, c.name, err)
	}
	return mark
}

// wait waits for the process to exit and returns its exit code.
func (c *clientProc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
		return c.exit
	case <-time.After(timeout):
		t.Fatalf("%s still running %v after close", c.name, timeout)
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

// dumpJournalOnFailure logs the mock's journal when the test fails, to line
// up with the program's "at" (wall clock, ms).
func dumpJournalOnFailure(t *testing.T, srv *mocknacos.Server) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		var b strings.Builder
		for _, e := range srv.Journal() {
			what := e.Request.Type
			if what == "" {
				what = e.Request.Method + " " + e.Request.Path
				if len(e.Request.Params) > 0 {
					what += fmt.Sprintf(" %v", e.Request.Params)
				}
			}
			fmt.Fprintf(&b, "%d %s %-14s %s %s %.300s -> %d %.200s %s\n", e.Seq, e.WallTime.Format("15:04:05.000"), e.Kind,
				e.Protocol, what, e.Request.Body, e.Response.Status, e.Response.Body, e.Error)
		}
		t.Logf("mock journal:\n%s", b.String())
	})
}

// cachedInstall is an SDK installed once per test binary into
// os.UserCacheDir()/mocknacos/<prefix>-<hash of the inputs>, and reused
// across runs while the inputs are unchanged.
type cachedInstall struct {
	prefix string
	inputs []string // files, relative to the package; their contents key the directory
	// install fills dir; run runs one command there, failing with its
	// output and the hint.
	install  func(dir string, inputs [][]byte, run func(hint, name string, args ...string) error) error
	skipHint string // how to skip the tests that need it, said with every failure

	once sync.Once
	dir  string
	err  error
}

// path returns the directory, installing when needed.
func (ci *cachedInstall) path(t *testing.T) string {
	t.Helper()
	ci.once.Do(func() { ci.dir, ci.err = ci.build(t) })
	if ci.err != nil {
		t.Fatal(ci.err)
	}
	return ci.dir
}

func (ci *cachedInstall) build(t *testing.T) (string, error) {
	h := sha256.New() // of the contents one after the other: for one file, the hash of that file
	var inputs [][]byte
	for _, f := range ci.inputs {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		inputs = append(inputs, data)
		h.Write(data)
	}
	sum := h.Sum(nil)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "mocknacos", ci.prefix+"-"+hex.EncodeToString(sum)[:16])
	ready := filepath.Join(dir, ".mocknacos-ready") // written last: a directory without it is incomplete
	if _, err := os.Stat(ready); err == nil {
		t.Logf("%s: %s is up to date", ci.prefix, dir)
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	run := func(hint, name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s: %v\n%s\n%s; %s", name, strings.Join(args, " "), err, out.String(), hint, ci.skipHint)
		}
		return nil
	}
	if err := ci.install(dir, inputs, run); err != nil {
		return "", err
	}
	if err := os.WriteFile(ready, bytes.Join(inputs, nil), 0o644); err != nil {
		return "", err
	}
	t.Logf("%s: installed %s in %v", ci.prefix, dir, time.Since(start).Round(time.Millisecond))
	return dir, nil
}
