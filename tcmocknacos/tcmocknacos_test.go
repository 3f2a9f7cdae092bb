package tcmocknacos_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
	"github.com/mocknacos/mocknacos/tcmocknacos"
)

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestRunThenTerminateLeavesNothing: the container serves HTTP on a free
// 127.0.0.1:P and gRPC on P+1000, and once terminated neither the container
// nor the ports remain.
func TestRunThenTerminateLeavesNothing(t *testing.T) {
	ctx := context.Background()
	c := runMock(t)
	addr, err := c.ServerAddr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := "127.0.0.1:" + strconv.Itoa(c.Port()); addr != want || c.GRPCPort() != c.Port()+1000 {
		t.Fatalf("ServerAddr %q, GRPCPort %d; want %q and P+1000", addr, c.GRPCPort(), want)
	}
	base, err := c.HTTPURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, base+"/v1/console/health/readiness"); code != 200 {
		t.Fatalf("readiness: %d %s", code, body)
	}
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(c.GRPCPort()), time.Second)
	if err != nil {
		t.Fatalf("gRPC port: %v", err)
	}
	conn.Close()

	id := c.GetContainerID()
	if err := c.Terminate(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("docker", "container", "inspect", id).CombinedOutput(); err == nil ||
		!strings.Contains(strings.ToLower(string(out)), "no such") {
		t.Fatalf("container %.12s still exists after Terminate: %v %s", id, err, out)
	}
	if _, err := http.Get(base + "/v1/console/health/readiness"); err == nil {
		t.Fatal("the mock still answers after Terminate")
	}
	if _, err := c.ServerAddr(ctx); err == nil {
		t.Fatal("ServerAddr of a terminated container must fail")
	}
}

// TestRunFailsFastWhenThePortIsTaken: a port held by another process makes
// Run fail with the mock's own message, rather than wait for (or be fooled
// by) whatever answers there.
func TestRunFailsFastWhenThePortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p := ln.Addr().(*net.TCPAddr).Port
	if p+1000 > 65535 {
		t.Skip("no room for P+1000")
	}
	img := testImage(t)
	start := time.Now()
	c, err := tcmocknacos.Run(context.Background(), img, tcmocknacos.WithPort(p))
	if c != nil {
		if terr := c.Terminate(context.Background()); terr != nil {
			t.Errorf("terminate: %v", terr)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Run on a taken port: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("Run took %v to notice", d)
	}
}

// TestAdminHelpers: the clock, configs, faults and reset through the
// container's admin API, checked through the Nacos API a client uses.
func TestAdminHelpers(t *testing.T) {
	ctx := context.Background()
	c := runMock(t, tcmocknacos.WithFrozenClock())
	before, err := c.Clock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !before.Frozen {
		t.Fatalf("WithFrozenClock: clock %+v", before)
	}
	if err := c.Advance(ctx, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	after, err := c.Clock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := after.Now.Sub(before.Now); d != 30*time.Second {
		t.Fatalf("a frozen clock advanced by 30s moved %v", d)
	}

	if err := c.SetConfig(ctx, "app.yaml", "DEFAULT_GROUP", "port: 8080", tcmocknacos.ConfigType("yaml")); err != nil {
		t.Fatal(err)
	}
	base, err := c.HTTPURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	configURL := base + "/v1/cs/configs?" + url.Values{"dataId": {"app.yaml"}, "group": {"DEFAULT_GROUP"}}.Encode()
	if code, body := get(t, configURL); code != 200 || body != "port: 8080" {
		t.Fatalf("config as a client reads it: %d %q", code, body)
	}

	id, err := c.InjectFault(ctx, mocknacos.Fault{Path: "/nacos/v1/cs/configs", Method: "GET", Status: 503,
		Message: "busy", Count: 1, Delay: 50 * time.Millisecond})
	if err != nil || id == 0 {
		t.Fatalf("InjectFault: %d %v", id, err)
	}
	if code, body := get(t, configURL); code != 503 || !strings.Contains(body, "busy") {
		t.Fatalf("with the fault: %d %q", code, body)
	}
	if code, _ := get(t, configURL); code != 200 {
		t.Fatalf("a fault of count 1 hit twice: %d", code)
	}
	events, err := c.Journal(ctx, mocknacos.Query{Protocol: mocknacos.ProtocolHTTP})
	if err != nil {
		t.Fatal(err)
	}
	var faulted int
	for _, e := range events {
		if e.Fault != "" {
			faulted++
			if e.Response.Status != 503 {
				t.Errorf("faulted event answered %d", e.Response.Status)
			}
		}
	}
	if faulted != 1 {
		t.Fatalf("%d faulted events in the journal, want 1: %+v", faulted, events)
	}
	if err := c.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}

	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if events, err := c.Journal(ctx, mocknacos.Query{}); err != nil || len(events) != 0 {
		t.Fatalf("journal after Reset: %d events, %v", len(events), err)
	}
}

// TestWithAdminToken: the container's admin API wants the token, and the
// Container's admin methods send it.
func TestWithAdminToken(t *testing.T) {
	ctx := context.Background()
	c := runMock(t, tcmocknacos.WithAdminToken("tc-t0ken"))
	if code, body := get(t, c.AdminURL()+"/clock"); code != http.StatusUnauthorized {
		t.Fatalf("without the token: %d %s", code, body)
	}
	if code, body := get(t, c.AdminURL()+"/clock?token=tc-t0ken"); code != http.StatusOK {
		t.Fatalf("with ?token: %d %s", code, body)
	}
	if _, err := c.Services(ctx); err != nil {
		t.Fatalf("Services with the token: %v", err)
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatalf("Reset with the token: %v", err)
	}
}
