package grpcv2

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// matchFault asks the injected faults about a request or push of the given
// type and subject; a hit is described in the event.
func (s *Server) matchFault(typ string, ev *journal.Event) (faults.Rule, bool) {
	if s.cfg.Faults == nil {
		return faults.Rule{}, false
	}
	r, ok := s.cfg.Faults.Match(faults.Request{Protocol: journal.GRPC, Type: typ, Group: ev.Group, Service: ev.Service})
	if ok {
		ev.Fault = r.Describe("errorCode")
	}
	return r, ok
}

// sleep waits d unless the server or the connection stops first.
func (s *Server) sleep(c *conn, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.stop:
	case <-c.ended:
	}
}

// injectFault carries out the fault that hits a unary request: nil to go
// on (after any delay), or the answer to give instead (a drop closes the
// connection; its answer is never seen).
func (cl *call) injectFault() *response {
	r, hit := cl.s.matchFault(cl.in.Type, cl.ev)
	if !hit {
		return nil
	}
	cl.s.sleep(cl.c, r.Delay)
	switch {
	case r.Drop:
		cl.s.closeConn(cl.c, "dropped by an injected fault")
		return failed(cl.respType, codeFail, "connection dropped by an injected fault")
	case r.Discard:
		return ok(cl.respType, nil)
	case r.Status != 0:
		msg := r.Message
		if msg == "" {
			msg = "injected fault"
		}
		if r.Filter {
			return failed(cl.respType, r.Status, msg)
		}
		return thrown(r.Status, msg)
	}
	return nil
}

// push sends a server push (ev is its journal event; send puts it on the
// stream) through the injected faults: suppressed (Discard or Drop), sent
// after a delay, or sent now. A delayed push goes out later from a goroutine
// of its own, so the change that caused it is not held up: the real server
// answers a request and pushes asynchronously.
func (s *Server) push(c *conn, ev journal.Event, send func(*journal.Event) error) {
	r, hit := s.matchFault(ev.Request.Type, &ev)
	switch {
	case hit && (r.Drop || r.Discard):
		ev.Rejected, ev.Error = true, "suppressed by an injected fault"
		s.record(c, ev)
	case hit && r.Delay > 0:
		if !s.background(func() {
			s.sleep(c, r.Delay)
			s.sendPush(c, ev, send)
		}) {
			ev.Rejected, ev.Error = true, errStopped.Error()
			s.record(c, ev)
		}
	default:
		s.sendPush(c, ev, send)
	}
}

func (s *Server) sendPush(c *conn, ev journal.Event, send func(*journal.Event) error) {
	err := send(&ev)
	if errors.Is(err, errSuperseded) {
		return
	}
	if err != nil {
		ev.Rejected, ev.Error = true, err.Error()
	}
	s.record(c, ev)
}

// background runs f in a goroutine that Stop waits for; false when the
// server is stopping.
func (s *Server) background(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping.Load() {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// Link states of every gRPC transport, in the style of etcd's test bridge.
const (
	linkNormal     int32 = iota
	linkPaused           // reads and writes wait until resumed
	linkBlackholed       // what either side sends is lost
)

// Link gates the raw connections of a server: its pause and blackhole. A
// mock keeps one across restarts (Config.Link), as a network fault
// outlives a server restart.
type Link struct {
	state  atomic.Int32
	mu     sync.Mutex
	resume chan struct{} // closed when a pause ends
}

// NewLink is a link in its normal state.
func NewLink() *Link { return &Link{resume: make(chan struct{})} }

// set changes the state; leaving a pause wakes every waiting reader and
// writer.
func (l *Link) set(state int32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.state.Swap(state)
	if old == linkPaused && state != linkPaused {
		close(l.resume)
		l.resume = make(chan struct{})
	}
}

func (l *Link) resumed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.resume
}

// wait blocks while the link is paused; false when the connection closed.
func (l *Link) wait(closed <-chan struct{}) bool {
	for {
		// Take the channel before looking at the state, so that a resume
		// between the two is not missed.
		resumed := l.resumed()
		if l.state.Load() != linkPaused {
			return true
		}
		select {
		case <-resumed:
		case <-closed:
			return false
		}
	}
}

// PauseConnections stalls every gRPC transport, established and new: what
// clients send waits unread and nothing is sent to them, until
// ResumeConnections. Clients see requests and health checks time out.
func (s *Server) PauseConnections() { s.link.set(linkPaused) }

// BlackholeConnections makes every gRPC transport lose what either side
// sends (the bytes are read and dropped), until ResumeConnections. The
// HTTP/2 streams of the connections involved do not recover.
func (s *Server) BlackholeConnections() { s.link.set(linkBlackholed) }

// ResumeConnections ends a pause or a blackhole.
func (s *Server) ResumeConnections() { s.link.set(linkNormal) }

func (c *rawConn) Read(b []byte) (int, error) {
	for {
		if !c.s.link.wait(c.closed) {
			return 0, net.ErrClosed
		}
		n, err := c.Conn.Read(b)
		if err != nil {
			return n, err
		}
		// The server's reader is always inside Read, so a pause or a
		// blackhole that began while it waited applies to what it got.
		if !c.s.link.wait(c.closed) {
			return 0, net.ErrClosed
		}
		if c.s.link.state.Load() != linkBlackholed {
			return n, nil
		}
		// Blackholed: the bytes are lost; read on.
	}
}

func (c *rawConn) Write(b []byte) (int, error) {
	if !c.s.link.wait(c.closed) {
		return 0, net.ErrClosed
	}
	if c.s.link.state.Load() == linkBlackholed {
		return len(b), nil
	}
	return c.Conn.Write(b)
}
