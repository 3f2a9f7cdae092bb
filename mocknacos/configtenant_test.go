package mocknacos_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// TestConfigHTTPTenantPublic24: a real 2.4.3 (and 1.4.8) maps tenant
// "public" (and "null", any case) to the default namespace only on the
// HTTP GET; its publish, delete and listener keep the tenant verbatim. Read
// off a real 2.4.3 with curl (one dataId per step; the 1.4.8 answered the
// publishes, GETs, the "public" listener and the delete the same way):
//   - POST /nacos/v1/cs/configs dataId=d&group=G&content=blank, then the
//     same with tenant=public&content=pub: GET without tenant answers
//     "blank"; a POST with tenant=public (or null, NULL, Public) is found by
//     no GET (404 "config data not exist", with or without tenant).
//   - DELETE ?dataId=d&group=G&tenant=public: 200 "true", and a GET without
//     tenant still answers "blank".
//   - POST /listener Long-Pulling-Timeout 3000 with
//     "d^2G^2md5(blank)^2public^1": answered at once, "d%02G%02public%01";
//     the same probe without tenant is held (no change).
func TestConfigHTTPTenantPublic24(t *testing.T) {
	for _, v := range []mocknacos.ServerVersion{mocknacos.Nacos2, mocknacos.Nacos1} {
		t.Run(string(v), func(t *testing.T) { testConfigHTTPTenantPublic(t, mocknacos.Start(t, mocknacos.WithServerVersion(v))) })
	}
}

func testConfigHTTPTenantPublic(t *testing.T, srv *mocknacos.Server) {
	get := "/v1/cs/configs?dataId=d&group=G"
	post := func(form string) {
		t.Helper()
		r := configDo(t, srv, "POST", "/v1/cs/configs", "dataId=d&group=G&"+form, nil)
		require.Equal(t, 200, r.status, r.body)
		require.Equal(t, "true", r.body)
	}
	post("content=blank")
	post("tenant=public&content=pub")
	for _, q := range []string{"", "&tenant=", "&tenant=public"} {
		r := configDo(t, srv, "GET", get+q, "", nil)
		assert.Equal(t, 200, r.status, q)
		assert.Equal(t, "blank", r.body, q)
	}
	for _, tn := range []string{"null", "NULL", "Public"} {
		r := configDo(t, srv, "POST", "/v1/cs/configs", "dataId=h-"+tn+"&group=G&content=x&tenant="+tn, nil)
		require.Equal(t, "true", r.body)
		for _, q := range []string{"", "&tenant=" + tn} {
			r = configDo(t, srv, "GET", "/v1/cs/configs?dataId=h-"+tn+"&group=G"+q, "", nil)
			assert.Equal(t, 404, r.status, tn+q)
			assert.Equal(t, "config data not exist\n", r.body, tn+q)
		}
	}

	// The listener compares a "public" probe with the "public" config.
	md5 := "8e15625d6c158ec48f374efb77bd2714" // md5("blank")
	start := time.Now()
	r := configDo(t, srv, "POST", "/v1/cs/configs/listener", "Listening-Configs="+
		"d%02G%02"+md5+"%02public%01", map[string]string{"Long-Pulling-Timeout": "3000"})
	assert.Equal(t, "d%02G%02public%01\n", r.body)
	assert.Less(t, time.Since(start), 2*time.Second)

	r = configDo(t, srv, "DELETE", get+"&tenant=public", "", nil)
	require.Equal(t, "true", r.body)
	r = configDo(t, srv, "GET", get, "", nil)
	assert.Equal(t, "blank", r.body)
	// Deleted (this step not probed on the real server): the "public"
	// probe of an empty md5 is now up to date, so the poll would be held
	// (the no-hang-up header answers it empty at once instead).
	r = configDo(t, srv, "POST", "/v1/cs/configs/listener", "Listening-Configs="+
		"d%02G%02%02public%01", map[string]string{"Long-Pulling-Timeout": "3000", "Long-Pulling-Timeout-No-Hangup": "true"})
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "", r.body)
}
