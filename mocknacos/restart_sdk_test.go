// Restart with real clients. nacos-sdk-go v2 has data races of its own, so
// this file is left out of -race builds.

//go:build !race

package mocknacos_test

import (
	"testing"
	"time"

	"github.com/nacos-group/nacos-sdk-go/v2/clients/naming_client"
	"github.com/nacos-group/nacos-sdk-go/v2/model"
	v2vo "github.com/nacos-group/nacos-sdk-go/v2/vo"
	"github.com/nacos-group/nacos-sdk-go/vo"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// TestRestartSDKv1ReRegistersWithNextFullBeat: after a restart the v1
// client's next beat (always a full beat) registers the instance again.
func TestRestartSDKv1ReRegistersWithNextFullBeat(t *testing.T) {
	srv := mocknacos.Start(t)
	client := newV1Client(t, srv)
	svc := uniqueName(t, "restart-v1")
	sdkRegister(t, client, vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 7071, Weight: 1, Enable: true, Healthy: true,
		ServiceName: svc, Ephemeral: true, Metadata: map[string]string{"preserved.heart.beat.interval": "1000"}})
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Instances(svc)); n != 0 {
		t.Fatalf("a restart must lose the ephemeral instance, %d left", n)
	}
	start := time.Now()
	if err := srv.WaitForHealthy(svc, 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("nacos-sdk-go v1 registered again %v after the restart", time.Since(start).Round(time.Millisecond))
}

// TestRestartSDKv2ReconnectsAndRedoes: the v2 client's stream breaks with
// the restart; it reconnects and registers and subscribes again.
func TestRestartSDKv2ReconnectsAndRedoes(t *testing.T) {
	srv := mocknacos.Start(t)
	client := newV2Client(t, srv)
	registerV2(t, client, "restart-v2", 7072)
	if err := client.Subscribe(&v2vo.SubscribeParam{ServiceName: "restart-v2", SubscribeCallback: func([]model.Instance, error) {}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := srv.WaitForInstances("restart-v2", 1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitFor(10*time.Second, func() bool {
		for _, st := range srv.Services() {
			if st.Info.Key.Name == "restart-v2" && len(st.Subscribers) == 1 {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal("the subscription was not redone: ", err)
	}
	t.Logf("nacos-sdk-go v2 registered and subscribed again %v after the restart", time.Since(start).Round(time.Millisecond))
}

// TestConnectResetSwitchesServer: a ConnectResetRequest (a server handing
// its clients over) makes the v2 client reconnect on a new connection and
// register again there; CloseConnection does the same from a broken
// transport.
func TestConnectResetSwitchesServer(t *testing.T) {
	srv := mocknacos.Start(t)
	client := newV2Client(t, srv)
	registerV2(t, client, "switch", 7073)
	owner := func() string {
		if in := srv.Instances("switch"); len(in) == 1 {
			return in[0].Owner
		}
		return ""
	}
	first := owner()
	srv.ResetConnections("", 0)
	if err := srv.WaitFor(10*time.Second, func() bool { o := owner(); return o != "" && o != first }); err != nil {
		t.Fatalf("after ConnectResetRequest the instance is owned by %q, was %q: %v", owner(), first, err)
	}
	second := owner()
	if !srv.CloseConnection(second) {
		t.Fatal("CloseConnection of a live connection")
	}
	if err := srv.WaitFor(10*time.Second, func() bool { o := owner(); return o != "" && o != second }); err != nil {
		t.Fatalf("after CloseConnection the instance is owned by %q: %v", owner(), err)
	}
	if n := srv.Count(mocknacos.Query{Kind: "connect-reset"}); n != 1 {
		t.Fatalf("connect-reset events: %d", n)
	}
}

// TestGRPCPauseAndResume: a short pause of every transport holds the v2
// client's requests without breaking the client.
func TestGRPCPauseAndResume(t *testing.T) {
	srv := mocknacos.Start(t)
	client := newV2Client(t, srv)
	register := func(service string) (bool, error) {
		return client.RegisterInstance(v2vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: 7074, ServiceName: service,
			Weight: 1, Enable: true, Healthy: true, Ephemeral: true})
	}
	if ok, err := register("before-pause"); !ok || err != nil {
		t.Fatalf("register: %v %v", ok, err)
	}
	srv.PauseConnections()
	done := make(chan bool, 1)
	go func() {
		ok, _ := register("during-pause")
		done <- ok
	}()
	select {
	case <-done:
		t.Fatal("a request went through a paused connection")
	case <-time.After(200 * time.Millisecond):
	}
	if n := len(srv.Instances("during-pause")); n != 0 {
		t.Fatalf("a paused request reached the registry: %d", n)
	}
	srv.ResumeConnections()
	if ok := <-done; !ok {
		t.Fatal("the request held by the pause must complete once resumed")
	}
	if err := srv.WaitForInstances("during-pause", 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Instances("before-pause")); n != 1 {
		t.Fatalf("the instance registered before the pause: %d", n)
	}
}

// TestGRPCPauseOutlivesRestart: a pause is a network fault, not server
// state: a restart does not lift it, so the client cannot come back until
// ResumeConnections, and then it does (reconnect and redo).
func TestGRPCPauseOutlivesRestart(t *testing.T) {
	srv := mocknacos.Start(t)
	client := newV2Client(t, srv)
	registerV2(t, client, "paused", 7075)
	srv.PauseConnections()
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	// The client's reconnect and redo stall in the pause.
	if err := srv.WaitForInstances("paused", 1, time.Second); err == nil {
		t.Fatal("the client came back through a paused link")
	}
	srv.ResumeConnections()
	if err := srv.WaitForInstances("paused", 1, 10*time.Second); err != nil {
		t.Fatal("after resume the client must reconnect and redo its register: ", err)
	}
}

// registerV2 registers an ephemeral instance on 127.0.0.1:port over gRPC,
// failing the test if the client says it did not.
func registerV2(t *testing.T, client naming_client.INamingClient, service string, port uint64) {
	t.Helper()
	if ok, err := client.RegisterInstance(v2vo.RegisterInstanceParam{Ip: "127.0.0.1", Port: port, ServiceName: service,
		Weight: 1, Enable: true, Healthy: true, Ephemeral: true}); !ok || err != nil {
		t.Fatalf("register %s: %v %v", service, ok, err)
	}
}
