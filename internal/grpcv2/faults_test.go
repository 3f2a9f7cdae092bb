package grpcv2

import (
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// startWithFaults starts a server whose faults the test sets, with one
// connected client, and checks for leaked goroutines at the end.
func startWithFaults(t *testing.T) (*faults.Set, *testEnv, *testClient) {
	t.Helper()
	checkLeaks(t)
	set := &faults.Set{}
	env := startServer(t, nil, func(c *Config) { c.Faults = set })
	c := dial(t, env.addr)
	env.connectTo(t, c)
	return set, env, c
}

func TestInjectedRequestAndPushFaults(t *testing.T) {
	set, env, c := startWithFaults(t)

	// An error is by default the ErrorResponse of a handler's exception.
	set.Add(faults.Rule{Type: typeInstanceRequest, Status: 503, Message: "busy", Count: 1})
	typ, a := c.must(typeInstanceRequest, registerBody("orders", "127.0.0.1", 8080, ""))
	if typ != typeErrorResponse || a.ResultCode != 503 || a.ErrorCode != 503 || a.Message != "busy" {
		t.Fatalf("injected error: %s %+v", typ, a)
	}
	// With Filter, a request filter's refusal: the handler's own response
	// type, resultCode 500.
	set.Add(faults.Rule{Type: typeInstanceRequest, Status: 403, Message: "no", Filter: true, Count: 1})
	typ, a = c.must(typeInstanceRequest, registerBody("orders", "127.0.0.1", 8080, ""))
	if typ != typeInstanceResponse || a.ResultCode != 500 || a.ErrorCode != 403 || a.Message != "no" {
		t.Fatalf("injected refusal: %s %+v", typ, a)
	}
	if n := instanceCount(env.reg); n != 0 {
		t.Fatalf("a refused register must not register: %d", n)
	}
	if _, a := c.must(typeInstanceRequest, registerBody("orders", "127.0.0.1", 8080, "")); !a.Success {
		t.Fatalf("a Count 1 fault must hit once: %+v", a)
	}
	ev := env.rec.kind(journal.Register)
	if len(ev) != 3 || ev[0].Fault == "" || !strings.Contains(ev[1].Fault, "refused") || ev[2].Fault != "" {
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

	// A delayed push does not hold up the change that caused it (the real
	// server pushes asynchronously); it arrives after the delay.
	const delay = 300 * time.Millisecond
	set.Add(faults.Rule{Type: typeNotifySubscriberRequest, Delay: delay, Count: 1})
	began := time.Now()
	if err := env.reg.Register(registry.Key("", "", "orders"), registry.Instance{IP: "127.0.0.1", Port: 3, Weight: 1, Healthy: true, Enabled: true, Ephemeral: true}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took >= delay {
		t.Fatalf("the register waited %v for its delayed push", took)
	}
	p, err := c.next(typeNotifySubscriberRequest, 2*time.Second)
	if err != nil {
		t.Fatal("the delayed push must arrive: ", err)
	}
	if got := time.Since(began); got < delay {
		t.Fatalf("the delayed push arrived after %v, before its %v delay", got, delay)
	}
	if !strings.Contains(string(p.Body), `"port":3`) {
		t.Fatalf("the delayed push carries the view of its change: %s", p.Body)
	}
	// It is journaled once sent, with its fault.
	waitFor(t, "the delayed push in the journal", func() bool {
		for _, e := range env.rec.kind(journal.Push) {
			if e.Fault != "" && !e.Rejected && strings.Contains(e.Request.Body, `"port":3`) {
				return true
			}
		}
		return false
	})
}

// TestDelayedPushLeavesNoGoroutine: a push still waiting out its delay
// when the server stops ends with it.
func TestDelayedPushLeavesNoGoroutine(t *testing.T) {
	set, env, c := startWithFaults(t)
	c.must(typeSubscribeServiceRequest, subscribeBody("orders", true))
	if _, err := c.next(typeNotifySubscriberRequest, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	set.Add(faults.Rule{Type: typeNotifySubscriberRequest, Delay: time.Hour})
	if err := env.reg.Register(registry.Key("", "", "orders"), registry.Instance{IP: "127.0.0.1", Port: 1, Weight: 1, Healthy: true, Enabled: true, Ephemeral: true}); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	env.srv.Stop()
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("Stop waited %v for a delayed push", took)
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
