// The tests in this file drive the real nacos-sdk-go v2 client. The SDK has
// data races of its own (in its rpc client and caches), so this file is
// excluded from -race builds; run it with plain `go test` (the Makefile runs
// the package once with -race, once without).

//go:build !race

package grpcv2

import (
	"context"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nacos-group/nacos-sdk-go/v2/clients"
	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client/naming_cache"
	"github.com/nacos-group/nacos-sdk-go/v2/common/constant"
	"github.com/nacos-group/nacos-sdk-go/v2/common/http_agent"
	"github.com/nacos-group/nacos-sdk-go/v2/model"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// sdkEnv is a gRPC server on P+1000 for a reserved port P, which is what
// the SDK is given (it derives the gRPC port as P+1000).
type sdkEnv struct {
	*testEnv
	port int
}

func startSDKServer(t *testing.T) *sdkEnv {
	t.Helper()
	for i := 0; i < 50; i++ {
		httpLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := httpLn.Addr().(*net.TCPAddr).Port
		grpcLn, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1000))
		if err != nil {
			httpLn.Close()
			continue
		}
		// P stays reserved (nothing is served on it: these clients use
		// only gRPC) until the test ends.
		t.Cleanup(func() { httpLn.Close() })
		return &sdkEnv{testEnv: startServer(t, grpcLn, nil), port: p}
	}
	t.Fatal("no free port pair")
	return nil
}

func (e *sdkEnv) clientConfig(t *testing.T) (constant.ClientConfig, []constant.ServerConfig) {
	cc := constant.ClientConfig{
		TimeoutMs:            3000,
		NotLoadCacheAtStart:  true,
		UpdateCacheWhenEmpty: true,
		LogLevel:             "error",
		CacheDir:             t.TempDir(),
		LogDir:               t.TempDir(),
	}
	return cc, []constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(e.port)}}
}

func (e *sdkEnv) client(t *testing.T) naming_client.INamingClient {
	t.Helper()
	cc, sc := e.clientConfig(t)
	cli, err := clients.NewNamingClient(vo.NacosClientParam{ClientConfig: &cc, ServerConfigs: sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cli.CloseClient)
	return cli
}

func register(t *testing.T, cli naming_client.INamingClient, service, ip string, port uint64) {
	t.Helper()
	ok, err := cli.RegisterInstance(vo.RegisterInstanceParam{Ip: ip, Port: port, ServiceName: service, Weight: 1,
		Enable: true, Healthy: true, Ephemeral: true, Metadata: map[string]string{"zone": "a"}})
	if err != nil || !ok {
		t.Fatalf("register %s %s:%d: %v %v", service, ip, port, ok, err)
	}
}

// views collects what a subscribe callback is given.
type views struct {
	mu  sync.Mutex
	got [][]string
	ch  chan struct{}
}

func newViews() *views { return &views{ch: make(chan struct{}, 100)} }

func (v *views) callback(services []model.Instance, err error) {
	var addrs []string
	for _, in := range services {
		addrs = append(addrs, in.Ip+":"+strconv.FormatUint(in.Port, 10))
	}
	slices.Sort(addrs)
	v.mu.Lock()
	v.got = append(v.got, addrs)
	v.mu.Unlock()
	v.ch <- struct{}{}
}

// waitView waits until the callback was last given exactly want.
func (v *views) waitView(t *testing.T, want ...string) {
	t.Helper()
	slices.Sort(want)
	deadline := time.After(10 * time.Second)
	for {
		v.mu.Lock()
		var last []string
		if len(v.got) > 0 {
			last = v.got[len(v.got)-1]
		}
		all := slices.Clone(v.got)
		v.mu.Unlock()
		if len(all) > 0 && slices.Equal(last, want) {
			return
		}
		select {
		case <-v.ch:
		case <-deadline:
			t.Fatalf("callback never saw %v; saw %v", want, all)
		}
	}
}

func TestSDKRegisterSubscribeAndDrop(t *testing.T) {
	env := startSDKServer(t)
	a, b, watcher := env.client(t), env.client(t), env.client(t)

	start := time.Now()
	register(t, a, "orders", "10.0.0.1", 8080)
	t.Logf("first register (connect included): %v", time.Since(start))
	start = time.Now()
	register(t, a, "payments", "10.0.0.1", 8081)
	t.Logf("register round trip: %v", time.Since(start))

	// The subscriber's callback sees the initial view, then every change.
	v := newViews()
	if err := watcher.Subscribe(&vo.SubscribeParam{ServiceName: "orders", SubscribeCallback: v.callback}); err != nil {
		t.Fatal(err)
	}
	v.waitView(t, "10.0.0.1:8080")
	register(t, b, "orders", "10.0.0.2", 8080)
	v.waitView(t, "10.0.0.1:8080", "10.0.0.2:8080")

	// One client closes: the other's subscription is pushed the removal.
	a.CloseClient()
	v.waitView(t, "10.0.0.2:8080")

	// Deregister empties the service (seen because UpdateCacheWhenEmpty).
	ok, err := b.DeregisterInstance(vo.DeregisterInstanceParam{Ip: "10.0.0.2", Port: 8080, ServiceName: "orders", Ephemeral: true})
	if err != nil || !ok {
		t.Fatalf("deregister: %v %v", ok, err)
	}
	v.waitView(t)

	waitFor(t, "three pushes acknowledged", func() bool {
		return len(env.rec.kind(journal.Push)) >= 3 && len(env.rec.kind(journal.PushAck)) >= 3
	})
	setups := env.rec.kind(journal.Setup)
	if len(setups) < 3 {
		t.Fatalf("setups: %+v", setups)
	}
	conns := env.srv.Connections()
	if len(conns) != 2 || conns[0].Labels["module"] != "naming" || conns[0].ClientVersion == "" {
		t.Fatalf("connections: %+v", conns)
	}
}

func TestSDKServiceListSelectAndQuery(t *testing.T) {
	env := startSDKServer(t)
	cli := env.client(t)
	register(t, cli, "orders", "10.0.0.1", 8080)
	register(t, cli, "payments", "10.0.0.1", 8081)

	list, err := cli.GetAllServicesInfo(vo.GetAllServiceInfoParam{PageNo: 1, PageSize: 10})
	if err != nil || list.Count != 2 || !slices.Equal(list.Doms, []string{"orders", "payments"}) {
		t.Fatalf("service list: %+v %v", list, err)
	}

	other := env.client(t)
	ins, err := other.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: "orders"})
	if err != nil || len(ins) != 1 || ins[0].Ip != "10.0.0.1" || ins[0].Port != 8080 || ins[0].Metadata["zone"] != "a" ||
		ins[0].InstanceId != "10.0.0.1#8080#DEFAULT#DEFAULT_GROUP@@orders" && ins[0].InstanceId != "10.0.0.1#8080##DEFAULT_GROUP@@orders" {
		t.Fatalf("select all: %+v %v", ins, err)
	}

	// ServiceQueryRequest: the Go SDK sends it only from its async updater
	// (every cacheMillis), so drive the SDK's own gRPC proxy directly.
	cc, sc := env.clientConfig(t)
	cc.NamespaceId = constant.DEFAULT_NAMESPACE_ID
	proxy, err := naming_client.NewNamingProxyDelegate(context.Background(), cc, sc, &http_agent.HttpAgent{},
		naming_cache.NewServiceInfoHolder(cc.NamespaceId, cc.CacheDir, true, true))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.CloseClient()
	svc, err := proxy.QueryInstancesOfService("orders", "DEFAULT_GROUP", "", 0, false)
	if err != nil || svc.Name != "orders" || len(svc.Hosts) != 1 || svc.Hosts[0].Ip != "10.0.0.1" || svc.CacheMillis != 10000 {
		t.Fatalf("service query: %+v %v", svc, err)
	}
	if q := env.rec.kind(journal.ServiceQuery); len(q) != 1 || q[0].Rejected || q[0].Service != "orders" {
		t.Fatalf("service-query events: %+v", q)
	}
}

