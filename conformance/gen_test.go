//go:build conformance

package conformance

import (
	"encoding/json"
	"math/rand"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// pfx stands for the run's prefix in generated names: every run of a
// sequence (and every rerun while shrinking) replaces it with a fresh prefix
// of the same length, so that runs do not see each other's services and
// configs on the long-running real server.
const pfx = "PFX000"

func prefixFor(run int) string {
	r := strconv.FormatInt(int64(run%1_679_616), 36) // 36^4
	for len(r) < 4 {
		r = "0" + r
	}
	return processToken + r
}

// processToken tells this test process's names from an earlier one's on a
// server that outlives it (-attach): a letter and a base-36 digit.
var processToken = func() string {
	n := time.Now().UnixNano()
	return string(rune('a'+n%26)) + strconv.FormatInt((n/26)%36, 36)
}()

// absent in a pool means "leave the parameter out".
const absent = "\x00absent"

var long300 = strings.Repeat("x", 300-len(pfx)) + pfx

// The pools of parameter values: valid ones (weighted by repetition) and
// invalid ones, as the issue lists them.
var (
	poolService = []string{
		pfx + "svc", pfx + "svc", pfx + "svc", pfx + "svc2",
		"DEFAULT_GROUP@@" + pfx + "svc", "DEFAULT_GROUP@@" + pfx + "svc", "g1@@" + pfx + "svc",
		pfx + " svc", pfx + "服务", pfx + ":svc", "@@" + pfx + "svc", pfx + "svc@@", long300, "", absent,
	}
	poolGroup     = []string{absent, absent, absent, "DEFAULT_GROUP", "g1", "", "g 1", "组", "a@@b"}
	poolNamespace = []string{absent, absent, absent, pfx + "ns", pfx + "ns", "", "public", "null", "a.b"}
	poolIP        = []string{"127.0.0.1", "127.0.0.1", "127.0.0.1", "10.0.0.2", "", absent, "not-an-ip", "1.2.3.4 5"}
	poolPort      = []string{"8080", "8080", "8080", "8081", "0", "-1", "65536", "abc", absent}
	poolWeight    = []string{absent, absent, "1", "2.5", "0", "10000", "10000.5", "-1", "abc"}
	poolBool      = []string{absent, absent, "true", "false", "yes"}
	poolCluster   = []string{absent, absent, "", "DEFAULT", "c1", "a.b", "a_b", "集群"}
	poolMetadata  = []string{absent, absent, `{"k":"v"}`, `{"k":"v2"}`, "abc", "a=1,b=2", `{"k":"` + strings.Repeat("v", 300) + `"}`, "null", "{}"}
	poolThreshold = []string{absent, "0", "0.5", "1", "2", "-1", "abc"}
	poolDataID    = []string{pfx + "cfg", pfx + "cfg", pfx + "cfg", pfx + "cfg2", pfx + " cfg", pfx + "配置", pfx + ":cfg", long300, "", absent}
	poolCfgGroup  = []string{absent, absent, "DEFAULT_GROUP", "DEFAULT_GROUP", "g1", "", "g 1", "组"}
	poolTenant    = []string{absent, absent, absent, pfx + "ns", "", "public", "null", "a b"}
	poolContent   = []string{"v1", "v1", "v2", "中文内容", "", absent, strings.Repeat("c", 300), "a=1\nb=2"}
	poolCfgType   = []string{absent, absent, "text", "yaml", "properties", "nosuch"}
	poolPage      = []string{"1", "1", "2", "0", "-1", "abc", absent}
	poolPageSize  = []string{"10", "10", "1", "0", "abc", absent}
	poolUser      = []string{"nacos", "nacos", "", absent, "nobody"}
	poolPassword  = []string{"nacos", "wrong", "", absent}
)

type gen struct {
	r *rand.Rand
}

func (g *gen) pick(pool []string) string { return pool[g.r.Intn(len(pool))] }
func (g *gen) chance(p float64) bool     { return g.r.Float64() < p }

// params is an ordered parameter list; absent values are left out.
type params [][2]string

func (p *params) add(k, v string) {
	if v != absent {
		*p = append(*p, [2]string{k, v})
	}
}

func (p params) encode() string {
	var b strings.Builder
	for i, kv := range p {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(kv[1]))
	}
	return b.String()
}

func (p params) get(k string) string {
	for _, kv := range p {
		if kv[0] == k {
			return kv[1]
		}
	}
	return absent
}

