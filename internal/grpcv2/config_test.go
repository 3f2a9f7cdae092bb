package grpcv2

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// startConfigServer is startServer with a config store on the mock clock
// of the test (wall clock).
func startConfigServer(t *testing.T, tune func(*Config)) (*testEnv, *config.Store) {
	t.Helper()
	st := config.New(nil, nil)
	env := startServer(t, nil, func(cfg *Config) {
		cfg.Configs = st
		if tune != nil {
			tune(cfg)
		}
	})
	return env, st
}

// configClient connects a hand-built client that does not answer server
// requests by itself (the helper's answers do not know config pushes).
func configClient(t *testing.T, env *testEnv) *testClient {
	t.Helper()
	c := dial(t, env.addr)
	c.answer = false
	env.connectTo(t, c)
	return c
}

// callWith is call with the given payload headers.
func (c *testClient) callWith(typ string, headers map[string]string, body any) (string, []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out := new(payload)
	if err := c.cc.Invoke(ctx, "/Request/request", &payload{Type: typ, Body: jsonBody(body), Headers: headers}, out); err != nil {
		c.t.Fatalf("%s: %v", typ, err)
	}
	return out.Type, out.Body
}

func (c *testClient) raw(typ string, body any) (string, string) {
	c.t.Helper()
	rt, b := c.callWith(typ, map[string]string{"app": "test"}, body)
	return rt, string(b)
}

type configAnswer struct {
	ResultCode       int              `json:"resultCode"`
	ErrorCode        int              `json:"errorCode"`
	Message          string           `json:"message"`
	Success          bool             `json:"success"`
	Content          *string          `json:"content"`
	MD5              *string          `json:"md5"`
	ContentType      *string          `json:"contentType"`
	EncryptedDataKey *string          `json:"encryptedDataKey"`
	LastModified     int64            `json:"lastModified"`
	Beta             bool             `json:"beta"`
	ChangedConfigs   []map[string]any `json:"changedConfigs"`
}

func decodeConfig(t *testing.T, body string) configAnswer {
	t.Helper()
	var a configAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	return a
}

func queryBody(dataID, group, tenant string) map[string]any {
	return map[string]any{"headers": map[string]string{}, "dataId": dataID, "group": group, "tenant": tenant, "module": "config"}
}

func publishBody(dataID, group, tenant, content, casMd5, typ string) map[string]any {
	return map[string]any{"headers": map[string]string{}, "dataId": dataID, "group": group, "tenant": tenant,
		"content": content, "casMd5": casMd5, "module": "config",
		"additionMap": map[string]any{"type": typ, "appName": nil, "tag": nil, "betaIps": nil, "encryptedDataKey": ""}}
}

func listenBody(listen bool, contexts ...[4]string) map[string]any {
	var lcs []map[string]string
	for _, c := range contexts {
		lcs = append(lcs, map[string]string{"dataId": c[0], "group": c[1], "tenant": c[2], "md5": c[3]})
	}
	return map[string]any{"headers": map[string]string{}, "listen": listen, "configListenContexts": lcs, "module": "config"}
}

