package mocknacos_test

// Scenarios driven by the real nacos-sdk-go v1 (1.1.6, the HTTP client):
// registration, beats, expiry on the mock clock, deregistration, and a
// subscriber fed by the mock's UDP pushes.
//
// nacos-sdk-go v1.1.6 has no way to close a naming client: its beat, poll
// and push-receiver goroutines outlive each test. So every test uses its own
// service names (a leftover client beating at a recycled port cannot touch
// another test's services), deregisters what it registered, and points
// the client's cache where no file can be written.

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nacos-group/nacos-sdk-go/clients"
	"github.com/nacos-group/nacos-sdk-go/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/common/constant"
	"github.com/nacos-group/nacos-sdk-go/model"
	"github.com/nacos-group/nacos-sdk-go/util"
	"github.com/nacos-group/nacos-sdk-go/vo"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// quietLogger discards the SDK's logs (it would otherwise write files, and
// a test's t.Log cannot be used by goroutines that outlive the test).
type quietLogger struct{}

func (quietLogger) Info(...interface{})           {}
func (quietLogger) Warn(...interface{})           {}
func (quietLogger) Error(...interface{})          {}
func (quietLogger) Debug(...interface{})          {}
func (quietLogger) Infof(string, ...interface{})  {}
func (quietLogger) Warnf(string, ...interface{})  {}
func (quietLogger) Errorf(string, ...interface{}) {}
func (quietLogger) Debugf(string, ...interface{}) {}

var localIPOnce sync.Once

