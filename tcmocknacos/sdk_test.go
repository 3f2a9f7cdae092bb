// These tests drive the real nacos-sdk-go clients (v2 over gRPC, v1 over
// HTTP) against the container. The SDKs have data races of their own, so
// this file is left out of -race builds.

//go:build !race

package tcmocknacos_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	v1clients "github.com/nacos-group/nacos-sdk-go/clients"
	v1constant "github.com/nacos-group/nacos-sdk-go/common/constant"
	"github.com/nacos-group/nacos-sdk-go/v2/clients"
	"github.com/nacos-group/nacos-sdk-go/v2/common/constant"
	v2logger "github.com/nacos-group/nacos-sdk-go/v2/common/logger"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"
	v1vo "github.com/nacos-group/nacos-sdk-go/vo"

	"github.com/mocknacos/mocknacos/mocknacos"
	"github.com/mocknacos/mocknacos/tcmocknacos"
)

// sdkDir is where the SDKs may write caches and logs: nowhere (a directory
// below /dev/null cannot be created), since their goroutines can outlive a
// test's TempDir. Logs go to a no-op logger.
var sdkDir = filepath.Join(os.DevNull, "nacos-sdk-go")

func init() {
	// v2 logs through one global logger, which a client only creates when
	// none is set.
	v2logger.SetLogger(&v2logger.NacosLogger{SugaredLogger: zap.NewNop().Sugar()})
}

func within(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}

// waitForEvent polls the journal until an event matching q satisfies ok.
func waitForEvent(t *testing.T, ctx context.Context, c *tcmocknacos.Container, q mocknacos.Query,
	ok func(mocknacos.Event) bool) mocknacos.Event {
	t.Helper()
	for {
		events, err := c.Journal(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if ok(e) {
				return e
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no event matching %+v came: %v", q, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// instance finds ip:port of service in the mock's registry.
func instance(t *testing.T, c *tcmocknacos.Container, service, ip string, port int) (mocknacos.AdminInstance, bool) {
	t.Helper()
	services, err := c.Services(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range services {
		for _, in := range s.Instances {
			if s.Name == service && in.IP == ip && in.Port == port {
				return in, true
			}
		}
	}
	return mocknacos.AdminInstance{}, false
}

// TestSDKv2RegisterThenRestart: nacos-sdk-go v2 registers over gRPC (on
// P+1000 of the address it was given), the journal shows it, and after a
// Restart of the mock the client reconnects and registers again.
func TestSDKv2RegisterThenRestart(t *testing.T) {
	c := runMock(t)
	ctx := within(t, 60*time.Second)
	client, err := clients.NewNamingClient(vo.NacosClientParam{
		ClientConfig:  &constant.ClientConfig{TimeoutMs: 3000, NotLoadCacheAtStart: true, LogDir: sdkDir, CacheDir: sdkDir},
		ServerConfigs: []constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(c.Port()), ContextPath: "/nacos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseClient()
	if ok, err := client.RegisterInstance(vo.RegisterInstanceParam{ServiceName: "orders", Ip: "127.0.0.1", Port: 8080,
		Weight: 1, Enable: true, Healthy: true, Ephemeral: true}); !ok || err != nil {
		t.Fatalf("RegisterInstance: %v %v", ok, err)
	}
	q := mocknacos.Query{Kind: mocknacos.KindRegister, Protocol: mocknacos.ProtocolGRPC, Service: "orders"}
	regs, err := c.WaitForEvents(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	first := regs[0]
	if first.IP != "127.0.0.1" || first.Port != 8080 || first.ConnectionID == "" || first.Request.Type != "InstanceRequest" {
		t.Fatalf("journaled registration: %+v", first)
	}
	if in, ok := instance(t, c, "orders", "127.0.0.1", 8080); !ok || !in.Healthy || in.Protocol != "grpc" {
		t.Fatalf("registry: %+v %v", in, ok)
	}

	before, err := c.Journal(ctx, mocknacos.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// The client notices its connection broke, reconnects, and redoes its
	// registration on the new connection.
	again := waitForEvent(t, ctx, c, q, func(e mocknacos.Event) bool { return e.Seq > before[len(before)-1].Seq })
	if again.ConnectionID == first.ConnectionID || again.IP != "127.0.0.1" || again.Port != 8080 {
		t.Fatalf("after Restart: %+v (first on connection %s)", again, first.ConnectionID)
	}
	if _, ok := instance(t, c, "orders", "127.0.0.1", 8080); !ok {
		t.Fatal("the re-registered instance is not in the registry")
	}
}

// TestSDKv1UnhealthyOnAdvance: nacos-sdk-go v1 registers over HTTP and
// beats; with its beats discarded (a fault), advancing the frozen clock by
// 16 s makes the instance unhealthy and by 31 s removes it, as the real
// server's 15 s / 30 s timeouts do.
func TestSDKv1UnhealthyOnAdvance(t *testing.T) {
	c := runMock(t, tcmocknacos.WithFrozenClock())
	ctx := within(t, 30*time.Second)
	client, err := v1clients.NewNamingClient(v1vo.NacosClientParam{
		ClientConfig: &v1constant.ClientConfig{TimeoutMs: 3000, BeatInterval: 5000, NotLoadCacheAtStart: true,
			LogDir: sdkDir, CacheDir: sdkDir, CustomLogger: zap.NewNop().Sugar()},
		ServerConfigs: []v1constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(c.Port()), ContextPath: "/nacos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := v1vo.RegisterInstanceParam{ServiceName: "billing", Ip: "127.0.0.1", Port: 9090, Weight: 1, Enable: true,
		Healthy: true, Ephemeral: true}
	if ok, err := client.RegisterInstance(reg); !ok || err != nil {
		t.Fatalf("RegisterInstance: %v %v", ok, err)
	}
	// v1.1.6 cannot close a client: deregistering stops its beats.
	defer client.DeregisterInstance(v1vo.DeregisterInstanceParam{ServiceName: "billing", Ip: "127.0.0.1", Port: 9090,
		Ephemeral: true})
	if _, err := c.WaitForEvents(ctx, mocknacos.Query{Kind: mocknacos.KindRegister, Protocol: mocknacos.ProtocolHTTP,
		Service: "billing", Port: 9090}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForEvents(ctx, mocknacos.Query{Kind: mocknacos.KindBeat, Service: "billing", Port: 9090}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.InjectFault(ctx, mocknacos.Fault{Path: "/nacos/v1/ns/instance/beat", Service: "billing", Discard: true}); err != nil {
		t.Fatal(err)
	}

	if err := c.Advance(ctx, 16*time.Second); err != nil {
		t.Fatal(err)
	}
	if in, ok := instance(t, c, "billing", "127.0.0.1", 9090); !ok || in.Healthy || in.Protocol != "http" {
		t.Fatalf("16 s without a beat: %+v (present %v), want unhealthy", in, ok)
	}
	if err := c.Advance(ctx, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	if in, ok := instance(t, c, "billing", "127.0.0.1", 9090); ok {
		t.Fatalf("31 s without a beat: still %+v", in)
	}
}
