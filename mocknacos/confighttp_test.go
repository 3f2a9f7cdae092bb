package mocknacos_test

// Plain-HTTP tests of the 1.x config API (nacos-protocol.md section 4).
// Every expected status, header and body is the 2.4.3 server's, read from
// ConfigController, ConfigServletInner, LongPollingService, ParamUtils, the
// ParamCheckerFilter and the exception handlers.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// configClient sends the plain requests of these tests; no keep-alive, so
// nothing it starts outlives a request.
var configClient = &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

type configReply struct {
	status int
	header http.Header
	body   string
}

// configDo sends method path?query (path below /nacos) with an optional
// form body and headers.
func configDo(t testing.TB, srv *mocknacos.Server, method, path, form string, headers map[string]string) configReply {
	t.Helper()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	r, err := http.NewRequest(method, srv.URL()+path, body)
	if err != nil {
		t.Error(err)
		return configReply{header: http.Header{}}
	}
	if form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	resp, err := configClient.Do(r)
	if err != nil { // Errorf, not Fatalf: some calls run on other goroutines
		t.Errorf("%s %s: %v", method, path, err)
		return configReply{header: http.Header{}}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return configReply{resp.StatusCode, resp.Header, string(b)}
}

func TestConfigHTTPGetPublishDelete(t *testing.T) {
	srv := mocknacos.Start(t)
	get := "/v1/cs/configs?dataId=orders.yaml&group=DEFAULT_GROUP"

	miss := configDo(t, srv, "GET", get, "", nil)
	// Every 2.4.3 config answer without a Content-Type of its own carries
	// application/json;charset=UTF-8 (observed on a real 2.4.3 server).
	if miss.status != 404 || miss.body != "config data not exist\n" || miss.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Fatalf("missing config: %d %q %q", miss.status, miss.body, miss.header.Get("Content-Type"))
	}
	pub := configDo(t, srv, "POST", "/v1/cs/configs", "dataId=orders.yaml&group=DEFAULT_GROUP&type=yaml&content="+url.QueryEscape("port: 8080\n"), nil)
	if pub.status != 200 || pub.body != "true" || pub.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Fatalf("publish: %d %q %q", pub.status, pub.body, pub.header.Get("Content-Type"))
	}
	// tenant "public" is the default namespace.
	got := configDo(t, srv, "GET", get+"&tenant=public", "", nil)
	want := map[string]string{
		"Content-MD5": "d65b7670e0133039c838352e0fc0159e", "Config-Type": "yaml", "Content-Type": "text/plain;charset=UTF-8",
		"Pragma": "no-cache", "Expires": "Thu, 01 Jan 1970 00:00:00 GMT", "Cache-Control": "no-cache,no-store",
	}
	if got.status != 200 || got.body != "port: 8080\n" {
		t.Fatalf("get: %d %q", got.status, got.body)
	}
	for k, v := range want {
		if got.header.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.header.Get(k), v)
		}
	}
	if _, err := http.ParseTime(got.header.Get("Last-Modified")); err != nil {
		t.Errorf("Last-Modified %q: %v", got.header.Get("Last-Modified"), err)
	}

	// Content-Type follows the type; an unknown type is text.
	for typ, ctype := range map[string]string{"json": "application/json;charset=UTF-8", "xml": "application/xml;charset=UTF-8",
		"html": "text/html;charset=UTF-8", "YAML": "text/plain;charset=UTF-8", "": "text/plain;charset=UTF-8"} {
		configDo(t, srv, "POST", "/v1/cs/configs", "dataId=t&group=G&content=x&type="+typ, nil)
		r := configDo(t, srv, "GET", "/v1/cs/configs?dataId=t&group=G", "", nil)
		wantType := typ
		if typ != "json" && typ != "xml" && typ != "html" {
			wantType = "text"
		}
		if r.header.Get("Content-Type") != ctype || r.header.Get("Config-Type") != wantType {
			t.Errorf("type %q: Content-Type %q, Config-Type %q", typ, r.header.Get("Content-Type"), r.header.Get("Config-Type"))
		}
	}

	del := configDo(t, srv, "DELETE", get, "", nil)
	again := configDo(t, srv, "DELETE", get, "", nil)
	if del.body != "true" || again.body != "true" || again.status != 200 {
		t.Fatalf("delete: %q, again: %d %q", del.body, again.status, again.body)
	}
	if _, ok := srv.Config("orders.yaml", "DEFAULT_GROUP"); ok {
		t.Fatal("deleted config still stored")
	}
	for _, k := range []mocknacos.Kind{mocknacos.KindConfigGet, mocknacos.KindConfigPublish, mocknacos.KindConfigRemove} {
		if srv.Count(mocknacos.Query{Kind: k, Service: "DEFAULT_GROUP@@orders.yaml", Namespace: "public"}) == 0 {
			t.Errorf("no %s event for orders.yaml", k)
		}
	}
}