// TestSDKReconnectsAfterServerClose: closing a connection on the server
// side closes its transport, so the SDK's stream breaks and it reconnects
// and re-registers at once (nacos-protocol.md 5.3 step 5).
func TestSDKReconnectsAfterServerClose(t *testing.T) {
	env := startSDKServer(t)
	cli := env.client(t)
	register(t, cli, "orders", "10.0.0.1", 8080)
	first := env.srv.Connections()
	if len(first) != 1 {
		t.Fatalf("connections %+v", first)
	}
	if !env.srv.CloseConnection(first[0].ID) {
		t.Fatal("not closed")
	}
	waitFor(t, "re-registration on a new connection", func() bool {
		st := env.reg.Snapshot()
		return len(st) == 1 && len(st[0].Instances) == 1 && st[0].Instances[0].Owner != first[0].ID
	})
}

// TestSDKSurvivesServerRestart: a new server on the same port is
// re-populated by the client's redo of its registrations and subscriptions
// (what mocknacos.Server.Restart relies on).
func TestSDKSurvivesServerRestart(t *testing.T) {
	env := startSDKServer(t)
	cli := env.client(t)
	register(t, cli, "orders", "10.0.0.1", 8080)
	v := newViews()
	if err := cli.Subscribe(&vo.SubscribeParam{ServiceName: "orders", SubscribeCallback: v.callback}); err != nil {
		t.Fatal(err)
	}
	v.waitView(t, "10.0.0.1:8080")

	env.srv.Stop()
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(env.port+1000))
	if err != nil {
		t.Fatal(err)
	}
	again := startServer(t, ln, nil)
	waitFor(t, "re-registration after restart", func() bool { return instanceCount(again.reg) == 1 })
	waitFor(t, "re-subscription after restart", func() bool {
		st := again.reg.Snapshot()
		return len(st) == 1 && len(st[0].Subscribers) == 1
	})
	// The new server pushes to the re-subscribed client.
	other := dial(t, ln.Addr().String())
	other.connect()
	other.must(typeInstanceRequest, registerBody("orders", "10.0.0.2", 8080, ""))
	v.waitView(t, "10.0.0.1:8080", "10.0.0.2:8080")
}
