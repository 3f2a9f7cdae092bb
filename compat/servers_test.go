//go:build compat

package compat

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// server is one column's Nacos: the mock in the test process or a real
// server in a container.
type server interface {
	Port() int
	Version() string
	V1() bool                                           // a 1.x server: no gRPC
	Generation() mocknacos.ServerVersion                // the mock mode a real server is compared with
	API() *nacosAPI                                     // the HTTP API, logged in as nacos
	Mock() *mocknacos.Server                            // nil for a real server
	Restart(ctx context.Context) (time.Duration, error) // returns when it serves again
}

// mockServer is mocknacos in this process, real-time clock, auth on.
type mockServer struct {
	srv *mocknacos.Server
	api *nacosAPI
	gen mocknacos.ServerVersion
}

// startMock starts the mock answering as the given generation.
func startMock(t testing.TB, gen mocknacos.ServerVersion) (*mockServer, error) {
	var srv *mocknacos.Server
	var err error
	for i := 0; i < 20; i++ {
		p := serverPort()
		opts := []mocknacos.Option{mocknacos.WithPort(p), mocknacos.WithAuth("nacos", "nacos")}
		opts = append(opts, mocknacos.WithServerVersion(gen))
		if srv, err = mocknacos.New(opts...); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { srv.Close() })
	return &mockServer{srv: srv, api: newAPI(srv.Port()), gen: srv.ServerVersion()}, nil
}

func (m *mockServer) Port() int                           { return m.srv.Port() }
func (m *mockServer) V1() bool                            { return m.gen == mocknacos.Nacos1 }
func (m *mockServer) Generation() mocknacos.ServerVersion { return m.gen }
func (m *mockServer) API() *nacosAPI                      { return m.api }
func (m *mockServer) Mock() *mocknacos.Server             { return m.srv }
func (m *mockServer) Version() string {
	return string(m.gen) + ".x answers"
}

func (m *mockServer) Restart(context.Context) (time.Duration, error) {
	t0 := time.Now()
	err := m.srv.Restart()
	return time.Since(t0), err
}

// realServer is a Nacos server image in a container with host networking.
type realServer struct {
	image   string
	box     *box
	port    int
	api     *nacosAPI
	version string
	v1      bool
	startup time.Duration // container start -> readiness
	admin   string        // how the nacos user came to be
	// authorizedAfter is how long after readiness (and the nacos user) a
	// token was first honoured: the real servers load users and roles into
	// caches they refresh every 5 s, and until then refuse (403
	// "authorization failed!" on 1.4.8, "User nacos not found" at login on
	// 2.4.3). The mock has no such warm-up.
	authorizedAfter time.Duration
}

// waitAuthorized waits until a fresh login succeeds and its token is
// honoured by an authorized request (an instance list), and returns how
// long that took. (A token from before a restart is honoured at once: it
// is a signed JWT; a login needs the user cache.)
func (r *realServer) waitAuthorized(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	t0 := time.Now()
	for {
		var st int
		var body []byte
		err := r.api.login(ctx)
		if err == nil {
			st, body, err = r.api.authed(ctx, http.MethodGet, "/v1/ns/instance/list", url.Values{"serviceName": {"compat-warm-up"}})
		}
		if err == nil && st == http.StatusOK {
			return time.Since(t0), nil
		}
		if time.Since(t0) > timeout {
			return time.Since(t0), fmt.Errorf("%s: no authorized request answered within %v (last: %d %s %v)", r.image, timeout, st, strings.TrimSpace(string(body)), err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// authSecret is the token secret of the real servers: a test-only value,
// Base64 of more than 32 bytes as Nacos requires.
var authSecret = base64.StdEncoding.EncodeToString([]byte("mocknacos-compat-suite-token-secret-not-for-production"))

// startReal starts image standalone with embedded storage on a free port
// spread, auth on, and waits for readiness. It sets both the official
// image's variables and those of a locally built image.
func startReal(ctx context.Context, t testing.TB, image string) (*realServer, error) {
	p := serverPort()
	env := map[string]string{
		"MODE": "standalone", "NACOS_PORT": itoa(p), "NACOS_APPLICATION_PORT": itoa(p),
		"NACOS_SERVER_IP": "127.0.0.1", "PREFER_HOST_MODE": "ip",
		"NACOS_AUTH_ENABLE": "true", "NACOS_AUTH_TOKEN": authSecret,
		"NACOS_AUTH_IDENTITY_KEY": "compat-identity", "NACOS_AUTH_IDENTITY_VALUE": "compat-identity-value",
		"JVM_XMS": "256m", "JVM_XMX": "512m", "JVM_XMN": "128m",
		// 3.x's console (8080 by default) would collide on host networking.
		"NACOS_CONSOLE_PORT": itoa(freePort()),
	}
	t0 := time.Now()
	b, err := runBox(ctx, t, "nacos-"+slug(image), image, testcontainers.WithEnv(env))
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", image, err)
	}
	r := &realServer{image: image, box: b, port: p, api: newAPI(p)}
	if err := r.waitReady(ctx, 4*time.Minute); err != nil {
		return nil, err
	}
	r.startup = time.Since(t0)
	if r.version, err = r.api.version(ctx); err != nil {
		// Fall back on the image's tag.
		_, tag, _ := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
		r.version = strings.TrimPrefix(tag, "v")
	}
	r.v1 = strings.HasPrefix(r.version, "1.")
	created, err := r.api.initAdmin(ctx)
	if err != nil {
		return nil, fmt.Errorf("nacos user: %w", err)
	}
	if r.authorizedAfter, err = r.waitAuthorized(ctx, time.Minute); err != nil {
		return nil, err
	}
	r.admin = "built in"
	if created {
		r.admin = "created with POST /nacos/v1/auth/users/admin"
	}
	return r, nil
}

func (r *realServer) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for i := 0; ; i++ {
		if r.api.ready(ctx) {
			return nil
		}
		if i%8 == 7 && !r.box.running(ctx) {
			return fmt.Errorf("%s exited; its log ends:\n%s", r.image, r.box.tail(ctx, 30))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %v; its log ends:\n%s", r.image, timeout, r.box.tail(ctx, 30))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (r *realServer) Port() int       { return r.port }
func (r *realServer) Version() string { return r.version }
func (r *realServer) V1() bool        { return r.v1 }

// Generation: a 1.x server is compared with the mock's 1.4 mode, a 3.x one
// with its 3.0 mode, any other with the default.
func (r *realServer) Generation() mocknacos.ServerVersion {
	switch {
	case r.v1:
		return mocknacos.Nacos1
	case strings.HasPrefix(r.version, "3."):
		return mocknacos.Nacos3
	}
	return mocknacos.Nacos2
}
func (r *realServer) API() *nacosAPI          { return r.api }
func (r *realServer) Mock() *mocknacos.Server { return nil }

// Restart stops the container (SIGTERM) and starts it again: the same
// container, so its file system and the embedded database in it survive.
func (r *realServer) Restart(ctx context.Context) (time.Duration, error) {
	t0 := time.Now()
	stop := 15 * time.Second
	if err := r.box.c.Stop(ctx, &stop); err != nil {
		return 0, err
	}
	if err := r.box.c.Start(ctx); err != nil {
		return 0, err
	}
	if err := r.waitReady(ctx, 4*time.Minute); err != nil {
		return 0, err
	}
	if _, err := r.waitAuthorized(ctx, time.Minute); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

func itoa(n int) string { return fmt.Sprint(n) }