func TestConfigQueryPublishRemove(t *testing.T) {
	checkLeaks(t)
	env, st := startConfigServer(t, nil)
	c := configClient(t, env)

	typ, body := c.raw(typeConfigQueryRequest, queryBody("orders.yaml", "DEFAULT_GROUP", ""))
	want := `{"resultCode":500,"errorCode":300,"message":"config data not exist","lastModified":0,"beta":false,"success":false}`
	if typ != typeConfigQueryResponse || body != want {
		t.Fatalf("missing config: %s %s", typ, body)
	}

	typ, body = c.raw(typeConfigPublishRequest, publishBody("orders.yaml", "DEFAULT_GROUP", "", "port: 8080\n", "", "yaml"))
	if typ != typeConfigPublishResponse || body != `{"resultCode":200,"errorCode":0,"success":true}` {
		t.Fatalf("publish: %s %s", typ, body)
	}
	it, ok := st.Get("orders.yaml", "DEFAULT_GROUP", "public", "")
	if !ok || it.Type != "yaml" || it.Content != "port: 8080\n" {
		t.Fatalf("stored %+v %v", it, ok)
	}

	// "" and absent are one namespace; "public" is another on a real 2.4.3
	// (its gRPC handlers keep the tenant verbatim: TestConfigTenantVerbatim24).
	for _, q := range []map[string]any{queryBody("orders.yaml", "DEFAULT_GROUP", ""),
		{"dataId": "orders.yaml", "group": "DEFAULT_GROUP", "module": "config"}} {
		typ, body = c.raw(typeConfigQueryRequest, q)
		a := decodeConfig(t, body)
		if typ != typeConfigQueryResponse || a.ResultCode != 200 || !a.Success || *a.Content != "port: 8080\n" ||
			*a.MD5 != config.MD5("port: 8080\n") || *a.ContentType != "yaml" || *a.EncryptedDataKey != "" || a.Beta ||
			a.LastModified != it.LastModified.UnixMilli() {
			t.Fatalf("query %v: %s %s", q, typ, body)
		}
	}
	if _, body = c.raw(typeConfigQueryRequest, queryBody("orders.yaml", "DEFAULT_GROUP", "public")); decodeConfig(t, body).ErrorCode != 300 {
		t.Fatalf("public namespace: %s", body)
	}
	// Another namespace is another config.
	if _, body = c.raw(typeConfigQueryRequest, queryBody("orders.yaml", "DEFAULT_GROUP", "dev")); decodeConfig(t, body).ErrorCode != 300 {
		t.Fatalf("dev namespace: %s", body)
	}

	// CAS: a wrong md5 fails, the right one publishes.
	typ, body = c.raw(typeConfigPublishRequest, publishBody("orders.yaml", "DEFAULT_GROUP", "", "port: 1\n", "0123", "yaml"))
	if typ != typeConfigPublishResponse || body != `{"resultCode":500,"errorCode":500,"message":"Cas publish fail,server md5 may have changed.","success":false}` {
		t.Fatalf("cas mismatch: %s %s", typ, body)
	}
	_, body = c.raw(typeConfigPublishRequest, publishBody("orders.yaml", "DEFAULT_GROUP", "", "port: 2\n", it.MD5, "unknown"))
	if a := decodeConfig(t, body); a.ResultCode != 200 {
		t.Fatalf("cas publish: %s", body)
	}
	if it, _ = st.Get("orders.yaml", "DEFAULT_GROUP", "", ""); it.Content != "port: 2\n" || it.Type != "text" {
		t.Fatalf("after cas: %+v", it)
	}

	typ, body = c.raw(typeConfigRemoveRequest, map[string]any{"dataId": "orders.yaml", "group": "DEFAULT_GROUP", "tenant": "", "module": "config"})
	if typ != typeConfigRemoveResponse || body != `{"resultCode":200,"errorCode":0,"success":true}` {
		t.Fatalf("remove: %s %s", typ, body)
	}
	if _, ok := st.Get("orders.yaml", "DEFAULT_GROUP", "", ""); ok {
		t.Fatal("config still stored")
	}
	// Removing what is not there succeeds too.
	if _, body = c.raw(typeConfigRemoveRequest, queryBody("orders.yaml", "DEFAULT_GROUP", "")); decodeConfig(t, body).ResultCode != 200 {
		t.Fatalf("second remove: %s", body)
	}

	gets := env.rec.kind(journal.ConfigGet)
	if len(gets) != 5 || gets[0].Namespace != "public" || gets[0].Group != "DEFAULT_GROUP" || gets[0].Service != "orders.yaml" ||
		!gets[0].Rejected || gets[0].Response.ErrorCode != 300 || gets[1].Rejected || gets[4].Namespace != "dev" ||
		gets[0].ConnectionID != c.connID || gets[0].Protocol != journal.GRPC {
		t.Fatalf("config-get events: %+v", gets)
	}
	if pubs := env.rec.kind(journal.ConfigPublish); len(pubs) != 3 || !pubs[1].Rejected || pubs[2].Rejected || pubs[0].Service != "orders.yaml" {
		t.Fatalf("config-publish events: %+v", pubs)
	}
	if rms := env.rec.kind(journal.ConfigRemove); len(rms) != 2 || rms[0].Namespace != "public" {
		t.Fatalf("config-remove events: %+v", rms)
	}
}

