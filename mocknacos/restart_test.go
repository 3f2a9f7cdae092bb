package mocknacos_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// TestRestartKeepsDurableStateOnly: a restart loses ephemeral instances and
// keeps persistent ones, services created through the API, configs, the
// journal and the clock's offset, on the same ports.
func TestRestartKeepsDurableStateOnly(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	addr := srv.Addr()
	for _, q := range []string{
		"/v1/ns/instance?serviceName=eph&ip=127.0.0.1&port=1",
		"/v1/ns/service?serviceName=durable",
		"/v1/ns/instance?serviceName=durable&ip=127.0.0.1&port=2&ephemeral=false",
	} {
		if st, body, err := call(t, "POST", srv.URL()+q, ""); err != nil || st != 200 {
			t.Fatalf("%s: %d %s %v", q, st, body, err)
		}
	}
	srv.SetConfig("app.yaml", "DEFAULT_GROUP", "port: 1")
	srv.Advance(time.Minute)
	before := srv.Now()
	events := len(srv.Journal())

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if srv.Addr() != addr {
		t.Fatalf("restarted on %s, was %s", srv.Addr(), addr)
	}
	if st, _, err := call(t, "GET", srv.URL()+"/v1/console/health/liveness", ""); err != nil || st != 200 {
		t.Fatalf("the new server must answer when Restart returns: %d %v", st, err)
	}
	if got := srv.Instances("eph"); len(got) != 0 {
		t.Fatalf("ephemeral instances must be lost: %+v", got)
	}
	if got := srv.Instances("durable"); len(got) != 1 || got[0].Port != 2 {
		t.Fatalf("persistent instances must be kept: %+v", got)
	}
	if _, ok := srv.Config("app.yaml", "DEFAULT_GROUP"); !ok {
		t.Fatal("configs must be kept")
	}
	if !srv.Now().Equal(before) {
		t.Fatalf("the clock must keep its offset: %v, was %v", srv.Now(), before)
	}
	if len(srv.Journal()) < events {
		t.Fatal("the journal must be kept")
	}
}

// TestRestartInFlightRequestNeverTouchesNewState: a register held by an
// injected delay when the restart happens loses its connection, and what it
// does lands in the old registry only.
func TestRestartInFlightRequestNeverTouchesNewState(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	srv.InjectFault(mocknacos.Fault{Path: "/nacos/v1/ns/instance", Method: "POST", Delay: time.Minute, Count: 1})
	done := make(chan error, 1)
	go func() {
		_, _, err := call(t, "POST", srv.URL()+"/v1/ns/instance?serviceName=late&ip=127.0.0.1&port=1", "")
		done <- err
	}()
	// Let the request reach its handler, where it waits on the fault's
	// delay (the fault retires on its one hit).
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Faults()) != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("the in-flight request must lose its connection, got %v", err)
	}
	if got := srv.Instances("late"); len(got) != 0 {
		t.Fatalf("an in-flight request touched the new state: %+v", got)
	}
	resp, err := http.Post(srv.URL()+"/v1/ns/instance?serviceName=late&ip=127.0.0.1&port=1", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a new request after restart: %v %v", resp, err)
	}
	resp.Body.Close()
}
