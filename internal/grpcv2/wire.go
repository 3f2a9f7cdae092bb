package grpcv2

import (
	"google.golang.org/grpc/encoding"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// Payload is the Nacos envelope (codec.go), for the recording proxy and
// replay, which speak the protocol as a client does.
type Payload = payload

// EncodePayload appends p's protobuf encoding to b.
func EncodePayload(b []byte, p *Payload) []byte { return appendPayload(b, p) }

// DecodePayload decodes a Payload message; unknown fields are ignored.
func DecodePayload(b []byte, p *Payload) error {
	*p = Payload{}
	return parsePayload(b, p)
}

// Codec is the gRPC codec for *Payload, for a client's calls
// (grpc.ForceCodecV2) as for the server.
func Codec() encoding.CodecV2 { return codec{} }

// The two methods of the Nacos gRPC API (service_desc.go).
const (
	MethodRequest   = "/Request/request"
	MethodBiStream  = "/BiRequestStream/requestBiStream"
	ServiceRequest  = "Request"
	ServiceBiStream = "BiRequestStream"
)

// ResponseOf is a server's answer as the journal records it: resultCode
// as the status, errorCode, type and body.
func ResponseOf(p *Payload) journal.Response {
	code, errorCode, _ := answerOf(p)
	return journal.Response{Status: code, ErrorCode: errorCode, Type: p.Type, Body: string(p.Body)}
}

// Describe fills an event's subject (namespace, group, service; or a
// config's tenant, group, dataId) from a request body, as the mock
// journals its own requests.
func Describe(ev *journal.Event, body []byte) { describe(ev, body) }
