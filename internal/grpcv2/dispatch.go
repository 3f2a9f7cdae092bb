package grpcv2

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// call is one unary request being handled.
type call struct {
	s  *Server
	c  *conn
	in *payload
	ev *journal.Event
	// respType is the handler's response class, which request filters
	// (guard, parameter check) answer in.
	respType string
}

// handler serves one request type.
type handler struct {
	kind     journal.Kind
	respType string
	serve    func(cl *call) *response
}

// handlers maps metadata.type to its handler (RequestHandlerRegistry).
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		typeHealthCheckRequest:      handle(journal.HealthCheck, typeHealthCheckResponse, healthCheck),
		typeInstanceRequest:         handle(journal.Register, typeInstanceResponse, instanceReq),
		typeBatchInstanceRequest:    handle(journal.BatchRegister, typeBatchInstanceResponse, batchInstanceReq),
		typePersistentInstanceReq:   handle(journal.Register, typeInstanceResponse, persistentInstanceReq),
		typeSubscribeServiceRequest: handle(journal.Subscribe, typeSubscribeServiceResponse, subscribeReq),
		typeServiceQueryRequest:     handle(journal.ServiceQuery, typeQueryServiceResponse, serviceQueryReq),
		typeServiceListRequest:      handle(journal.ServiceList, typeServiceListResponse, serviceListReq),

		typeConfigQueryRequest:       handle(journal.ConfigGet, typeConfigQueryResponse, configQueryReq),
		typeConfigPublishRequest:     handle(journal.ConfigPublish, typeConfigPublishResponse, configPublishReq),
		typeConfigRemoveRequest:      handle(journal.ConfigRemove, typeConfigRemoveResponse, configRemoveReq),
		typeConfigBatchListenRequest: handle(journal.ConfigListen, typeConfigChangeBatchListenResponse, configBatchListenReq),
	}
}

// handle wraps a typed handler with the steps GrpcRequestAcceptor and
// RequestHandler take after the connection check: parse the JSON body
// (502 if it does not parse), refresh the connection's active time, run the
// filters (the guard), then handle.
func handle[T any](kind journal.Kind, respType string, fn func(cl *call, req *T) *response) handler {
	return handler{kind: kind, respType: respType, serve: func(cl *call) *response {
		req := new(T)
		if msg := decodeBody(cl.in.Body, req); msg != "" {
			return errorResponse(codeBadGateway, msg)
		}
		cl.c.touch()
		describe(cl.ev, cl.in.Body)
		if r := cl.injectFault(); r != nil {
			return r
		}
		if g := cl.s.cfg.Guard; g != nil {
			if err := g(cl.in.Type, cl.in.Headers); err != nil {
				code := codeNoRight
				var coded interface{ ErrorCode() int }
				if errors.As(err, &coded) {
					code = coded.ErrorCode()
				}
				return failed(respType, code, err.Error())
			}
		}
		return fn(cl, req)
	}}
}

// subject is what a request is about, read before its filters run so that
// a refused request is journaled with it too; handlers refine it.
type subject struct {
	Namespace   string `json:"namespace"`
	ServiceName string `json:"serviceName"`
	GroupName   string `json:"groupName"`
	DataID      string `json:"dataId"`
	Group       string `json:"group"`
	Tenant      string `json:"tenant"`
}

func describe(ev *journal.Event, body []byte) {
	var sub subject
	if json.Unmarshal(body, &sub) != nil {
		return
	}
	switch {
	case sub.ServiceName != "":
		ev.Namespace, ev.Group, ev.Service = registry.NormalizeNamespace(sub.Namespace), sub.GroupName, sub.ServiceName
		if ev.Group == "" {
			ev.Group = registry.DefaultGroup
		}
	case sub.DataID != "":
		ev.Namespace, ev.Group, ev.Service = config.NormalizeTenant(sub.Tenant), sub.Group, sub.DataID
	}
}

// begin numbers and stamps a request's event as it arrives, so that it
// stays before the pushes it causes (Config.Begin).
func (s *Server) begin() journal.Event {
	if s.cfg.Begin != nil {
		return s.cfg.Begin()
	}
	return journal.Event{}
}

// decodeBody parses a request body; the answer is the error message, ""
// when it parsed.
func decodeBody(body []byte, v any) string {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return "No content to map due to end-of-input"
	case bytes.Equal(trimmed, []byte("null")):
		return "Invalid request"
	}
	if json.Unmarshal(trimmed, v) != nil {
		// A field of the wrong type (a port "abc", a metadata that is not
		// an object): Jackson's failure as NacosDeserializationException
		// words it (seen on a real 2.4.3).
		return deserializeFailed
	}
	return ""
}

const deserializeFailed = "errCode: 101, errMsg: Nacos deserialize failed.  "

// handleUnary answers one Request.request call, in the order of the real
// GrpcRequestAcceptor (nacos-protocol.md 5.2, 5.3): ServerCheckRequest
// before anything else; an unknown type gets 302; a request on a connection
// that is not registered gets 301; then the handler. Every call is
// journalled once.
func (s *Server) handleUnary(ctx context.Context, in *payload) *payload {
	c := connFrom(ctx)
	ev := s.begin()
	ev.Request = journal.Request{Type: in.Type, Headers: in.Headers, Body: string(in.Body)}
	if c != nil && configTypes[in.Type] {
		defer c.cfgListener.handling()()
	}
	resp := s.dispatch(c, in, &ev)
	out := resp.payload()
	ev.Response = journal.Response{Status: resp.ResultCode, ErrorCode: resp.ErrorCode, Type: resp.Type, Body: string(out.Body)}
	if resp.ResultCode != codeSuccess {
		ev.Rejected, ev.Error = true, resp.Message
	}
	s.record(c, ev)
	return out
}

func (s *Server) dispatch(c *conn, in *payload, ev *journal.Event) *response {
	if in.Type == typeServerCheckRequest {
		ev.Kind = journal.ServerCheck
		if c == nil {
			return errorResponse(codeUnregister, "Connection is unregistered.")
		}
		// The real server registers at ConnectionSetupRequest; registering
		// here already spares a client that sends a request within the
		// 100 ms after setup a spurious 301 (nacos-protocol.md 5.3 step 4).
		// supportAbilityNegotiation is true, as on 2.4.3: clients that send
		// an ability table then wait for the SetupAckRequest that answers
		// their ConnectionSetupRequest (streamMessage).
		c.register()
		c.touch()
		return ok(typeServerCheckResponse, serverCheckFields{ConnectionID: c.id, SupportAbilityNegotiation: true})
	}
	h, found := handlers[in.Type]
	if !found || v3Only[in.Type] && s.mode() != registry.ModeV3 {
		ev.Kind = journal.Unknown
		return errorResponse(codeNoHandler, "RequestHandler Not Found")
	}
	ev.Kind = h.kind
	if c == nil || !c.valid() {
		return errorResponse(codeUnregister, "Connection is unregistered.")
	}
	return h.serve(&call{s: s, c: c, in: in, ev: ev, respType: h.respType})
}

func healthCheck(cl *call, _ *baseRequest) *response {
	return ok(typeHealthCheckResponse, nil)
}
