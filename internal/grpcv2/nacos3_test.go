package grpcv2

// The 3.0 generation (registry.ModeV3) over gRPC. The expectations were read
// off a real Nacos 3.0.3 with this package's hand-built test client pointed
// at it (a throwaway test, not kept): its QueryServiceResponse, and the
// pushes to two connections that listened to one config, one with tenant ""
// and one with "public", after a publish.

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/registry"
)

func startV3(t *testing.T) (*testEnv, *config.Store) {
	t.Helper()
	reg := registry.New(registry.Config{Mode: registry.ModeV3, Notify: deliverPushes})
	env, st := startConfigServer(t, func(c *Config) { c.Registry = reg })
	env.reg = reg
	return env, st
}

func TestNacos3ServiceInfoSaysAllIps(t *testing.T) {
	checkLeaks(t)
	env, _ := startV3(t)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	typ, a := c.must(typeInstanceRequest, registerBody("svc", "10.0.0.1", 80, "DEFAULT"))
	require.Equal(t, typeInstanceResponse, typ, "%+v", a)
	p, err := c.call(typeServiceQueryRequest, `{"headers":{},"namespace":"public","serviceName":"probesvc","groupName":"DEFAULT_GROUP","cluster":"","healthyOnly":false,"udpPort":0,"module":"naming"}`)
	require.NoError(t, err)
	// The real 3.0.3's answer for a service without instances, but for the
	// lastRefTime.
	var got map[string]any
	require.NoError(t, json.Unmarshal(p.Body, &got))
	si := got["serviceInfo"].(map[string]any)
	delete(si, "lastRefTime")
	want := map[string]any{"name": "probesvc", "groupName": "DEFAULT_GROUP", "clusters": "", "cacheMillis": 10000.0,
		"hosts": []any{}, "checksum": "", "allIps": false, "reachProtectionThreshold": false, "valid": true}
	assert.Equal(t, want, si)

	p, err = c.call(typeServiceQueryRequest, `{"headers":{},"namespace":"public","serviceName":"svc","groupName":"DEFAULT_GROUP","cluster":"","healthyOnly":false,"udpPort":0,"module":"naming"}`)
	require.NoError(t, err)
	assert.Contains(t, string(p.Body), `"checksum":"","allIps":false,"reachProtectionThreshold":false,"valid":true}`)
	assert.NotContains(t, string(p.Body), "allIPs")
}

func TestNacos3ConfigPushTenant(t *testing.T) {
	checkLeaks(t)
	env, st := startV3(t)
	blank, public := configClient(t, env), configClient(t, env)
	// The batch-listen answer echoes each client's spelling (as 2.4).
	_, body := blank.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"k1", "G", "", "x"}))
	assert.Equal(t, `{"resultCode":200,"errorCode":0,"changedConfigs":[{"group":"G","dataId":"k1","tenant":""}],"success":true}`, body)
	_, body = public.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"k1", "G", "public", "x"}))
	assert.Equal(t, `{"resultCode":200,"errorCode":0,"changedConfigs":[{"group":"G","dataId":"k1","tenant":"public"}],"success":true}`, body)

	_, err := st.Publish(config.Publish{DataID: "k1", Group: "G", Content: "v"})
	require.NoError(t, err)
	n, raw := nextNotify(t, blank)
	assert.Equal(t, `{"headers":{},"requestId":"`+n.RequestID+`","dataId":"k1","group":"G","module":"config"}`, raw)
	n, raw = nextNotify(t, public)
	assert.Equal(t, `{"headers":{},"requestId":"`+n.RequestID+`","dataId":"k1","group":"G","tenant":"public","module":"config"}`, raw)
	noNotify(t, blank, 50*time.Millisecond)
}
