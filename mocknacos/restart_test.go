package mocknacos_test

import (
	"fmt"
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

// TestRestartInFlightRequestNeverTouchesNewState: requests held by an
// injected delay when the restart happens lose their connection, and what
// they would have kept across a restart (a persistent instance, a config)
// lands nowhere: the old server refuses them once the restart has begun.
func TestRestartInFlightRequestNeverTouchesNewState(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	inFlight := []struct{ path, query string }{
		{"/nacos/v1/ns/instance", "/v1/ns/instance?serviceName=late&ip=127.0.0.1&port=1&ephemeral=false"},
		{"/nacos/v1/cs/configs", "/v1/cs/configs?dataId=late.txt&group=DEFAULT_GROUP&content=in+flight"},
	}
	done := make(chan error, len(inFlight))
	for _, r := range inFlight {
		srv.InjectFault(mocknacos.Fault{Path: r.path, Method: "POST", Delay: time.Minute, Count: 1})
		go func() {
			_, _, err := call(t, "POST", srv.URL()+r.query, "")
			done <- err
		}()
	}
	// Let the requests reach their handlers, where they wait on the faults'
	// delays (a fault retires on its one hit).
	deadline := time.Now().Add(5 * time.Second)
	for len(srv.Faults()) != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	for range inFlight {
		if err := <-done; err == nil || !strings.Contains(err.Error(), "EOF") {
			t.Fatalf("an in-flight request must lose its connection, got %v", err)
		}
	}
	if got := srv.Instances("late"); len(got) != 0 {
		t.Fatalf("an in-flight register touched the new state: %+v", got)
	}
	if it, ok := srv.Config("late.txt", "DEFAULT_GROUP"); ok {
		t.Fatalf("an in-flight publish touched the new state: %+v", it)
	}
	// The journal says what became of them: refused, not answered as done.
	for _, kind := range []mocknacos.Kind{mocknacos.KindRegister, mocknacos.KindConfigPublish} {
		evs := srv.Find(mocknacos.Query{Kind: kind})
		if len(evs) != 1 || evs[0].Response.Status != 500 || !strings.Contains(evs[0].Response.Body, "server is restarting") {
			t.Fatalf("%s journaled as %+v", kind, evs)
		}
	}
	resp, err := http.Post(srv.URL()+"/v1/ns/instance?serviceName=late&ip=127.0.0.1&port=1&ephemeral=false", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("a new request after restart: %v %v", resp, err)
	}
	resp.Body.Close()
	if got := srv.Instances("late"); len(got) != 1 {
		t.Fatalf("a register after the restart: %+v", got)
	}
}

// TestRestartDuringTestCalls: the test's own calls (seeding instances and
// configs) made while a restart runs land in the new server, never in the
// old one that the restart throws away.
func TestRestartDuringTestCalls(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	const n = 200
	stop := make(chan struct{})
	restarted := make(chan error, 1)
	go func() {
		defer close(restarted)
		for i := 0; i < 5; i++ {
			if err := srv.Restart(); err != nil {
				restarted <- err
				return
			}
		}
		<-stop
	}()
	for i := 0; i < n; i++ {
		in := mocknacos.NewInstance("127.0.0.1", 1000+i)
		in.Ephemeral = false
		if err := srv.Register("seeded", in); err != nil {
			t.Fatalf("register %d: %v", i, err)
		}
		if it := srv.SetConfig(fmt.Sprintf("c%d", i), "", "x"); it.MD5 == "" {
			t.Fatalf("config %d not stored: %+v", i, it)
		}
	}
	close(stop)
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	if got := len(srv.Instances("seeded")); got != n {
		t.Fatalf("%d of %d seeded persistent instances survived the restarts", got, n)
	}
	if got := len(srv.Configs()); got != n {
		t.Fatalf("%d of %d configs survived the restarts", got, n)
	}
}
