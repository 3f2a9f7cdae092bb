package grpcv2

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"

	"github.com/mocknacos/mocknacos/internal/journal"
)

var (
	errNoStream     = errors.New("connection has no open stream")
	errStreamClosed = errors.New("stream closed")
	errPushTimeout  = errors.New("push timed out waiting for the stream")
	errSuperseded   = errors.New("superseded by a newer view")
	errStopped      = errors.New("server stopped")
	errConnClosed   = errors.New("connection closed")
	errNoAnswer     = errors.New("no answer")
)

// biStream is one BiRequestStream call: where the server's pushes go. A
// grpc ServerStream is not safe for concurrent sends, so one writer
// goroutine per stream sends everything, in the order it was queued.
type biStream struct {
	ss    grpc.ServerStream
	queue chan *outMsg
	done  chan struct{} // closed when the call is over
	// last is the lastRefTime of the newest view sent per subscription
	// (writer goroutine only). Registry changes are delivered outside its
	// lock, so two views of a service can reach the queue out of order;
	// the older one is dropped, as clients would ignore it anyway.
	last map[string]int64
	// direct, when set, takes every message instead of the queue and the
	// writer (a DirectConn's stream: no transport, no goroutine).
	direct *directStream
	// begin numbers and stamps a message's journal event as it is handed
	// to the transport (Server.begin), so that the journal shows messages
	// in the order they went out, before the client's answers.
	begin func() journal.Event
}

type outMsg struct {
	p       *payload
	refKey  string // "" for messages that are not views
	refTime int64
	// at, when set, receives the journal stamp of the hand-off before res
	// is answered.
	at  *journal.Event
	res chan error
}

// stamp fills at, if asked for, as m goes out.
func (st *biStream) stamp(at *journal.Event) {
	if at != nil && st.begin != nil {
		*at = st.begin()
	}
}

func (st *biStream) writeLoop() {
	for {
		select {
		case m := <-st.queue:
			if m.refKey != "" {
				if m.refTime <= st.last[m.refKey] {
					m.res <- errSuperseded
					continue
				}
				st.last[m.refKey] = m.refTime
			}
			st.stamp(m.at)
			m.res <- st.ss.SendMsg(m.p)
		case <-st.done:
			return
		}
	}
}

// send queues p and waits until the writer has handed it to the stream
// (not for the client's answer), at most timeout. at, if not nil, gets the
// journal stamp of the hand-off, if it came to one.
func (st *biStream) send(p *payload, refKey string, refTime int64, at *journal.Event, timeout time.Duration) error {
	if st.direct != nil {
		return st.direct.send(st, p, refKey, refTime, at)
	}
	var stamp journal.Event
	m := &outMsg{p: p, refKey: refKey, refTime: refTime, res: make(chan error, 1)}
	if at != nil {
		m.at = &stamp
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case st.queue <- m:
	case <-st.done:
		return errStreamClosed
	case <-t.C:
		return errPushTimeout
	}
	select {
	case err := <-m.res:
		if at != nil && stamp.Seq != 0 {
			at.Seq, at.Time, at.WallTime = stamp.Seq, stamp.Time, stamp.WallTime
		}
		return err
	case <-st.done:
		return errStreamClosed
	case <-t.C:
		return errPushTimeout
	}
}

// serveStream runs one BiRequestStream call: the client's
// ConnectionSetupRequest and its responses to server pushes arrive here
// (nacos-protocol.md 5.3 steps 2 and 6).
func (s *Server) serveStream(ss grpc.ServerStream) error {
	c := connFrom(ss.Context())
	if c == nil {
		return errors.New("grpcv2: stream without a connection")
	}
	st := &biStream{ss: ss, queue: make(chan *outMsg, 64), done: make(chan struct{}), last: make(map[string]int64), begin: s.begin}
	c.mu.Lock()
	c.attachStreamLocked(st, true)
	c.mu.Unlock()
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		st.writeLoop()
	}()
	defer func() {
		close(st.done)
		<-writerDone
		c.mu.Lock()
		if c.stream == st {
			c.stream = nil
		}
		c.mu.Unlock()
	}()
	for {
		in := new(payload)
		if err := ss.RecvMsg(in); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		s.streamMessage(c, st, in)
	}
}

// streamMessage handles what a client sends on its stream, as
// GrpcBiStreamRequestAcceptor does: the setup registers the connection, a
// response acknowledges a server request, anything else is ignored.
func (s *Server) streamMessage(c *conn, st *biStream, in *payload) {
	ev := journal.Event{Request: journal.Request{Type: in.Type, Headers: in.Headers, Body: string(in.Body)}}
	switch {
	case in.Type == typeConnectionSetupRequest:
		ev.Kind = journal.Setup
		var req connectionSetupRequest
		if msg := decodeBody(in.Body, &req); msg != "" {
			ev.Rejected, ev.Error = true, msg
			break
		}
		if s.overConnectionLimit(c) {
			ev.Rejected, ev.Error = true, "Connection register fail, server is over limited."
			c.mu.Lock()
			c.registered = false
			if c.closeReason == "" {
				c.closeReason = "over the connection limit"
			}
			c.mu.Unlock()
			if c.raw != nil {
				_ = c.raw.Conn.Close() // connEnded follows from the transport
			}
			break
		}
		c.mu.Lock()
		if !c.closed {
			c.registered = true
			c.setup = true
			c.labels = req.Labels
			c.clientVersion = req.ClientVersion
			c.tenant = req.Tenant
			c.attachStreamLocked(st, false)
		}
		c.mu.Unlock()
		c.touch()
		if req.wantsSetupAck() {
			// Journaled after the setup that caused it.
			defer s.sendSetupAck(c)
		}
	case strings.HasSuffix(in.Type, "Response"):
		ev.Kind = journal.PushAck
		var resp struct {
			RequestID  string `json:"requestId"`
			ResultCode int    `json:"resultCode"`
			ErrorCode  int    `json:"errorCode"`
			Message    string `json:"message"`
		}
		if msg := decodeBody(in.Body, &resp); msg != "" {
			ev.Rejected, ev.Error = true, msg
			break
		}
		ev.Response = journal.Response{Status: resp.ResultCode, ErrorCode: resp.ErrorCode, Type: in.Type}
		if c.valid() {
			c.touch()
		}
		c.answered(resp.RequestID, in)
	default:
		ev.Kind = journal.Unknown
		ev.Rejected, ev.Error = true, "unexpected payload type on the stream"
		s.log.Debug("grpc stream: ignored payload", "type", in.Type, "connectionId", c.id)
	}
	s.record(c, ev)
}

// overConnectionLimit reports whether c's setup would exceed
// MaxConnections.
func (s *Server) overConnectionLimit(c *conn) bool {
	if s.cfg.MaxConnections <= 0 {
		return false
	}
	n := 0
	for _, o := range s.liveConns() {
		if o == c {
			continue
		}
		o.mu.Lock()
		if o.setup && !o.closed {
			n++
		}
		o.mu.Unlock()
	}
	return n >= s.cfg.MaxConnections
}

// answerOf reads the base fields of a client's response.
func answerOf(p *payload) (resultCode int, errorCode int, msg string) {
	var r struct {
		ResultCode int    `json:"resultCode"`
		ErrorCode  int    `json:"errorCode"`
		Message    string `json:"message"`
	}
	_ = json.Unmarshal(p.Body, &r)
	return r.ResultCode, r.ErrorCode, r.Message
}