// newV1Client is a nacos-sdk-go v1 naming client of srv, configured as
// users configure it in tests.
func newV1Client(t *testing.T, srv *mocknacos.Server) naming_client.INamingClient {
	t.Helper()
	// The client writes every change it sees to a cache directory, from
	// goroutines that outlive the test (a push can land after the test's
	// TempDir is being removed). A directory below /dev/null cannot be
	// created, so it writes nothing, anywhere; it then logs an error to
	// quietLogger and carries on.
	dir := filepath.Join(os.DevNull, "nacos-sdk-go-cache")
	c, err := clients.NewNamingClient(vo.NacosClientParam{
		ClientConfig: &constant.ClientConfig{
			NamespaceId:          "",
			TimeoutMs:            3000,
			BeatInterval:         5000,
			NotLoadCacheAtStart:  true,
			UpdateCacheWhenEmpty: true,
			CacheDir:             dir,
			LogDir:               dir,
			LogLevel:             "error",
			CustomLogger:         quietLogger{},
		},
		ServerConfigs: []constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(srv.Port()), ContextPath: "/nacos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// util.LocalIP caches the address in a global on first use, unguarded:
	// fill it once, before any client queries (and after the client has
	// installed quietLogger), so that parallel clients under -race do not
	// trip over the SDK's own data race.
	localIPOnce.Do(func() { _ = util.LocalIP() })
	return c
}

// sdkRegister registers an instance through the client and deregisters it at
// the end of the test (which also stops its beats).
func sdkRegister(t *testing.T, c naming_client.INamingClient, p vo.RegisterInstanceParam) {
	t.Helper()
	ok, err := c.RegisterInstance(p)
	if err != nil || !ok {
		t.Fatalf("RegisterInstance(%s %s:%d): %v %v", p.ServiceName, p.Ip, p.Port, ok, err)
	}
	t.Cleanup(func() {
		_, _ = c.DeregisterInstance(vo.DeregisterInstanceParam{Ip: p.Ip, Port: p.Port, ServiceName: p.ServiceName,
			GroupName: p.GroupName, Cluster: p.ClusterName, Ephemeral: p.Ephemeral})
	})
}

// uniqueName is a service name of this test only.
func uniqueName(_ *testing.T, base string) string {
	return fmt.Sprintf("%s-%d", base, time.Now().UnixNano()%1e9)
}

// TestSDKv1RegisterWithMetadataWeightCluster: what the client registered is
// what the mock holds and what the client lists.
func TestSDKv1RegisterWithMetadataWeightCluster(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	client := newV1Client(t, srv)
	svc := uniqueName(t, "orders")
	md := map[string]string{"version": "1.4.2", "zone": "eu-1"}
	sdkRegister(t, client, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, Weight: 2.5, Enable: true, Healthy: true,
		Metadata: md, ClusterName: "blue", ServiceName: svc, Ephemeral: true})
	sdkRegister(t, client, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8081, Weight: 1, Enable: true, Healthy: true,
		ClusterName: "green", ServiceName: svc, Ephemeral: true})

	// The mock's view.
	ins := srv.Instances(svc)
	if len(ins) != 2 {
		t.Fatalf("mock holds %+v, want 2 instances", ins)
	}
	blue := ins[0]
	wantID := "127.0.0.1#8080#blue#DEFAULT_GROUP@@" + svc
	if blue.IP != "127.0.0.1" || blue.Port != 8080 || blue.Cluster != "blue" || blue.Weight != 2.5 ||
		!blue.Healthy || !blue.Enabled || !blue.Ephemeral || blue.InstanceID != wantID ||
		len(blue.Metadata) != 2 || blue.Metadata["version"] != "1.4.2" || blue.Metadata["zone"] != "eu-1" {
		t.Errorf("mock instance = %+v", blue)
	}

	// The client's view of the blue cluster: the same fields.
	got, err := client.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: svc, Clusters: []string{"blue"}})
	if err != nil || len(got) != 1 {
		t.Fatalf("SelectAllInstances(blue) = %+v, %v", got, err)
	}
	h := got[0]
	if h.Ip != blue.IP || int(h.Port) != blue.Port || h.ClusterName != blue.Cluster || h.Weight != blue.Weight ||
		h.Healthy != blue.Healthy || h.Enable != blue.Enabled || h.Ephemeral != blue.Ephemeral ||
		h.InstanceId != blue.InstanceID || h.ServiceName != "DEFAULT_GROUP@@"+svc ||
		len(h.Metadata) != 2 || h.Metadata["version"] != "1.4.2" || h.Metadata["zone"] != "eu-1" {
		t.Errorf("client sees %+v, mock holds %+v", h, blue)
	}

	// Both clusters; SelectInstances(HealthyOnly) keeps healthy, enabled,
	// weighted instances.
	all, err := client.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: svc})
	if err != nil || len(all) != 2 {
		t.Fatalf("SelectAllInstances() = %+v, %v", all, err)
	}
	healthy, err := client.SelectInstances(vo.SelectInstancesParam{ServiceName: svc, HealthyOnly: true})
	if err != nil || len(healthy) != 2 {
		t.Fatalf("SelectInstances(healthy) = %+v, %v", healthy, err)
	}
	one, err := client.SelectOneHealthyInstance(vo.SelectOneHealthInstanceParam{ServiceName: svc, Clusters: []string{"green"}})
	if err != nil || one.Port != 8081 {
		t.Fatalf("SelectOneHealthyInstance(green) = %+v, %v", one, err)
	}

	// The journal recorded both registrations as the contract names them.
	regs := srv.Find(mocknacos.Query{Kind: mocknacos.KindRegister, Service: svc})
	if len(regs) != 2 {
		t.Fatalf("register events = %+v", regs)
	}
	e := regs[0]
	if e.Protocol != mocknacos.ProtocolHTTP || e.Namespace != "public" || e.Group != "DEFAULT_GROUP" || e.Service != svc ||
		e.IP != "127.0.0.1" || e.Port != 8080 || e.Cluster != "blue" || e.Rejected || e.Time.IsZero() || e.WallTime.IsZero() {
		t.Errorf("register event = %+v", e)
	}
}

