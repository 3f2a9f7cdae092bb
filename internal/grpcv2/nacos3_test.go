package grpcv2

// The 3.0 generation (registry.ModeV3) over gRPC. The expectations were read
// off a real Nacos 3.0.3 with this package's hand-built test client pointed
// at it (a throwaway test, not kept): its QueryServiceResponse, and the
// pushes to two connections that listened to one config, one with tenant ""
// and one with "public", after a publish.

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// startV3 is a server in 3.0 mode whose registry also tells it of changed
// services (fuzzy watch), as the public server's Notify does.
func startV3(t *testing.T) (*testEnv, *config.Store) {
	t.Helper()
	var srv atomic.Pointer[Server]
	reg := registry.New(registry.Config{Mode: registry.ModeV3, Notify: func(ch registry.Changes) {
		deliverPushes(ch)
		if s := srv.Load(); s != nil {
			s.ServicesChanged(ch.Services)
		}
	}})
	env, st := startConfigServer(t, func(c *Config) { c.Registry = reg })
	env.reg = reg
	srv.Store(env.srv)
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

// ackPush answers a server push as a client does.
func ackPush(c *testClient, p *payload) {
	var r struct {
		RequestID string `json:"requestId"`
	}
	_ = json.Unmarshal(p.Body, &r)
	c.send(&payload{Type: strings.TrimSuffix(p.Type, "Request") + "Response",
		Body: jsonBody(map[string]any{"resultCode": 200, "errorCode": 0, "requestId": r.RequestID, "success": true})})
}

// nextPush is the next push of type typ, acknowledged, with its requestId
// replaced by "N" for comparison.
func nextPush(t *testing.T, c *testClient, typ string) string {
	t.Helper()
	p, err := c.next(typ, 5*time.Second)
	require.NoError(t, err)
	ackPush(c, p)
	var r struct {
		RequestID string `json:"requestId"`
	}
	require.NoError(t, json.Unmarshal(p.Body, &r))
	return strings.Replace(string(p.Body), `"requestId":"`+r.RequestID+`"`, `"requestId":"N"`, 1)
}

// TestNacos3FuzzyWatch: every request and push below is what a real 3.0.3
// answered and sent to the same requests from this package's test client
// (a throwaway probe): one existing service and config in group FZ, then
// one of each added and removed.
func TestNacos3FuzzyWatch(t *testing.T) {
	checkLeaks(t)
	env, st := startV3(t)
	c := configClient(t, env)
	_, err := st.Publish(config.Publish{DataID: "fz.yaml", Group: "FZ", Content: "a"})
	require.NoError(t, err)
	require.NoError(t, env.reg.Register(registry.ServiceKey{Namespace: "public", Group: "FZ", Name: "fz-a"},
		registry.Instance{IP: "10.0.0.1", Port: 80, Weight: 1, Healthy: true, Enabled: true, Ephemeral: false}))

	typ, body := c.raw(typeNamingFuzzyWatchRequest, `{"headers":{},"namespace":"public","groupKeyPattern":"public>>FZ>>*","receivedGroupKeys":["public@@FZ@@gone"],"watchType":"WATCH","module":"naming","initializing":true}`)
	require.Equal(t, typeNamingFuzzyWatchResponse, typ)
	assert.Equal(t, `{"resultCode":200,"errorCode":0,"success":true}`, body)
	assert.Equal(t, `{"headers":{},"requestId":"N","syncType":"FUZZY_WATCH_INIT_NOTIFY","groupKeyPattern":"public>>FZ>>*","contexts":[{"serviceKey":"public@@FZ@@gone","changedType":"DELETE_SERVICE"},{"serviceKey":"public@@FZ@@fz-a","changedType":"ADD_SERVICE"}],"totalBatch":1,"currentBatch":1,"module":"naming"}`,
		nextPush(t, c, typeNamingFuzzyWatchSyncRequest))
	assert.Equal(t, `{"headers":{},"requestId":"N","syncType":"FINISH_FUZZY_WATCH_INIT_NOTIFY","groupKeyPattern":"public>>FZ>>*","contexts":[],"totalBatch":1,"currentBatch":1,"module":"naming"}`,
		nextPush(t, c, typeNamingFuzzyWatchSyncRequest))

	typ, body = c.raw(typeConfigFuzzyWatchRequest, `{"headers":{},"groupKeyPattern":"public>>FZ>>*","receivedGroupKeys":[],"watchType":"WATCH","module":"config","initializing":true}`)
	require.Equal(t, typeConfigFuzzyWatchResponse, typ)
	assert.Equal(t, `{"resultCode":200,"errorCode":0,"success":true}`, body)
	assert.Equal(t, `{"headers":{},"requestId":"N","groupKeyPattern":"public>>FZ>>*","contexts":[{"groupKey":"fz.yaml+FZ+public","changedType":"ADD_CONFIG"}],"syncType":"FUZZY_WATCH_INIT_NOTIFY","totalBatch":1,"currentBatch":1,"module":"config"}`,
		nextPush(t, c, typeConfigFuzzyWatchSyncRequest))
	assert.Equal(t, `{"headers":{},"requestId":"N","groupKeyPattern":"public>>FZ>>*","syncType":"FINISH_FUZZY_WATCH_INIT_NOTIFY","totalBatch":0,"currentBatch":0,"module":"config"}`,
		nextPush(t, c, typeConfigFuzzyWatchSyncRequest))

	// A watch again with what the client holds: nothing to sync.
	_, body = c.raw(typeConfigFuzzyWatchRequest, `{"headers":{},"groupKeyPattern":"public>>FZ>>*","receivedGroupKeys":["fz.yaml+FZ+public"],"watchType":"WATCH","module":"config","initializing":false}`)
	assert.Equal(t, `{"resultCode":200,"errorCode":0,"success":true}`, body)
	_, err = c.next(typeConfigFuzzyWatchSyncRequest, 100*time.Millisecond)
	assert.Error(t, err, "a sync with nothing to say")

	// Changes: a config published and removed, a service that gets an
	// instance and loses it (the service itself stays), and nothing for
	// another group.
	_, err = st.Publish(config.Publish{DataID: "fz2.yaml", Group: "FZ", Content: "b"})
	require.NoError(t, err)
	assert.Equal(t, `{"headers":{},"requestId":"N","groupKey":"fz2.yaml+FZ+public","changeType":"CONFIG_CHANGED","module":"config"}`,
		nextPush(t, c, typeConfigFuzzyWatchChangeRequest))
	_, err = st.Remove("fz2.yaml", "FZ", "", "")
	require.NoError(t, err)
	assert.Equal(t, `{"headers":{},"requestId":"N","groupKey":"fz2.yaml+FZ+public","changeType":"DELETE_CONFIG","module":"config"}`,
		nextPush(t, c, typeConfigFuzzyWatchChangeRequest))

	fzb := registry.ServiceKey{Namespace: "public", Group: "FZ", Name: "fz-b"}
	in := registry.Instance{IP: "10.0.0.2", Port: 80, Weight: 1, Healthy: true, Enabled: true, Ephemeral: false}
	require.NoError(t, env.reg.Register(fzb, in))
	assert.Equal(t, `{"headers":{},"requestId":"N","syncType":"FUZZY_WATCH_RESOURCE_CHANGED","serviceKey":"public@@FZ@@fz-b","changedType":"ADD_SERVICE","module":"naming"}`,
		nextPush(t, c, typeNamingFuzzyWatchChangeRequest))
	env.reg.Deregister(fzb, "DEFAULT", "10.0.0.2", 80, "")
	assert.Equal(t, `{"headers":{},"requestId":"N","syncType":"FUZZY_WATCH_RESOURCE_CHANGED","serviceKey":"public@@FZ@@fz-b","changedType":"DELETE_SERVICE","module":"naming"}`,
		nextPush(t, c, typeNamingFuzzyWatchChangeRequest))
	require.NoError(t, env.reg.Register(registry.ServiceKey{Namespace: "public", Group: "OTHER", Name: "x"}, in))
	_, err = st.Publish(config.Publish{DataID: "x", Group: "OTHER", Content: "b"})
	require.NoError(t, err)
	_, err = c.next(typeNamingFuzzyWatchChangeRequest, 100*time.Millisecond)
	assert.Error(t, err)
	_, err = c.next(typeConfigFuzzyWatchChangeRequest, 100*time.Millisecond)
	assert.Error(t, err)

	waitFor(t, "fuzzy pushes journaled", func() bool { return len(env.rec.kind(journal.FuzzyPush)) == 8 })
	assert.Len(t, env.rec.kind(journal.NamingFuzzyWatch), 1)
	assert.Len(t, env.rec.kind(journal.ConfigFuzzyWatch), 2)
}

// TestFuzzyWatchIsNot24: a 2.4.3 server has no fuzzy watch handler.
func TestFuzzyWatchIsNot24(t *testing.T) {
	checkLeaks(t)
	env, _ := startConfigServer(t, nil)
	c := configClient(t, env)
	typ, body := c.raw(typeNamingFuzzyWatchRequest, `{"headers":{},"namespace":"public","groupKeyPattern":"public>>FZ>>*","receivedGroupKeys":[],"watchType":"WATCH","module":"naming","initializing":true}`)
	assert.Equal(t, typeErrorResponse, typ)
	assert.Equal(t, `{"resultCode":500,"errorCode":302,"message":"RequestHandler Not Found","success":false}`, body)
}
