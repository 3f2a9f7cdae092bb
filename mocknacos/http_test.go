package mocknacos_test

// Plain-HTTP tests of what the mock rejects, and how. Every expected status
// and body below is the real server's (Nacos 2.4.3 by default, 1.4.8 with
// WithServerVersion(Nacos1)), read from its source: the 2.4.3 param checker
// answers 400 with the message, CRLF and no Content-Type; controllers answer
// plain text; servlet filters (ServiceNameFilter, DistroFilter) answer with
// Spring Boot's /error JSON.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/httpcases"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// httpClient sends every plain-HTTP request of these tests. No keep-alive:
// nothing it starts outlives a request.
var httpClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// req is one request: path and query below the context path ("/v1/ns/..."),
// and an optional form body.
type hreq struct {
	method string
	path   string
	form   string
	agent  string
}

type hanswer struct {
	status int
	ctype  string
	body   string
}

func (r hreq) send(t testing.TB, srv *mocknacos.Server) hanswer {
	t.Helper()
	var body io.Reader
	if r.form != "" {
		body = strings.NewReader(r.form)
	}
	hr, err := http.NewRequest(r.method, srv.URL()+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.form != "" {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.agent != "" {
		hr.Header.Set("User-Agent", r.agent)
	}
	resp, err := httpClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return hanswer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: string(b)}
}

// mustOK sends r and fails the test unless the answer is 200.
func (r hreq) mustOK(t testing.TB, srv *mocknacos.Server) hanswer {
	t.Helper()
	a := r.send(t, srv)
	if a.status != http.StatusOK {
		t.Fatalf("%s %s: %d %q", r.method, r.path, a.status, a.body)
	}
	return a
}

// httpRegister registers an instance the way a client that never beats
// would: one POST, then silence.
func httpRegister(t testing.TB, srv *mocknacos.Server, service, ip string, port int) {
	t.Helper()
	hreq{method: "POST", path: "/v1/ns/instance?serviceName=" + url.QueryEscape(service) + "&ip=" + ip + "&port=" + strconv.Itoa(port)}.mustOK(t, srv)
}

const (
	textPlain = httpcases.TextPlain
	appJSON   = httpcases.AppJSON
)

// springErrorJSON is the Spring Boot /error body a servlet filter's sendError
// produces; its timestamp varies, so it is compared field by field.
type springErrorJSON = httpcases.SpringError

type rejection struct {
	name  string
	setup []hreq // sent first, each must answer 200
	req   hreq
	// The expected answer. For a Spring /error JSON, set spring instead of
	// body.
	status int
	ctype  string
	body   string
	spring *springErrorJSON
}

func (tc rejection) check(t *testing.T, srv *mocknacos.Server) {
	t.Helper()
	for _, s := range tc.setup {
		s.mustOK(t, srv)
	}
	before := len(srv.Journal())
	got := tc.req.send(t, srv)
	if got.status != tc.status {
		t.Errorf("status = %d, want %d (body %q)", got.status, tc.status, got.body)
	}
	if got.ctype != tc.ctype {
		t.Errorf("Content-Type = %q, want %q", got.ctype, tc.ctype)
	}
	if tc.spring != nil {
		var se springErrorJSON
		if err := json.Unmarshal([]byte(got.body), &se); err != nil {
			t.Fatalf("body %q is not Spring's /error JSON: %v", got.body, err)
		}
		if se != *tc.spring {
			t.Errorf("error JSON = %+v, want %+v (body %s)", se, *tc.spring, got.body)
		}
		var raw map[string]any
		_ = json.Unmarshal([]byte(got.body), &raw)
		if _, ok := raw["timestamp"]; !ok {
			t.Errorf("error JSON has no timestamp: %s", got.body)
		}
	} else if got.body != tc.body {
		t.Errorf("body = %q, want %q", got.body, tc.body)
	}

	// The request is journaled, marked rejected unless it was a 200.
	evs := srv.Journal()
	if len(evs) != before+1 {
		t.Fatalf("journal grew by %d events, want 1", len(evs)-before)
	}
	ev := evs[len(evs)-1]
	if ev.Protocol != mocknacos.ProtocolHTTP {
		t.Errorf("event protocol = %q", ev.Protocol)
	}
	if ev.Response.Status != tc.status {
		t.Errorf("event status = %d, want %d", ev.Response.Status, tc.status)
	}
	if want := tc.status != http.StatusOK; ev.Rejected != want {
		t.Errorf("event Rejected = %v, want %v", ev.Rejected, want)
	}
	if ev.Rejected && ev.Error == "" {
		t.Errorf("rejected event has no Error")
	}
	if ev.Request.Method != tc.req.method || !strings.HasPrefix(tc.req.path, strings.TrimPrefix(ev.Request.Path, "/nacos")) {
		t.Errorf("event request = %s %s, want %s %s", ev.Request.Method, ev.Request.Path, tc.req.method, tc.req.path)
	}
}

func runRejections(t *testing.T, cases []rejection, opts ...mocknacos.Option) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mocknacos.Start(t, append([]mocknacos.Option{mocknacos.WithFrozenClock(time.Time{})}, opts...)...)
			tc.check(t, srv)
		})
	}
}