func TestConfigBadRequests(t *testing.T) {
	checkLeaks(t)
	env, _ := startConfigServer(t, nil)
	c := configClient(t, env)
	cases := []struct {
		typ  string
		body any
		want string
	}{
		{typeConfigQueryRequest, queryBody("a b", "DEFAULT_GROUP", ""),
			`{"resultCode":500,"errorCode":400,"message":"Param check invalid:Param 'dataId' is illegal, illegal characters should not appear in the param.","lastModified":0,"beta":false,"success":false}`},
		{typeConfigQueryRequest, queryBody("a", "DEFAULT_GROUP", "ns/1"),
			`{"resultCode":500,"errorCode":400,"message":"Param check invalid:Param 'namespaceId/tenant' is illegal, illegal characters should not appear in the param.","lastModified":0,"beta":false,"success":false}`},
		{typeConfigQueryRequest, map[string]any{"dataId": "a", "group": "G", "tag": "bad tag"},
			`{"resultCode":500,"errorCode":500,"message":"invalid tag : bad tag","success":false}`},
		{typeConfigPublishRequest, map[string]any{"dataId": "a", "group": "G"},
			`{"resultCode":500,"errorCode":400,"message":"content is blank : null","success":false}`},
		{typeConfigPublishRequest, map[string]any{"group": "G", "content": "x"},
			`{"resultCode":500,"errorCode":400,"message":"invalid dataId : null","success":false}`},
		{typeConfigPublishRequest, map[string]any{"dataId": "a", "group": "G", "content": "x", "additionMap": map[string]string{"config_tags": "1,2,3,4,5,6"}},
			`{"resultCode":500,"errorCode":400,"message":"too much config_tags, over 5","success":false}`},
		{typeConfigRemoveRequest, map[string]any{"dataId": "a", "group": ""},
			`{"resultCode":500,"errorCode":0,"message":"invalid group : ","success":false}`},
		{typeConfigBatchListenRequest, listenBody(true, [4]string{"a", "bad group!", "", ""}),
			`{"resultCode":500,"errorCode":400,"message":"Param check invalid:Param 'group' is illegal, illegal characters should not appear in the param.","changedConfigs":[],"success":false}`},
		{typeConfigQueryRequest, ``, `{"resultCode":500,"errorCode":502,"message":"No content to map due to end-of-input","success":false}`},
	}
	for _, tc := range cases {
		if _, body := c.raw(tc.typ, tc.body); body != tc.want {
			t.Errorf("%s %v:\n got %s\nwant %s", tc.typ, tc.body, body, tc.want)
		}
	}
}

// TestConfigWithoutStore: a server built without a config store has no
// config handlers.
func TestConfigWithoutStore(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := configClient(t, env)
	typ, body := c.raw(typeConfigQueryRequest, queryBody("a", "G", ""))
	if typ != typeErrorResponse || body != `{"resultCode":500,"errorCode":302,"message":"RequestHandler Not Found","success":false}` {
		t.Fatalf("%s %s", typ, body)
	}
}

type notified struct {
	RequestID string `json:"requestId"`
	DataID    string `json:"dataId"`
	Group     string `json:"group"`
	Tenant    string `json:"tenant"`
	Module    string `json:"module"`
}

