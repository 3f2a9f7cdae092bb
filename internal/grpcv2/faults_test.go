package grpcv2

import (
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

func TestInjectedRequestAndPushFaults(t *testing.T) {
	checkLeaks(t)
	set := &faults.Set{}
	env := startServer(t, nil, func(c *Config) { c.Faults = set })
	c := dial(t, env.addr)
	env.connectTo(t, c)

	set.Add(faults.Rule{Type: typeInstanceRequest, Status: 503, Message: "busy", Count: 1})
	typ, a := c.must(typeInstanceRequest, registerBody("orders", "127.0.0.1", 8080, ""))
	if typ != typeInstanceResponse || a.ResultCode != 500 || a.ErrorCode != 503 || a.Message != "busy" {
		t.Fatalf("injected error: %s %+v", typ, a)
	}
	if n := instanceCount(env.reg); n != 0 {
		t.Fatalf("a refused register must not register: %d", n)
	}
	if _, a := c.must(typeInstanceRequest, registerBody("orders", "127.0.0.1", 8080, "")); !a.Success {
		t.Fatalf("a Count 1 fault must hit once: %+v", a)
	}
	ev := env.rec.kind(journal.Register)
	if len(ev) != 2 || ev[0].Fault == "" || ev[1].Fault != "" {
		t.Fatalf("journal: %+v", ev)
	}

	set.Add(faults.Rule{Type: typeInstanceRequest, Discard: true, Count: 1})
	if _, a := c.must(typeInstanceRequest, registerBody("orders", "127.0.0.1", 8081, "")); !a.Success {
		t.Fatalf("a discarded register is answered as success: %+v", a)
	}
	if n := instanceCount(env.reg); n != 1 {
		t.Fatalf("a discarded register must not register: %d", n)
	}

	// A suppressed push is journaled and never sent; the next one is.
	c.must(typeSubscribeServiceRequest, subscribeBody("orders", true))
	if _, err := c.next(typeNotifySubscriberRequest, 2*time.Second); err != nil {
		t.Fatal("no push of the view to a new subscriber:", err)
	}
	set.Add(faults.Rule{Type: typeNotifySubscriberRequest, Discard: true, Count: 1})
	if err := env.reg.Register(registry.Key("", "", "orders"), registry.Instance{IP: "127.0.0.1", Port: 1, Weight: 1, Healthy: true, Enabled: true, Ephemeral: true}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.next(typeNotifySubscriberRequest, 200*time.Millisecond); err == nil {
		t.Fatalf("a suppressed push reached the client: %s", p.Body)
	}
	if err := env.reg.Register(registry.Key("", "", "orders"), registry.Instance{IP: "127.0.0.1", Port: 2, Weight: 1, Healthy: true, Enabled: true, Ephemeral: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.next(typeNotifySubscriberRequest, 2*time.Second); err != nil {
		t.Fatal("the push after the suppressed one must arrive: ", err)
	}
}

func TestBlackholeLosesTraffic(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	env.srv.BlackholeConnections()
	done := make(chan error, 1)
	go func() {
		_, err := c.call(typeHealthCheckRequest, map[string]any{"module": "internal"})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a request through a blackhole was answered: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	env.srv.ResumeConnections()
	c.close()
	<-done
}
