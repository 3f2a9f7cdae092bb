// The tests in this file drive the real nacos-sdk-go v1.1.6 config client
// (HTTP, long polling). The SDK has data races of its own, so the file is
// built only without -race (`make sdk`). The SDK cannot be closed: each test
// cancels its listeners so that nothing keeps polling after it.

//go:build !race

package mocknacos_test

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nacos-group/nacos-sdk-go/clients"
	"github.com/nacos-group/nacos-sdk-go/clients/config_client"
	"github.com/nacos-group/nacos-sdk-go/common/constant"
	"github.com/nacos-group/nacos-sdk-go/vo"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// newConfigClientV1 is a nacos-sdk-go v1 config client of srv, with its
// logs and cache in a scratch directory (removed best-effort: the SDK may
// still write there after the test).
func newConfigClientV1(t *testing.T, srv *mocknacos.Server, namespace, user, password string) config_client.IConfigClient {
	t.Helper()
	dir, err := os.MkdirTemp("", "mocknacos-sdkv1-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	c, err := clients.NewConfigClient(vo.NacosClientParam{
		ClientConfig: &constant.ClientConfig{NamespaceId: namespace, TimeoutMs: 5000, NotLoadCacheAtStart: true,
			LogDir: dir + "/log", CacheDir: dir + "/cache", LogLevel: "error", Username: user, Password: password},
		ServerConfigs: []constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(srv.Port()), ContextPath: "/nacos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSDKv1ConfigGetPublishDelete(t *testing.T) {
	srv := mocknacos.Start(t)
	srv.SetConfig("orders.yaml", "", "port: 8080\n", mocknacos.ConfigType("yaml"))
	c := newConfigClientV1(t, srv, "", "", "")

	got, err := c.GetConfig(vo.ConfigParam{DataId: "orders.yaml", Group: "DEFAULT_GROUP"})
	if err != nil || got != "port: 8080\n" {
		t.Fatalf("GetConfig = %q, %v", got, err)
	}
	ok, err := c.PublishConfig(vo.ConfigParam{DataId: "payments.json", Group: "billing", Content: `{"retries":3}`, Type: "json"})
	if err != nil || !ok {
		t.Fatalf("PublishConfig = %v, %v", ok, err)
	}
	item, found := srv.Config("payments.json", "billing")
	if !found || item.Content != `{"retries":3}` || item.Type != "json" {
		t.Fatalf("stored %+v, %v", item, found)
	}
	if ok, err := c.DeleteConfig(vo.ConfigParam{DataId: "payments.json", Group: "billing"}); err != nil || !ok {
		t.Fatalf("DeleteConfig = %v, %v", ok, err)
	}
	// The SDK reads 404 as "no content".
	if got, err := c.GetConfig(vo.ConfigParam{DataId: "payments.json", Group: "billing"}); err != nil || got != "" {
		t.Fatalf("GetConfig after delete = %q, %v", got, err)
	}
	// The SDK tries a non-200 answer three times.
	if n := srv.Count(mocknacos.Query{Kind: mocknacos.KindConfigGet, Service: "billing@@payments.json"}); n < 1 {
		t.Errorf("no config-get event for billing@@payments.json")
	}
	if n := srv.Count(mocknacos.Query{Kind: mocknacos.KindConfigPublish}); n != 1 {
		t.Errorf("%d config-publish events, want 1", n)
	}
}

// TestSDKv1ConfigListenReceivesChanges listens in a namespace, changes the
// config from the test and from another client, and measures how long each
// change takes to reach the listener (publish returned -> callback).
func TestSDKv1ConfigListenReceivesChanges(t *testing.T) {
	srv := mocknacos.Start(t)
	srv.SetConfig("app.properties", "", "a=1", mocknacos.ConfigTenant("dev"), mocknacos.ConfigType("properties"))
	listener := newConfigClientV1(t, srv, "dev", "", "")
	publisher := newConfigClientV1(t, srv, "dev", "", "")

	changes := make(chan string, 16)
	param := vo.ConfigParam{DataId: "app.properties", Group: "DEFAULT_GROUP",
		OnChange: func(namespace, group, dataId, data string) { changes <- data }}
	if err := listener.ListenConfig(param); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = listener.CancelListenConfig(param) })
	// The client holds no md5 yet, so its first poll reports the config.
	waitChange(t, changes, "a=1")

	var latencies []time.Duration
	for i := 2; i <= 11; i++ {
		if err := srv.WaitForConfigListeners("app.properties", "", 1, 5*time.Second, mocknacos.ConfigTenant("dev")); err != nil {
			t.Fatal(err)
		}
		want := "a=" + strconv.Itoa(i)
		start := time.Now()
		if i%2 == 0 {
			srv.SetConfig("app.properties", "", want, mocknacos.ConfigTenant("dev"))
		} else if ok, err := publisher.PublishConfig(vo.ConfigParam{DataId: "app.properties", Group: "DEFAULT_GROUP", Content: want}); err != nil || !ok {
			t.Fatalf("PublishConfig: %v %v", ok, err)
		}
		waitChange(t, changes, want)
		latencies = append(latencies, time.Since(start))
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	t.Logf("publish -> OnChange latency over %d changes: min %v, median %v, max %v",
		len(latencies), latencies[0], latencies[len(latencies)/2], latencies[len(latencies)-1])

	pushes := srv.Find(mocknacos.Query{Kind: mocknacos.KindConfigPush, Namespace: "dev"})
	if len(pushes) < 10 {
		t.Fatalf("%d config-push events, want >= 10", len(pushes))
	}
	// The answer carries the tenant as the client sent it.
	if body := pushes[0].Response.Body; body != "app.properties%02DEFAULT_GROUP%02dev%01" {
		t.Errorf("push body %q", body)
	}
}