// serviceKey is the list query that observes the instances of the service
// an operation named (its own parameters, so that both servers resolve it
// the same way).
func serviceKey(p params) string {
	var q params
	for _, k := range []string{"serviceName", "groupName", "namespaceId"} {
		q.add(k, p.get(k))
	}
	return q.encode()
}

func configKey(p params) string {
	var q params
	for _, k := range []string{"dataId", "group", "tenant"} {
		q.add(k, p.get(k))
	}
	return q.encode()
}

// sequence generates one sequence of n steps.
func (g *gen) sequence(row serverRow, n int) []step {
	var out []step
	for len(out) < n {
		out = append(out, g.step(row))
	}
	return out
}

// serviceParams names a service: serviceName, groupName, namespaceId.
func (g *gen) serviceParams() params {
	var p params
	p.add("serviceName", g.pick(poolService))
	p.add("groupName", g.pick(poolGroup))
	p.add("namespaceId", g.pick(poolNamespace))
	return p
}

func (g *gen) instanceParams(full bool) params {
	p := g.serviceParams()
	p.add("ip", g.pick(poolIP))
	p.add("port", g.pick(poolPort))
	p.add("clusterName", g.pick(poolCluster))
	if full {
		p.add("weight", g.pick(poolWeight))
		p.add("ephemeral", g.pick(poolBool))
		p.add("enabled", g.pick(poolBool))
		p.add("healthy", g.pick(poolBool))
		p.add("metadata", g.pick(poolMetadata))
	}
	return p
}

func (g *gen) configParams() params {
	var p params
	p.add("dataId", g.pick(poolDataID))
	p.add("group", g.pick(poolCfgGroup))
	p.add("tenant", g.pick(poolTenant))
	return p
}

func httpStep(name, method, path string, p params, inForm bool) step {
	s := step{Name: name, Method: method, Path: path}
	if inForm && len(p) > 0 {
		s.Form = p.encode()
	} else if len(p) > 0 {
		s.Path += "?" + p.encode()
	}
	return s
}

func (g *gen) step(row serverRow) step {
	kinds := httpKinds
	if row.grpc {
		kinds = append(append([]string(nil), httpKinds...), grpcKinds...)
	}
	switch k := kinds[g.r.Intn(len(kinds))]; k {
	case "register", "deregister", "update", "patch":
		method := map[string]string{"register": "POST", "deregister": "DELETE", "update": "PUT", "patch": "PATCH"}[k]
		p := g.instanceParams(k != "deregister")
		if k == "deregister" {
			p.add("ephemeral", g.pick(poolBool))
		}
		s := httpStep("http "+k, method, "/v1/ns/instance", p, k == "register" && g.chance(0.2))
		s.Service = serviceKey(p)
		return s
	case "beat":
		p := g.instanceParams(false)
		if g.chance(0.5) {
			beat := map[string]any{}
			for _, f := range [][2]string{{"serviceName", "serviceName"}, {"ip", "ip"}, {"cluster", "clusterName"}} {
				if v := p.get(f[1]); v != absent {
					beat[f[0]] = v
				}
			}
			if port := p.get("port"); port != absent {
				beat["port"] = jsonish(port)
			}
			if g.chance(0.3) {
				beat["metadata"] = map[string]string{"k": "beat"}
			}
			b, _ := json.Marshal(beat)
			p.add("beat", string(b))
		}
		s := httpStep("http beat", "PUT", "/v1/ns/instance/beat", p, false)
		s.Service = serviceKey(p)
		return s
	case "list":
		p := g.serviceParams()
		p.add("clusters", g.pick(poolCluster))
		p.add("healthyOnly", g.pick(poolBool))
		s := httpStep("http list", "GET", "/v1/ns/instance/list", p, false)
		s.Read = true
		return s
	case "detail":
		s := httpStep("http detail", "GET", "/v1/ns/instance", g.instanceParams(false), false)
		s.Read = true
		return s
	case "service create", "service update":
		p := g.serviceParams()
		p.add("protectThreshold", g.pick(poolThreshold))
		p.add("metadata", g.pick(poolMetadata))
		method := map[string]string{"service create": "POST", "service update": "PUT"}[k]
		s := httpStep("http "+k, method, "/v1/ns/service", p, false)
		s.Service = serviceKey(p)
		return s
	case "service delete", "service detail":
		p := g.serviceParams()
		method := map[string]string{"service delete": "DELETE", "service detail": "GET"}[k]
		s := httpStep("http "+k, method, "/v1/ns/service", p, false)
		s.Read = k == "service detail"
		s.Service = serviceKey(p)
		return s
	case "service list":
		var p params
		p.add("pageNo", g.pick(poolPage))
		p.add("pageSize", g.pick(poolPageSize))
		p.add("groupName", g.pick(poolGroup))
		p.add("namespaceId", pfx+"ns") // only the run's own namespace: others hold other runs' services
		s := httpStep("http service list", "GET", "/v1/ns/service/list", p, false)
		s.Read = true
		return s
	case "publish":
		p := g.configParams()
		p.add("content", g.pick(poolContent))
		p.add("type", g.pick(poolCfgType))
		s := httpStep("http config publish", "POST", "/v1/cs/configs", p, g.chance(0.7))
		s.Config = configKey(p)
		return s
	case "get":
		s := httpStep("http config get", "GET", "/v1/cs/configs", g.configParams(), false)
		s.Read = true
		return s
	case "remove":
		p := g.configParams()
		s := httpStep("http config remove", "DELETE", "/v1/cs/configs", p, false)
		s.Config = configKey(p)
		return s
	case "listen":
		p := g.configParams()
		md5 := g.pick([]string{"", "0123456789abcdef0123456789abcdef"})
		line := p.get("dataId") + "\x02" + p.get("group") + "\x02" + md5
		if t := p.get("tenant"); t != absent {
			line += "\x02" + t
		}
		var f params
		f.add("Listening-Configs", strings.ReplaceAll(line, absent, "")+"\x01")
		s := httpStep("http config listen", "POST", "/v1/cs/configs/listener", f, true)
		s.Headers = map[string]string{"Long-Pulling-Timeout": "30000", "Long-Pulling-Timeout-No-Hangup": "true"}
		s.Read = true
		return s
	case "login":
		var p params
		p.add("username", g.pick(poolUser))
		p.add("password", g.pick(poolPassword))
		s := httpStep("http login", "POST", "/v1/auth/login", p, true)
		s.Read = true
		return s
	default:
		return g.grpcStep(k)
	}
}