const instancePath = httpcases.InstancePath

func postInstance(query string) hreq { return hreq{method: "POST", path: instancePath + "?" + query} }

// fromShared turns the shared tables (internal/httpcases, also sent to the
// real servers by the conformance suite) into this file's cases.
func fromShared(cs []httpcases.Rejection) []rejection {
	req := func(r httpcases.Request) hreq {
		return hreq{method: r.Method, path: r.Path, form: r.Form, agent: r.Agent}
	}
	out := make([]rejection, 0, len(cs))
	for _, c := range cs {
		tc := rejection{name: c.Name, req: req(c.Req), status: c.Status, ctype: c.CType, body: c.Body, spring: c.Spring}
		for _, s := range c.Setup {
			tc.setup = append(tc.setup, req(s))
		}
		out = append(out, tc)
	}
	return out
}

// TestRejectedRequests checks every input the real 2.4.3 server rejects.
func TestRejectedRequests(t *testing.T) {
	t.Parallel()
	cases := fromShared(httpcases.Rejections())
	runRejections(t, cases)
}

// TestUnknownPathOutsideNaming is Spring's 404 for a path no controller
// serves.
func TestUnknownPathOutsideNaming(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	got := hreq{method: "GET", path: "/v1/nosuch"}.send(t, srv)
	if got.status != http.StatusNotFound {
		t.Fatalf("status = %d, want 404 (%q)", got.status, got.body)
	}
	var se springErrorJSON
	if err := json.Unmarshal([]byte(got.body), &se); err != nil || se.Status != 404 || se.Error != "Not Found" || se.Path != "/nacos/v1/nosuch" || se.Message != "No message available" {
		t.Errorf("body = %s (%v), want Spring's 404 /error JSON", got.body, err)
	}
	ev := srv.Journal()[0]
	if !ev.Rejected || ev.Response.Status != 404 || ev.Kind != mocknacos.KindUnknown {
		t.Errorf("journal event = %+v, want a rejected %q with status 404", ev, mocknacos.KindUnknown)
	}
}

// TestAcceptedEdgeCases are inputs that look wrong but that the real server
// accepts.
func TestAcceptedEdgeCases(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	for _, r := range []hreq{
		postInstance("serviceName=edge&ip=127.0.0.1&port=0"),                                                           // the checker's range is 0..65535
		postInstance("serviceName=edge&ip=127.0.0.1&port=1&metadata=a%3D1%2Cb%3D2"),                                    // "a=1,b=2" is accepted metadata
		postInstance("serviceName=edge&ip=127.0.0.1&port=2&metadata=null"),                                             // Go v1 sends null for a nil map
		postInstance("serviceName=edge&ip=127.0.0.1&port=3&enable=False&healthy=True&ephemeral=True&clusterName=None"), // Python v1
		postInstance("serviceName=edge&ip=127.0.0.1&port=4&weight=10000"),
		{method: "DELETE", path: instancePath + "?serviceName=nosuch&ip=127.0.0.1&port=8080"}, // unknown: still ok
		{method: "DELETE", path: instancePath + "?serviceName=edge&ip=127.0.0.1&port=9999"},
	} {
		if got := r.mustOK(t, srv); got.body != "ok" {
			t.Errorf("%s %s: body %q, want ok", r.method, r.path, got.body)
		}
	}
	byPort := map[int]mocknacos.Instance{}
	for _, in := range srv.Instances("edge") {
		byPort[in.Port] = in
	}
	if len(byPort) != 5 {
		t.Fatalf("instances = %+v, want 5", srv.Instances("edge"))
	}
	if md := byPort[1].Metadata; md["a"] != "1" || md["b"] != "2" || len(md) != 2 {
		t.Errorf("k=v metadata = %v", md)
	}
	if md := byPort[2].Metadata; len(md) != 0 {
		t.Errorf("null metadata = %v, want empty", md)
	}
	if in := byPort[3]; in.Enabled || !in.Healthy || !in.Ephemeral || in.Cluster != "None" {
		t.Errorf("Python-style booleans: %+v", in)
	}
	if byPort[4].Weight != 10000 {
		t.Errorf("weight = %v", byPort[4].Weight)
	}
	for _, e := range srv.Journal() {
		if e.Rejected {
			t.Errorf("accepted request journaled as rejected: %+v", e)
		}
	}
}

