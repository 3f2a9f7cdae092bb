package grpcv2

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// TestFirstPushWaitsForTheStream: the mock answers requests from the
// ServerCheck on, so a client's subscribe can reach it before its stream
// does; the subscriber's first view then waits for the stream instead of
// being lost.
func TestFirstPushWaitsForTheStream(t *testing.T) {
	var arrived atomic.Int32
	env := startServer(t, nil, func(cfg *Config) {
		cfg.Begin = func() journal.Event { arrived.Add(1); return journal.Event{} }
	})
	c := dial(t, env.addr)
	typ, a := c.must(typeServerCheckRequest, `{"headers":{},"module":"internal"}`)
	if typ != typeServerCheckResponse {
		t.Fatalf("server check: %s %+v", typ, a)
	}
	answered := make(chan error, 1)
	go func() {
		_, err := c.call(typeSubscribeServiceRequest, subscribeBody("early", true))
		answered <- err
	}()
	// The subscribe arrives before the stream opens, and is held (it is
	// answered after its push).
	waitFor(t, "the subscribe to arrive", func() bool { return arrived.Load() == 2 })
	select {
	case err := <-answered:
		t.Fatalf("subscribe answered before the stream opened: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	c.openStream()
	c.send(&payload{Type: typeConnectionSetupRequest,
		Body: []byte(`{"headers":{},"clientVersion":"Nacos-Go-Client:test","tenant":"","labels":{"module":"naming"},"module":"internal"}`)})
	p, err := c.next(typeNotifySubscriberRequest, 2*time.Second)
	if err != nil {
		t.Fatalf("first view: %v", err)
	}
	if !strings.Contains(string(p.Body), `"name":"early"`) {
		t.Fatalf("pushed %s", p.Body)
	}
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	pushes := env.rec.kind(journal.Push)
	if len(pushes) != 1 || pushes[0].Rejected {
		t.Fatalf("journal: %+v", pushes)
	}
}

// TestPushWithoutStreamFailsAfterTheGrace: a connection that never opens
// its stream is pushed nothing, and once streamGrace is over its pushes
// fail at once, journaled, without holding up the change.
func TestPushWithoutStreamFailsAfterTheGrace(t *testing.T) {
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	c.must(typeServerCheckRequest, `{"headers":{},"module":"internal"}`)
	start := time.Now()
	c.must(typeSubscribeServiceRequest, subscribeBody("nostream", true))
	if waited := time.Since(start); waited > streamGrace+500*time.Millisecond {
		t.Fatalf("the subscribe was held %v", waited)
	}
	first := env.rec.kind(journal.Push)
	if len(first) != 1 || !first[0].Rejected || first[0].Error != errNoStream.Error() {
		t.Fatalf("first view: %+v", first)
	}
	other := dial(t, env.addr)
	env.connectTo(t, other)
	start = time.Now()
	other.must(typeInstanceRequest, registerBody("nostream", "10.0.0.1", 80, "DEFAULT"))
	if held := time.Since(start); held > streamGrace/2 {
		t.Fatalf("the register was held %v by a push to a connection without a stream", held)
	}
	if pushes := env.rec.kind(journal.Push); len(pushes) != 2 || !pushes[1].Rejected {
		t.Fatalf("pushes: %+v", pushes)
	}
}
