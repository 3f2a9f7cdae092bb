package grpcv2

import (
	"context"
	"maps"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/stats"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// conn is one HTTP/2 transport: the Nacos connection identity
// (nacos-protocol.md 5.3, rule 9). Unary calls and the stream of a
// transport share it.
type conn struct {
	id          string // "<millis>_<remoteIp>_<remotePort>", AddressTransportFilter's format
	ip          string
	port        int
	remote      string
	raw         *rawConn // nil if the listener was not ours
	connectedAt time.Time
	lastActive  atomic.Int64  // wall-clock unix nanos of the last request
	detecting   atomic.Bool   // a ClientDetectionRequest is outstanding
	ended       chan struct{} // closed once the connection is unregistered
	endOnce     sync.Once

	// cfgListener is how the config store tells this connection of changes.
	cfgListener *configListener

	mu            sync.Mutex
	registered    bool            // ServerCheckRequest or ConnectionSetupRequest seen
	setup         bool            // ConnectionSetupRequest accepted (counted by MaxConnections)
	subs          map[string]bool // subscriber ids (counted by MaxSubscriptionsPerConnection)
	closed        bool
	closeReason   string
	labels        map[string]string
	clientVersion string
	tenant        string
	stream        *biStream // the stream that sent the setup: where pushes go
	pending       map[string]chan *payload
	// streamOpen is closed when the first stream is attached.
	streamOpen     chan struct{}
	streamOpenOnce sync.Once
}

// streamGrace is how long after its ServerCheck a connection's pushes wait
// for its stream. The mock takes requests from the ServerCheck on (the real
// server answers 301 until the setup), so a client's first subscribe can
// beat its stream to the server by a moment; past this, a connection
// without a stream is a client that opens none, and pushes to it fail at
// once rather than hold up the change that caused them.
const streamGrace = time.Second

// ConnInfo describes a registered connection.
type ConnInfo struct {
	ID            string
	RemoteIP      string
	RemotePort    int
	Labels        map[string]string
	ClientVersion string
	Tenant        string
	ConnectedAt   time.Time
	LastActive    time.Time
	// Stream is true once the client's bidirectional stream is open (pushes
	// can be delivered).
	Stream bool
}

func (c *conn) touch() { c.lastActive.Store(time.Now().UnixNano()) }

// valid is ConnectionManager.checkValid: registered and not closed.
func (c *conn) valid() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.registered && !c.closed
}

func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// addSubscription counts subscription id on c; false if that would make
// more than max (0: no cap) distinct ones.
func (c *conn) addSubscription(id string, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs[id] {
		return true
	}
	if max > 0 && len(c.subs) >= max {
		return false
	}
	if c.subs == nil {
		c.subs = make(map[string]bool)
	}
	c.subs[id] = true
	return true
}

func (c *conn) removeSubscription(id string) {
	c.mu.Lock()
	delete(c.subs, id)
	c.mu.Unlock()
}

func (c *conn) register() {
	c.mu.Lock()
	c.registered = true
	c.mu.Unlock()
}

func (c *conn) currentStream() *biStream {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stream
}

// attachStreamLocked makes st where pushes go, unless the connection is closed
// (or, with onlyFirst, already has a stream); c.mu is held.
func (c *conn) attachStreamLocked(st *biStream, onlyFirst bool) {
	if c.closed || onlyFirst && c.stream != nil {
		return
	}
	c.stream = st
	c.streamOpenOnce.Do(func() { close(c.streamOpen) })
}

// awaitStream is the connection's stream, waiting for it to open within
// streamGrace of the connection's start (and at most max); nil if there is
// none.
func (c *conn) awaitStream(max time.Duration, stop <-chan struct{}) *biStream {
	if st := c.currentStream(); st != nil {
		return st
	}
	wait := min(time.Until(c.connectedAt.Add(streamGrace)), max)
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-c.streamOpen:
		return c.currentStream()
	case <-c.ended:
	case <-stop:
	case <-t.C:
	}
	return nil
}

// expect registers a waiter for the client's response to a server request.
func (c *conn) expect(requestID string) chan *payload {
	ch := make(chan *payload, 1)
	c.mu.Lock()
	if c.pending == nil {
		c.pending = make(map[string]chan *payload)
	}
	c.pending[requestID] = ch
	c.mu.Unlock()
	return ch
}

func (c *conn) forget(requestID string) {
	c.mu.Lock()
	delete(c.pending, requestID)
	c.mu.Unlock()
}

// answered hands a stream response to its waiter, if any.
func (c *conn) answered(requestID string, p *payload) {
	c.mu.Lock()
	ch := c.pending[requestID]
	delete(c.pending, requestID)
	c.mu.Unlock()
	if ch != nil {
		ch <- p
	}
}

func (c *conn) info() ConnInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ConnInfo{
		ID: c.id, RemoteIP: c.ip, RemotePort: c.port, Labels: maps.Clone(c.labels),
		ClientVersion: c.clientVersion, Tenant: c.tenant, ConnectedAt: c.connectedAt,
		LastActive: time.Unix(0, c.lastActive.Load()), Stream: c.stream != nil,
	}
}

