package grpcv2

import (
	"strconv"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// pushTarget is a gRPC subscriber's registry.Pusher: a
// NotifySubscriberRequest on the connection's stream (nacos-protocol.md
// 5.4).
type pushTarget struct {
	s *Server
	c *conn
}

// Push sends the view and returns once it was handed to the stream (or
// after the push timeout), so that registry changes made by Advance are
// delivered before Advance returns, and a stuck client cannot hang it.
func (t *pushTarget) Push(v *registry.View) { t.s.pushView(t.c, v) }

func (s *Server) nextRequestID() string {
	return strconv.FormatInt(s.requestIDs.Add(1), 10)
}

// sendOn queues a server->client message on the connection's stream (on a
// new connection, once the stream opens: awaitStream). ev, if not nil, is
// the message's journal event: it is numbered and stamped as the message
// goes out.
func (s *Server) sendOn(c *conn, p *payload, refKey string, refTime int64, ev *journal.Event) error {
	st := c.awaitStream(s.cfg.PushTimeout, s.stop)
	if st == nil {
		return errNoStream
	}
	return st.send(p, refKey, refTime, ev, s.cfg.PushTimeout)
}

// pushView pushes v. Views are keyed by service and clusters for
// superseding: a view older than one already sent on the stream is dropped.
func (s *Server) pushView(c *conn, v *registry.View) {
	if s.stopping.Load() || c.isClosed() {
		return
	}
	body := serverRequest(s.nextRequestID(), "naming", serviceInfoField{ServiceInfo: encodeServiceInfo(s.mode(), v)})
	p := &payload{Type: typeNotifySubscriberRequest, Body: body}
	ev := journal.Event{Kind: journal.Push, Namespace: v.Key.Namespace, Group: v.Key.Group, Service: v.Key.Name,
		Cluster: v.Clusters, Request: journal.Request{Type: p.Type, Body: string(body)}}
	s.push(c, ev, func(ev *journal.Event) error {
		return s.sendOn(c, p, v.Key.String()+"#"+v.Clusters, v.LastRefTime, ev)
	})
}

// sendSetupAck tells a client that sent its ability table the server's
// abilities (GrpcBiStreamRequestAcceptor): without it such a client waits
// out its negotiation timeout before it goes on.
func (s *Server) sendSetupAck(c *conn) {
	abilities := serverAbilities
	if s.mode() == registry.ModeV3 {
		abilities = serverAbilitiesV3
	}
	body := setupAck(abilities)
	ev := journal.Event{Kind: journal.SetupAck, Request: journal.Request{Type: typeSetupAckRequest, Body: string(body)}}
	if err := s.sendOn(c, &payload{Type: typeSetupAckRequest, Body: body}, "", 0, &ev); err != nil {
		ev.Rejected, ev.Error = true, err.Error()
	}
	s.record(c, ev)
}

// request sends a server->client request on the stream and waits for the
// client's response with the same requestId.
func (s *Server) request(c *conn, typ, module string, extra any, timeout time.Duration) (*payload, []byte, error) {
	id := s.nextRequestID()
	body := serverRequest(id, module, extra)
	ch := c.expect(id)
	defer c.forget(id)
	if err := s.sendOn(c, &payload{Type: typ, Body: body}, "", 0, nil); err != nil {
		return nil, body, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case p := <-ch:
		return p, body, nil
	case <-t.C:
		return nil, body, errNoAnswer
	case <-c.ended:
		return nil, body, errConnClosed
	case <-s.stop:
		return nil, body, errStopped
	}
}

// ResetConnection pushes a ConnectResetRequest, as the real server does to
// move a client to another server (nacos-protocol.md 5.3 step 6): the client
// reconnects, to serverIP:serverPort if given, and closes this connection
// itself. It waits up to 3 s for the client's answer, like
// ConnectionManager.loadSingle. Python v2 clients do not know this request.
func (s *Server) ResetConnection(id string, serverIP string, serverPort string) {
	c := s.lookup(id)
	if c == nil {
		return
	}
	resp, body, err := s.request(c, typeConnectResetRequest, "internal",
		connectResetFields{ServerIP: serverIP, ServerPort: serverPort}, 3*time.Second)
	s.recordAnswer(c, journal.ConnectReset, typeConnectResetRequest, body, resp, err)
}

// recordAnswer journals a server request with the client's answer.
func (s *Server) recordAnswer(c *conn, kind journal.Kind, typ string, body []byte, resp *payload, err error) {
	ev := journal.Event{Kind: kind, Request: journal.Request{Type: typ, Body: string(body)}}
	if err != nil {
		ev.Rejected, ev.Error = true, err.Error()
	} else {
		code, ec, msg := answerOf(resp)
		ev.Response = journal.Response{Status: code, ErrorCode: ec, Type: resp.Type, Body: string(resp.Body)}
		if code != codeSuccess {
			ev.Rejected, ev.Error = true, msg
		}
	}
	s.record(c, ev)
}