func TestConfigHTTPCASPublish(t *testing.T) {
	srv := mocknacos.Start(t)
	it := srv.SetConfig("a", "G", "v1")
	stale := configDo(t, srv, "POST", "/v1/cs/configs", "dataId=a&group=G&content=v2", map[string]string{"casMd5": "0000"})
	if stale.status != 500 || stale.body != "caused: Cas publish fail, server md5 may have changed.;" {
		t.Fatalf("stale cas: %d %q", stale.status, stale.body)
	}
	ok := configDo(t, srv, "POST", "/v1/cs/configs", "dataId=a&group=G&content=v2", map[string]string{"casMd5": it.MD5})
	if ok.body != "true" {
		t.Fatalf("cas: %d %q", ok.status, ok.body)
	}
}

func TestConfigHTTPRejections(t *testing.T) {
	srv := mocknacos.Start(t)
	missing := func(p string) string {
		return "caused: Required request parameter &#39;" + p + "&#39; for method parameter type String is not present;"
	}
	for _, tc := range []struct {
		name, method, path, form string
		headers                  map[string]string
		status                   int
		ctype, body, spring      string
	}{
		{"get without dataId", "GET", "/v1/cs/configs?group=G", "", nil, 500, "text/plain;charset=UTF-8", missing("dataId"), ""},
		{"publish without content", "POST", "/v1/cs/configs", "dataId=a&group=G", nil, 500, "text/plain;charset=UTF-8", missing("content"), ""},
		{"blank content", "POST", "/v1/cs/configs", "dataId=a&group=G&content=+", nil, 400, "text/plain;charset=UTF-8", "caused: content is blank :  ;", ""},
		{"blank dataId", "DELETE", "/v1/cs/configs?dataId=&group=G", "", nil, 400, "text/plain;charset=UTF-8", "caused: invalid dataId : ;", ""},
		{"illegal dataId (param checker)", "GET", "/v1/cs/configs?dataId=a%20b&group=G", "", nil, 400, "application/json;charset=UTF-8", "Param 'dataId' is illegal, illegal characters should not appear in the param.\r\n", ""},
		{"illegal tenant (param checker)", "GET", "/v1/cs/configs?dataId=a&group=G&tenant=a.b", "", nil, 400, "application/json;charset=UTF-8", "Param 'namespaceId/tenant' is illegal, illegal characters should not appear in the param.\r\n", ""},
		{"long tag", "GET", "/v1/cs/configs?dataId=a&group=G&tag=abcdefghijklmnopq", "", nil, 400, "text/plain;charset=UTF-8", "caused: too long tag, over 16;", ""},
		{"long desc", "POST", "/v1/cs/configs", "dataId=a&group=G&content=x&desc=" + strings.Repeat("d", 129), nil, 400, "text/plain;charset=UTF-8", "caused: too long desc, over 128;", ""},
		{"blank Listening-Configs", "POST", "/v1/cs/configs/listener", "Listening-Configs=", map[string]string{"Long-Pulling-Timeout": "30000"}, 400, "text/plain;charset=UTF-8", "caused: invalid probeModify;", ""},
		{"too many words (listener param extractor)", "POST", "/v1/cs/configs/listener", "Listening-Configs=a%02b%02c%02d%02e%01", nil, 500, "", "", "invalid probeModify"},
		{"one word (listener param extractor)", "POST", "/v1/cs/configs/listener", "Listening-Configs=a%01", nil, 500, "", "", "invalid probeModify"},
		{"bad escape (listener param extractor)", "POST", "/v1/cs/configs/listener", "Listening-Configs=a%25zz", nil, 500, "", "", `URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: "zz"`},
		{"illegal group in a record", "POST", "/v1/cs/configs/listener", "Listening-Configs=a%02b+c%02%01", nil, 400, "application/json;charset=UTF-8", "Param 'group' is illegal, illegal characters should not appear in the param.\r\n", ""},
		{"bad Long-Pulling-Timeout", "POST", "/v1/cs/configs/listener", "Listening-Configs=a%02G%02%01", map[string]string{"Long-Pulling-Timeout": "soon"}, 400, "text/plain;charset=UTF-8", `caused: For input string: "soon";`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := configDo(t, srv, tc.method, tc.path, tc.form, tc.headers)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d (%q)", r.status, tc.status, r.body)
			}
			if tc.spring != "" {
				var e struct {
					Status  int    `json:"status"`
					Message string `json:"message"`
					Path    string `json:"path"`
				}
				if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Status != tc.status || e.Message != tc.spring || e.Path != "/nacos/v1/cs/configs/listener" {
					t.Fatalf("body %q, want Spring error %q", r.body, tc.spring)
				}
				if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
					t.Fatalf("Spring error Content-Type %q", ct)
				}
				return
			}
			if r.body != tc.body || r.header.Get("Content-Type") != tc.ctype {
				t.Fatalf("answer %q (%q), want %q (%q)", r.body, r.header.Get("Content-Type"), tc.body, tc.ctype)
			}
		})
	}
	rejected := true
	if n := srv.Count(mocknacos.Query{Kind: mocknacos.KindConfigListen, Rejected: &rejected}); n != 6 {
		t.Errorf("%d rejected config-listen events, want 6", n)
	}
}