func waitChange(t *testing.T, changes <-chan string, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-changes:
			if got == want {
				return
			}
		case <-deadline:
			t.Fatalf("no change to %q within 10s", want)
		}
	}
}

func TestSDKv1ConfigWithAuth(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithAuth("nacos", "s3cret"))
	srv.SetConfig("orders.yaml", "", "port: 8080\n")

	good := newConfigClientV1(t, srv, "", "nacos", "s3cret")
	if got, err := good.GetConfig(vo.ConfigParam{DataId: "orders.yaml", Group: "DEFAULT_GROUP"}); err != nil || got != "port: 8080\n" {
		t.Fatalf("right password: GetConfig = %q, %v", got, err)
	}
	if ok, err := good.PublishConfig(vo.ConfigParam{DataId: "orders.yaml", Group: "DEFAULT_GROUP", Content: "port: 9090\n"}); err != nil || !ok {
		t.Fatalf("right password: PublishConfig = %v, %v", ok, err)
	}

	bad := newConfigClientV1(t, srv, "", "nacos", "wrong")
	_, err := bad.GetConfig(vo.ConfigParam{DataId: "orders.yaml", Group: "DEFAULT_GROUP"})
	if err == nil || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("wrong password: GetConfig error %v, want forbidden", err)
	}

	logins := srv.Find(mocknacos.Query{Kind: mocknacos.KindLogin})
	var ok, refused int
	for _, e := range logins {
		if e.Rejected {
			refused++
			if e.Response.Status != 403 || e.Response.Body != "user not found!" {
				t.Errorf("refused login answered %d %q", e.Response.Status, e.Response.Body)
			}
		} else {
			ok++
		}
	}
	if ok == 0 || refused == 0 {
		t.Fatalf("logins: %d accepted, %d refused", ok, refused)
	}
	rejected := true
	gets := srv.Find(mocknacos.Query{Kind: mocknacos.KindConfigGet, Rejected: &rejected})
	if len(gets) == 0 || gets[0].Response.Status != 403 || gets[0].Service != "orders.yaml" ||
		!strings.Contains(gets[0].Response.Body, `"message":"user not found!"`) {
		t.Fatalf("rejected gets: %+v", gets)
	}
}
