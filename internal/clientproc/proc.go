package clientproc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// StepTimeout bounds every Await and the exit after close.
const StepTimeout = 30 * time.Second

// Event is one line of a program's stdout: the fields the programs
// print (each uses some); Raw is the line itself, for the fields of one
// program alone.
type Event struct {
	Event         string          `json:"event"`
	Op            string          `json:"op"`
	Error         string          `json:"error"`
	OK            *bool           `json:"ok"`
	Service       string          `json:"service"`
	Group         string          `json:"group"`
	Name          string          `json:"name"`
	Clusters      string          `json:"clusters"`
	Hosts         []Host          `json:"hosts"`
	Count         int             `json:"count"`
	Services      []string        `json:"services"`
	Status        string          `json:"status"`
	Response      json.RawMessage `json:"response"`
	ClientVersion string          `json:"clientVersion"`
	MS            int64           `json:"ms"`
	ShutdownError *string         `json:"shutdownError"`

	Raw string `json:"-"`
}

func (e Event) IsOK() bool { return e.OK != nil && *e.OK }

// Host is an instance as a program prints it.
type Host struct {
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

func HostAt(hosts []Host, ip string, port int) *Host {
	for i := range hosts {
		if hosts[i].IP == ip && hosts[i].Port == port {
			return &hosts[i]
		}
	}
	return nil
}

// Proc is a running program. One goroutine reads its stdout into
// lines and then reaps it; Await wakes on every new line (no polling).
type Proc struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
	done   chan struct{} // closed when the process has been reaped
	exit   int           // valid after done

	mu      sync.Mutex
	lines   []Event
	eof     bool
	changed chan struct{} // closed and replaced on every new line and at EOF
}

// Start starts cmd (its path, arguments, directory and
// environment set by the caller) and reads its stdout as JSON lines. At
// cleanup its stdin is closed (end of input is "close" to the programs) and
// it gets 15 s to exit before it is killed; when the test failed, its
// stdout, the tail of its stderr and the tails of the files matching
// logGlob (if not empty) are logged.
func Start(t *testing.T, name string, cmd *exec.Cmd, logGlob string) *Proc {
	t.Helper()
	c := &Proc{name: name, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{}), changed: make(chan struct{})}
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
		t.Logf("%s stdout:\n%s", name, c.History())
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
func (c *Proc) readLines(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		e := Event{Raw: sc.Text()}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			e = Event{Event: "error", Op: "parse", Error: "stdout line is not JSON", Raw: sc.Text()}
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
func (c *Proc) add(e *Event) {
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

// Mark is the number of lines so far: Await(mark, ...) looks only at
// later lines.
func (c *Proc) Mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

// Await returns the first line from index from on that matches. An "error"
// line fails the test, unless its op is one of tolerate (then it is
// returned); so do the end of output and the step timeout.
func (c *Proc) Await(t *testing.T, from int, what string, match func(Event) bool, tolerate ...string) Event {
	t.Helper()
	deadline := time.NewTimer(StepTimeout)
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
				t.Fatalf("waiting for %s: %s reported %s", what, c.name, e.Raw)
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
			t.Fatalf("waiting for %s: nothing within %v", what, StepTimeout)
		}
	}
}

// Seen returns the first line of an event name, or nil.
func (c *Proc) Seen(event string) *Event {
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

// FindPush returns the first push whose hosts match, or nil.
func (c *Proc) FindPush(match func([]Host) bool) *Event {
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

// History is every line the program printed so far.
func (c *Proc) History() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, e := range c.lines {
		b.WriteString(e.Raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// Send writes one command line and returns the mark before it.
func (c *Proc) Send(t *testing.T, command string) int {
	t.Helper()
	mark := c.Mark()
	if _, err := io.WriteString(c.stdin, command+"\n"); err != nil {
		t.Fatalf("send %q to %s: %v", command, c.name, err)
	}
	return mark
}

// Wait waits for the process to exit and returns its exit code.
func (c *Proc) Wait(t *testing.T, timeout time.Duration) int {
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