func TestConfigLongPolling(t *testing.T) {
	srv := mocknacos.Start(t)
	it := srv.SetConfig("app.yaml", "", "a: 1", mocknacos.ConfigTenant("dev"))
	listen := func(records string, headers map[string]string) configReply {
		return configDo(t, srv, "POST", "/v1/cs/configs/listener", "Listening-Configs="+url.QueryEscape(records), headers)
	}
	hold := map[string]string{"Long-Pulling-Timeout": "30000"}

	// A stale md5 answers at once with the key as the client sent it.
	r := listen("app.yaml\x02DEFAULT_GROUP\x02stale\x02dev\x01", hold)
	if r.status != 200 || r.body != "app.yaml%02DEFAULT_GROUP%02dev%01\n" || r.header.Get("Pragma") != "no-cache" {
		t.Fatalf("stale md5: %d %q", r.status, r.body)
	}
	// Nothing changed and No-Hangup: an empty answer at once.
	r = listen("app.yaml\x02DEFAULT_GROUP\x02"+it.MD5+"\x02dev\x01", map[string]string{"Long-Pulling-Timeout": "30000", "Long-Pulling-Timeout-No-Hangup": "true"})
	if r.status != 200 || r.body != "" || r.header.Get("Pragma") != "" {
		t.Fatalf("no-hangup: %d %q %v", r.status, r.body, r.header)
	}
	// A config that does not exist has md5 "" on both sides.
	r = listen("missing\x02DEFAULT_GROUP\x02\x01", map[string]string{"Long-Pulling-Timeout": "30000", "Long-Pulling-Timeout-No-Hangup": "true"})
	if r.body != "" {
		t.Fatalf("missing config reported changed: %q", r.body)
	}

	// A held poll answers when the config changes.
	done := make(chan configReply, 1)
	start := time.Now()
	go func() { done <- listen("app.yaml\x02DEFAULT_GROUP\x02"+it.MD5+"\x02dev\x01", hold) }()
	if err := srv.WaitForConfigListeners("app.yaml", "", 1, 5*time.Second, mocknacos.ConfigTenant("dev")); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	srv.SetConfig("app.yaml", "", "a: 2", mocknacos.ConfigTenant("dev"))
	r = <-done
	t.Logf("held %v, answered %v after the change", published.Sub(start), time.Since(published))
	if r.body != "app.yaml%02DEFAULT_GROUP%02dev%01\n" {
		t.Fatalf("held poll: %q", r.body)
	}
	if srv.Count(mocknacos.Query{Kind: mocknacos.KindConfigPush, Service: "app.yaml", Namespace: "dev"}) != 1 {
		t.Fatal("no config-push event")
	}
	if srv.ConfigListeners("app.yaml", "", mocknacos.ConfigTenant("dev")) != 0 {
		t.Fatal("an answered poll still listens")
	}
}