// TestFullBeatReRegisters: a beat carrying its "beat" JSON for an instance
// the server does not know registers it again (how 1.x clients recover from
// a server restart), from the beat's own fields.
func TestFullBeatReRegisters(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	beat := `{"ip":"127.0.0.1","port":8080,"weight":2,"serviceName":"DEFAULT_GROUP@@orders","cluster":"blue","metadata":{"v":"1"},"scheduled":false}`
	// Go v1 style: everything in the PUT body, not URL-encoded.
	got := hreq{method: "PUT", path: instancePath + "/beat", form: "namespaceId=&serviceName=DEFAULT_GROUP@@orders&beat=" + beat}.mustOK(t, srv)
	if want := `{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}`; got.body != want {
		t.Errorf("beat answer = %s, want %s", got.body, want)
	}
	ins := srv.Instances("orders")
	if len(ins) != 1 {
		t.Fatalf("instances = %+v, want the one the beat described", ins)
	}
	in := ins[0]
	if in.IP != "127.0.0.1" || in.Port != 8080 || in.Cluster != "blue" || in.Weight != 2 || in.Metadata["v"] != "1" || !in.Healthy || !in.Ephemeral {
		t.Errorf("re-registered instance = %+v", in)
	}
	beats := srv.Find(mocknacos.Query{Kind: mocknacos.KindBeat, Service: "orders"})
	if len(beats) != 1 || beats[0].IP != "127.0.0.1" || beats[0].Port != 8080 || beats[0].Cluster != "blue" || beats[0].Rejected {
		t.Errorf("beat events = %+v", beats)
	}

	// A later light beat (no JSON) for the same instance is a plain 10200.
	got = hreq{method: "PUT", path: instancePath + "/beat?serviceName=orders&ip=127.0.0.1&port=8080&clusterName=blue"}.mustOK(t, srv)
	if want := `{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}`; got.body != want {
		t.Errorf("light beat answer = %s, want %s", got.body, want)
	}
	// A beat JSON without weight registers with RsInfo's default 0.0.
	hreq{method: "PUT", path: instancePath + "/beat?serviceName=orders&beat=" + url.QueryEscape(`{"ip":"127.0.0.1","port":8081}`)}.mustOK(t, srv)
	for _, in := range srv.Instances("orders") {
		if in.Port == 8081 && (in.Weight != 0 || in.Cluster != "DEFAULT") {
			t.Errorf("beat without weight registered %+v, want weight 0 in DEFAULT", in)
		}
	}
}

// TestMetricsIsServerHealth: nacos-sdk-go v1's ServerHealthy (not exported by
// its NamingClient) reads "status" from this endpoint.
func TestMetricsIsServerHealth(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	got := hreq{method: "GET", path: "/v1/ns/operator/metrics"}.mustOK(t, srv)
	if got.body != `{"status":"UP"}` {
		t.Errorf("metrics = %s, want {\"status\":\"UP\"}", got.body)
	}
	got = hreq{method: "GET", path: "/v1/console/health/liveness"}.mustOK(t, srv)
	if got.body != "OK" {
		t.Errorf("liveness = %q", got.body)
	}
}

