package grpcv2

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// TestMaxMessageSize: a message over 10 MiB (the real server's
// nacos.remote.server.grpc.sdk.max-inbound-message-size) is refused with
// RESOURCE_EXHAUSTED before it is read, as grpc-java refuses it; the
// connection stays usable.
func TestMaxMessageSize(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)

	body := `{"headers":{},"module":"internal","pad":"` + strings.Repeat("x", maxMessageSize) + `"}`
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.call(typeHealthCheckRequest, body)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	// The client's own copies of the body (about 3 x 10 MiB) are most of
	// it; the server does not buffer another.
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4*maxMessageSize))

	typ, a := c.must(typeHealthCheckRequest, `{"headers":{},"module":"internal"}`)
	assert.Equal(t, typeHealthCheckResponse, typ)
	assert.Equal(t, codeSuccess, a.ResultCode)
	// A large message under the limit is served (1 MiB: a 10 MiB one
	// takes seconds under the race detector on a loaded machine).
	typ, _ = c.must(typeHealthCheckRequest, `{"pad":"`+strings.Repeat("x", 1<<20)+`"}`)
	assert.Equal(t, typeHealthCheckResponse, typ)
}

// TestMaxConnections: with a cap of 2, a third client's setup is refused
// by closing its connection (as a real server over its connection limit
// does), the first two keep working, and once one of them leaves a new
// client gets in.
func TestMaxConnections(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, func(cfg *Config) { cfg.MaxConnections = 2 })
	a, b := dial(t, env.addr), dial(t, env.addr)
	env.connectTo(t, a)
	env.connectTo(t, b)

	third := dial(t, env.addr)
	third.connect()
	_, err := third.next("never", 5*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "EOF", "the refused connection's stream ends")
	waitFor(t, "the refused setup in the journal", func() bool {
		for _, e := range env.rec.kind(journal.Setup) {
			if e.ConnectionID == third.connID && e.Rejected && e.Error == "Connection register fail, server is over limited." {
				return true
			}
		}
		return false
	})
	waitFor(t, "two connections", func() bool { return len(env.srv.Connections()) == 2 })
	typ, ans := a.must(typeHealthCheckRequest, `{}`)
	assert.Equal(t, typeHealthCheckResponse, typ)
	assert.Equal(t, codeSuccess, ans.ResultCode)

	b.close()
	waitFor(t, "b gone", func() bool { return len(env.srv.Connections()) == 1 })
	fourth := dial(t, env.addr)
	env.connectTo(t, fourth)
	assert.Len(t, env.srv.Connections(), 2)
}

// TestMaxSubscriptionsPerConnection: the third distinct subscription of a
// connection capped at 2 is refused with the over-threshold answer; a
// repeated one and one after an unsubscribe are not; other connections have
// their own count.
func TestMaxSubscriptionsPerConnection(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, func(cfg *Config) { cfg.MaxSubscriptionsPerConnection = 2 })
	c := dial(t, env.addr)
	env.connectTo(t, c)
	for _, svc := range []string{"s1", "s2", "s1"} {
		typ, a := c.must(typeSubscribeServiceRequest, subscribeBody(svc, true))
		require.Equal(t, typeSubscribeServiceResponse, typ)
		require.Equal(t, codeSuccess, a.ResultCode, "%s: %+v", svc, a)
	}
	typ, a := c.must(typeSubscribeServiceRequest, subscribeBody("s3", true))
	assert.Equal(t, typeSubscribeServiceResponse, typ)
	assert.Equal(t, codeFail, a.ResultCode)
	assert.Equal(t, codeOverThreshold, a.ErrorCode)
	assert.Equal(t, "Subscriber limit reached: at most 2 subscriptions per connection", a.Message)

	_, a = c.must(typeSubscribeServiceRequest, subscribeBody("s2", false))
	require.Equal(t, codeSuccess, a.ResultCode)
	_, a = c.must(typeSubscribeServiceRequest, subscribeBody("s3", true))
	assert.Equal(t, codeSuccess, a.ResultCode)

	other := dial(t, env.addr)
	env.connectTo(t, other)
	_, a = other.must(typeSubscribeServiceRequest, subscribeBody("s4", true))
	assert.Equal(t, codeSuccess, a.ResultCode)

	// Memory: refused subscribes hold nothing.
	for i := 0; i < 100; i++ {
		_, a = c.must(typeSubscribeServiceRequest, subscribeBody("x"+strings.Repeat("y", i), true))
		require.Equal(t, codeOverThreshold, a.ErrorCode)
	}
	conn := env.srv.lookup(c.connID)
	require.NotNil(t, conn)
	conn.mu.Lock()
	held := len(conn.subs)
	conn.mu.Unlock()
	assert.Equal(t, 2, held)
}
