package grpcv2

import (
	"google.golang.org/grpc/encoding"
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