// TestServiceDetailBody is a real 2.4.3 server's service detail, byte for
// byte: its field order and NoneSelector's contextType.
func TestServiceDetailBody(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	hreq{method: "POST", path: "/v1/ns/service?serviceName=sx&protectThreshold=0.3&metadata=" + url.QueryEscape(`{"m":"1"}`)}.mustOK(t, srv)
	got := hreq{method: "GET", path: "/v1/ns/service?serviceName=sx"}.mustOK(t, srv)
	want := `{"namespaceId":"public","groupName":"DEFAULT_GROUP","name":"sx","protectThreshold":0.3,"metadata":{"m":"1"},"selector":{"type":"none","contextType":"NONE"},"clusters":[]}`
	if got.body != want || got.ctype != appJSON {
		t.Errorf("detail = %s (%s), want %s", got.body, got.ctype, want)
	}
}

// TestServiceDetailBodyNacos1: 1.4.8's order, and no contextType.
func TestServiceDetailBodyNacos1(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithServerVersion(mocknacos.Nacos1))
	hreq{method: "POST", path: "/v1/ns/service?serviceName=DEFAULT_GROUP%40%40sy&protectThreshold=0.5"}.mustOK(t, srv)
	got := hreq{method: "GET", path: "/v1/ns/service?serviceName=DEFAULT_GROUP%40%40sy"}.mustOK(t, srv)
	want := `{"name":"sy","namespaceId":"public","protectThreshold":0.5,"metadata":{},"selector":{"type":"none"},"groupName":"DEFAULT_GROUP","clusters":[]}`
	if got.body != want || got.ctype != appJSON {
		t.Errorf("detail = %s (%s), want %s", got.body, got.ctype, want)
	}
}

// TestListOfUnknownService: 2.4.3 answers an empty list, with lastRefTime.
func TestListOfUnknownService(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	got := hreq{method: "GET", path: instancePath + "/list?serviceName=nosuch&clusters=a,b"}.mustOK(t, srv)
	var v map[string]any
	if err := json.Unmarshal([]byte(got.body), &v); err != nil {
		t.Fatal(err)
	}
	if v["name"] != "DEFAULT_GROUP@@nosuch" || v["clusters"] != "a,b" || v["lastRefTime"] == nil || v["cacheMillis"] != float64(10000) {
		t.Errorf("list = %s", got.body)
	}
	if hosts, ok := v["hosts"].([]any); !ok || len(hosts) != 0 {
		t.Errorf("hosts = %v, want []", v["hosts"])
	}
}

// Nacos 1.4.x answers differently: exceptions as "caused: ...;", most of
// them 500, no param checker, no ServiceNameFilter.
func TestRejectedRequestsNacos1(t *testing.T) {
	t.Parallel()
	cases := fromShared(httpcases.RejectionsNacos1())
	runRejections(t, cases, mocknacos.WithServerVersion(mocknacos.Nacos1))
}

// TestProtectThresholdNacos1: a 1.4.x server lists every instance as healthy
// once none is (protectThreshold 0); 2.4.x does not protect a service that a
// registration created implicitly.
func TestProtectThresholdNacos1(t *testing.T) {
	t.Parallel()
	list := func(srv *mocknacos.Server, service string) []map[string]any {
		t.Helper()
		got := hreq{method: "GET", path: instancePath + "/list?serviceName=" + url.QueryEscape(service)}.mustOK(t, srv)
		var v struct{ Hosts []map[string]any }
		if err := json.Unmarshal([]byte(got.body), &v); err != nil {
			t.Fatal(err)
		}
		return v.Hosts
	}
	for _, tc := range []struct {
		version     mocknacos.ServerVersion
		service     string
		wantHealthy bool
	}{
		{mocknacos.Nacos1, "DEFAULT_GROUP@@orders", true},
		{mocknacos.Nacos2, "orders", false},
	} {
		srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithServerVersion(tc.version))
		httpRegister(t, srv, tc.service, "127.0.0.1", 8080)
		httpRegister(t, srv, tc.service, "127.0.0.1", 8081)
		srv.Advance(16 * time.Second)
		for _, in := range srv.Instances("orders") {
			if in.Healthy {
				t.Fatalf("%s: %s still healthy in the mock after 16 s", tc.version, in.Addr())
			}
		}
		hosts := list(srv, tc.service)
		if len(hosts) != 2 {
			t.Fatalf("%s: hosts = %v, want 2", tc.version, hosts)
		}
		for _, h := range hosts {
			if h["healthy"] != tc.wantHealthy {
				t.Errorf("%s: listed %v, want healthy=%v", tc.version, h, tc.wantHealthy)
			}
		}
	}
}
