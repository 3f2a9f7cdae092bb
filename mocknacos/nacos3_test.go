package mocknacos_test

// The 3.0 mode over plain HTTP. Every expected answer was read off a real
// Nacos 3.0.3 (the official release, run as a plain process with its
// default application.properties and the three auth secrets it requires),
// by sending the same request with curl; the request is named in each case.

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/mocknacos"
)

func nacos3(opts ...mocknacos.Option) []mocknacos.Option {
	return append([]mocknacos.Option{mocknacos.WithServerVersion(mocknacos.Nacos3)}, opts...)
}

// goneJSON is the 410 of a gated legacy API: Spring's /error JSON whose
// message is the Result JSON of code 40000 naming the v3 replacement.
func goneJSON(path, replacement, kind string) *springErrorJSON {
	msg := "Current API will be deprecated, If wanted continue to use, please set `nacos.core.api.compatibility." + kind + ".enabled=true` in application.properties."
	if replacement != "" {
		m, p, _ := strings.Cut(replacement, " ")
		msg = "Current API will be deprecated, please use API(s) `" + m + " ${contextPath:nacos}" + p +
			"` instead, or set `nacos.core.api.compatibility." + kind + ".enabled=true` in application.properties."
	}
	inner, _ := json.Marshal(map[string]any{"code": 40000, "message": msg})
	// Go orders map keys: code before message, as the real body does.
	return &springErrorJSON{Status: 410, Error: "Gone", Message: string(inner), Path: "/nacos" + path}
}

func gone(method, path, replacement, kind string) rejection {
	p, _, _ := strings.Cut(path, "?")
	ctype := appJSON
	if strings.HasPrefix(p, "/v1/cs/") {
		ctype = "application/json;charset=UTF-8"
	}
	return rejection{name: method + " " + path, req: hreq{method: method, path: path}, status: http.StatusGone,
		ctype: ctype, spring: goneJSON(p, replacement, kind)}
}

// TestNacos3GatedAPIs: `curl -X METHOD :P/nacos<path>` on a real 3.0.3 for
// each case; the admin and console APIs are off by default.
func TestNacos3GatedAPIs(t *testing.T) {
	runRejections(t, []rejection{
		gone("GET", "/v1/ns/instance?serviceName=s&ip=1.1.1.1&port=80", "GET /v3/admin/ns/instance", "admin"),
		gone("PUT", "/v1/ns/instance", "PUT /v3/admin/ns/instance", "admin"),
		gone("PATCH", "/v1/ns/instance", "PUT /v3/admin/ns/instance/partial", "admin"),
		gone("GET", "/v1/ns/service", "GET /v3/admin/ns/service", "admin"),
		gone("DELETE", "/v1/ns/service", "DELETE /v3/admin/ns/service", "admin"),
		gone("GET", "/v1/ns/operator/switches", "GET /v3/admin/ns/ops/switches", "admin"),
		gone("GET", "/v1/console/health/readiness", "GET /v3/console/health/readiness", "console"),
		gone("GET", "/v2/console/health/liveness", "GET /v3/console/health/liveness", "console"),
		gone("POST", "/v2/ns/instance", "POST /v3/admin/ns/instance", "admin"),
		gone("PUT", "/v2/ns/instance/beat", "", "admin"),
		gone("GET", "/v2/ns/instance/list?serviceName=s", "GET /v3/admin/ns/instance/list", "admin"),
		gone("GET", "/v2/cs/config", "GET /v3/admin/cs/config", "admin"),
		gone("POST", "/v1/auth/users/admin", "POST /v3/auth/user/admin", "console"),
		gone("GET", "/v1/cs/configs?show=all&dataId=a&group=b", "GET /v3/console/cs/config", "console"),
		gone("GET", "/v1/cs/configs?search=accurate&dataId=a&group=b", "GET /v3/console/cs/config/list", "console"),
		{name: "unknown v2 path", req: hreq{method: "GET", path: "/v2/ns/foo"}, status: 404, ctype: appJSON,
			spring: &springErrorJSON{Status: 404, Error: "Not Found", Message: "No endpoint GET /nacos/v2/ns/foo.", Path: "/nacos/v2/ns/foo"}},
		{name: "v3 list without serviceName", req: hreq{method: "GET", path: "/v3/client/ns/instance/list"}, status: 400, ctype: appJSON,
			body: `{"code":10000,"message":"parameter missing","data":"Required parameter 'serviceName' type String is not present"}`},
		{name: "v3 register without port", req: hreq{method: "POST", path: "/v3/client/ns/instance?serviceName=s&ip=1.2.3.4"}, status: 400, ctype: appJSON,
			body: `{"code":10000,"message":"parameter missing","data":"Required parameter 'port' type Integer is not present"}`},
		{name: "v3 config without dataId", req: hreq{method: "GET", path: "/v3/client/cs/config?groupName=g"}, status: 400, ctype: textPlain,
			body: `caused: Required parameter 'dataId' type String is not present;`},
	}, mocknacos.WithServerVersion(mocknacos.Nacos3))
}

