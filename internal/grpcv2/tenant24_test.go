package grpcv2

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/internal/config"
)

// TestConfigTenantVerbatim24: a real 2.4.3's gRPC config handlers use the
// tenant verbatim, so "" (where an HTTP publish without tenant stores) and
// "public" (what a 3.x Java client sends) are two namespaces. Every answer
// and push below is what a real 2.4.3 gave to the same requests from this
// package's test client (a throwaway probe, one key per publish, both
// connections listening with md5 "" first; HTTP publishes with curl):
//   - HTTP POST /v1/cs/configs without tenant, or tenant="": gRPC
//     ConfigQueryRequest tenant "" finds it, tenant "public" and "null"
//     answer 300 "config data not exist"; only the connection that listened
//     with "" gets a ConfigChangeNotifyRequest (no tenant field).
//   - HTTP POST tenant=public: found only by tenant "public" (and not by an
//     HTTP GET, whatever its tenant); only the "public" listener is pushed,
//     with "tenant":"public".
//   - gRPC ConfigPublishRequest tenant "" / "public": the same as the HTTP
//     publishes without tenant / with tenant=public.
func TestConfigTenantVerbatim24(t *testing.T) {
	checkLeaks(t)
	env, st := startConfigServer(t, nil)
	c := configClient(t, env)
	blank, public := configClient(t, env), configClient(t, env)
	notFound := `{"resultCode":500,"errorCode":300,"message":"config data not exist","lastModified":0,"beta":false,"success":false}`
	found := func(tenant, content string) {
		t.Helper()
		_, body := c.raw(typeConfigQueryRequest, queryBody("k", "G", tenant))
		a := decodeConfig(t, body)
		require.Equal(t, 200, a.ResultCode, "tenant %q: %s", tenant, body)
		assert.Equal(t, content, *a.Content, "tenant %q", tenant)
	}
	missing := func(tenants ...string) {
		t.Helper()
		for _, tn := range tenants {
			_, body := c.raw(typeConfigQueryRequest, queryBody("k", "G", tn))
			assert.Equal(t, notFound, body, "tenant %q", tn)
		}
	}
	for _, l := range []struct {
		c      *testClient
		tenant string
	}{{blank, ""}, {public, "public"}} {
		_, body := l.c.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"k", "G", l.tenant, ""}))
		require.Equal(t, `{"resultCode":200,"errorCode":0,"changedConfigs":[],"success":true}`, body)
	}
	pushed := func(to *testClient, want string) {
		t.Helper()
		n, raw := nextNotify(t, to)
		assert.Equal(t, `{"headers":{},"requestId":"`+n.RequestID+`","dataId":"k","group":"G"`+want+`,"module":"config"}`, raw)
	}

	// HTTP publish without tenant (the store's "").
	_, err := st.Publish(config.Publish{DataID: "k", Group: "G", Content: "default"})
	require.NoError(t, err)
	pushed(blank, "")
	noNotify(t, public, 100*time.Millisecond)
	found("", "default")
	missing("public", "null")

	// HTTP publish tenant=public (confighttp keeps it verbatim: Exact).
	_, err = st.Publish(config.Publish{DataID: "k", Group: "G", Tenant: config.Exact("public"), Content: "pub"})
	require.NoError(t, err)
	pushed(public, `,"tenant":"public"`)
	noNotify(t, blank, 100*time.Millisecond)
	found("public", "pub")
	found("", "default")
	missing("null")
	it, ok := st.Get("k", "G", "public", "") // an HTTP GET with tenant=public
	require.True(t, ok)
	assert.Equal(t, "default", it.Content)

	// gRPC publishes land where their tenant says.
	_, body := c.raw(typeConfigPublishRequest, publishBody("k", "G", "public", "pub2", "", "text"))
	require.Equal(t, `{"resultCode":200,"errorCode":0,"success":true}`, body)
	pushed(public, `,"tenant":"public"`)
	noNotify(t, blank, 100*time.Millisecond)
	_, body = c.raw(typeConfigPublishRequest, publishBody("k", "G", "", "default2", "", "text"))
	require.Equal(t, `{"resultCode":200,"errorCode":0,"success":true}`, body)
	pushed(blank, "")
	noNotify(t, public, 100*time.Millisecond)
	found("", "default2")
	found("public", "pub2")

	// A listener with a stale md5 is answered in its own spelling.
	_, body = public.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"k", "G", "public", "x"}))
	assert.Equal(t, `{"resultCode":200,"errorCode":0,"changedConfigs":[{"group":"G","dataId":"k","tenant":"public"}],"success":true}`, body)
	_, body = blank.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"k", "G", "", config.MD5("default2")}))
	assert.Equal(t, `{"resultCode":200,"errorCode":0,"changedConfigs":[],"success":true}`, body)

	// Removing "public" leaves "".
	_, body = c.raw(typeConfigRemoveRequest, queryBody("k", "G", "public"))
	require.Equal(t, `{"resultCode":200,"errorCode":0,"success":true}`, body)
	pushed(public, `,"tenant":"public"`)
	missing("public")
	found("", "default2")
}

// TestConfigTenantMerged30: the 3.0 mode keeps mapping blank to public
// (3.0.3 does, on every path): a "public" query finds a blank publish.
func TestConfigTenantMerged30(t *testing.T) {
	checkLeaks(t)
	env, _ := startV3(t)
	c := configClient(t, env)
	_, body := c.raw(typeConfigPublishRequest, publishBody("k", "G", "", "v", "", "text"))
	require.Equal(t, `{"resultCode":200,"errorCode":0,"success":true}`, body)
	_, body = c.raw(typeConfigQueryRequest, queryBody("k", "G", "public"))
	a := decodeConfig(t, body)
	require.Equal(t, 200, a.ResultCode, body)
	assert.Equal(t, "v", *a.Content)
}
