package grpcv2

import (
	"bytes"
	"os"
	"strings"
	"testing"

	nacosgrpc "github.com/nacos-group/nacos-sdk-go/v2/api/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"
)

// TestLinksWithSDK proves the package links into one binary with
// nacos-sdk-go/v2, whose generated nacos_grpc_service.proto registers the
// package-less messages "Payload" and "Metadata" globally (design.md, "One
// test binary"): a conflicting registration would have failed at init, or
// needed GOLANG_PROTOBUF_REGISTRATION_CONFLICT. It also checks our hand
// encoding against the SDK's generated code, both ways.
func TestLinksWithSDK(t *testing.T) {
	if v := os.Getenv("GOLANG_PROTOBUF_REGISTRATION_CONFLICT"); v != "" {
		t.Fatalf("GOLANG_PROTOBUF_REGISTRATION_CONFLICT=%q is set; the test must pass without it", v)
	}
	// The only registered "Payload" is the SDK's.
	d, err := protoregistry.GlobalFiles.FindDescriptorByName("Payload")
	if err != nil || !strings.HasSuffix(d.ParentFile().Path(), "nacos_grpc_service.proto") {
		t.Fatalf("Payload descriptor: %v %v", d, err)
	}

	ours := &payload{Type: "InstanceRequest", ClientIP: "10.0.0.7",
		Headers: map[string]string{"accessToken": "t", "app": "unknown"}, Body: []byte(`{"a":1}`)}
	var theirs nacosgrpc.Payload
	if err := proto.Unmarshal(appendPayload(nil, ours), &theirs); err != nil {
		t.Fatal(err)
	}
	md := theirs.GetMetadata()
	if md.GetType() != ours.Type || md.GetClientIp() != ours.ClientIP || len(md.GetHeaders()) != 2 ||
		md.GetHeaders()["accessToken"] != "t" || string(theirs.GetBody().GetValue()) != `{"a":1}` || theirs.GetBody().GetTypeUrl() != "" {
		t.Fatalf("SDK decoded %v", &theirs)
	}

	b, err := proto.Marshal(&nacosgrpc.Payload{
		Metadata: &nacosgrpc.Metadata{Type: "HealthCheckRequest", ClientIp: "10.0.0.8", Headers: map[string]string{"k": "v"}},
		Body:     &anypb.Any{TypeUrl: "x", Value: []byte(`{}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var back payload
	if err := parsePayload(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Type != "HealthCheckRequest" || back.ClientIP != "10.0.0.8" || back.Headers["k"] != "v" ||
		back.TypeURL != "x" || !bytes.Equal(back.Body, []byte(`{}`)) {
		t.Fatalf("we decoded %+v", back)
	}
	// Byte-identical to protobuf-go's deterministic output.
	again, err := proto.MarshalOptions{Deterministic: true}.Marshal(&theirs)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, appendPayload(nil, ours)) {
		t.Fatalf("encodings differ:\n%x\n%x", again, appendPayload(nil, ours))
	}
}

func TestParsePayloadRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{{0x12}, {0x12, 0x05, 0x1a}, {0xff, 0xff, 0xff}} {
		var p payload
		if err := parsePayload(b, &p); err == nil {
			t.Errorf("%x parsed", b)
		}
	}
}