// nextNotify waits for a ConfigChangeNotifyRequest and acknowledges it as
// nacos-sdk-go v2 does.
func nextNotify(t *testing.T, c *testClient) (notified, string) {
	t.Helper()
	p, err := c.next(typeConfigChangeNotifyRequest, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var n notified
	if err := json.Unmarshal(p.Body, &n); err != nil {
		t.Fatal(err)
	}
	c.send(&payload{Type: "ConfigChangeNotifyResponse", Body: jsonBody(map[string]any{"resultCode": 200, "errorCode": 0, "requestId": n.RequestID, "success": true})})
	return n, string(p.Body)
}

func noNotify(t *testing.T, c *testClient, within time.Duration) {
	t.Helper()
	if p, err := c.next(typeConfigChangeNotifyRequest, within); err == nil {
		t.Fatalf("unexpected push %s", p.Body)
	}
}

func TestConfigListenAndPush(t *testing.T) {
	checkLeaks(t)
	env, st := startConfigServer(t, nil)
	listener := configClient(t, env)
	publisher := configClient(t, env)

	// The config does not exist yet: md5 "" is up to date, whatever the
	// tenant's spelling.
	typ, body := listener.raw(typeConfigBatchListenRequest, listenBody(true,
		[4]string{"orders.yaml", "DEFAULT_GROUP", "", ""}, [4]string{"orders.yaml", "DEFAULT_GROUP", "public", ""}))
	if typ != typeConfigChangeBatchListenResponse || body != `{"resultCode":200,"errorCode":0,"changedConfigs":[],"success":true}` {
		t.Fatalf("listen: %s %s", typ, body)
	}
	if n := st.Listeners("orders.yaml", "DEFAULT_GROUP", ""); n != 1 {
		t.Fatalf("%d listeners", n)
	}

	// A publish from another connection is pushed to the key the listener
	// sent with the publish's tenant ("" and "public" are two namespaces on
	// a real 2.4.3), without a tenant for "" (as the real one pushes it).
	if _, body = publisher.raw(typeConfigPublishRequest, publishBody("orders.yaml", "DEFAULT_GROUP", "", "v1", "", "text")); decodeConfig(t, body).ResultCode != 200 {
		t.Fatalf("publish: %s", body)
	}
	n, raw := nextNotify(t, listener)
	if want := `{"headers":{},"requestId":"` + n.RequestID + `","dataId":"orders.yaml","group":"DEFAULT_GROUP","module":"config"}`; raw != want {
		t.Fatalf("push body %s, want %s", raw, want)
	}
	noNotify(t, listener, 50*time.Millisecond)
	noNotify(t, publisher, 50*time.Millisecond)

	// A change made directly in the store (the test API; "public" is the
	// default namespace there, as on the HTTP GET) is pushed before
	// Publish returns.
	if _, err := st.Publish(config.Publish{DataID: "orders.yaml", Group: "DEFAULT_GROUP", Tenant: "public", Content: "v2"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := nextNotify(t, listener); n.Tenant != "" {
		t.Fatalf("pushed %+v", n)
	}

	// A stale md5 is answered as changed, with the tenant as sent.
	_, body = listener.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"orders.yaml", "DEFAULT_GROUP", "", config.MD5("v1")}))
	if body != `{"resultCode":200,"errorCode":0,"changedConfigs":[{"group":"DEFAULT_GROUP","dataId":"orders.yaml","tenant":""}],"success":true}` {
		t.Fatalf("stale listen: %s", body)
	}
	// A gRPC publish with tenant "public" reaches the "public" spelling.
	publisher.raw(typeConfigPublishRequest, publishBody("orders.yaml", "DEFAULT_GROUP", "public", "p1", "", "text"))
	if n, _ := nextNotify(t, listener); n.Tenant != "public" {
		t.Fatalf("pushed %+v", n)
	}
	// A removal is a change too.
	publisher.raw(typeConfigRemoveRequest, queryBody("orders.yaml", "DEFAULT_GROUP", ""))
	if n, _ := nextNotify(t, listener); n.Tenant != "" {
		t.Fatalf("pushed %+v", n)
	}

	// listen=false stops the pushes for that spelling only.
	_, body = listener.raw(typeConfigBatchListenRequest, listenBody(false, [4]string{"orders.yaml", "DEFAULT_GROUP", "", ""}))
	if body != `{"resultCode":200,"errorCode":0,"changedConfigs":[],"success":true}` {
		t.Fatalf("unlisten: %s", body)
	}
	st.Publish(config.Publish{DataID: "orders.yaml", Group: "DEFAULT_GROUP", Content: "v3"})
	noNotify(t, listener, 50*time.Millisecond)
	publisher.raw(typeConfigRemoveRequest, queryBody("orders.yaml", "DEFAULT_GROUP", "public"))
	if n, _ := nextNotify(t, listener); n.Tenant != "public" {
		t.Fatalf("pushed %+v", n)
	}

	pushes := env.rec.kind(journal.ConfigPush)
	if len(pushes) != 5 {
		t.Fatalf("%d config-push events: %+v", len(pushes), pushes)
	}
	for _, e := range pushes {
		if e.Namespace != "public" || e.Group != "DEFAULT_GROUP" || e.Service != "orders.yaml" || e.ConnectionID != listener.connID ||
			e.Rejected || e.Request.Type != typeConfigChangeNotifyRequest {
			t.Fatalf("push event %+v", e)
		}
	}
	waitFor(t, "acks", func() bool { return len(env.rec.kind(journal.PushAck)) == 5 })
	for _, e := range env.rec.kind(journal.PushAck) {
		if e.Rejected || e.Response.Type != "ConfigChangeNotifyResponse" {
			t.Fatalf("ack %+v", e)
		}
	}
	if ls := env.rec.kind(journal.ConfigListen); len(ls) != 3 || ls[1].Service != "orders.yaml" || ls[1].Namespace != "public" {
		t.Fatalf("config-listen events %+v", ls)
	}
}

