// These tests drive the real nacos-sdk-go v2 client (gRPC) against Start(t).
// The SDK has data races of its own, so this file is left out of -race
// builds; `make test` runs the package once with -race and once without.

//go:build !race

package mocknacos_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nacos-group/nacos-sdk-go/v2/clients"
	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/v2/common/constant"
	"github.com/nacos-group/nacos-sdk-go/v2/model"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"

	"github.com/mocknacos/mocknacos/mocknacos"
)

func newV2Client(t testing.TB, srv *mocknacos.Server) naming_client.INamingClient {
	t.Helper()
	dir := sdkv2Dir(t)
	c, err := clients.NewNamingClient(vo.NacosClientParam{
		ClientConfig: &constant.ClientConfig{TimeoutMs: 3000, NotLoadCacheAtStart: true, UpdateCacheWhenEmpty: true,
			LogDir: dir, CacheDir: dir, LogLevel: "error"},
		ServerConfigs: []constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(srv.Port()), ContextPath: "/nacos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseClient)
	return c
}

// TestV2RegisterSubscribeAcrossProtocols: a gRPC subscriber sees an
// instance registered over 1.x HTTP, and an HTTP poller sees one registered
// over gRPC; closing the gRPC client removes its instance and pushes the
// removal.
func TestV2RegisterSubscribeAcrossProtocols(t *testing.T) {
	srv := mocknacos.Start(t)
	dumpJournalOnFailure(t, srv)
	provider := newV2Client(t, srv)
	consumer := newV2Client(t, srv)

	views := make(chan []model.Instance, 16)
	if err := consumer.Subscribe(&vo.SubscribeParam{ServiceName: "orders", SubscribeCallback: func(s []model.Instance, err error) {
		views <- s
	}}); err != nil {
		t.Fatal(err)
	}
	ok, err := provider.RegisterInstance(vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, ServiceName: "orders",
		Weight: 2, Enable: true, Healthy: true, Ephemeral: true, ClusterName: "A", Metadata: map[string]string{"zone": "z1"}})
	if !ok || err != nil {
		t.Fatalf("register: %v %v", ok, err)
	}
	resp, err := http.Post(srv.URL()+"/v1/ns/instance?serviceName=orders&ip=127.0.0.1&port=8081", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("http register: %v %v", resp, err)
	}
	resp.Body.Close()
	waitView(t, views, 2)

	in := srv.Instances("orders")
	if len(in) != 2 || in[0].Cluster != "A" || in[0].Weight != 2 || in[0].Metadata["zone"] != "z1" || in[0].Source != mocknacos.SourceGRPC {
		t.Fatalf("mock holds %+v", in)
	}
	regs := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindRegister, Service: "orders"})
	if len(regs) != 1 || regs[0].IP != "127.0.0.1" || regs[0].Port != 8080 || regs[0].ConnectionID == "" || regs[0].Request.Type != "InstanceRequest" {
		t.Fatalf("journal: %+v", regs)
	}

	// The subscriber, new to the service, is pushed its (empty) view, as a
	// real 2.4.3 does, and the push a registration causes is journaled
	// after the registration. The SDK may send its subscribe twice (its
	// redo on connect races the call), so the empty view can still wait
	// for the stream when the registration's is sent: it is then dropped,
	// never shown after a newer one. Every push is newer than the last.
	pushes := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindPush})
	first8080 := -1
	var last int64
	for i, p := range pushes {
		var body struct {
			ServiceInfo struct{ LastRefTime int64 } `json:"serviceInfo"`
		}
		if err := json.Unmarshal([]byte(p.Request.Body), &body); err != nil {
			t.Fatal(err)
		}
		if body.ServiceInfo.LastRefTime <= last {
			t.Fatalf("push %d (seq %d) has lastRefTime %d, not newer than %d", i, p.Seq, body.ServiceInfo.LastRefTime, last)
		}
		last = body.ServiceInfo.LastRefTime
		if first8080 < 0 && strings.Contains(p.Request.Body, `"port":8080`) {
			first8080 = i
		}
	}
	switch {
	case first8080 < 0 || pushes[first8080].Seq < regs[0].Seq:
		t.Fatalf("no push of the registration after it (seq %d): %+v", regs[0].Seq, pushes)
	case first8080 > 1 || first8080 == 1 && !strings.Contains(pushes[0].Request.Body, `"hosts":[]`):
		t.Fatalf("pushes before the registration's: want only the subscriber's empty view: %+v", pushes[:first8080])
	}

	provider.CloseClient()
	waitView(t, views, 1)
	if err := srv.WaitForInstances("orders", 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindPush}); n < 2 {
		t.Fatalf("pushes journaled: %d", n)
	}
}

