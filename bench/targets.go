package main

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// target is one server under test, started as a plain process pinned to
// core 0.
type target struct {
	name  string
	kind  string // "ref", "mock", "real"
	port  int    // HTTP; gRPC is port+1000
	ready string // an HTTP path that answers 200 once the server serves
	argv  []string
	env   []string
	home  string

	version string // a real server's
	startSh string // what runs: a real server's start.sh, the mock binary, or this program

	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{} // closed when the process has ended
}

// numCPU is the machine's online CPUs (not this process's affinity: the
// load generator itself runs pinned to one).
func numCPU() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return runtime.NumCPU()
	}
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, ok := strings.Cut(part, "-")
		a, _ := strconv.Atoi(lo)
		z := a
		if ok {
			z, _ = strconv.Atoi(hi)
		}
		n += z - a + 1
	}
	return max(n, 1)
}

// pin runs argv on core 0 (taskset), when the machine has two cores or more.
func pin(argv []string) []string {
	if _, err := exec.LookPath("taskset"); err != nil || numCPU() < 2 {
		return argv
	}
	return append([]string{"taskset", "-c", "0"}, argv...)
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// ports are the ports a server on P binds: a real Nacos also takes P+1001
// (raft) and P-1000, and 3.x its console on P+100.
func (t *target) ports(p int) []int {
	if t.kind == "real" {
		return []int{p, p + 1000, p + 1001, p - 1000, p + 100}
	}
	return []int{p, p + 1000}
}

// pickPort moves the target to the first port from its own up whose ports
// are all free (outgoing connections of anyone on the machine take
// ephemeral ports in our range, and hold them in TIME_WAIT for a minute).
func (t *target) pickPort() error {
	for p := t.port; p < t.port+50; p++ {
		free := true
		for _, q := range t.ports(p) {
			if !portFree(q) {
				free = false
				break
			}
		}
		if free {
			t.setPort(p)
			return nil
		}
	}
	return fmt.Errorf("%s: no free ports from %d", t.name, t.port)
}

func (t *target) start() error {
	if err := t.pickPort(); err != nil {
		return err
	}
	argv := pin(t.argv)
	t.cmd = exec.Command(argv[0], argv[1:]...)
	t.cmd.Env = append(os.Environ(), t.env...)
	t.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if t.home != "" {
		f, err := os.Create(filepath.Join(t.home, "bench-server.log"))
		if err == nil {
			t.cmd.Stdout, t.cmd.Stderr = f, f
		}
	}
	t.started = time.Now()
	if err := t.cmd.Start(); err != nil {
		return err
	}
	t.exited = make(chan struct{})
	go func() { _ = t.cmd.Wait(); close(t.exited) }()
	return nil
}

func (t *target) pid() int { return t.cmd.Process.Pid }

// waitReady polls the ready path and a gRPC ServerCheck; it returns the
// time from exec to both answering.
func (t *target) waitReady(limit time.Duration) (time.Duration, error) {
	c := &http.Client{Timeout: time.Second}
	deadline := t.started.Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-t.exited:
			return 0, fmt.Errorf("%s: exited before it was ready (%s)", t.name, t.cmd.ProcessState)
		default:
		}
		resp, err := c.Get("http://127.0.0.1:" + strconv.Itoa(t.port) + t.ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				conns, err := grpcConns(t.port, 1, nil)
				if err == nil {
					closeAll(conns)
					return time.Since(t.started), nil
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s: not ready after %v", t.name, limit)
}

func (t *target) stop() {
	if t.cmd == nil || t.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-t.exited:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
		<-t.exited
	}
	t.cmd = nil
}

// cleanup removes the server's home.
func (t *target) cleanup() {
	if t.home != "" {
		_ = os.RemoveAll(t.home)
	}
}

func refTarget(self string, port int) *target {
	t := &target{name: "stateless reference", kind: "ref", startSh: self, ready: "/"}
	t.setPort(port)
	return t
}

func mockTarget(bin string, port int) *target {
	t := &target{name: "mock binary", kind: "mock", startSh: bin, ready: "/nacos/v1/console/health/readiness"}
	t.setPort(port)
	return t
}

// realTarget runs an assembled real Nacos (start.sh) with its own home.
func realTarget(version, startSh string, port int) (*target, error) {
	home, err := os.MkdirTemp("", "mocknacos-bench-nacos-")
	if err != nil {
		return nil, err
	}
	t := &target{name: "real " + version, kind: "real", home: home, version: version, startSh: startSh,
		env: []string{"NACOS_HOME=" + home, "JAVA_OPTS=-Xms256m -Xmx512m"}}
	t.setPort(port)
	return t, nil
}

// setPort sets a server's ports and the arguments that name them.
func (t *target) setPort(port int) {
	t.port = port
	switch t.kind {
	case "ref":
		t.argv = []string{t.startSh, "-serve-reference", strconv.Itoa(port)}
		return
	case "mock":
		t.argv = []string{t.startSh, "--port", strconv.Itoa(port), "--log-level", "warn"}
		return
	}
	args := []string{t.startSh, "--nacos.inetutils.ip-address=127.0.0.1"}
	if t.version[0] >= '3' {
		secret := base64.StdEncoding.EncodeToString([]byte("mocknacos-bench-token-secret-not-for-production"))
		args = append(args, "--nacos.server.main.port="+strconv.Itoa(port), "--nacos.console.port="+strconv.Itoa(port+100),
			"--nacos.core.auth.plugin.nacos.token.secret.key="+secret,
			"--nacos.core.auth.server.identity.key=bench", "--nacos.core.auth.server.identity.value=bench")
		t.ready = "/nacos/v3/admin/core/state/readiness"
	} else {
		args = append(args, "--server.port="+strconv.Itoa(port))
		t.ready = "/nacos/v1/console/health/readiness"
	}
	t.argv = args
}
