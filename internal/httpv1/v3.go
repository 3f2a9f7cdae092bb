package httpv1

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// The 3.0 generation (registry.ModeV3): the legacy APIs gated by the
// nacos.core.api.compatibility switches, and the v3 naming client API
// (InstanceOpenApiController@3.0.3). Every answer below was read off a real
// 3.0.3 server started with its defaults (see compat/README.md).

// Compat holds a 3.x server's nacos.core.api.compatibility.*.enabled
// switches. A legacy API of a kind switched off answers 410.
type Compat struct{ Client, Admin, Console bool }

// apiKind is the class of a legacy API (ApiType@3.0.3).
type apiKind int

const (
	adminAPI apiKind = iota
	consoleAPI
)

// legacyAPI is a gated v1/v2 endpoint and the v3 API its 410 names ("" for
// none: the message then says only how to re-enable it).
type legacyAPI struct {
	kind        apiKind
	replacement string
}

// legacyAPIs are the gated endpoints, keyed "METHOD path" (without
// /nacos). Read off a real 3.0.3, e.g. `curl -X PATCH
// :8848/nacos/v1/ns/instance` names `PUT .../v3/admin/ns/instance/partial`.
var legacyAPIs = func() map[string]legacyAPI {
	m := map[string]legacyAPI{
		"GET /v1/ns/instance":          {adminAPI, "GET /v3/admin/ns/instance"},
		"PUT /v1/ns/instance":          {adminAPI, "PUT /v3/admin/ns/instance"},
		"PATCH /v1/ns/instance":        {adminAPI, "PUT /v3/admin/ns/instance/partial"},
		"GET /v1/ns/operator/switches": {adminAPI, "GET /v3/admin/ns/ops/switches"},
		"GET /v1/ns/ops/switches":      {adminAPI, "GET /v3/admin/ns/ops/switches"},
		"POST /v2/ns/instance":         {adminAPI, "POST /v3/admin/ns/instance"},
		"DELETE /v2/ns/instance":       {adminAPI, "DELETE /v3/admin/ns/instance"},
		"PUT /v2/ns/instance":          {adminAPI, "PUT /v3/admin/ns/instance"},
		"GET /v2/ns/instance":          {adminAPI, "GET /v3/admin/ns/instance"},
		"PUT /v2/ns/instance/beat":     {adminAPI, ""},
		"GET /v2/ns/instance/list":     {adminAPI, "GET /v3/admin/ns/instance/list"},
		"GET /v2/ns/service/list":      {adminAPI, "GET /v3/admin/ns/service/list"},
		"GET /v2/ns/operator/metrics":  {adminAPI, "GET /v3/admin/ns/ops/metrics"},
		"POST /v1/auth/users/admin":    {consoleAPI, "POST /v3/auth/user/admin"},
		"POST /v1/auth/admin":          {consoleAPI, "POST /v3/auth/user/admin"},
	}
	for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
		m[method+" /v1/ns/service"] = legacyAPI{adminAPI, method + " /v3/admin/ns/service"}
		m[method+" /v2/ns/service"] = legacyAPI{adminAPI, method + " /v3/admin/ns/service"}
	}
	for _, method := range []string{"GET", "POST", "DELETE"} {
		m[method+" /v2/cs/config"] = legacyAPI{adminAPI, method + " /v3/admin/cs/config"}
	}
	for _, v := range []string{"v1", "v2"} {
		for _, h := range []string{"liveness", "readiness"} {
			m["GET /"+v+"/console/health/"+h] = legacyAPI{consoleAPI, "GET /v3/console/health/" + h}
		}
	}
	return m
}()

// legacyConfigGet is the console API a v1 config GET becomes with one of
// these parameters (ConfigController.getConfig's siblings, mapped by
// params): show=all, search, beta=true.
func legacyConfigGet(p *params) (legacyAPI, bool) {
	switch {
	case p.get("show") == "all":
		return legacyAPI{consoleAPI, "GET /v3/console/cs/config"}, true
	case p.has("search"):
		return legacyAPI{consoleAPI, "GET /v3/console/cs/config/list"}, true
	case p.get("beta") == "true":
		return legacyAPI{consoleAPI, "GET /v3/console/cs/config/beta"}, true
	}
	return legacyAPI{}, false
}