// TestSDKv1BeatsEveryFiveSeconds is the one test that waits for real beats:
// the client beats at once, then every 5 s.
func TestSDKv1BeatsEveryFiveSeconds(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t)
	client := newV1Client(t, srv)
	svc := uniqueName(t, "beating")
	sdkRegister(t, client, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, Weight: 1, Enable: true, Healthy: true,
		ServiceName: svc, Ephemeral: true})
	if err := srv.WaitForBeats(svc, "127.0.0.1", 8080, 2, 9*time.Second); err != nil {
		t.Fatal(err)
	}
	beats := srv.Find(mocknacos.Query{Kind: mocknacos.KindBeat, Service: svc})
	gap := beats[1].WallTime.Sub(beats[0].WallTime)
	if math.Abs((gap - 5*time.Second).Seconds()) > 1 {
		t.Errorf("beats %v apart, want 5 s ± 1 s", gap)
	}
	for _, b := range beats[:2] {
		if b.Protocol != mocknacos.ProtocolHTTP || b.Group != "DEFAULT_GROUP" || b.Service != svc || b.IP != "127.0.0.1" ||
			b.Port != 8080 || b.Cluster != "DEFAULT" || b.Rejected || b.Response.ErrorCode != 10200 {
			t.Errorf("beat event = %+v", b)
		}
		if want := `{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}`; b.Response.Body != want {
			t.Errorf("beat answered %s, want %s", b.Response.Body, want)
		}
	}
	// A beat arrived less than 15 s ago: still healthy.
	if err := srv.WaitForHealthy(svc, 1, time.Second); err != nil {
		t.Error(err)
	}
}

// subWatcher collects what a SubscribeCallback is called with.
type subWatcher struct {
	ch chan []model.SubscribeService
}

func newSubWatcher() *subWatcher { return &subWatcher{ch: make(chan []model.SubscribeService, 256)} }

func (w *subWatcher) callback(services []model.SubscribeService, err error) {
	// An empty list arrives as (nil, "hosts is empty" error).
	cp := append([]model.SubscribeService{}, services...)
	select {
	case w.ch <- cp:
	default: // never block the client's goroutine
	}
}

// await returns the first list that satisfies cond. The timeout is shorter
// than the client's 10 s poll interval, so only a push can satisfy it.
func (w *subWatcher) await(t *testing.T, what string, cond func([]model.SubscribeService) bool) []model.SubscribeService {
	t.Helper()
	timeout := time.NewTimer(5 * time.Second)
	defer timeout.Stop()
	var last []model.SubscribeService
	for {
		select {
		case s := <-w.ch:
			if cond(s) {
				return s
			}
			last = s
		case <-timeout.C:
			t.Fatalf("subscriber never saw %s within 5 s (last callback: %+v)", what, last)
		}
	}
}

func subPorts(s []model.SubscribeService) []int {
	var out []int
	for _, in := range s {
		out = append(out, int(in.Port))
	}
	sort.Ints(out)
	return out
}

func withPorts(want ...int) func([]model.SubscribeService) bool {
	return func(s []model.SubscribeService) bool { return fmt.Sprint(subPorts(s)) == fmt.Sprint(want) }
}

// sdkSubscribe subscribes through the client and waits for the first callback.
func sdkSubscribe(t *testing.T, c naming_client.INamingClient, svc string, w *subWatcher, initial ...int) {
	t.Helper()
	if err := c.Subscribe(&vo.SubscribeParam{ServiceName: svc, SubscribeCallback: w.callback}); err != nil {
		t.Fatalf("Subscribe(%s): %v", svc, err)
	}
	w.await(t, fmt.Sprintf("the initial list %v", initial), withPorts(initial...))
}