func waitView(t *testing.T, views <-chan []model.Instance, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case v := <-views:
			if len(v) == n {
				return
			}
		case <-deadline:
			t.Fatalf("no view with %d instances pushed", n)
		}
	}
}

// TestV2TwoClientsPublishTheSameInstance: two connections register the same
// address. Subscribers see it once (the 2.x server shows identical
// instances once); the mock holds one per client, and when one client
// closes, the other's registration keeps the instance in place.
func TestV2TwoClientsPublishTheSameInstance(t *testing.T) {
	srv := mocknacos.Start(t)
	first, second := newV2Client(t, srv), newV2Client(t, srv)
	consumer := newV2Client(t, srv)
	views := make(chan []model.Instance, 16)
	if err := consumer.Subscribe(&vo.SubscribeParam{ServiceName: "dup", SubscribeCallback: func(s []model.Instance, err error) {
		views <- s
	}}); err != nil {
		t.Fatal(err)
	}
	reg := vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, ServiceName: "dup", Weight: 1, Enable: true,
		Healthy: true, Ephemeral: true, Metadata: map[string]string{"v": "1"}}
	for _, c := range []naming_client.INamingClient{first, second} {
		if ok, err := c.RegisterInstance(reg); !ok || err != nil {
			t.Fatalf("register: %v %v", ok, err)
		}
	}
	if err := srv.WaitFor(5*time.Second, func() bool { return len(srv.Instances("dup")) == 2 }); err != nil {
		t.Fatalf("one instance per client expected: %+v", srv.Instances("dup"))
	}
	held := srv.Instances("dup")
	if held[0].Owner == held[1].Owner || held[0].Owner == "" {
		t.Fatalf("owners: %q %q", held[0].Owner, held[1].Owner)
	}
	// SelectAllInstances answers from the subscription's cache: wait for
	// the push that fills it (the mock held both before the SDK had it).
	waitView(t, views, 1)
	got, err := consumer.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: "dup"})
	if err != nil || len(got) != 1 || got[0].Port != 8080 {
		t.Fatalf("clients see %+v (%v), want the address once", got, err)
	}

	first.CloseClient()
	if err := srv.WaitFor(5*time.Second, func() bool { return len(srv.Instances("dup")) == 1 }); err != nil {
		t.Fatalf("after the first client closed: %+v", srv.Instances("dup"))
	}
	// Hold on a moment so that a push the close caused arrives, then the
	// consumer must still see the instance.
	time.Sleep(200 * time.Millisecond)
	got, err = consumer.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: "dup"})
	if err != nil || len(got) != 1 {
		t.Fatalf("after one of two publishers closed, clients see %+v (%v)", got, err)
	}
	second.CloseClient()
	waitView(t, views, 0)
}

// TestAdminServicesGRPCSinceLastBeat: GET /__mock/services times a gRPC
// instance from its connection's last health check on the mock clock (the
// SDK checks every 5 s of wall time), not from its registration.
func TestAdminServicesGRPCSinceLastBeat(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	c := newV2Client(t, srv)
	if ok, err := c.RegisterInstance(vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, ServiceName: "orders",
		Weight: 1, Enable: true, Healthy: true, Ephemeral: true}); !ok || err != nil {
		t.Fatalf("register: %v %v", ok, err)
	}
	srv.Advance(time.Minute)
	if _, err := srv.WaitForEvents(mocknacos.Query{Kind: mocknacos.KindHealthCheck}, 1, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	srv.Advance(2 * time.Second)
	resp, err := http.Get("http://" + srv.Addr() + "/__mock/services")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var services []mocknacos.AdminService
	if err := json.NewDecoder(resp.Body).Decode(&services); err != nil {
		t.Fatal(err)
	}
	if len(services) != 1 || len(services[0].Instances) != 1 {
		t.Fatalf("services: %+v", services)
	}
	// (The SDK's redo task may register again after the first Advance: the
	// registration time is not asserted, only that the health check counts.)
	in := services[0].Instances[0]
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if in.Protocol != mocknacos.ProtocolGRPC || !in.LastBeat.Equal(start.Add(time.Minute)) || in.SinceLastBeat != "2s" {
		t.Errorf("gRPC instance: registered %v, last beat %v, since %s; want the health check at +1m, 2s ago",
			in.RegisteredTime, in.LastBeat, in.SinceLastBeat)
	}
}
