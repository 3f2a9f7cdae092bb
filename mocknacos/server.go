package mocknacos

import (
	"log"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/auth"
	"github.com/mocknacos/mocknacos/internal/clock"
	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/grpcv2"
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
	journal *journal.Journal
	faults  *faults.Set
	link    *grpcv2.Link // gRPC pause and blackhole, kept across restarts
	auth    *auth.Service
	changed notifier
	port    int

	// cur is the running incarnation of the servers and registry;
	// Restart replaces it.
	cur       atomic.Pointer[serving]
	restartMu sync.Mutex

	stop      chan struct{}
	wg        sync.WaitGroup // the sweep loop
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
	s := &Server{opts: o, log: o.logger, journal: journal.New(o.journalLimit), faults: &faults.Set{}, link: grpcv2.NewLink(), stop: make(chan struct{})}
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
	s.auth = auth.New(o.authConfig(s.clock.Now))

	var httpLn, grpcLn net.Listener
	var err error
	if o.port != 0 {
		s.port = o.port
		httpLn, grpcLn, err = listenPair(o.host, o.port)
	} else {
		s.port, httpLn, grpcLn, err = listenFree(o.host)
	}
	if err != nil {
		return nil, err
	}
	v, err := s.serve(registry.New(s.registryConfig()), config.New(s.clock.Now, s.changed.broadcast), httpLn, grpcLn)
	if err != nil {
		httpLn.Close()
		grpcLn.Close()
		return nil, err
	}
	s.cur.Store(v)
	if !o.frozen && o.sweep > 0 {
		s.wg.Add(1)
		go s.sweepLoop(o.sweep)
	}
	s.log.Info("mocknacos started", "http", s.Addr(), "grpc", s.GRPCAddr())
	return s, nil
}

// Close stops the mock and waits for every goroutine it started.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.restartMu.Lock()
		defer s.restartMu.Unlock()
		close(s.stop)
		s.closeErr = s.cur.Load().stop(closeGrace)
		s.wg.Wait()
	})
	return s.closeErr
}

// closeGrace is how long Close lets running handlers answer (held long
// polls answer at once on Close) before it closes their connections.
const closeGrace = 200 * time.Millisecond

func slogLogger(l *slog.Logger) *log.Logger { return slog.NewLogLogger(l.Handler(), slog.LevelDebug) }

// Addr is "127.0.0.1:P", the server address to give a Nacos client (with
// WithHost naming one address, that address and P).
func (s *Server) Addr() string { return net.JoinHostPort(s.clientHost(), strconv.Itoa(s.port)) }

// clientHost is the host a client dials: 127.0.0.1 when the mock listens
// on every interface.
func (s *Server) clientHost() string {
	if ip := net.ParseIP(s.opts.host); ip == nil || ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return s.opts.host
}

// Port is the HTTP port P.
func (s *Server) Port() int { return s.port }

// GRPCPort is P+1000.
func (s *Server) GRPCPort() int { return s.port + GRPCPortOffset }

// GRPCAddr is "127.0.0.1:P+1000" (or WithHost's address and P+1000).
func (s *Server) GRPCAddr() string {
	return net.JoinHostPort(s.clientHost(), strconv.Itoa(s.GRPCPort()))
}

// URL is the base URL of the HTTP API, "http://127.0.0.1:P/nacos".
func (s *Server) URL() string { return "http://" + s.Addr() + "/nacos" }

// ServerVersion is the Nacos server generation the mock imitates.
func (s *Server) ServerVersion() ServerVersion { return s.opts.version }

func (s *Server) sweepLoop(every time.Duration) {
	defer s.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.registry().Sweep()
		}
	}
}

// deliver sends the pushes a registry change produced and wakes waiters.
func (s *Server) deliver(ch registry.Changes) {
	for _, p := range ch.Pushes {
		p.Subscriber.Pusher.Push(p.View)
	}
	if v := s.cur.Load(); v != nil && v.grpc != nil {
		v.grpc.ServicesChanged(ch.Services) // fuzzy watches (3.0 mode)
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

// begin numbers and stamps a request's event as it arrives.
func (s *Server) begin() journal.Event {
	return journal.Event{Seq: s.journal.Reserve(), Time: s.clock.Now(), WallTime: time.Now()}
}

// record journals an event, stamping both clocks unless begin did.
func (s *Server) record(e journal.Event) {
	if e.Time.IsZero() {
		e.Time = s.clock.Now()
		e.WallTime = time.Now()
	}
	if e.Namespace == "" && e.Service != "" {
		e.Namespace = registry.DefaultNamespace
	}
	s.journal.Append(e)
	s.changed.broadcast()
}
