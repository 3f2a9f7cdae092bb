package mocknacos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/confighttp"
	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// serving is one incarnation of the mock's servers and of the registry
// they share: what Restart throws away and builds anew on the same ports.
// A request still in flight to an old incarnation only ever touches that
// incarnation's registry.
type serving struct {
	reg     *registry.Registry
	configs *config.Store
	api     *httpv1.Server
	hs      *http.Server
	grpc    *grpcv2.Server
	httpLn  net.Listener
	grpcLn  net.Listener

	replaced chan struct{}  // closed once a restart has replaced (or failed to replace) this incarnation
	wg       sync.WaitGroup // the Serve goroutines
	inflight sync.WaitGroup // HTTP handlers running
	mu       sync.Mutex
	closing  bool // no handler may start once set
}

// registry is the current incarnation's registry.
func (s *Server) registry() *registry.Registry { return s.cur.Load().reg }

// configStore is the current incarnation's configs.
func (s *Server) configStore() *config.Store { return s.cur.Load().configs }

// newRegistry builds an empty registry wired to the mock's clock and pushes.
func (s *Server) registryConfig() registry.Config {
	return registry.Config{Mode: s.opts.mode(), Now: s.clock.Now, Notify: s.deliver}
}

// serve starts the HTTP and gRPC servers of a new incarnation on the given
// listeners.
func (s *Server) serve(reg *registry.Registry, configs *config.Store, httpLn, grpcLn net.Listener) (*serving, error) {
	v := &serving{reg: reg, configs: configs, httpLn: httpLn, grpcLn: grpcLn, replaced: make(chan struct{})}
	configAPI := confighttp.New(confighttp.Config{Store: configs, V1: s.opts.version == Nacos1, V3: s.opts.version == Nacos3, Done: s.stop})
	api, err := httpv1.New(httpv1.Config{Registry: reg, Record: s.record, Begin: s.begin, Logger: s.log,
		Routes: []func(*mux.Router){s.adminRoutes}, Faults: s.faults,
		Mounts: []func(*httpv1.Server, *mux.Router){configAPI.Mount, s.auth.Mount}, Guard: s.auth.HTTPGuard,
		Compat: httpv1.Compat{Client: s.opts.compat.client, Admin: s.opts.compat.admin, Console: s.opts.compat.console}})
	if err != nil {
		return nil, err
	}
	v.api = api
	v.hs = &http.Server{Handler: v.track(s.guardAdmin(api.Handler())), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: s.opts.httpIdleTimeout, ErrorLog: slogLogger(s.log)}
	v.grpc = grpcv2.New(grpcv2.Config{Registry: reg, Configs: configs, Record: s.record, Begin: s.begin, Logger: s.log, Guard: s.auth.GRPCGuard, Faults: s.faults, Link: s.link,
		MaxConnections: s.opts.maxConnections, MaxSubscriptionsPerConnection: s.opts.maxSubscriptions})
	v.wg.Add(2)
	go func() {
		defer v.wg.Done()
		if err := v.hs.Serve(httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	}()
	go func() {
		defer v.wg.Done()
		if err := v.grpc.Serve(grpcLn); err != nil {
			s.log.Error("grpc server stopped", "err", err)
		}
	}()
	return v, nil
}

// track counts running handlers, so that stop can wait for them after
// closing their connections.
func (v *serving) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == AdminPrefix+"/restart" {
			// It outlives this incarnation: see adminRestart.
			h.ServeHTTP(w, r)
			return
		}
		v.mu.Lock()
		if v.closing {
			v.mu.Unlock()
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
		v.inflight.Add(1)
		v.mu.Unlock()
		defer v.inflight.Done()
		h.ServeHTTP(w, r)
	})
}

// stop closes the incarnation: sockets closed, not drained (every HTTP/2
// transport too), then it waits for its handlers and goroutines. With a
// grace period, requests about to be answered (held long polls, which end
// on Close) get that long to have their answers written before the
// sockets close.
func (v *serving) stop(grace time.Duration) error {
	if grace > 0 {
		// Shutdown waits for each connection's answer to be written and
		// the connection to go idle, which waiting for the handlers alone
		// does not: net/http flushes an answer after its handler returns.
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		_ = v.hs.Shutdown(ctx)
		cancel()
	}
	v.mu.Lock()
	v.closing = true
	v.mu.Unlock()
	v.hs.Close()
	v.grpc.Stop()
	v.httpLn.Close()
	v.grpcLn.Close()
	v.inflight.Wait()
	err := v.api.Close()
	v.wg.Wait()
	return err
}

// listenPair takes HTTP on host:p and gRPC on host:p+1000.
func listenPair(host string, p int) (net.Listener, net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
	if err != nil {
		return nil, nil, fmt.Errorf("http port: %w", err)
	}
	g, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p+GRPCPortOffset)))
	if err != nil {
		ln.Close()
		return nil, nil, fmt.Errorf("grpc port: %w", err)
	}
	return ln, g, nil
}

// listenFree takes the first free pair P, P+1000 on host the kernel offers.
func listenFree(host string) (int, net.Listener, net.Listener, error) {
	var last error
	for i := 0; i < 100; i++ {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return 0, nil, nil, err
		}
		p := ln.Addr().(*net.TCPAddr).Port
		if p+GRPCPortOffset > 65535 {
			ln.Close()
			continue
		}
		g, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p+GRPCPortOffset)))
		if err != nil {
			ln.Close()
			last = err
			continue
		}
		return p, ln, g, nil
	}
	return 0, nil, nil, fmt.Errorf("no free port pair P, P+%d on %s: %v", GRPCPortOffset, host, last)
}
