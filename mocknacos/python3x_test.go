package mocknacos_test

// nacos-sdk-python 3.2.0 (v2.nacos, gRPC) against the 3.0 mode, with the
// program the 2.0.11 tests use (clients/python/naming_v2.py) in a venv of
// its own (clients/python/sdk3/requirements.txt). The same script against
// a real 3.0.3 gave the same events in the same order: registered, the
// initial push of its own instance, query, list (count 0: the SDK lists
// with namespace "", which 3.0.3 keeps apart from public for naming),
// deregistered, closed; and its instance showed in the HTTP list of public.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

func TestPythonSDK3NamingClient(t *testing.T) {
	python := clientproc.Python3(t)
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithServerVersion(mocknacos.Nacos3), mocknacos.WithFrozenClock(time.Time{}))
	dumpJournalOnFailure(t, srv)
	const service = "py3-orders"
	const pyPort, testPort = 9301, 9302

	c := clientproc.StartPython(t, python, "naming_v2.py", nil, "--server", srv.Addr(), "--service", service,
		"--port", fmt.Sprint(pyPort))
	started := c.Await(t, 0, "started", func(e clientproc.Event) bool { return e.Event == "started" })
	require.True(t, strings.HasPrefix(started.ClientVersion, "3."), "client version %q", started.ClientVersion)

	// Ability negotiation: the SDK sends its table and waits for SetupAck,
	// which names only what the mock implements.
	setups := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("setup")})
	require.Len(t, setups, 1)
	assert.Contains(t, setups[0].Request.Body, `"abilityTable": {"mcp": true, "agent": true}`)
	assert.Contains(t, setups[0].Request.Body, `"Nacos-Python-Client:v3.2.0"`)
	acks := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.Kind("setup-ack")})
	require.Len(t, acks, 1)
	assert.Equal(t, `{"headers":{},"abilityTable":{"fuzzyWatch":true,"supportPersistentInstanceByGrpc":true},"module":"internal"}`, acks[0].Request.Body)
	conn := setups[0].ConnectionID

	// Register: 3.2.0 sends namespace public (2.0.11 sent ""), so the
	// instance is in public, where HTTP sees it.
	c.Await(t, c.Send(t, "register"), "registered", func(e clientproc.Event) bool { return e.Event == "registered" && e.IsOK() })
	ins := srv.Instances(service)
	require.Len(t, ins, 1)
	assert.Equal(t, pyPort, ins[0].Port)
	assert.Equal(t, conn, ins[0].Owner)
	assert.Equal(t, "python", ins[0].Metadata["lang"])
	a := hreq{method: "GET", path: "/v1/ns/instance/list?serviceName=" + service}.mustOK(t, srv)
	assert.Contains(t, a.body, fmt.Sprintf(`"port":%d`, pyPort))
	assert.Contains(t, a.body, `"allIps":false`)

	// Subscribe: the initial view, then an instance the test registers.
	mark := c.Send(t, "subscribe")
	c.Await(t, mark, "initial view", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", pyPort) != nil
	})
	other := mocknacos.NewInstance("127.0.0.1", testPort)
	other.Weight = 3
	mark = c.Mark()
	require.NoError(t, srv.Register(service, other))
	p := c.Await(t, mark, "push with both", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", testPort) != nil && clientproc.HostAt(e.Hosts, "127.0.0.1", pyPort) != nil
	})
	assert.Equal(t, 3.0, clientproc.HostAt(p.Hosts, "127.0.0.1", testPort).Weight)
	pushes := srv.Find(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Kind: mocknacos.KindPush, Service: service})
	require.NotEmpty(t, pushes)
	assert.Contains(t, pushes[len(pushes)-1].Request.Body, `"allIps":false`)

	q := c.Await(t, c.Send(t, "query"), "query", func(e clientproc.Event) bool { return e.Event == "query" })
	assert.Len(t, q.Hosts, 2, q.Raw)

	// Deregister: gone, and the subscriber is pushed the rest.
	mark = c.Send(t, "deregister")
	c.Await(t, mark, "deregistered", func(e clientproc.Event) bool { return e.Event == "deregistered" && e.IsOK() })
	c.Await(t, mark, "push without its own", func(e clientproc.Event) bool {
		return e.Event == "push" && clientproc.HostAt(e.Hosts, "127.0.0.1", pyPort) == nil && clientproc.HostAt(e.Hosts, "127.0.0.1", testPort) != nil
	})
	require.Nil(t, findInstance(srv.Instances(service), pyPort))

	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	require.NoError(t, srv.WaitFor(clientproc.StepTimeout, func() bool { return !subscribedBy(srv, service, conn) }))
	assert.Zero(t, srv.Count(mocknacos.Query{Protocol: mocknacos.ProtocolGRPC, Rejected: ptr(true)}))
}