// TestNacos3CompatibilitySwitches: nacos.core.api.compatibility.admin.enabled
// =true opens the admin APIs again; the console ones stay gated.
func TestNacos3CompatibilitySwitches(t *testing.T) {
	srv := mocknacos.Start(t, nacos3(mocknacos.WithAPICompatibility(true, true, false))...)
	httpRegister(t, srv, "svc", "10.0.0.1", 80)
	a := hreq{method: "GET", path: "/v1/ns/instance?serviceName=svc&ip=10.0.0.1&port=80"}.send(t, srv)
	assert.Equal(t, http.StatusOK, a.status, a.body)
	a = hreq{method: "GET", path: "/v1/console/health/liveness"}.send(t, srv)
	assert.Equal(t, http.StatusGone, a.status, a.body)

	// The console shows the imitated version: it reads the journal
	// header's source.
	resp, err := httpClient.Get("http://" + srv.Addr() + mocknacos.AdminPrefix + "/journal")
	require.NoError(t, err)
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	resp.Body.Close()
	assert.Contains(t, string(head), `"source":"mocknacos `+srv.Addr()+` as Nacos 3.0"`)
	assert.Equal(t, mocknacos.Nacos3, srv.ServerVersion())

	// The 2.4 mode gates nothing.
	srv2 := mocknacos.Start(t)
	a = hreq{method: "GET", path: "/v1/console/health/liveness"}.send(t, srv2)
	assert.Equal(t, http.StatusOK, a.status, a.body)
}

// TestNacos3OpenAPIs: the v1 client API stays open and its service view
// says allIps (curl -X POST '/nacos/v1/ns/instance?serviceName=svc1&ip=
// 10.0.0.1&port=80', then GET /nacos/v1/ns/instance/list?serviceName=svc1).
func TestNacos3OpenAPIs(t *testing.T) {
	srv := mocknacos.Start(t, nacos3(mocknacos.WithFrozenClock(time.Time{}))...)
	httpRegister(t, srv, "svc1", "10.0.0.1", 80)
	a := hreq{method: "GET", path: "/v1/ns/instance/list?serviceName=svc1"}.mustOK(t, srv)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.body), &got))
	assert.Equal(t, false, got["allIps"])
	assert.NotContains(t, got, "allIPs")
	// Field order as the real one: allIps where allIPs was.
	assert.Contains(t, a.body, `"checksum":"","allIps":false,"reachProtectionThreshold":false,"valid":true}`)
	a = hreq{method: "GET", path: "/v1/ns/operator/metrics"}.mustOK(t, srv)
	assert.Equal(t, `{"status":"UP"}`, a.body)
	a = hreq{method: "PUT", path: "/v1/ns/instance/beat?serviceName=svc1&ip=10.0.0.1&port=80"}.mustOK(t, srv)
	assert.Equal(t, `{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}`, a.body)

	// The 2.4 mode keeps allIPs.
	srv2 := mocknacos.Start(t)
	httpRegister(t, srv2, "svc1", "10.0.0.1", 80)
	a = hreq{method: "GET", path: "/v1/ns/instance/list?serviceName=svc1"}.mustOK(t, srv2)
	assert.Contains(t, a.body, `"allIPs":false`)
}