// TestSDKv1StoppedProviderGoesUnhealthyThenIsRemoved: a provider that
// registered and then stopped beating (it registered with one POST and
// died) is unhealthy 16 s later and gone after 30 s, on the mock clock
// alone; a subscribed client is pushed both changes. The test runs in
// milliseconds.
func TestSDKv1StoppedProviderGoesUnhealthyThenIsRemoved(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	consumer := newV1Client(t, srv)
	svc := uniqueName(t, "payments")
	httpRegister(t, srv, svc, "127.0.0.1", 9090)

	w := newSubWatcher()
	sdkSubscribe(t, consumer, svc, w, 9090)

	srv.Advance(16 * time.Second)
	ins := srv.Instances(svc)
	if len(ins) != 1 || ins[0].Healthy {
		t.Fatalf("after 16 s without a beat the mock holds %+v, want one unhealthy instance", ins)
	}
	w.await(t, "the instance turn unhealthy", func(s []model.SubscribeService) bool {
		return len(s) == 1 && !s[0].Healthy
	})
	healthy, _ := consumer.SelectInstances(vo.SelectInstancesParam{ServiceName: svc, HealthyOnly: true})
	if len(healthy) != 0 {
		t.Errorf("client still selects %+v as healthy", healthy)
	}

	// Removed once more than 30 s passed since the last beat (the real
	// check is "now - lastBeat > 30 s").
	srv.Advance(15 * time.Second)
	if ins := srv.Instances(svc); len(ins) != 0 {
		t.Fatalf("after 31 s the mock still holds %+v", ins)
	}
	w.await(t, "the instance removed", withPorts())
	all, err := consumer.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: svc})
	if err != nil || len(all) != 0 {
		t.Errorf("client still lists %+v (%v)", all, err)
	}
	pushes := srv.Find(mocknacos.Query{Kind: mocknacos.KindPush, Service: svc})
	if len(pushes) < 2 {
		t.Errorf("journal has %d pushes, want one per change", len(pushes))
	}
}

// TestSDKv1ExpiredInstanceComesBackWithNextBeat: an expired instance comes
// back when its client beats again (Go v1 always sends full beats, which
// re-register).
func TestSDKv1ExpiredInstanceComesBackWithNextBeat(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	client := newV1Client(t, srv)
	svc := uniqueName(t, "flaky")
	// One beat per second, so the test waits about a second for the next.
	sdkRegister(t, client, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 7070, Weight: 1, Enable: true, Healthy: true,
		ServiceName: svc, Ephemeral: true, Metadata: map[string]string{"preserved.heart.beat.interval": "1000"}})
	if err := srv.WaitForBeats(svc, "127.0.0.1", 7070, 1, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	n := srv.Count(mocknacos.Query{Kind: mocknacos.KindBeat, Service: svc})
	srv.Advance(31 * time.Second)
	if ins := srv.Instances(svc); len(ins) != 0 {
		t.Fatalf("after 31 s without a beat the mock holds %+v", ins)
	}
	if err := srv.WaitForBeats(svc, "127.0.0.1", 7070, n+1, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	ins := srv.Instances(svc)
	if len(ins) != 1 || !ins[0].Healthy || ins[0].Metadata["preserved.heart.beat.interval"] != "1000" {
		t.Fatalf("after the next full beat the mock holds %+v, want the instance back", ins)
	}
	last := srv.Find(mocknacos.Query{Kind: mocknacos.KindBeat, Service: svc})
	if body := last[len(last)-1].Response.Body; body != `{"clientBeatInterval":1000,"code":10200,"lightBeatEnabled":true}` {
		t.Errorf("beat answered %s, want the instance's 1000 ms interval", body)
	}
}

// TestSDKv1Deregister: DeregisterInstance removes the instance at once and
// is journaled.
func TestSDKv1Deregister(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	client := newV1Client(t, srv)
	svc := uniqueName(t, "inventory")
	sdkRegister(t, client, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, Weight: 1, Enable: true, Healthy: true,
		ClusterName: "blue", ServiceName: svc, Ephemeral: true})
	if n := len(srv.Instances(svc)); n != 1 {
		t.Fatalf("%d instances after registering", n)
	}
	ok, err := client.DeregisterInstance(vo.DeregisterInstanceParam{Ip: "127.0.0.1", Port: 8080, ServiceName: svc,
		Cluster: "blue", Ephemeral: true})
	if err != nil || !ok {
		t.Fatalf("DeregisterInstance: %v %v", ok, err)
	}
	if ins := srv.Instances(svc); len(ins) != 0 {
		t.Fatalf("after deregistering the mock holds %+v", ins)
	}
	des := srv.Find(mocknacos.Query{Kind: mocknacos.KindDeregister, Service: svc})
	if len(des) != 1 {
		t.Fatalf("deregister events = %+v", des)
	}
	if e := des[0]; e.Protocol != mocknacos.ProtocolHTTP || e.Namespace != "public" || e.Group != "DEFAULT_GROUP" ||
		e.IP != "127.0.0.1" || e.Port != 8080 || e.Cluster != "blue" || e.Rejected || e.Response.Body != "ok" {
		t.Errorf("deregister event = %+v", e)
	}
}

