package mocknacos

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/auth"
	"github.com/mocknacos/mocknacos/internal/clock"
	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/confighttp"
	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// GRPCPortOffset is how far the gRPC port is above the HTTP port: clients
// derive it that way.
const GRPCPortOffset = 1000

// Server is a running mock Nacos.
type Server struct {
	opts    options
	log     *slog.Logger
	clock   *clock.Clock
	reg     *registry.Registry
	journal *journal.Journal
	faults  *faults.Set
	configs *config.Store
	auth    *auth.Service
	changed notifier

	port   int
	httpLn net.Listener
	grpcLn net.Listener
	api    *httpv1.Server
	hs     *http.Server
	grpc   *grpcv2.Server

	stop      chan struct{}
	wg        sync.WaitGroup
	inflight  sync.WaitGroup // HTTP handlers running
	closingMu sync.Mutex
	closing   bool // no handler may start once set
	closeOnce sync.Once
	closeErr  error
}

// Start starts a mock on a free port pair of 127.0.0.1 and closes it when
// the test ends. It fails the test if the mock cannot start.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("mocknacos: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("mocknacos: close: %v", err)
		}
	})
	return s
}

// New starts a mock; Close stops it. Use Start in tests.
func New(opts ...Option) (*Server, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{opts: o, log: o.logger, journal: journal.New(o.journalLimit), faults: &faults.Set{}, stop: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if o.journalLimit < 0 {
		s.journal.SetLimit(-1)
	}
	if o.frozen {
		at := o.frozenAt
		if at.IsZero() {
			at = time.Now()
		}
		s.clock = clock.NewFrozen(at)
	} else {
		s.clock = clock.New()
	}
	mode := registry.ModeV2
	if o.v1 {
		mode = registry.ModeV1
	}
	s.reg = registry.New(registry.Config{Mode: mode, Now: s.clock.Now, Notify: s.deliver})
	s.configs = config.New(s.clock.Now, s.changed.broadcast)
	s.auth = auth.New(o.authConfig(s.clock.Now))
	configAPI := confighttp.New(confighttp.Config{Store: s.configs, V1: o.v1, Done: s.stop})
	if err := s.listen(); err != nil {
		return nil, err
	}
	api, err := httpv1.New(httpv1.Config{Registry: s.reg, Record: s.record, Logger: s.log, Routes: []func(*mux.Router){s.adminRoutes}, Faults: s.faults,
		Mounts: []func(*httpv1.Server, *mux.Router){configAPI.Mount, s.auth.Mount}, Guard: s.auth.HTTPGuard})
	if err != nil {
		s.closeListeners()
		return nil, err
	}
	s.api = api
	s.hs = &http.Server{Handler: s.track(api.Handler()), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.hs.Serve(s.httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "err", err)
		}
	}()
	s.grpc = grpcv2.New(grpcv2.Config{Registry: s.reg, Configs: s.configs, Record: s.record, Logger: s.log, Guard: s.auth.GRPCGuard})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.grpc.Serve(s.grpcLn); err != nil {
			s.log.Error("grpc server stopped", "err", err)
		}
	}()
	if !o.frozen && o.sweep > 0 {
		s.wg.Add(1)
		go s.sweepLoop(o.sweep)
	}
	s.log.Info("mocknacos started", "http", s.Addr(), "grpc", s.GRPCAddr())
	return s, nil
}

// listen takes HTTP on P and gRPC on P+1000: a fixed P, or the first free
// pair the kernel offers.
func (s *Server) listen() error {
	if s.opts.port != 0 {
		return s.listenPair(s.opts.port)
	}
	var last error
	for i := 0; i < 100; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		p := ln.Addr().(*net.TCPAddr).Port
		if p+GRPCPortOffset > 65535 {
			ln.Close()
			continue
		}
		g, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+GRPCPortOffset))
		if err != nil {
			ln.Close()
			last = err
			continue
		}
		s.port, s.httpLn, s.grpcLn = p, ln, g
		return nil
	}
	return fmt.Errorf("no free port pair P, P+%d on 127.0.0.1: %v", GRPCPortOffset, last)
}

func (s *Server) listenPair(p int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		return fmt.Errorf("http port: %w", err)
	}
	g, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+GRPCPortOffset))
	if err != nil {
		ln.Close()
		return fmt.Errorf("grpc port: %w", err)
	}
	s.port, s.httpLn, s.grpcLn = p, ln, g
	return nil
}

func (s *Server) closeListeners() {
	if s.httpLn != nil {
		s.httpLn.Close()
	}
	if s.grpcLn != nil {
		s.grpcLn.Close()
	}
}

// Close stops the mock and waits for every goroutine it started.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		// Closed, not drained, as a stopping server's sockets are; then wait
		// for the handlers that were running (held long polls end on stop).
		s.closingMu.Lock()
		s.closing = true
		s.closingMu.Unlock()
		s.hs.Close()
		s.inflight.Wait()
		s.grpc.Stop()
		s.closeListeners()
		s.closeErr = s.api.Close()
		s.wg.Wait()
	})
	return s.closeErr
}

// track counts running handlers, so that Close can wait for them after
// closing their connections.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.closingMu.Lock()
		if s.closing {
			s.closingMu.Unlock()
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
		s.inflight.Add(1)
		s.closingMu.Unlock()
		defer s.inflight.Done()
		h.ServeHTTP(w, r)
	})
}

// Addr is "127.0.0.1:P", the server address to give a Nacos client.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Port is the HTTP port P.
func (s *Server) Port() int { return s.port }

// GRPCPort is P+1000.
func (s *Server) GRPCPort() int { return s.port + GRPCPortOffset }

// GRPCAddr is "127.0.0.1:P+1000".
func (s *Server) GRPCAddr() string { return "127.0.0.1:" + strconv.Itoa(s.GRPCPort()) }

// URL is the base URL of the HTTP API, "http://127.0.0.1:P/nacos".
func (s *Server) URL() string { return "http://" + s.Addr() + "/nacos" }

func (s *Server) sweepLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.reg.Sweep()
		}
	}
}

// deliver sends the pushes a registry change produced and wakes waiters.
func (s *Server) deliver(ch registry.Changes) {
	for _, p := range ch.Pushes {
		p.Subscriber.Pusher.Push(p.View)
	}
	for _, tr := range ch.Transitions {
		what := "unhealthy"
		if tr.Removed {
			what = "expired"
		}
		s.log.Debug("instance "+what, "service", tr.Key.String(), "instance", tr.Instance.Addr(), "cluster", tr.Instance.Cluster)
	}
	s.changed.broadcast()
}

// record stamps an event with both clocks and journals it.
func (s *Server) record(e journal.Event) {
	e.Time = s.clock.Now()
	e.WallTime = time.Now()
	if e.Namespace == "" && e.Service != "" {
		e.Namespace = registry.DefaultNamespace
	}
	s.journal.Append(e)
	s.changed.broadcast()
}
