// Package tcmocknacos starts the mocknacos container image with
// testcontainers-go, in the shape of the testcontainers-go modules, for Go
// projects that want the mock as a separate process (or the image a
// non-Go suite also runs) rather than in-process with mocknacos.Start.
//
//	ctr, err := tcmocknacos.Run(ctx, tcmocknacos.DefaultImage, tcmocknacos.WithFrozenClock())
//	defer testcontainers.TerminateContainer(ctr)
//	addr, _ := ctr.ServerAddr(ctx) // "127.0.0.1:P": give it to any Nacos client
//
// # Why host networking
//
// A Nacos 2.x client is given one address, host:P, and always dials gRPC on
// host:P+1000. Docker's published ports are random host ports chosen per
// container port, so the pair P, P+1000 cannot be kept: a client would find
// the HTTP port and miss the gRPC one. The module therefore runs the
// container with host networking and the mock listening on 127.0.0.1 only,
// on a port pair it picks free (or the one WithPort names). This needs the
// Docker engine on the machine the test runs on (Linux; not a remote
// DOCKER_HOST).
//
// Picking a free pair means releasing it before the container binds it; if
// another process takes it in between, the container exits and Run tries a
// new pair (three times at most).
package tcmocknacos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// DefaultImage is the image scripts/build-mock-image.sh tags last.
const DefaultImage = "mocknacos/mocknacos:latest"

// ReadinessPath answers 200 once the mock serves both protocols.
const ReadinessPath = "/nacos/v1/console/health/readiness"

// startupTimeout bounds the wait for readiness; the binary itself answers
// within milliseconds, the rest is Docker's.
const startupTimeout = 30 * time.Second

// Container is a running mock. It is a testcontainers.Container (Terminate,
// Logs, ...) with the mock's addresses and its admin API.
type Container struct {
	testcontainers.Container
	port       int
	adminToken string
	client     *http.Client
}

type options struct {
	port       int
	adminToken string
}

// Option is one of this module's own settings (as opposed to the generic
// testcontainers customizers, which Run also takes).
type Option func(*options)

// Customize is a no-op: Run reads Options itself. It makes an Option a
// testcontainers.ContainerCustomizer, so that both kinds go in one list.
func (Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// WithPort serves HTTP on 127.0.0.1:p and gRPC on 127.0.0.1:p+1000 instead
// of a free pair.
func WithPort(p int) Option { return func(o *options) { o.port = p } }

// WithAdminToken makes the mock's admin API and console page require token
// t (the binary's --admin-token); the Container's admin methods send it.
func WithAdminToken(t string) Option { return func(o *options) { o.adminToken = t } }

// WithAuth turns authentication on with one admin user (the binary's
// --auth-user and --auth-password).
func WithAuth(user, password string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"MOCKNACOS_AUTH_USER": user, "MOCKNACOS_AUTH_PASSWORD": password})
}

// WithFrozenClock stops the mock clock: only Advance moves it.
func WithFrozenClock() testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"MOCKNACOS_FROZEN_CLOCK": "true"})
}

// WithServerVersion answers as a Nacos 1.4.x server (mocknacos.Nacos1)
// where it differs from 2.4.x.
func WithServerVersion(v mocknacos.ServerVersion) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{"MOCKNACOS_SERVER_VERSION": string(v)})
}

// Every other flag of the binary is an environment variable that
// testcontainers.WithEnv sets: MOCKNACOS_JOURNAL_LIMIT, MOCKNACOS_LOG_LEVEL,
// MOCKNACOS_TOKEN_TTL, ... (MOCKNACOS_PORT and MOCKNACOS_HOST are Run's).

// Run starts img (DefaultImage, or another tag of it) and returns once the
// mock answers its readiness probe. Terminate it when done
// (testcontainers.CleanupContainer in a test).
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	var o options
	for _, opt := range opts {
		if mo, ok := opt.(Option); ok {
			mo(&o)
		}
	}
	attempts := 1
	if o.port == 0 {
		attempts = 3
	}
	var err error
	for i := 0; i < attempts; i++ {
		port := o.port
		if port == 0 {
			if port, err = FreePortPair(); err != nil {
				return nil, err
			}
		}
		var c *Container
		c, err = run(ctx, img, port, o.adminToken, opts)
		if err == nil || o.port != 0 || !errors.Is(err, errPortTaken) {
			return c, err
		}
		_ = testcontainers.TerminateContainer(c)
	}
	return nil, err
}

// errPortTaken: the container exited because its port pair was taken.
var errPortTaken = errors.New("port pair taken")