var httpKinds = []string{
	"register", "register", "register", "deregister", "update", "patch", "beat", "list", "list", "detail",
	"service create", "service update", "service delete", "service detail", "service list",
	"publish", "publish", "get", "get", "remove", "listen", "login",
}

var grpcKinds = []string{
	"grpc register", "grpc register", "grpc deregister", "grpc batch", "grpc query", "grpc subscribe", "grpc service list",
	"grpc publish", "grpc publish", "grpc config query", "grpc config remove", "grpc listen",
}

// jsonish turns a pool value into the JSON value a client would send: a
// number when it parses as one, else a string (a wrong type).
func jsonish(v string) any {
	var n json.Number
	if err := json.Unmarshal([]byte(v), &n); err == nil {
		return n
	}
	switch v {
	case "true":
		return true
	case "false":
		return false
	}
	return v
}

func (g *gen) setJSON(m map[string]any, k string, pool []string) {
	if v := g.pick(pool); v != absent {
		m[k] = v
	}
}

func (g *gen) setJSONish(m map[string]any, k string, pool []string) {
	if v := g.pick(pool); v != absent {
		m[k] = jsonish(v)
	}
}

func (g *gen) grpcInstance() map[string]any {
	in := map[string]any{}
	g.setJSON(in, "ip", poolIP)
	g.setJSONish(in, "port", poolPort)
	g.setJSONish(in, "weight", poolWeight)
	g.setJSONish(in, "ephemeral", []string{absent, "true", "true", "true", "false", "yes"})
	g.setJSONish(in, "healthy", poolBool)
	g.setJSONish(in, "enabled", poolBool)
	g.setJSON(in, "clusterName", poolCluster)
	switch g.r.Intn(5) {
	case 0:
		in["metadata"] = map[string]string{"k": "v"}
	case 1:
		in["metadata"] = "not a map"
	case 2:
		in["metadata"] = map[string]string{"k": strings.Repeat("v", 1100)}
	}
	return in
}

func (g *gen) grpcNaming() map[string]any {
	m := map[string]any{"headers": map[string]string{}, "module": "naming"}
	g.setJSON(m, "serviceName", poolService)
	g.setJSON(m, "groupName", []string{"DEFAULT_GROUP", "DEFAULT_GROUP", "DEFAULT_GROUP", "g1", "", absent, "g 1", "组"})
	g.setJSON(m, "namespace", []string{"public", "public", pfx + "ns", "", absent, "null", "a.b"})
	return m
}