// TestSDKv1SubscriberSeesProviderComeAndGo: one client subscribes, another
// registers and deregisters; the subscriber is pushed each change over UDP,
// long before its 10 s poll would have found it.
func TestSDKv1SubscriberSeesProviderComeAndGo(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	consumer := newV1Client(t, srv)
	provider := newV1Client(t, srv)
	svc := uniqueName(t, "catalog")

	w := newSubWatcher()
	sdkSubscribe(t, consumer, svc, w) // the service does not exist yet

	subs := srv.Find(mocknacos.Query{Kind: mocknacos.KindSubscribe, Service: svc})
	if len(subs) != 1 || subs[0].IP != "127.0.0.1" || subs[0].Port == 0 {
		t.Fatalf("subscribe events = %+v, want one naming the client's UDP port", subs)
	}
	udpPort := subs[0].Port

	sdkRegister(t, provider, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, Weight: 1, Enable: true, Healthy: true,
		ServiceName: svc, Ephemeral: true, Metadata: map[string]string{"version": "2"}})
	got := w.await(t, "the provider appear", withPorts(8080))
	if got[0].Ip != "127.0.0.1" || !got[0].Healthy || got[0].Metadata["version"] != "2" {
		t.Errorf("pushed instance = %+v", got[0])
	}

	// A second provider, registered by hand over HTTP.
	httpRegister(t, srv, svc, "127.0.0.1", 8081)
	w.await(t, "the second provider appear", withPorts(8080, 8081))

	ok, err := provider.DeregisterInstance(vo.DeregisterInstanceParam{Ip: "127.0.0.1", Port: 8080, ServiceName: svc, Ephemeral: true})
	if err != nil || !ok {
		t.Fatalf("DeregisterInstance: %v %v", ok, err)
	}
	w.await(t, "the provider disappear", withPorts(8081))

	// The rest expires on the mock clock.
	srv.Advance(31 * time.Second)
	w.await(t, "the expired provider disappear", withPorts())

	pushes := srv.Find(mocknacos.Query{Kind: mocknacos.KindPush, Service: svc, Port: udpPort})
	if len(pushes) < 4 {
		t.Errorf("journal has %d pushes to the subscriber's UDP port %d, want at least 4", len(pushes), udpPort)
	}
	for _, p := range pushes {
		if p.IP != "127.0.0.1" || p.Rejected {
			t.Errorf("push event = %+v", p)
		}
	}
}

// TestSDKv1ServiceList: GetAllServicesInfo pages through the services of a
// group.
func TestSDKv1ServiceList(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	client := newV1Client(t, srv)
	group := uniqueName(t, "listing")
	var want []string
	for _, name := range []string{"alpha", "beta", "gamma"} {
		sdkRegister(t, client, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, Weight: 1, Enable: true, Healthy: true,
			ServiceName: name, GroupName: group, Ephemeral: true})
		want = append(want, name)
	}
	list, err := client.GetAllServicesInfo(vo.GetAllServiceInfoParam{GroupName: group})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(list.Doms) // 2.4.x does not sort them
	if list.Count != 3 || fmt.Sprint(list.Doms) != fmt.Sprint(want) {
		t.Errorf("GetAllServicesInfo = %+v, want count 3 and %v", list, want)
	}
	page, err := client.GetAllServicesInfo(vo.GetAllServiceInfoParam{GroupName: group, PageNo: 2, PageSize: 2})
	if err != nil || page.Count != 3 || len(page.Doms) != 1 {
		t.Errorf("page 2 of 2 = %+v, %v; want count 3 and one name", page, err)
	}
	empty, err := client.GetAllServicesInfo(vo.GetAllServiceInfoParam{GroupName: group + "-none"})
	if err != nil || empty.Count != 0 || len(empty.Doms) != 0 {
		t.Errorf("empty group = %+v, %v", empty, err)
	}
}

