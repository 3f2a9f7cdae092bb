// Side-by-side benchmarks: the same client work against the mock and, when
// MOCKNACOS_REAL_NACOS names one (host:port of its HTTP side, gRPC on
// port+1000, auth off), against a real Nacos server, in one run, with the
// ratio reported. They drive nacos-sdk-go v2, which has data races of its
// own, so this file is left out of -race builds.
//
//	MOCKNACOS_REAL_NACOS=127.0.0.1:28848 \
//	  go test -run '^$' -bench SideBySide -benchtime 30x ./mocknacos/
//
// `make bench` skips them (each config change waits out the SDK's rate
// limiter); `make bench-sidebyside` runs them.

//go:build !race

package mocknacos_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nacos-group/nacos-sdk-go/v2/clients"
	"github.com/nacos-group/nacos-sdk-go/v2/common/constant"
	"github.com/nacos-group/nacos-sdk-go/v2/vo"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// sideTarget is one server of a side-by-side run.
type sideTarget struct {
	name string
	addr string // "host:port" of the HTTP side
}

// sideTargets starts a mock for b and adds the real server named by
// MOCKNACOS_REAL_NACOS, when set.
func sideTargets(b *testing.B) []sideTarget {
	srv := mocknacos.Start(b)
	ts := []sideTarget{{"mock", srv.Addr()}}
	if real := os.Getenv("MOCKNACOS_REAL_NACOS"); real != "" {
		ts = append(ts, sideTarget{"real", real})
	} else {
		b.Log("MOCKNACOS_REAL_NACOS unset: the mock alone is measured")
	}
	return ts
}

func sideParam(b *testing.B, addr string) vo.NacosClientParam {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		b.Fatal(err)
	}
	port, _ := strconv.Atoi(ps)
	dir := b.TempDir()
	return vo.NacosClientParam{
		ClientConfig: &constant.ClientConfig{TimeoutMs: 5000, NotLoadCacheAtStart: true, UpdateCacheWhenEmpty: true,
			DisableUseSnapShot: true, LogDir: dir + "/log", CacheDir: dir + "/cache", LogLevel: sdkLogLevel()},
		ServerConfigs: []constant.ServerConfig{{IpAddr: host, Port: uint64(port), ContextPath: "/nacos"}},
	}
}

// publishHTTP publishes a config the way any HTTP client does, so that both
// servers are driven identically.
func publishHTTP(b *testing.B, addr, dataID, content string) {
	form := url.Values{"dataId": {dataID}, "group": {"DEFAULT_GROUP"}, "content": {content}}
	resp, err := http.Post("http://"+addr+"/nacos/v1/cs/configs", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("publish to %s: %s", addr, resp.Status)
	}
}

// sideReport logs each server's latencies and reports the medians and the
// real/mock ratio as metrics.
func sideReport(b *testing.B, what string, got map[string][]time.Duration, order []sideTarget) {
	b.StopTimer()
	var medians []float64
	for _, tg := range order {
		lo, med, p99, hi := percentiles(got[tg.name])
		b.Logf("%s, %s (%s), %d samples: min %v, median %v, p99 %v, max %v", what, tg.name, tg.addr, len(got[tg.name]), lo, med, p99, hi)
		ms := float64(med) / float64(time.Millisecond)
		b.ReportMetric(ms, tg.name+"-median-ms")
		b.ReportMetric(float64(p99)/float64(time.Millisecond), tg.name+"-p99-ms")
		medians = append(medians, ms)
	}
	if len(medians) == 2 && medians[0] > 0 {
		b.ReportMetric(medians[1]/medians[0], "real/mock")
	}
	b.ReportMetric(0, "ns/op") // per-op time mixes both servers: not meaningful
}

// BenchmarkSideBySideConfigChange: a config published over HTTP until the
// listening nacos-sdk-go v2 client's OnChange runs.
func BenchmarkSideBySideConfigChange(b *testing.B) {
	targets := sideTargets(b)
	got := map[string][]time.Duration{}
	for _, tg := range targets {
		c, err := clients.NewConfigClient(sideParam(b, tg.addr))
		if err != nil {
			b.Fatal(err)
		}
		dataID := fmt.Sprintf("sidebyside-%d.txt", time.Now().UnixNano())
		publishHTTP(b, tg.addr, dataID, "0")
		changes := make(chan string, 64)
		at := make(chan time.Time, 64)
		if err := c.ListenConfig(vo.ConfigParam{DataId: dataID, Group: "DEFAULT_GROUP", OnChange: func(_, _, _, data string) {
			at <- time.Now()
			changes <- data
		}}); err != nil {
			b.Fatal(err)
		}
		wait := func(content string) time.Time {
			for deadline := time.After(30 * time.Second); ; {
				select {
				case t := <-at:
					if <-changes == content {
						return t
					}
				case <-deadline:
					b.Fatalf("%s: no OnChange with %q", tg.name, content)
				}
			}
		}
		// The listener is in place once a change reaches it.
		time.Sleep(time.Second)
		publishHTTP(b, tg.addr, dataID, "warm")
		wait("warm")
		for i := 0; i < b.N; i++ {
			// The SDK rate-limits its config reads and may lose a change
			// notified during its own listen round: space the changes out.
			time.Sleep(300 * time.Millisecond)
			content := strconv.Itoa(i + 1)
			start := time.Now()
			publishHTTP(b, tg.addr, dataID, content)
			got[tg.name] = append(got[tg.name], wait(content).Sub(start))
		}
		c.CloseClient()
	}
	sideReport(b, "HTTP publish -> nacos-sdk-go v2 OnChange", got, targets)
}

// BenchmarkSideBySideRegister: one nacos-sdk-go v2 RegisterInstance (a gRPC
// round trip) per op.
func BenchmarkSideBySideRegister(b *testing.B) {
	targets := sideTargets(b)
	got := map[string][]time.Duration{}
	for _, tg := range targets {
		c, err := clients.NewNamingClient(sideParam(b, tg.addr))
		if err != nil {
			b.Fatal(err)
		}
		svc := fmt.Sprintf("sidebyside-%d", time.Now().UnixNano())
		for i := 0; i < b.N+1; i++ {
			start := time.Now()
			ok, err := c.RegisterInstance(vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: uint64(20000 + i%1000), ServiceName: svc,
				Weight: 1, Enable: true, Healthy: true, Ephemeral: true})
			if !ok || err != nil {
				b.Fatalf("%s: register: %v %v", tg.name, ok, err)
			}
			if i > 0 { // the first one includes the connection's warm-up
				got[tg.name] = append(got[tg.name], time.Since(start))
			}
		}
		c.CloseClient()
	}
	sideReport(b, "nacos-sdk-go v2 RegisterInstance", got, targets)
}