// TestNacos3ClientAPI: the v3 naming and config client API, each answer as
// the real one gave it.
func TestNacos3ClientAPI(t *testing.T) {
	srv := mocknacos.Start(t, nacos3(mocknacos.WithFrozenClock(time.Time{}))...)
	ok := `{"code":0,"message":"success","data":"ok"}`
	// POST /nacos/v3/client/ns/instance?serviceName=svc3&ip=10.0.0.3&port=81
	a := hreq{method: "POST", path: "/v3/client/ns/instance?serviceName=svc3&ip=10.0.0.3&port=81"}.mustOK(t, srv)
	assert.Equal(t, ok, a.body)
	assert.Equal(t, appJSON, a.ctype)
	require.Len(t, srv.Instances("svc3"), 1)

	// A persistent instance in the ephemeral service.
	a = hreq{method: "POST", path: "/v3/client/ns/instance", form: "serviceName=svc3&ip=10.0.0.4&port=81&ephemeral=false"}.send(t, srv)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, `{"code":30000,"message":"server error","data":"errCode: 400, errMsg: Current service DEFAULT_GROUP@@svc3 is ephemeral service, can't register persistent instance. "}`, a.body)

	// GET /nacos/v3/client/ns/instance/list?serviceName=svc3: the hosts
	// alone. (The real one leaves instanceId out of an instance registered
	// through v3; the mock names every instance.)
	a = hreq{method: "GET", path: "/v3/client/ns/instance/list?serviceName=svc3"}.mustOK(t, srv)
	var list struct {
		Code    int              `json:"code"`
		Message string           `json:"message"`
		Data    []map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(a.body), &list))
	require.Len(t, list.Data, 1)
	assert.Equal(t, "10.0.0.3", list.Data[0]["ip"])
	assert.Equal(t, "DEFAULT_GROUP@@svc3", list.Data[0]["serviceName"])
	assert.Equal(t, 15000.0, list.Data[0]["instanceHeartBeatTimeOut"])

	// clusterName defaults to DEFAULT: an instance in c1 shows only when
	// asked for (svc4 registered with clusterName=c1).
	hreq{method: "POST", path: "/v3/client/ns/instance?serviceName=svc4&ip=10.0.0.3&port=81&clusterName=c1"}.mustOK(t, srv)
	a = hreq{method: "GET", path: "/v3/client/ns/instance/list?serviceName=svc4"}.mustOK(t, srv)
	assert.Equal(t, `{"code":0,"message":"success","data":[]}`, a.body)
	a = hreq{method: "GET", path: "/v3/client/ns/instance/list?serviceName=svc4&clusterName=c1"}.mustOK(t, srv)
	assert.Contains(t, a.body, `"clusterName":"c1"`)

	// heartBeat=true is a beat; of an unknown instance, code 21003.
	a = hreq{method: "POST", path: "/v3/client/ns/instance?serviceName=svc3&ip=10.0.0.3&port=81&heartBeat=true"}.mustOK(t, srv)
	assert.Equal(t, ok, a.body)
	a = hreq{method: "POST", path: "/v3/client/ns/instance?serviceName=svc3&ip=10.0.0.9&port=81&heartBeat=true"}.mustOK(t, srv)
	assert.Equal(t, `{"code":21003,"message":"instance not found","data":null}`, a.body)

	// DELETE, also of an unknown instance.
	a = hreq{method: "DELETE", path: "/v3/client/ns/instance?serviceName=svc3&ip=10.0.0.3&port=81"}.mustOK(t, srv)
	assert.Equal(t, ok, a.body)
	assert.Empty(t, srv.Instances("svc3"))
	a = hreq{method: "DELETE", path: "/v3/client/ns/instance?serviceName=svc3&ip=10.0.0.8&port=81"}.mustOK(t, srv)
	assert.Equal(t, ok, a.body)

	// Config: publish over v1, read over v3 (with and without
	// namespaceId=public), and a missing one.
	hreq{method: "POST", path: "/v1/cs/configs", form: "dataId=d1&group=g1&content=hello"}.mustOK(t, srv)
	for _, q := range []string{"", "&namespaceId=public"} {
		a = hreq{method: "GET", path: "/v3/client/cs/config?dataId=d1&groupName=g1" + q}.mustOK(t, srv)
		var cfg struct {
			Code int            `json:"code"`
			Data map[string]any `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(a.body), &cfg), a.body)
		assert.Equal(t, 0, cfg.Code)
		assert.Equal(t, "hello", cfg.Data["content"])
		assert.Equal(t, "5d41402abc4b2a76b9719d911017c592", cfg.Data["md5"])
		assert.Equal(t, "text", cfg.Data["contentType"])
		assert.Equal(t, 200.0, cfg.Data["resultCode"])
		assert.Contains(t, a.body, `{"code":0,"message":"success","data":{"resultCode":200,"errorCode":0,"message":null,"requestId":null,"content":"hello","encryptedDataKey":"","contentType":"text","md5":"5d41402abc4b2a76b9719d911017c592","lastModified":`)
		assert.True(t, strings.HasSuffix(a.body, `,"tag":null,"beta":false,"success":true}}`), a.body)
	}
	a = hreq{method: "GET", path: "/v3/client/cs/config?dataId=d2&groupName=g1"}.mustOK(t, srv)
	assert.Equal(t, `{"code":20004,"message":"resource not found","data":null}`, a.body)
}

// TestNacos3StateAndLogin: /v3/admin/core/state{,/liveness,/readiness}, the
// v3 admin initialisation and login, and their failures.
func TestNacos3StateAndLogin(t *testing.T) {
	srv := mocknacos.Start(t, nacos3()...)
	for _, p := range []string{"/v3/admin/core/state/liveness", "/v3/admin/core/state/readiness"} {
		a := hreq{method: "GET", path: p}.mustOK(t, srv)
		assert.Equal(t, `{"code":0,"message":"success","data":"ok"}`, a.body)
	}
	a := hreq{method: "GET", path: "/v3/admin/core/state"}.mustOK(t, srv)
	var st struct {
		Code int                `json:"code"`
		Data map[string]*string `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(a.body), &st))
	require.NotNil(t, st.Data["version"])
	assert.Equal(t, "3.0.3", *st.Data["version"])
	assert.Equal(t, "standalone", *st.Data["startup_mode"])
	assert.Equal(t, srv.Addr()[strings.LastIndex(srv.Addr(), ":")+1:], *st.Data["server_port"])
	assert.Nil(t, st.Data["function_mode"])

	// A fresh 3.x server has no user: an unknown one is 403 on v3, 500 on
	// the v1 path (curl -d username=nacos -d password=x .../v3/auth/user/login
	// and .../v1/auth/users/login before the admin exists).
	a = hreq{method: "POST", path: "/v3/auth/user/login", form: "username=nacos&password=x"}.send(t, srv)
	assert.Equal(t, http.StatusForbidden, a.status)
	assert.Contains(t, a.body, `"message":"Access Denied","path":"/nacos/v3/auth/user/login"`)
	a = hreq{method: "POST", path: "/v1/auth/users/login", form: "username=nacos&password=x"}.send(t, srv)
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Contains(t, a.body, `"message":"Handle API Compatibility failed, please see log for detail."`)

	a = hreq{method: "POST", path: "/v3/auth/user/admin", form: "password=secret1"}.mustOK(t, srv)
	assert.Equal(t, `{"code":0,"message":"success","data":{"username":"nacos","password":"secret1"}}`, a.body)
	a = hreq{method: "POST", path: "/v3/auth/user/admin", form: "password=x"}.mustOK(t, srv)
	assert.Equal(t, `{"code":409,"message":"have admin user cannot use it.","data":null}`, a.body)

	// With client auth off, login still signs a token (console auth is on
	// in 3.x): both paths answer the same shape.
	for _, p := range []string{"/v3/auth/user/login", "/v1/auth/users/login"} {
		a = hreq{method: "POST", path: p, form: "username=nacos&password=secret1"}.mustOK(t, srv)
		var tok struct {
			AccessToken string `json:"accessToken"`
			TokenTTL    int    `json:"tokenTtl"`
			GlobalAdmin bool   `json:"globalAdmin"`
			Username    string `json:"username"`
		}
		require.NoError(t, json.Unmarshal([]byte(a.body), &tok))
		assert.True(t, strings.HasPrefix(tok.AccessToken, "eyJ"), tok.AccessToken)
		assert.Equal(t, 18000, tok.TokenTTL)
		assert.True(t, tok.GlobalAdmin)
		assert.Equal(t, "nacos", tok.Username)
	}
	// A wrong password: a bare 500 on v3.
	a = hreq{method: "POST", path: "/v3/auth/user/login", form: "username=nacos&password=bad"}.send(t, srv)
	assert.Equal(t, http.StatusInternalServerError, a.status)
	assert.Contains(t, a.body, `"message":"No message available"`)
}

// TestNacos3ProbesOpenWithAuth: with auth on, a real 3.0.3 (the compat
// suite's container, NACOS_AUTH_ENABLE=true) answers its readiness probe
// without a token.
func TestNacos3ProbesOpenWithAuth(t *testing.T) {
	srv := mocknacos.Start(t, nacos3(mocknacos.WithAuth("nacos", "nacos"))...)
	for _, p := range []string{"/v3/admin/core/state/liveness", "/v3/admin/core/state/readiness"} {
		a := hreq{method: "GET", path: p}.mustOK(t, srv)
		assert.Equal(t, `{"code":0,"message":"success","data":"ok"}`, a.body)
	}
	a := hreq{method: "GET", path: "/v1/ns/instance/list?serviceName=x"}.send(t, srv)
	assert.Equal(t, http.StatusForbidden, a.status, "a client API still needs a token")
}
