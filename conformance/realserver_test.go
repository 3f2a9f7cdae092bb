//go:build conformance

package conformance

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// realProc is one real Nacos server running as a plain process, with a
// fresh NACOS_HOME, killed (with its process group) when the test ends.
type realProc struct {
	version string
	port    int // HTTP; gRPC is port+1000
	cmd     *exec.Cmd
	done    chan struct{}
	log     string
}

// repoRoot is the repository's top folder (this package's parent).
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return filepath.Dir(wd), nil
}

var assembleMu sync.Mutex

// assembled returns the folder of a runnable real server of version v:
// the cache (~/.cache/mocknacos/nacos-real/v), filled by
// $REPO/../shared/nacos/assemble.sh when it is missing.
func assembled(t testing.TB, v string) string {
	t.Helper()
	assembleMu.Lock()
	defer assembleMu.Unlock()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(home, ".cache", "mocknacos", "nacos-real", v)
	if _, err := os.Stat(filepath.Join(dest, "start.sh")); err == nil {
		if _, err := os.Stat(filepath.Join(dest, "classpath.txt")); err == nil {
			return dest
		}
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "..", "shared", "nacos", "assemble.sh")
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("real Nacos %s is not cached in %s and %s is missing: %v", v, dest, script, err)
	}
	t.Logf("assembling real Nacos %s into %s", v, dest)
	cmd := exec.Command(script, v, dest)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s %s: %v\n%s", script, v, dest, err, out)
	}
	return dest
}

// freeNacosPort picks a port P such that P-1000, P, P+1000 and P+1001 (what
// a Nacos 2.x standalone binds) are all free now. P is drawn from 21000 to
// 29999, below the kernel's ephemeral range (32768 up on Linux by default),
// so that no outgoing connection takes one of them while the server starts.
func freeNacosPort() (int, error) {
	for try := 0; try < 100; try++ {
		p := 21000 + rand.Intn(9000)
		ok := true
		for _, q := range []int{p - 1000, p, p + 1000, p + 1001} {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return p, nil
		}
	}
	return 0, errors.New("no free port quadruple for a Nacos server")
}

// startReal starts real Nacos v and waits until it answers its readiness
// probe. The process is killed when t ends.
func startReal(t testing.TB, v string, extra ...string) *realProc {
	t.Helper()
	// A port taken by someone else while the server starts makes it exit:
	// try again on other ports.
	for try := 1; ; try++ {
		p, err := startRealOnce(t, v, extra...)
		if err == nil {
			return p
		}
		if try == 3 || !errors.Is(err, errExited) {
			t.Fatal(err)
		}
		t.Logf("real Nacos %s: %v; again on other ports", v, errors.Unwrap(err))
	}
}

var errExited = errors.New("the server process exited")

func startRealOnce(t testing.TB, v string, extra ...string) (*realProc, error) {
	t.Helper()
	if port, ok := attached(v); ok {
		p := &realProc{version: v, port: port, done: make(chan struct{})}
		if err := p.waitReady(10 * time.Second); err != nil {
			t.Fatalf("attached real Nacos %s on port %d: %v", v, port, err)
		}
		t.Logf("attached to a running real Nacos %s on 127.0.0.1:%d", v, port)
		return p, nil
	}
	dir := assembled(t, v)
	port, err := freeNacosPort()
	if err != nil {
		return nil, err
	}
	home := t.TempDir()
	logPath := filepath.Join(home, "stdout.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"--server.port=" + strconv.Itoa(port), "--nacos.inetutils.ip-address=127.0.0.1"}, extra...)
	cmd := exec.Command(filepath.Join(dir, "start.sh"), args...)
	cmd.Dir = home // the server writes logs/ into its working folder
	cmd.Env = append(os.Environ(), "NACOS_HOME="+home, "JAVA_OPTS=-Xms256m -Xmx512m -XX:TieredStopAtLevel=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &realProc{version: v, port: port, cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(p.stop)
	start := time.Now()
	// A loaded 2-core machine has been seen to take two minutes.
	if err := p.waitReady(8 * time.Minute); err != nil {
		b, _ := os.ReadFile(logPath)
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		p.stop()
		return nil, fmt.Errorf("real Nacos %s on port %d: %w\n%s", v, port, err, b)
	}
	t.Logf("real Nacos %s ready on 127.0.0.1:%d after %v", v, port, time.Since(start).Round(time.Millisecond))
	return p, nil
}

func (p *realProc) url() string { return "http://127.0.0.1:" + strconv.Itoa(p.port) + "/nacos" }

func (p *realProc) waitReady(within time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-p.done:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("not ready within %v", within)
		case <-time.After(250 * time.Millisecond):
		}
		resp, err := c.Get(p.url() + "/v1/console/health/readiness")
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
	}
}

// stop kills the server's process group and waits for it to exit.
func (p *realProc) stop() {
	if p.cmd == nil {
		return // attached: not ours
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// attached: -attach VERSION=PORT,... names real servers already running
// (started by hand, for a quick rerun); the suite does not start or stop
// those.
func attached(v string) (int, bool) {
	for _, kv := range strings.Split(*flagAttach, ",") {
		if ver, port, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && ver == v {
			n, err := strconv.Atoi(port)
			return n, err == nil
		}
	}
	return 0, false
}