// gone is the 410 a 3.x server answers for a legacy API whose kind is
// switched off, or nil.
func (s *Server) gone(c *call) *Reject {
	if s.reg.Mode() != registry.ModeV3 || !strings.HasPrefix(c.r.URL.Path, "/nacos/") {
		return nil
	}
	path := strings.TrimPrefix(c.r.URL.Path, "/nacos")
	api, ok := legacyAPIs[c.r.Method+" "+path]
	if !ok && c.r.Method == http.MethodGet && path == "/v1/cs/configs" {
		api, ok = legacyConfigGet(&c.p)
	}
	if !ok {
		return nil
	}
	switch {
	case api.kind == adminAPI && s.cfg.Compat.Admin, api.kind == consoleAPI && s.cfg.Compat.Console:
		return nil
	}
	prop := map[apiKind]string{adminAPI: "admin", consoleAPI: "console"}[api.kind]
	msg := "Current API will be deprecated, If wanted continue to use, please set `nacos.core.api.compatibility." + prop + ".enabled=true` in application.properties."
	if api.replacement != "" {
		method, p, _ := strings.Cut(api.replacement, " ")
		msg = "Current API will be deprecated, please use API(s) `" + method + " ${contextPath:nacos}" + p +
			"` instead, or set `nacos.core.api.compatibility." + prop + ".enabled=true` in application.properties."
	}
	// The filter's message is the Result JSON, inside Spring's /error JSON.
	inner, _ := marshalJSON(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{40000, msg})
	rej := SpringReject(c.r, http.StatusGone, string(inner))
	if !strings.HasPrefix(path, "/v1/cs/") {
		// Only the config API's filter labels it with a charset.
		rej.ContentType = strings.TrimSuffix(rej.ContentType, ";charset=UTF-8")
	}
	return rej
}

// result is the v2/v3 API's Result JSON, {"code","message","data"}.
type result struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

// Result answers a v3 API's Result envelope with the given HTTP status.
func (x *Exchange) Result(status, code int, message string, data any) {
	b, err := marshalJSON(result{code, message, data})
	if err != nil {
		x.c.s.cfg.Logger.Error("encoding a result", "err", err)
	}
	x.c.status, x.c.ctype, x.c.body = status, "application/json", b
}

// ResultMissing is a v3 API's answer to a missing required parameter:
// {"code":10000,"message":"parameter missing","data":"Required parameter
// 'dataId' type String is not present"} with HTTP 400.
func (x *Exchange) ResultMissing(name, javaType string) {
	x.Result(http.StatusBadRequest, 10000, "parameter missing",
		"Required parameter '"+name+"' type "+javaType+" is not present")
}

// v3Routes adds the v3 naming client API (open, as InstanceOpenApiController).
func (s *Server) v3Routes(add func(path string, h http.Handler, methods ...string)) {
	const p = "/nacos/v3/client/ns/instance"
	add(p, s.handle(journal.Register, s.v3Register), http.MethodPost)
	add(p, s.handle(journal.Deregister, s.v3Wrap(s.deregister)), http.MethodDelete)
	add(p+"/list", s.handle(journal.List, s.v3List), http.MethodGet)
	const state = "/nacos/v3/admin/core/state"
	add(state, s.handle(journal.Health, s.v3State), http.MethodGet)
	for _, h := range []string{"/liveness", "/readiness"} {
		add(state+h, s.handle(journal.Health, func(c *call) error {
			(&Exchange{c}).Result(http.StatusOK, 0, "success", "ok")
			return nil
		}), http.MethodGet)
	}
}