// TestConfigShortPolling: without Long-Pulling-Timeout, clients older than
// 2.0.4 get the changed keys in headers.
func TestConfigShortPolling(t *testing.T) {
	srv := mocknacos.Start(t)
	srv.SetConfig("a", "G", "x")
	r := configDo(t, srv, "POST", "/v1/cs/configs/listener", "Listening-Configs="+url.QueryEscape("a\x02G\x02old\x01"),
		map[string]string{"Client-Version": "1.4.2"})
	if r.status != 200 || r.body != "" || r.header.Get("Probe-Modify-Response") != "a:G;" || r.header.Get("Probe-Modify-Response-New") != "a%02G%01" {
		t.Fatalf("short poll: %d %q %v", r.status, r.body, r.header)
	}
}

// TestConfigLongPollHoldsOnTheWallClock: the hold is max(10 s, timeout -
// 500 ms) of wall time, whatever the mock clock does.
func TestConfigLongPollHoldsOnTheWallClock(t *testing.T) {
	if testing.Short() {
		t.Skip("holds 10 s")
	}
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	start := time.Now()
	go func() {
		time.Sleep(100 * time.Millisecond)
		srv.Advance(time.Hour)
	}()
	r := configDo(t, srv, "POST", "/v1/cs/configs/listener", "Listening-Configs="+url.QueryEscape("a\x02G\x02\x01"), map[string]string{"Long-Pulling-Timeout": "2000"})
	held := time.Since(start)
	if r.status != 200 || r.body != "" || held < 10*time.Second || held > 12*time.Second {
		t.Fatalf("held %v, answered %d %q", held, r.status, r.body)
	}
}

// TestCloseEndsHeldLongPolls: Close answers every held poll at once and
// leaves no goroutine behind.
func TestCloseEndsHeldLongPolls(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, err := mocknacos.New()
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	done := make(chan configReply, n)
	for i := 0; i < n; i++ {
		go func() {
			done <- configDo(t, srv, "POST", "/v1/cs/configs/listener", "Listening-Configs="+url.QueryEscape("a\x02G\x02\x01"),
				map[string]string{"Long-Pulling-Timeout": "30000"})
		}()
	}
	if err := srv.WaitFor(5*time.Second, func() bool { return srv.ConfigListeners("a", "G") == n }); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if r := <-done; r.status != 200 {
			t.Fatalf("held poll answered %d", r.status)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v with held polls", d)
	}
}

// TestConfigHTTPRejectionsNacos1 are a real 1.4.8 server's answers: the
// missing-parameter message is not HTML-escaped, ParamUtils failures are
// 500, and answers without their own Content-Type carry JSON's.
func TestConfigHTTPRejectionsNacos1(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t, mocknacos.WithServerVersion(mocknacos.Nacos1))
	for _, tc := range []struct {
		method, path, form string
		status             int
		ctype, body        string
	}{
		{"GET", "/v1/cs/configs?group=G", "", 500, "text/plain;charset=UTF-8",
			"caused: Required request parameter 'dataId' for method parameter type String is not present;"},
		{"POST", "/v1/cs/configs", "dataId=a&group=G&content=+", 500, "text/plain;charset=UTF-8", "caused: content is blank :  ;"},
		{"GET", "/v1/cs/configs?dataId=a%20b&group=G", "", 500, "text/plain;charset=UTF-8", "caused: invalid dataId : a b;"},
		{"POST", "/v1/cs/configs", "dataId=a&group=G&content=x&desc=" + strings.Repeat("d", 129), 500, "text/plain;charset=UTF-8", "caused: too long desc, over 128;"},
		{"GET", "/v1/cs/configs?dataId=a&group=G&tenant=a.b", "", 404, "application/json;charset=UTF-8", "config data not exist\n"},
		{"POST", "/v1/cs/configs", "dataId=a&group=G&content=x", 200, "application/json;charset=UTF-8", "true"},
	} {
		r := configDo(t, srv, tc.method, tc.path, tc.form, nil)
		if r.status != tc.status || r.header.Get("Content-Type") != tc.ctype || r.body != tc.body {
			t.Errorf("%s %s: %d %q %q, want %d %q %q", tc.method, tc.path, r.status, r.header.Get("Content-Type"), r.body, tc.status, tc.ctype, tc.body)
		}
	}
}