type connKey struct{}

func connFrom(ctx context.Context) *conn {
	c, _ := ctx.Value(connKey{}).(*conn)
	return c
}

// statsHandler learns of every transport: TagConn names it (its context
// flows into every RPC on it) and HandleConn sees it begin and end.
type statsHandler struct{ s *Server }

func (h *statsHandler) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (h *statsHandler) HandleRPC(context.Context, stats.RPCStats)                       {}

func (h *statsHandler) TagConn(ctx context.Context, info *stats.ConnTagInfo) context.Context {
	return context.WithValue(ctx, connKey{}, h.s.newConn(info.RemoteAddr))
}

func (h *statsHandler) HandleConn(ctx context.Context, st stats.ConnStats) {
	c := connFrom(ctx)
	if c == nil {
		return
	}
	switch st.(type) {
	case *stats.ConnBegin:
		h.s.record(c, journal.Event{Kind: journal.Connect})
	case *stats.ConnEnd:
		h.s.connEnded(c)
	}
}

func (s *Server) newConn(addr net.Addr) *conn {
	now := time.Now()
	c := &conn{connectedAt: now, ended: make(chan struct{}), streamOpen: make(chan struct{}), remote: addr.String()}
	if ta, ok := addr.(*net.TCPAddr); ok {
		c.ip, c.port = ta.IP.String(), ta.Port
	} else if h, p, err := net.SplitHostPort(addr.String()); err == nil {
		c.ip = h
		c.port, _ = strconv.Atoi(p)
	}
	c.id = strconv.FormatInt(now.UnixMilli(), 10) + "_" + c.ip + "_" + strconv.Itoa(c.port)
	c.cfgListener = &configListener{s: s, c: c}
	c.touch()
	s.mu.Lock()
	c.raw = s.raw[c.remote]
	s.conns[c.id] = c
	s.mu.Unlock()
	return c
}

// connEnded runs when the transport is gone, whoever closed it: the
// connection is unregistered, and its ephemeral instances and subscriptions
// are removed, which pushes the new views to the remaining subscribers
// (nacos-protocol.md 2.3: ClientDisconnectEvent), and it stops listening to
// configs.
func (s *Server) connEnded(c *conn) {
	c.endOnce.Do(func() { s.unregister(c) })
}

func (s *Server) unregister(c *conn) {
	c.mu.Lock()
	c.closed = true
	reason := c.closeReason
	c.stream = nil
	c.mu.Unlock()
	s.mu.Lock()
	if s.conns[c.id] == c {
		delete(s.conns, c.id)
	}
	s.mu.Unlock()
	if reason == "" {
		reason = "transport closed"
	}
	s.record(c, journal.Event{Kind: journal.Disconnect, Error: reason})
	s.cfg.Registry.RemoveOwner(c.id)
	s.unlistenConfigs(c)
	s.dropFuzzy(c)
	close(c.ended)
}

// closeConn closes a connection from the server side: its HTTP/2 transport
// is closed, because nacos-sdk-go v2 reconnects only when its stream breaks
// (nacos-protocol.md 5.3 step 5). It waits (bounded) until the connection
// has been unregistered.
func (s *Server) closeConn(c *conn, reason string) {
	c.mu.Lock()
	if c.closeReason == "" {
		c.closeReason = reason
	}
	c.mu.Unlock()
	if c.raw == nil {
		// Not accepted by our listener: the transport cannot be closed,
		// so at least unregister the connection.
		s.connEnded(c)
		return
	}
	_ = c.raw.Conn.Close()
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-c.ended:
	case <-t.C:
		s.log.Warn("grpc connection did not end after close", "connectionId", c.id)
	}
}

// Connections lists the registered connections, oldest first.
func (s *Server) Connections() []ConnInfo {
	var out []ConnInfo
	for _, c := range s.liveConns() {
		if c.valid() {
			out = append(out, c.info())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].ConnectedAt.Equal(out[j].ConnectedAt) {
			return out[i].ConnectedAt.Before(out[j].ConnectedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (s *Server) liveConns() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Server) lookup(id string) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[id]
}

// CloseConnection closes a connection's transport from the server side, as
// the real server does when it unregisters one. It returns once the
// connection's instances and subscriptions are gone, and false if no such
// connection is open.
func (s *Server) CloseConnection(id string) bool {
	c := s.lookup(id)
	if c == nil {
		return false
	}
	s.closeConn(c, "closed by server")
	return true
}

// record journals a connection-scoped event.
func (s *Server) record(c *conn, e journal.Event) {
	e.Protocol = journal.GRPC
	if c != nil {
		e.ConnectionID = c.id
		e.Remote = c.remote
		if e.IP == "" && e.Port == 0 && e.Service == "" {
			e.IP, e.Port = c.ip, c.port
		}
	}
	s.cfg.Record(e)
}
