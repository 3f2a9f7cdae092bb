package grpcv2

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// DirectConn is a Nacos connection without a transport, for replaying a
// recording into the mock in process: its requests go through the same
// acceptor and handlers as a network call (handleUnary, streamMessage), and
// the server's pushes come back to a callback instead of a stream. It starts
// no goroutine. Like a real client it acknowledges every server request.
type DirectConn struct {
	s  *Server
	c  *conn
	ds *directStream
}

// directStream is a DirectConn's stream side.
type directStream struct {
	dc     *DirectConn
	st     *biStream
	mu     sync.Mutex
	acks   []*payload // acknowledgements of pushes, handed in after the push is journaled
	onPush func(*Payload)
}

// directPorts numbers direct connections: their connection ids
// ("<millis>_127.0.0.1_<n>") stay unique within a millisecond.
var directPorts atomic.Int64

// OpenDirect opens a direct connection (journaled as a connect). onPush,
// if set, sees every message the server sends it (pushes, detections)
// before it is acknowledged.
func (s *Server) OpenDirect(onPush func(*Payload)) *DirectConn {
	port := int(directPorts.Add(1)%65535) + 1
	c := s.newConn(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	d := &DirectConn{s: s, c: c}
	d.ds = &directStream{dc: d, onPush: onPush}
	s.record(c, journal.Event{Kind: journal.Connect})
	return d
}

// ID is the connection id the server gave it.
func (d *DirectConn) ID() string { return d.c.id }

// Request answers one unary request, as Request.request does.
func (d *DirectConn) Request(p *Payload) *Payload {
	defer d.ds.flush()
	return d.s.handleUnary(context.WithValue(context.Background(), connKey{}, d.c), p)
}

// Stream hands a message to the connection's stream, as the client's
// BiRequestStream does (a ConnectionSetupRequest, or an answer). The
// stream opens on the first message.
func (d *DirectConn) Stream(p *Payload) {
	defer d.ds.flush()
	ds := d.ds
	ds.mu.Lock()
	if ds.st == nil {
		ds.st = &biStream{done: make(chan struct{}), last: make(map[string]int64), direct: ds}
		d.c.mu.Lock()
		d.c.attachStreamLocked(ds.st, true)
		d.c.mu.Unlock()
	}
	st := ds.st
	ds.mu.Unlock()
	d.s.streamMessage(d.c, st, p)
}

// Close ends the connection as a closed transport does: journaled as a
// disconnect, its instances and subscriptions removed.
func (d *DirectConn) Close() {
	d.ds.flush()
	d.s.connEnded(d.c)
}

// send takes a server message. A request the server waits on (a client
// detection, a reset) is answered at once; a push's acknowledgement waits
// until the push is journaled, so the journal reads push, then ack, as it
// does over the network.
func (ds *directStream) send(st *biStream, p *payload, refKey string, refTime int64, at *journal.Event) error {
	ds.mu.Lock()
	if refKey != "" {
		if refTime <= st.last[refKey] {
			ds.mu.Unlock()
			return errSuperseded
		}
		st.last[refKey] = refTime
	}
	ds.mu.Unlock()
	if at != nil {
		b := ds.dc.s.begin()
		at.Seq, at.Time, at.WallTime = b.Seq, b.Time, b.WallTime
	}
	if ds.onPush != nil {
		ds.onPush(p)
	}
	ack := AckFor(p)
	c := ds.dc.c
	c.mu.Lock()
	_, waited := c.pending[requestIDOf(p.Body)]
	c.mu.Unlock()
	if waited {
		ds.dc.s.streamMessage(c, st, ack)
		return nil
	}
	ds.mu.Lock()
	ds.acks = append(ds.acks, ack)
	ds.mu.Unlock()
	return nil
}

// flush hands in the acknowledgements held back.
func (ds *directStream) flush() {
	for {
		ds.mu.Lock()
		acks, st := ds.acks, ds.st
		ds.acks = nil
		ds.mu.Unlock()
		if len(acks) == 0 || st == nil {
			return
		}
		for _, a := range acks {
			ds.dc.s.streamMessage(ds.dc.c, st, a)
		}
	}
}

func requestIDOf(body []byte) string {
	var r struct {
		RequestID string `json:"requestId"`
	}
	_ = json.Unmarshal(body, &r)
	return r.RequestID
}

// AckFor is a client's answer to a server request, as the Nacos clients
// send it: the request's class with "Response" for "Request", success, and
// the request's requestId.
func AckFor(p *Payload) *Payload {
	typ := strings.TrimSuffix(p.Type, "Request") + "Response"
	body := `{"resultCode":200,"errorCode":0,"requestId":` + string(marshal(requestIDOf(p.Body))) + `,"success":true}`
	return &Payload{Type: typ, Body: []byte(body)}
}