// v3State is GET /v3/admin/core/state (ServerStateController): the server's
// state as strings, in the order a real 3.0.3 standalone server lists them
// (its defaults; the mock's port).
func (s *Server) v3State(c *call) error {
	port := ""
	if a, ok := c.r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			port = p
		}
	}
	kv := [][2]any{
		{"defaultMaxSize", "102400"}, {"auth_system_type", "nacos"}, {"auth_enabled", "true"},
		{"defaultMaxAggrSize", "1024"}, {"maxHealthCheckFailCount", "12"}, {"maxContent", "10485760"},
		{"console_ui_enabled", "true"}, {"defaultMaxAggrCount", "10000"}, {"defaultGroupQuota", "200"},
		{"config_retention_days", "30"}, {"auth_admin_request", "true"}, {"startup_mode", "standalone"},
		{"isHealthCheck", "true"}, {"version", "3.0.3"}, {"function_mode", nil}, {"isManageCapacity", "true"},
		{"isCapacityLimitCheck", "false"}, {"datasource_platform", ""}, {"notifyConnectTimeout", "100"},
		{"server_port", port}, {"notifySocketTimeout", "200"}, {"defaultClusterQuota", "100000"},
		{"login_page_enabled", "true"}, {"plugin_datasource_log_enabled", "false"},
	}
	var b strings.Builder
	b.WriteString("{")
	for i, e := range kv {
		if i > 0 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(e[0])
		v, _ := json.Marshal(e[1])
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	(&Exchange{c}).Result(http.StatusOK, 0, "success", json.RawMessage(b.String()))
	return nil
}

// v3Required checks the parameters the controller binds as required, in its
// order; the v3 handlers then read them as the v1 ones do.
func (c *call) v3Required(names ...string) bool {
	types := map[string]string{"port": "Integer"}
	for _, n := range names {
		if !c.p.has(n) {
			t := types[n]
			if t == "" {
				t = "String"
			}
			(&Exchange{c}).ResultMissing(n, t)
			return false
		}
	}
	return true
}

// v3Register is POST /v3/client/ns/instance: a register, or a beat with
// heartBeat=true.
func (s *Server) v3Register(c *call) error {
	if javaBool(c.p.get("heartBeat")) {
		c.ev.Kind = journal.Beat
		if !c.v3Required("serviceName", "ip", "port") {
			return nil
		}
		if err := s.beat(c); err != nil {
			return s.v3Error(c, err)
		}
		var ans beatAnswer
		_ = json.Unmarshal(c.body, &ans)
		if ans.Code == registry.BeatNotFound {
			// A beat for an unknown instance: HTTP 200, code 21003.
			(&Exchange{c}).Result(http.StatusOK, 21003, "instance not found", nil)
			return nil
		}
		(&Exchange{c}).Result(http.StatusOK, 0, "success", "ok")
		return nil
	}
	return s.v3Wrap(s.register)(c)
}

// v3Wrap runs a v1 handler that answers "ok" and wraps its answer.
func (s *Server) v3Wrap(h func(*call) error) func(*call) error {
	return func(c *call) error {
		if !c.v3Required("serviceName", "ip", "port") {
			return nil
		}
		if err := h(c); err != nil {
			return s.v3Error(c, err)
		}
		(&Exchange{c}).Result(http.StatusOK, 0, "success", "ok")
		return nil
	}
}

// v3Error is how the v3 API answers a NacosException: HTTP 400 with code
// 30000 and the exception in data (observed: registering a persistent
// instance in an ephemeral service).
func (s *Server) v3Error(c *call, err error) error {
	e := asAPIError(err)
	(&Exchange{c}).Result(http.StatusBadRequest, 30000, "server error",
		"errCode: "+strconv.Itoa(e.code)+", errMsg: "+e.msg+" ")
	return nil
}

// v3List is GET /v3/client/ns/instance/list: the hosts alone, in a Result.
// clusterName defaults to DEFAULT (observed: an instance in cluster c1 is
// listed only with clusterName=c1).
func (s *Server) v3List(c *call) error {
	if !c.v3Required("serviceName") {
		return nil
	}
	key, err := c.serviceKey()
	if err != nil {
		return s.v3Error(c, err)
	}
	sel := registry.Selection{Clusters: c.p.optional("clusterName", registry.DefaultCluster),
		HealthyOnly: javaBool(c.p.optional("healthyOnly", "false"))}
	v := s.reg.View(key, sel)
	(&Exchange{c}).Result(http.StatusOK, 0, "success", HostsV2(v.Hosts, key.Grouped()))
	return nil
}
