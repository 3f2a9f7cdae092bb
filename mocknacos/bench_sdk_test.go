// Benchmarks with the real nacos-sdk-go v2 client (left out of -race builds,
// as the SDK has races of its own).

//go:build !race

package mocknacos_test

import (
	"testing"

	v2vo "github.com/nacos-group/nacos-sdk-go/v2/vo"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// BenchmarkSDKv2RegisterRoundTrip is one RegisterInstance of nacos-sdk-go
// v2 over loopback gRPC, answered by the mock.
func BenchmarkSDKv2RegisterRoundTrip(b *testing.B) {
	srv := mocknacos.Start(b, mocknacos.WithJournalLimit(1000))
	client := newV2Client(b, srv)
	p := v2vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, ServiceName: "bench", Weight: 1, Enable: true, Healthy: true, Ephemeral: true}
	if ok, err := client.RegisterInstance(p); !ok || err != nil {
		b.Fatalf("register: %v %v", ok, err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, err := client.RegisterInstance(p); !ok || err != nil {
			b.Fatalf("register: %v %v", ok, err)
		}
	}
}