func run(ctx context.Context, img string, port int, adminToken string, opts []testcontainers.ContainerCustomizer) (*Container, error) {
	all := []testcontainers.ContainerCustomizer{
		testcontainers.WithWaitStrategyAndDeadline(startupTimeout, &readiness{port: port}),
	}
	all = append(all, opts...)
	if adminToken != "" {
		all = append(all, testcontainers.WithEnv(map[string]string{"MOCKNACOS_ADMIN_TOKEN": adminToken}))
	}
	// After the caller's customizers: the port, the address and the
	// network mode are what the accessors below rely on.
	all = append(all,
		testcontainers.WithEnv(map[string]string{"MOCKNACOS_PORT": strconv.Itoa(port), "MOCKNACOS_HOST": "127.0.0.1"}),
		hostNetwork{})
	ctr, err := testcontainers.Run(ctx, img, all...)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr, port: port, adminToken: adminToken, client: &http.Client{Timeout: 30 * time.Second}}
	}
	if err != nil {
		return c, fmt.Errorf("tcmocknacos: run %s: %w", img, err)
	}
	return c, nil
}

// hostNetwork puts the container on the host's network, keeping any host
// config change the caller asked for.
type hostNetwork struct{}

func (hostNetwork) Customize(req *testcontainers.GenericContainerRequest) error {
	prev := req.HostConfigModifier
	req.HostConfigModifier = func(hc *container.HostConfig) {
		if prev != nil {
			prev(hc)
		}
		hc.NetworkMode = "host"
	}
	return nil
}

// handedOut remembers the ports this process gave out, so that parallel
// Runs never pick the same pair.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// FreePortPair returns a port P with P and P+1000 free on 127.0.0.1, never
// the same one twice in this process: what Run uses without WithPort.
func FreePortPair() (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for i := 0; i < 100; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		p := ln.Addr().(*net.TCPAddr).Port
		g, gerr := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+mocknacos.GRPCPortOffset))
		ln.Close()
		if gerr != nil {
			continue
		}
		g.Close()
		if handedOut.ports[p] || handedOut.ports[p+mocknacos.GRPCPortOffset] {
			continue
		}
		handedOut.ports[p], handedOut.ports[p+mocknacos.GRPCPortOffset] = true, true
		return p, nil
	}
	return 0, errors.New("tcmocknacos: no free port pair P, P+1000 on 127.0.0.1")
}

// readiness waits until the container has logged that it serves and the
// readiness probe answers 200 on 127.0.0.1:port. The log makes sure the
// answer comes from this container and not from another process that held
// the port; a container that exits fails the wait at once.
type readiness struct{ port int }

func (r *readiness) String() string {
	return "mocknacos serving and ready on 127.0.0.1:" + strconv.Itoa(r.port)
}

func (r *readiness) WaitUntilReady(ctx context.Context, target wait.StrategyTarget) error {
	url := "http://127.0.0.1:" + strconv.Itoa(r.port) + ReadinessPath
	client := &http.Client{Timeout: time.Second}
	for {
		st, err := target.State(ctx)
		if err != nil {
			return err
		}
		logs := containerLogs(ctx, target)
		if !st.Running {
			if strings.Contains(logs, "address already in use") {
				return fmt.Errorf("%w: %s", errPortTaken, strings.TrimSpace(logs))
			}
			return fmt.Errorf("mocknacos exited with code %d: %s", st.ExitCode, strings.TrimSpace(logs))
		}
		if strings.Contains(logs, "serving") {
			if resp, err := client.Get(url); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("mocknacos not ready on %s: %w", url, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func containerLogs(ctx context.Context, target wait.StrategyTarget) string {
	rc, err := target.Logs(ctx)
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

// Port is the HTTP port P.
func (c *Container) Port() int { return c.port }

// GRPCPort is P+1000, where Nacos 2.x clients dial gRPC.
func (c *Container) GRPCPort() int { return c.port + mocknacos.GRPCPortOffset }

// ServerAddr is "127.0.0.1:P", the server address to give a Nacos client.
// It fails when the container no longer runs.
func (c *Container) ServerAddr(ctx context.Context) (string, error) {
	if err := c.running(ctx); err != nil {
		return "", err
	}
	return "127.0.0.1:" + strconv.Itoa(c.port), nil
}

// HTTPURL is the base URL of the Nacos HTTP API, "http://127.0.0.1:P/nacos"
// (the console page is HTTPURL + "/"). It fails when the container no
// longer runs.
func (c *Container) HTTPURL(ctx context.Context) (string, error) {
	addr, err := c.ServerAddr(ctx)
	if err != nil {
		return "", err
	}
	return "http://" + addr + "/nacos", nil
}

// AdminURL is the base URL of the admin API, "http://127.0.0.1:P/__mock".
func (c *Container) AdminURL() string {
	return "http://127.0.0.1:" + strconv.Itoa(c.port) + mocknacos.AdminPrefix
}

func (c *Container) running(ctx context.Context) error {
	st, err := c.State(ctx)
	if err != nil {
		return err
	}
	if !st.Running {
		return fmt.Errorf("tcmocknacos: container %.12s is %s", c.GetContainerID(), st.Status)
	}
	return nil
}
