package mocknacos_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/mocknacos"
)

func TestAdminRegisterAndDeregister(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	admin := "http://" + srv.Addr() + mocknacos.AdminPrefix
	st, body, err := call(t, "POST", admin+"/instances",
		`{"service":"orders","ip":"127.0.0.1","port":9090,"weight":2,"metadata":{"zone":"a"}}`)
	require.NoError(t, err)
	require.Equal(t, 200, st, body)
	ins := srv.Instances("orders")
	require.Len(t, ins, 1)
	assert.Equal(t, 9090, ins[0].Port)
	assert.Equal(t, 2.0, ins[0].Weight)
	assert.Equal(t, "a", ins[0].Metadata["zone"])
	assert.True(t, ins[0].Ephemeral)

	// Registered as over HTTP: it lives by beats on the mock clock.
	srv.Advance(16 * time.Second)
	require.Len(t, srv.Instances("orders"), 1)
	assert.False(t, srv.Instances("orders")[0].Healthy)

	st, body, _ = call(t, "POST", admin+"/instances", `{"service":"orders","ip":"127.0.0.1"}`)
	assert.Equal(t, 400, st, body)
	st, body, _ = call(t, "POST", admin+"/instances", `{"service":"orders","ip":"127.0.0.1","port":1,"bogus":1}`)
	assert.Equal(t, 400, st, body)

	st, body, _ = call(t, "DELETE", admin+"/instances?service=orders&ip=127.0.0.1&port=9090", "")
	require.Equal(t, 200, st)
	assert.Contains(t, body, `"deregistered":true`)
	assert.Empty(t, srv.Instances("orders"))
	st, body, _ = call(t, "DELETE", admin+"/instances?service=orders&ip=127.0.0.1&port=9090", "")
	assert.Equal(t, 200, st)
	assert.Contains(t, body, `"deregistered":false`)
	st, _, _ = call(t, "DELETE", admin+"/instances?service=orders&ip=127.0.0.1", "")
	assert.Equal(t, 400, st)
}