func TestConfigListenersGoWithTheConnection(t *testing.T) {
	checkLeaks(t)
	env, st := startConfigServer(t, nil)
	c := configClient(t, env)
	c.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"a", "G", "ns1", ""}))
	if n := st.Listeners("a", "G", "ns1"); n != 1 {
		t.Fatalf("%d listeners", n)
	}
	env.srv.CloseConnection(c.connID)
	if n := st.Listeners("a", "G", "ns1"); n != 0 {
		t.Fatalf("%d listeners after close", n)
	}
	// Nothing is pushed to, or journaled for, the closed connection.
	st.Publish(config.Publish{DataID: "a", Group: "G", Tenant: "ns1", Content: "x"})
	if n := len(env.rec.kind(journal.ConfigPush)); n != 0 {
		t.Fatalf("%d pushes", n)
	}
}

// TestConfigPushesInOrderWithNamingPushes: config pushes go through the
// connection's ordered stream queue, under concurrent changes (run with
// -race).
func TestConfigPushesConcurrently(t *testing.T) {
	checkLeaks(t)
	env, st := startConfigServer(t, nil)
	c := configClient(t, env)
	const keys = 20
	for i := range keys {
		c.raw(typeConfigBatchListenRequest, listenBody(true, [4]string{"k" + itoa2(i), "G", "", ""}))
	}
	done := make(chan struct{})
	for i := range keys {
		go func() {
			defer func() { done <- struct{}{} }()
			st.Publish(config.Publish{DataID: "k" + itoa2(i), Group: "G", Content: "x"})
		}()
	}
	for range keys {
		<-done
	}
	seen := map[string]bool{}
	for range keys {
		n, _ := nextNotify(t, c)
		seen[n.DataID] = true
	}
	if len(seen) != keys {
		t.Fatalf("pushed %d distinct keys", len(seen))
	}
}

func itoa2(i int) string { return string(rune('a'+i/10)) + string(rune('0'+i%10)) }

func TestConfigGuard(t *testing.T) {
	checkLeaks(t)
	env, _ := startConfigServer(t, func(cfg *Config) {
		cfg.Guard = func(typ string, headers map[string]string) error {
			if headers["accessToken"] != "good" {
				return errors.New("token invalid!")
			}
			return nil
		}
	})
	c := configClient(t, env)
	for typ, respType := range map[string]string{
		typeConfigQueryRequest:       typeConfigQueryResponse,
		typeConfigPublishRequest:     typeConfigPublishResponse,
		typeConfigRemoveRequest:      typeConfigRemoveResponse,
		typeConfigBatchListenRequest: typeConfigChangeBatchListenResponse,
	} {
		rt, body := c.callWith(typ, map[string]string{"accessToken": "bad"}, queryBody("a", "G", ""))
		if rt != respType || string(body) != `{"resultCode":500,"errorCode":403,"message":"token invalid!","success":false}` {
			t.Errorf("%s: %s %s", typ, rt, body)
		}
	}
	rt, body := c.callWith(typeConfigQueryRequest, map[string]string{"accessToken": "good"}, queryBody("a", "G", ""))
	if rt != typeConfigQueryResponse || decodeConfig(t, string(body)).ErrorCode != 300 {
		t.Fatalf("with a token: %s %s", rt, body)
	}
}