func (g *gen) grpcConfig() map[string]any {
	m := map[string]any{"headers": map[string]string{}, "module": "config"}
	g.setJSON(m, "dataId", poolDataID)
	g.setJSON(m, "group", poolCfgGroup)
	g.setJSON(m, "tenant", poolTenant)
	return m
}

// keyOfGRPC is the HTTP list query observing the service a gRPC request
// named.
func keyOfGRPCNaming(m map[string]any) string {
	var q params
	str := func(k string) string {
		if v, ok := m[k].(string); ok {
			return v
		}
		return absent
	}
	q.add("serviceName", str("serviceName"))
	q.add("groupName", str("groupName"))
	q.add("namespaceId", str("namespace"))
	return q.encode()
}

func keyOfGRPCConfig(m map[string]any) string {
	var q params
	for _, k := range []string{"dataId", "group", "tenant"} {
		if v, ok := m[k].(string); ok {
			q.add(k, v)
		}
	}
	return q.encode()
}

func grpcStep(name, typ string, body map[string]any) step {
	b, _ := json.Marshal(body)
	return step{Name: name, GRPCType: typ, GRPCBody: string(b)}
}

func (g *gen) grpcStep(k string) step {
	switch k {
	case "grpc register", "grpc deregister":
		m := g.grpcNaming()
		m["type"] = map[string]string{"grpc register": "registerInstance", "grpc deregister": "deRegisterInstance"}[k]
		if g.chance(0.05) {
			m["type"] = "nosuchType"
		}
		if !g.chance(0.05) {
			m["instance"] = g.grpcInstance()
		}
		s := grpcStep(k, "InstanceRequest", m)
		s.Service = keyOfGRPCNaming(m)
		return s
	case "grpc batch":
		m := g.grpcNaming()
		m["type"] = "batchRegisterInstance"
		var ins []any
		for i := g.r.Intn(3); i >= 0; i-- {
			ins = append(ins, g.grpcInstance())
		}
		m["instances"] = ins
		s := grpcStep(k, "BatchInstanceRequest", m)
		s.Service = keyOfGRPCNaming(m)
		return s
	case "grpc query":
		m := g.grpcNaming()
		g.setJSON(m, "cluster", poolCluster)
		g.setJSONish(m, "healthyOnly", poolBool)
		g.setJSONish(m, "udpPort", []string{absent, "0", "abc"})
		s := grpcStep(k, "ServiceQueryRequest", m)
		s.Read = true
		return s
	case "grpc subscribe":
		m := g.grpcNaming()
		g.setJSON(m, "clusters", poolCluster)
		g.setJSONish(m, "subscribe", []string{"true", "true", "false", absent})
		s := grpcStep(k, "SubscribeServiceRequest", m)
		s.Read = true
		return s
	case "grpc service list":
		m := map[string]any{"headers": map[string]string{}, "module": "naming", "namespace": pfx + "ns"}
		g.setJSON(m, "groupName", []string{"DEFAULT_GROUP", "g1", "", absent})
		g.setJSONish(m, "pageNo", poolPage)
		g.setJSONish(m, "pageSize", poolPageSize)
		s := grpcStep(k, "ServiceListRequest", m)
		s.Read = true
		return s
	case "grpc publish":
		m := g.grpcConfig()
		g.setJSON(m, "content", poolContent)
		if g.chance(0.3) {
			m["additionMap"] = map[string]string{"type": g.pick([]string{"yaml", "text", ""})}
		}
		s := grpcStep(k, "ConfigPublishRequest", m)
		s.Config = keyOfGRPCConfig(m)
		return s
	case "grpc config query":
		s := grpcStep(k, "ConfigQueryRequest", g.grpcConfig())
		s.Read = true
		return s
	case "grpc config remove":
		m := g.grpcConfig()
		s := grpcStep(k, "ConfigRemoveRequest", m)
		s.Config = keyOfGRPCConfig(m)
		return s
	case "grpc listen":
		c := g.grpcConfig()
		delete(c, "headers")
		delete(c, "module")
		c["md5"] = g.pick([]string{"", "0123456789abcdef0123456789abcdef"})
		m := map[string]any{"headers": map[string]string{}, "module": "config", "listen": !g.chance(0.2),
			"configListenContexts": []any{c}}
		s := grpcStep(k, "ConfigBatchListenRequest", m)
		s.Read = true
		return s
	}
	panic("unknown kind " + k)
}
