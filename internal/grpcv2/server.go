// Package grpcv2 serves the Nacos 2.x gRPC protocol (nacos-protocol.md
// section 5): the unary Request service and the BiRequestStream, connection
// lifecycle (server check, setup, health checks, client detection, reset),
// the naming requests, and NotifySubscriberRequest pushes. It shares the
// registry with the 1.x HTTP API.
//
// Nothing here registers with the protobuf or gRPC global registries: the
// envelope is hand-encoded (codec.go) and the services are described by hand
// (service_desc.go), so a binary may also link
// github.com/nacos-group/nacos-sdk-go/v2 of any version.
package grpcv2

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Liveness defaults of the real server (nacos-protocol.md 2.3, 5.3).
const (
	// DefaultIdleTimeout is KEEP_ALIVE_TIME: a connection idle this long is
	// sent a ClientDetectionRequest.
	DefaultIdleTimeout = 20 * time.Second
	// DefaultDetectInterval is how often the ejector looks for idle
	// connections.
	DefaultDetectInterval = 3 * time.Second
	// DefaultDetectTimeout is how long a detected connection has to answer
	// before it is closed.
	DefaultDetectTimeout = 5 * time.Second
	// DefaultPushTimeout bounds how long a push waits for its stream, so a
	// stuck client cannot hang the registry (and Advance).
	DefaultPushTimeout = 2 * time.Second
	// maxMessageSize matches the clients' 10 MiB inbound limit.
	maxMessageSize = 10 << 20
)

// Config wires the gRPC server to the shared registry and journal.
type Config struct {
	Registry *registry.Registry
	// Configs is the config store the config requests use (section 5.5).
	Configs *config.Store
	// Record journals one event; the caller stamps its times. It is called
	// once per request, push, acknowledgement and connection event.
	Record func(journal.Event)
	// Begin, if set, numbers and stamps a request's event when it arrives.
	Begin  func() journal.Event
	Logger *slog.Logger
	// Guard, if set, is asked before a request is handled, with the
	// payload's type and headers. A non-nil error answers the handler's
	// response type with resultCode 500, errorCode 403 and the error's text
	// (the real server's auth filter). Connection-level requests
	// (ServerCheckRequest, stream messages) are not guarded.
	Guard func(requestType string, headers map[string]string) error
	// Faults are the injected faults (nil: none): per request type, and
	// on pushes by their type (NotifySubscriberRequest,
	// ConfigChangeNotifyRequest).
	Faults *faults.Set
	// Link is the pause and blackhole state of the transports (NewLink
	// when nil); a mock shares one across restarts.
	Link *Link

	// MaxConnections caps the connections that have sent their
	// ConnectionSetupRequest (0: no cap, as the real server by default).
	// A setup beyond it is refused as a real server over its connection
	// limit refuses one: the connection is closed (the client reconnects
	// later), and the journal shows the setup rejected.
	MaxConnections int
	// MaxSubscriptionsPerConnection caps the services one connection may
	// subscribe to (0: no cap). A subscribe beyond it is answered with the
	// real server's over-threshold refusal (resultCode 500, errorCode 503).
	MaxSubscriptionsPerConnection int

	// Wall-clock liveness (zero: the defaults above). Connection liveness
	// never follows the mock clock (design.md, "What the mock clock does
	// not move").
	IdleTimeout    time.Duration
	DetectInterval time.Duration
	DetectTimeout  time.Duration
	PushTimeout    time.Duration
}

// Server is the gRPC side of the mock.
type Server struct {
	cfg Config
	log *slog.Logger
	gs  *grpc.Server

	mu    sync.Mutex
	conns map[string]*conn    // live transports by connection id
	raw   map[string]*rawConn // accepted TCP connections by remote address
	link  *Link               // pause and blackhole of every transport

	stopping atomic.Bool
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup // the ejector, detections and delayed pushes

	fuzzyMu sync.Mutex
	fuzzy   map[string]*fuzzyWatches // fuzzy watches by connection id (3.x)

	// requestIDs numbers server->client requests ("1", "2", ...), like
	// PushAckIdGenerator.
	requestIDs atomic.Int64
}

// New builds a server; Serve starts it.
func New(cfg Config) *Server {
	if cfg.Record == nil {
		cfg.Record = func(journal.Event) {}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.DetectInterval <= 0 {
		cfg.DetectInterval = DefaultDetectInterval
	}
	if cfg.DetectTimeout <= 0 {
		cfg.DetectTimeout = DefaultDetectTimeout
	}
	if cfg.PushTimeout <= 0 {
		cfg.PushTimeout = DefaultPushTimeout
	}
	if cfg.Link == nil {
		cfg.Link = NewLink()
	}
	s := &Server{
		cfg:   cfg,
		log:   cfg.Logger,
		conns: make(map[string]*conn),
		raw:   make(map[string]*rawConn),
		link:  cfg.Link,
		stop:  make(chan struct{}),
	}
	s.gs = grpc.NewServer(
		grpc.ForceServerCodecV2(codec{}),
		grpc.StatsHandler(&statsHandler{s: s}),
		grpc.MaxRecvMsgSize(maxMessageSize),
		// Clients ping every 60 s (Go) or 6 min (Java); grpc-go's default
		// policy (5 min) would answer the Go client's pings with GOAWAY.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		// Stop must not return while a handler still runs.
		grpc.WaitForHandlers(true),
		// Small per-connection buffers: a mock holds many idle
		// connections with little traffic on each (about 20 KB of heap
		// per connection instead of about 48 KB with the defaults). SharedWriteBuffer would
		// save more but cut unary throughput by half.
		grpc.ReadBufferSize(8<<10),
		grpc.WriteBufferSize(8<<10),
	)
	s.gs.RegisterService(&requestServiceDesc, s)
	s.gs.RegisterService(&biStreamServiceDesc, s)
	s.wg.Add(1)
	go s.ejectLoop()
	return s
}

// Serve accepts connections on ln until Stop. It returns nil after Stop.
func (s *Server) Serve(ln net.Listener) error {
	return s.gs.Serve(&trackListener{Listener: ln, s: s})
}

// Stop closes every listener and HTTP/2 transport at once (not gracefully:
// nacos-sdk-go v2 reconnects only when its stream breaks) and waits for every
// goroutine the server started. Closed connections are unregistered as any
// closing connection is: their instances and subscriptions are removed.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.mu.Lock() // background goroutines start under it
		s.stopping.Store(true)
		s.mu.Unlock()
		close(s.stop)
		s.gs.Stop()
		s.wg.Wait()
	})
}

// trackListener remembers every accepted connection by its remote address,
// so that a connection closed on the server side (CloseConnection, a failed
// client detection) can close its HTTP/2 transport: grpc-go offers no other
// handle on a server transport.
type trackListener struct {
	net.Listener
	s *Server
}

func (l *trackListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	rc := &rawConn{Conn: c, s: l.s, key: c.RemoteAddr().String(), closed: make(chan struct{})}
	l.s.mu.Lock()
	l.s.raw[rc.key] = rc
	l.s.mu.Unlock()
	return rc, nil
}

type rawConn struct {
	net.Conn
	s      *Server
	key    string
	once   sync.Once
	closed chan struct{} // closed by Close: ends a paused read or write
}

func (c *rawConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		close(c.closed)
		c.s.mu.Lock()
		if c.s.raw[c.key] == c {
			delete(c.s.raw, c.key)
		}
		c.s.mu.Unlock()
	})
	return err
}
