package grpcv2

import (
	"errors"
	"fmt"
	"sort"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

// The Nacos envelope, encoded by hand (nacos-protocol.md 5.1, 5.2):
//
//	Metadata { type = 3 (string); headers = 7 (map<string,string>); clientIp = 8 (string) }
//	Payload  { metadata = 2 (Metadata); body = 3 (google.protobuf.Any) }
//	Any      { type_url = 1 (string); value = 2 (bytes) }
//
// Nothing is registered with the protobuf runtime: the Nacos proto has no
// package, so a generated copy would collide at init with the one
// github.com/nacos-group/nacos-sdk-go/v2 registers (design.md, "One test
// binary"). The codec is handed to the gRPC server as a server option only.
const (
	fieldPayloadMetadata = 2
	fieldPayloadBody     = 3

	fieldMetadataType     = 3
	fieldMetadataHeaders  = 7
	fieldMetadataClientIP = 8

	fieldAnyTypeURL = 1
	fieldAnyValue   = 2

	fieldMapKey   = 1
	fieldMapValue = 2
)

// payload is one Nacos Payload message.
type payload struct {
	Type     string
	ClientIP string
	Headers  map[string]string
	TypeURL  string // always empty from Nacos peers
	Body     []byte // the JSON object
}

// appendPayload encodes p in field-number order, as protobuf-go does.
func appendPayload(b []byte, p *payload) []byte {
	var md []byte
	if p.Type != "" {
		md = protowire.AppendTag(md, fieldMetadataType, protowire.BytesType)
		md = protowire.AppendString(md, p.Type)
	}
	if len(p.Headers) > 0 {
		keys := make([]string, 0, len(p.Headers))
		for k := range p.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var entry []byte
		for _, k := range keys {
			entry = entry[:0]
			entry = protowire.AppendTag(entry, fieldMapKey, protowire.BytesType)
			entry = protowire.AppendString(entry, k)
			entry = protowire.AppendTag(entry, fieldMapValue, protowire.BytesType)
			entry = protowire.AppendString(entry, p.Headers[k])
			md = protowire.AppendTag(md, fieldMetadataHeaders, protowire.BytesType)
			md = protowire.AppendBytes(md, entry)
		}
	}
	if p.ClientIP != "" {
		md = protowire.AppendTag(md, fieldMetadataClientIP, protowire.BytesType)
		md = protowire.AppendString(md, p.ClientIP)
	}
	b = protowire.AppendTag(b, fieldPayloadMetadata, protowire.BytesType)
	b = protowire.AppendBytes(b, md)

	var body []byte
	if p.TypeURL != "" {
		body = protowire.AppendTag(body, fieldAnyTypeURL, protowire.BytesType)
		body = protowire.AppendString(body, p.TypeURL)
	}
	if len(p.Body) > 0 {
		body = protowire.AppendTag(body, fieldAnyValue, protowire.BytesType)
		body = protowire.AppendBytes(body, p.Body)
	}
	b = protowire.AppendTag(b, fieldPayloadBody, protowire.BytesType)
	b = protowire.AppendBytes(b, body)
	return b
}

var errMalformed = errors.New("malformed protobuf")

// fields walks the top-level fields of a message, calling f for every
// length-delimited one and skipping the others (a field with an unexpected
// wire type is an unknown field, as protobuf-go treats it).
func fields(b []byte, f func(num protowire.Number, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errMalformed
		}
		b = b[n:]
		if typ != protowire.BytesType {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return errMalformed
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return errMalformed
		}
		b = b[n:]
		if err := f(num, v); err != nil {
			return err
		}
	}
	return nil
}

// parsePayload decodes a Payload; unknown fields are ignored.
func parsePayload(b []byte, p *payload) error {
	return fields(b, func(num protowire.Number, v []byte) error {
		switch num {
		case fieldPayloadMetadata:
			return parseMetadata(v, p)
		case fieldPayloadBody:
			return fields(v, func(num protowire.Number, v []byte) error {
				switch num {
				case fieldAnyTypeURL:
					p.TypeURL = string(v)
				case fieldAnyValue:
					p.Body = append([]byte(nil), v...)
				}
				return nil
			})
		}
		return nil
	})
}

func parseMetadata(b []byte, p *payload) error {
	return fields(b, func(num protowire.Number, v []byte) error {
		switch num {
		case fieldMetadataType:
			p.Type = string(v)
		case fieldMetadataClientIP:
			p.ClientIP = string(v)
		case fieldMetadataHeaders:
			var k, val string
			err := fields(v, func(num protowire.Number, v []byte) error {
				switch num {
				case fieldMapKey:
					k = string(v)
				case fieldMapValue:
					val = string(v)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if p.Headers == nil {
				p.Headers = make(map[string]string)
			}
			p.Headers[k] = val
		}
		return nil
	})
}

// codec is the gRPC codec for *payload. Its name is "proto" because the
// bytes are protobuf: clients send content-type application/grpc (or
// application/grpc+proto) and expect the same back.
type codec struct{}

var _ encoding.CodecV2 = codec{}

func (codec) Name() string { return "proto" }

func (codec) Marshal(v any) (mem.BufferSlice, error) {
	p, ok := v.(*payload)
	if !ok {
		return nil, fmt.Errorf("grpcv2 codec: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(appendPayload(nil, p))}, nil
}

func (codec) Unmarshal(data mem.BufferSlice, v any) error {
	p, ok := v.(*payload)
	if !ok {
		return fmt.Errorf("grpcv2 codec: cannot unmarshal into %T", v)
	}
	b := data.Materialize()
	*p = payload{}
	return parsePayload(b, p)
}
