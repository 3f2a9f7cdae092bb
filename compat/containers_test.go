//go:build compat

package compat

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// dockerEnv is the engine the suite runs containers on.
type dockerEnv struct{ cli *testcontainers.DockerClient }

func newDockerEnv(ctx context.Context) (*dockerEnv, error) {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return nil, err
	}
	return &dockerEnv{cli: cli}, nil
}

// imagePresent reports whether the image is in the local store (the suite
// never pulls: no registry is reachable on our machines).
func (d *dockerEnv) imagePresent(ctx context.Context, ref string) bool {
	_, err := d.cli.ImageInspect(ctx, ref)
	return err == nil
}

func (d *dockerEnv) kill(ctx context.Context, id string) error {
	_, err := d.cli.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: "KILL"})
	return err
}

// hostNetwork puts a container on the host's network stack, so that every
// address is 127.0.0.1.
var hostNetwork = testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) { hc.NetworkMode = "host" })

// box is a running container the suite started; terminate removes it (also
// run by t.Cleanup), saving its log under $COMPAT_LOGS when that is set.
type box struct {
	name string
	c    *testcontainers.DockerContainer
	once sync.Once
}

func runBox(ctx context.Context, t testing.TB, name, image string, opts ...testcontainers.ContainerCustomizer) (*box, error) {
	opts = append(opts, hostNetwork, testcontainers.WithLabels(map[string]string{"io.mocknacos.compat": name}))
	c, err := testcontainers.Run(ctx, image, opts...)
	b := &box{name: name, c: c}
	if c != nil {
		t.Cleanup(b.terminate)
	}
	return b, err
}

func (b *box) terminate() {
	b.once.Do(func() {
		if b.c == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if dir := os.Getenv("COMPAT_LOGS"); dir != "" {
			if rc, err := b.c.Logs(ctx); err == nil {
				data, _ := io.ReadAll(rc)
				rc.Close()
				_ = os.MkdirAll(dir, 0o755)
				_ = os.WriteFile(filepath.Join(dir, b.name+".log"), data, 0o644)
			}
		}
		_ = b.c.Terminate(ctx, testcontainers.StopTimeout(0))
	})
}

func (b *box) running(ctx context.Context) bool {
	st, err := b.c.State(ctx)
	return err == nil && st.Running
}

// tail is the last n lines of the container's log.
func (b *box) tail(ctx context.Context, n int) string {
	rc, err := b.c.Logs(ctx)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitHTTP polls url until it answers anything over HTTP (a Spring app is
// up), the container exits, or the timeout passes.
func (b *box) waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for i := 0; ; i++ {
		if resp, err := hc.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		if i%8 == 7 && !b.running(ctx) {
			return fmt.Errorf("container %s exited; its log ends:\n%s", b.name, b.tail(ctx, 25))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer %s within %v; its log ends:\n%s", b.name, url, timeout, b.tail(ctx, 25))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// getJSON fetches url and returns status and body.
func getBody(url string) (int, []byte, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = io.Copy(&buf, resp.Body)
	return resp.StatusCode, buf.Bytes(), err
}

// canBind reports whether 127.0.0.1:port (TCP) is free now.
func canBind(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

var portsMu sync.Mutex
var portsTaken = map[int]bool{}

// freePort is a free TCP port of 127.0.0.1 not handed out before in this
// run (a stopped app's port is not reused by the next one).
func freePort() int {
	portsMu.Lock()
	defer portsMu.Unlock()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if !portsTaken[p] {
			portsTaken[p] = true
			return p
		}
	}
}

// serverPort is an HTTP port P for a Nacos server such that P-1000 (raft,
// 2.x), P, P+1000 (client gRPC) and P+1001 (cluster gRPC) are free.
func serverPort() int {
	portsMu.Lock()
	defer portsMu.Unlock()
	for {
		p := 21000 + rand.IntN(8000)
		ok := true
		for _, q := range []int{p - 1000, p, p + 1000, p + 1001} {
			if portsTaken[q] || !canBind(q) {
				ok = false
				break
			}
		}
		if ok {
			for _, q := range []int{p - 1000, p, p + 1000, p + 1001} {
				portsTaken[q] = true
			}
			return p
		}
	}
}