// TestSDKv1AgainstNacos1: against a 1.4.x server nacos-sdk-go v1 cannot
// register: it POSTs its parameters as a form body, which 1.4.x's naming
// DistroFilter never parses, so a real 1.4.8 server answers 400 "caused:
// Param 'serviceName' is required.;" (and the SDK, having failed, never
// beats). It still lists, and is pushed, an instance registered with query
// parameters, as the Java 1.x client sends them.
func TestSDKv1AgainstNacos1(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithServerVersion(mocknacos.Nacos1))
	client := newV1Client(t, srv)
	svc := uniqueName(t, "legacy")
	w := newSubWatcher()
	sdkSubscribe(t, client, svc, w)
	ok, err := client.RegisterInstance(vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 8080, Weight: 3, Enable: true, Healthy: true,
		ServiceName: svc, Ephemeral: true, Metadata: map[string]string{"k": "v"}})
	if ok || err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("RegisterInstance = %v, %v; want the 1.4.x server's 400", ok, err)
	}
	rejected := true
	regs := srv.Find(mocknacos.Query{Kind: mocknacos.KindRegister, Rejected: &rejected})
	if len(regs) == 0 || regs[0].Response.Body != "caused: Param 'serviceName' is required.;" {
		t.Fatalf("rejected registrations = %+v", regs)
	}
	hreq{method: "POST", path: instancePath + "?serviceName=" + url.QueryEscape("DEFAULT_GROUP@@"+svc) +
		"&ip=127.0.0.1&port=8080&weight=3&metadata=" + url.QueryEscape(`{"k":"v"}`)}.mustOK(t, srv)
	got := w.await(t, "the instance appear", withPorts(8080))
	if got[0].Weight != 3 || got[0].Metadata["k"] != "v" {
		t.Errorf("pushed %+v", got[0])
	}
	all, err := client.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: svc})
	if err != nil || len(all) != 1 || all[0].Weight != 3 {
		t.Fatalf("SelectAllInstances = %+v, %v", all, err)
	}
	// The 1.4.x protect threshold: with no healthy instance, all are
	// listed healthy. Registered by hand, this one does not beat.
	httpRegister(t, srv, "DEFAULT_GROUP@@"+svc+"-dead", "127.0.0.1", 9090)
	srv.Advance(16 * time.Second)
	dead, err := client.SelectAllInstances(vo.SelectAllInstancesParam{ServiceName: svc + "-dead"})
	if err != nil || len(dead) != 1 || !dead[0].Healthy {
		t.Errorf("protected list = %+v, %v; want the unhealthy instance listed healthy", dead, err)
	}
}

// Concurrent registrations from several clients all land.
func TestSDKv1ConcurrentClients(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	svc := uniqueName(t, "fleet")
	const n = 4
	cs := make([]naming_client.INamingClient, n)
	for i := range cs {
		cs[i] = newV1Client(t, srv)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: uint64(8000 + i), Weight: 1, Enable: true, Healthy: true,
				ServiceName: svc, Ephemeral: true}
			if _, err := c.RegisterInstance(p); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, c := range cs {
		t.Cleanup(func() {
			_, _ = c.DeregisterInstance(vo.DeregisterInstanceParam{Ip: "127.0.0.1", Port: uint64(8000 + i), ServiceName: svc, Ephemeral: true})
		})
	}
	if err := srv.WaitForHealthy(svc, n, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}
