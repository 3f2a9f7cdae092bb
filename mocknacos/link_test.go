package mocknacos_test

import (
	"testing"

	sdkgrpc "github.com/nacos-group/nacos-sdk-go/v2/api/grpc"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// TestLinksWithNacosSDKv2: a user's test binary imports mocknacos and the
// SDK's generated proto package together. That links and runs without a
// protobuf registration conflict because the mock registers nothing: the
// only "Payload" in the global registry is the SDK's.
func TestLinksWithNacosSDKv2(t *testing.T) {
	_ = mocknacos.Start(t)
	var p sdkgrpc.Payload
	d, err := protoregistry.GlobalFiles.FindDescriptorByName("Payload")
	if err != nil || d.FullName() != p.ProtoReflect().Descriptor().FullName() {
		t.Fatalf("Payload registered by the SDK: %v %v", d, err)
	}
}
