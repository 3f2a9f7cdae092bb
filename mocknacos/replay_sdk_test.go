// Record and replay with real clients: nacos-sdk-go v1 (HTTP, beats) and
// v2 (gRPC, a subscriber fed by pushes). The SDKs have data races of their
// own, so this file is left out of -race builds.

//go:build !race

package mocknacos_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nacos-group/nacos-sdk-go/clients"
	"github.com/nacos-group/nacos-sdk-go/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/common/constant"
	v2clients "github.com/nacos-group/nacos-sdk-go/v2/clients"
	v2naming "github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	v2constant "github.com/nacos-group/nacos-sdk-go/v2/common/constant"
	"github.com/nacos-group/nacos-sdk-go/v2/model"
	v2vo "github.com/nacos-group/nacos-sdk-go/v2/vo"
	"github.com/nacos-group/nacos-sdk-go/vo"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/record"
	"github.com/mocknacos/mocknacos/internal/replay"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// realClientSession drives the clients of the recording tests (pointed at
// the mock or at a proxy in front of it): a v1 provider beating every
// second, two v2 providers registering an instance each, one deregistering,
// and a v2 subscriber that must see the pushed view. It waits on live (the
// mock behind) until each step has landed.
func realClientSession(t *testing.T, live *mocknacos.Server, v1 naming_client.INamingClient,
	providers [2]v2naming.INamingClient, consumer v2naming.INamingClient, v1svc, v2svc string) {
	t.Helper()
	if ok, err := v1.RegisterInstance(vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 7081, Weight: 1, Enable: true, Healthy: true,
		ServiceName: v1svc, Ephemeral: true, Metadata: map[string]string{"preserved.heart.beat.interval": "1000", "zone": "z1"}}); !ok || err != nil {
		t.Fatalf("v1 register: %v %v", ok, err)
	}
	if err := live.WaitForBeats(v1svc, "127.0.0.1", 7081, 2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	views := make(chan []model.Instance, 16)
	if err := consumer.Subscribe(&v2vo.SubscribeParam{ServiceName: v2svc, SubscribeCallback: func(s []model.Instance, err error) {
		views <- s
	}}); err != nil {
		t.Fatal(err)
	}
	// A 2.x server keeps one instance per client and service: two
	// providers.
	for i, port := range []uint64{7091, 7092} {
		if ok, err := providers[i].RegisterInstance(v2vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: port, ServiceName: v2svc, Weight: 2,
			Enable: true, Healthy: true, Ephemeral: true, Metadata: map[string]string{"v": "2"}}); !ok || err != nil {
			t.Fatalf("v2 register %d: %v %v", port, ok, err)
		}
	}
	waitView(t, views, 2)
	if ok, err := providers[1].DeregisterInstance(v2vo.DeregisterInstanceParam{Ip: "127.0.0.1", Port: 7092, ServiceName: v2svc, Ephemeral: true}); !ok || err != nil {
		t.Fatalf("v2 deregister: %v %v", ok, err)
	}
	waitView(t, views, 1)
	if err := live.WaitForInstances(v2svc, 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

// newV1ClientAtPort is a nacos-sdk-go v1 client of 127.0.0.1:port (a proxy),
// set up as newV1Client is.
func newV1ClientAtPort(t *testing.T, port int) naming_client.INamingClient {
	t.Helper()
	dir := filepath.Join(os.DevNull, "nacos-sdk-go-cache") // see newV1Client
	c, err := clients.NewNamingClient(vo.NacosClientParam{
		ClientConfig: &constant.ClientConfig{TimeoutMs: 3000, BeatInterval: 5000, NotLoadCacheAtStart: true,
			CacheDir: dir, LogDir: dir, LogLevel: "error", CustomLogger: quietLogger{}},
		ServerConfigs: []constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(port), ContextPath: "/nacos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newV2ClientAt is newV2Client for 127.0.0.1:port (a proxy).
func newV2ClientAt(t *testing.T, port int) v2naming.INamingClient {
	t.Helper()
	dir := sdkv2Dir(t)
	c, err := v2clients.NewNamingClient(v2vo.NacosClientParam{
		ClientConfig:  &v2constant.ClientConfig{TimeoutMs: 3000, NotLoadCacheAtStart: true, LogDir: dir, CacheDir: dir, LogLevel: "error"},
		ServerConfigs: []v2constant.ServerConfig{{IpAddr: "127.0.0.1", Port: uint64(port), ContextPath: "/nacos"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseClient)
	return c
}

// TestReplayJournalOfRealClientsLeavesTheLiveState: the live mock's
// journal, exported while the clients are still connected, replayed into a
// fresh mock on a frozen clock, matches every answer and leaves the same
// registry: the v1 instance healthy, the v2 instance its connection still
// holds, the deregistered one gone.
func TestReplayJournalOfRealClientsLeavesTheLiveState(t *testing.T) {
	live := mocknacos.Start(t)
	v1 := newV1Client(t, live)
	v1svc, v2svc := uniqueName(t, "replay-v1"), uniqueName(t, "replay-v2")
	realClientSession(t, live, v1, [2]v2naming.INamingClient{newV2Client(t, live), newV2Client(t, live)}, newV2Client(t, live), v1svc, v2svc)
	want := stateOf(live)
	var rec bytes.Buffer
	if err := live.ExportJournal(&rec); err != nil {
		t.Fatal(err)
	}

	fresh := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	var report bytes.Buffer
	sum, err := mocknacos.Replay(context.Background(), fresh, &rec, mocknacos.ReplayReport(&report))
	allMatched(t, "replay", sum, err, &report)
	// The v1 provider beat on after the export; the state is what the
	// export implies, which for the registry is the same instances.
	if got := stateOf(fresh); got != want {
		t.Fatalf("after replay:\n%s\nthe live run had:\n%s", got, want)
	}
	if !strings.Contains(want, "127.0.0.1:7091") || strings.Contains(want, "127.0.0.1:7092") || !strings.Contains(want, "127.0.0.1:7081") {
		t.Fatalf("the live run did not end as planned:\n%s", want)
	}
}

// allMatched fails the test unless every request of a replay got the
// recorded answer and the target pushed something.
func allMatched(t *testing.T, what string, sum mocknacos.ReplaySummary, err error, report *bytes.Buffer) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", what, sum)
	if sum.Differed != 0 || sum.Errors != 0 || sum.Matched != sum.Sent || sum.Sent == 0 || sum.Pushes == 0 {
		t.Fatalf("%s: summary %s; report:\n%s", what, sum, report.String())
	}
}

// freePair is a port P with P and P+1000 free a moment ago.
func freePair(t *testing.T) int {
	t.Helper()
	probe, err := mocknacos.New()
	if err != nil {
		t.Fatal(err)
	}
	port := probe.Port()
	if err := probe.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// TestRecordRealClientsThroughTheProxyThenReplay: the recording proxy in
// front of a mock records the real clients' session (beats, gRPC
// requests, pushes and their acks); replayed in process and over the
// network into fresh mocks, every answer matches and the registry ends as
// the live one did.
func TestRecordRealClientsThroughTheProxyThenReplay(t *testing.T) {
	live := mocknacos.Start(t)
	path := filepath.Join(t.TempDir(), "session.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	port := freePair(t)
	proxy, err := record.Start(record.Config{Listen: "127.0.0.1:" + strconv.Itoa(port), Upstream: live.Addr(), Out: f})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })

	v1 := newV1ClientAtPort(t, port)
	v1svc, v2svc := uniqueName(t, "rec-v1"), uniqueName(t, "rec-v2")
	realClientSession(t, live, v1, [2]v2naming.INamingClient{newV2ClientAt(t, port), newV2ClientAt(t, port)}, newV2ClientAt(t, port), v1svc, v2svc)
	// Stopping the proxy closes the clients' gRPC connections: the live
	// mock drops their instances, and the recording ends with the
	// disconnects.
	if err := proxy.Close(); err != nil {
		t.Fatal(err)
	}
	if err := live.WaitForInstances(v2svc, 0, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	want := stateOf(live)

	kinds := map[journal.Kind]int{}
	rf, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	h, events, err := journal.ReadJSONL(bufio.NewReader(rf))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		kinds[e.Kind]++
	}
	if int64(len(events)) != proxy.Events() || !strings.HasPrefix(h.Source, "mocknacos record ") {
		t.Fatalf("header %+v, %d events read, proxy wrote %d", h, len(events), proxy.Events())
	}
	for _, k := range []journal.Kind{journal.Register, journal.Beat, journal.Deregister, journal.Subscribe, journal.ServerCheck,
		journal.Setup, journal.Push, journal.PushAck, journal.Connect, journal.Disconnect} {
		if kinds[k] == 0 {
			t.Errorf("no %s event recorded; kinds %v", k, kinds)
		}
	}
	// What the proxy recorded is what the mock journaled, request for
	// request (the mock's journal is the reference format).
	if n, m := kinds[journal.Beat], live.Count(mocknacos.Query{Kind: mocknacos.KindBeat, Service: v1svc}); n != m {
		t.Errorf("proxy recorded %d beats, the mock journaled %d", n, m)
	}

	// In process.
	fresh := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	rf2, _ := os.Open(path)
	defer rf2.Close()
	var report bytes.Buffer
	sum, err := mocknacos.Replay(context.Background(), fresh, rf2, mocknacos.ReplayReport(&report))
	allMatched(t, "in process", sum, err, &report)
	if got := stateOf(fresh); got != want {
		t.Fatalf("after replay in process:\n%s\nthe live run had:\n%s", got, want)
	}

	// Over the network, as `mocknacos replay` does, at 20x.
	target := mocknacos.Start(t)
	nt, err := replay.NewNetwork(target.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nt.Close()
	rf3, _ := os.Open(path)
	defer rf3.Close()
	report.Reset()
	sum, err = replay.Run(context.Background(), rf3, nt, replay.Options{Speed: 20, Report: &report})
	allMatched(t, "over the network", sum, err, &report)
	if err := target.WaitFor(5*time.Second, func() bool { return stateOf(target) == want }); err != nil {
		t.Fatalf("after replay over the network:\n%s\nthe live run had:\n%s", stateOf(target), want)
	}
	// The report is JSON Lines (empty here); check it parses when not.
	for _, line := range strings.Split(strings.TrimSpace(report.String()), "\n") {
		if line != "" && !json.Valid([]byte(line)) {
			t.Fatalf("report line %q", line)
		}
	}
}
