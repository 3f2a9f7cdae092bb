package grpcv2

import (
	"strings"
	"testing"
)

// TestWrongTypeIsDeserializeFailed: a field of the wrong type is Jackson's
// failure as a real 2.4.3 words it, not Go's decoder error (found by the
// conformance suite: conformance/).
func TestWrongTypeIsDeserializeFailed(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	for _, body := range []string{
		`{"namespace":"public","serviceName":"s","groupName":"DEFAULT_GROUP","type":"registerInstance","instance":{"ip":"1.2.3.4","port":"abc"}}`,
		`{"namespace":"public","serviceName":"s","groupName":"DEFAULT_GROUP","type":"registerInstance","instance":{"ip":"1.2.3.4","port":1,"metadata":"not a map"}}`,
		`{"namespace":"public","serviceName":"s","groupName":"DEFAULT_GROUP","type":"registerInstance","instance":{"ip":"1.2.3.4","port":1,"enabled":"yes"}}`,
	} {
		typ, a := c.must(typeInstanceRequest, body)
		if typ != typeErrorResponse || a.ResultCode != 500 || a.ErrorCode != 502 || a.Message != "errCode: 101, errMsg: Nacos deserialize failed.  " {
			t.Errorf("%s: %s %+v", body, typ, a)
		}
	}
	typ, a := c.must(typeServiceQueryRequest, `{"namespace":"public","serviceName":"s","groupName":"DEFAULT_GROUP","udpPort":"abc"}`)
	if typ != typeErrorResponse || a.Message != deserializeFailed {
		t.Errorf("udpPort abc: %s %+v", typ, a)
	}
}

// TestConfigFilterAnswersCarryDefaults: a config request the param checker
// refuses is answered with the response class's default fields, and a
// listen context without a group fails as the real server's NPE does
// (both found by the conformance suite).
func TestConfigFilterAnswersCarryDefaults(t *testing.T) {
	checkLeaks(t)
	env, _ := startConfigServer(t, nil)
	c := configClient(t, env)
	for _, tc := range []struct{ typ, body, wantType, want string }{
		{typeConfigQueryRequest, `{"dataId":"a b","group":"DEFAULT_GROUP","tenant":""}`, typeConfigQueryResponse,
			`{"resultCode":500,"errorCode":400,"message":"Param check invalid:Param 'dataId' is illegal, illegal characters should not appear in the param.","lastModified":0,"beta":false,"success":false}`},
		{typeConfigBatchListenRequest, `{"listen":true,"configListenContexts":[{"dataId":"d","group":"g 1","md5":"","tenant":""}]}`, typeConfigChangeBatchListenResponse,
			`{"resultCode":500,"errorCode":400,"message":"Param check invalid:Param 'group' is illegal, illegal characters should not appear in the param.","changedConfigs":[],"success":false}`},
		{typeConfigQueryRequest, `{"dataId":"a b","tenant":""}`, typeErrorResponse,
			`{"resultCode":500,"errorCode":500,"success":false}`},
		{typeConfigQueryRequest, `{"group":"","tenant":""}`, typeErrorResponse,
			`{"resultCode":500,"errorCode":500,"success":false}`},
		{typeConfigBatchListenRequest, `{"listen":true,"configListenContexts":[{"dataId":"d","md5":"","tenant":""}]}`, typeErrorResponse,
			`{"resultCode":500,"errorCode":500,"message":"Cannot invoke \"String.length()\" because \"str\" is null","success":false}`},
	} {
		typ, body := c.raw(tc.typ, tc.body)
		if typ != tc.wantType || body != tc.want {
			t.Errorf("%s %s:\n got %s %s\nwant %s %s", tc.typ, tc.body, typ, body, tc.wantType, tc.want)
		}
	}
}

// TestQueryEchoesTheRequestedNames: a ServiceQueryRequest's serviceInfo
// names the service as the request did, absent or blank.
func TestQueryEchoesTheRequestedNames(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	for body, want := range map[string]string{
		`{"namespace":"public","serviceName":"s"}`:                  `"serviceInfo":{"name":"s","clusters"`,
		`{"namespace":"public","serviceName":"s","groupName":""}`:   `"serviceInfo":{"name":"s","groupName":"","clusters"`,
		`{"namespace":"public","groupName":""}`:                     `"serviceInfo":{"groupName":"","clusters"`,
		`{"namespace":"public","serviceName":"s","groupName":"g1"}`: `"serviceInfo":{"name":"s","groupName":"g1","clusters"`,
	} {
		typ, got := c.raw(typeServiceQueryRequest, body)
		if typ != typeQueryServiceResponse || !strings.Contains(got, want) {
			t.Errorf("%s: %s %s, want it to contain %s", body, typ, got, want)
		}
	}
}

// TestBlankGroupBeforeType: an instance request with a blank group fails
// Service.newService's check before its type is looked at.
func TestBlankGroupBeforeType(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	for _, tc := range []struct{ typ, body string }{
		{typeInstanceRequest, `{"namespace":"public","serviceName":"s","groupName":"","type":"nosuchType","instance":{"ip":"1.2.3.4","port":1}}`},
		{typeInstanceRequest, `{"namespace":"public","serviceName":"s","type":"registerInstance","instance":{"ip":"1.2.3.4","port":1}}`},
		{typeBatchInstanceRequest, `{"namespace":"public","serviceName":"s","groupName":" ","type":"batchRegisterInstance","instances":[]}`},
	} {
		typ, a := c.must(tc.typ, tc.body)
		if typ != typeErrorResponse || a.ResultCode != 500 || a.ErrorCode != 500 || a.Message != "Param 'groupName' is illegal, groupName is blank" {
			t.Errorf("%s: %s %+v", tc.body, typ, a)
		}
	}
	typ, a := c.must(typeInstanceRequest, `{"namespace":"public","groupName":"DEFAULT_GROUP","type":"registerInstance","instance":{"ip":"1.2.3.4","port":1}}`)
	if typ != typeErrorResponse || a.ErrorCode != 500 || a.Message != "Param 'serviceName' is illegal, serviceName is blank" {
		t.Errorf("no serviceName: %s %+v", typ, a)
	}
	// Both blank: getGroupedName checks serviceName first.
	typ, a = c.must(typeInstanceRequest, `{"namespace":"public","type":"registerInstance"}`)
	if typ != typeErrorResponse || a.ErrorCode != 500 || a.Message != "Param 'serviceName' is illegal, serviceName is blank" {
		t.Errorf("no serviceName, no group: %s %+v", typ, a)
	}
	if instanceCount(env.reg) != 0 {
		t.Error("a refused request registered an instance")
	}
}

// TestSubscribeAnswerAsRequested: a subscribe without group is refused as
// the real 2.4.3 refuses it; one without clusters is answered without them.
func TestSubscribeAnswerAsRequested(t *testing.T) {
	checkLeaks(t)
	env := startServer(t, nil, nil)
	c := dial(t, env.addr)
	env.connectTo(t, c)
	typ, a := c.must(typeSubscribeServiceRequest, `{"namespace":"public","serviceName":"s","subscribe":false}`)
	if typ != typeErrorResponse || a.ErrorCode != 500 || a.Message != "Param 'groupName' is illegal, groupName is blank" {
		t.Errorf("no group: %s %+v", typ, a)
	}
	typ, a = c.must(typeSubscribeServiceRequest, `{"namespace":"public","serviceName":"","groupName":"g1","subscribe":true}`)
	if typ != typeErrorResponse || a.ErrorCode != 500 || a.Message != "Param 'serviceName' is illegal, serviceName is blank" {
		t.Errorf("blank serviceName: %s %+v", typ, a)
	}
	typ, body := c.raw(typeSubscribeServiceRequest, `{"namespace":"public","serviceName":"s","groupName":"DEFAULT_GROUP","subscribe":false}`)
	if typ != typeSubscribeServiceResponse || strings.Contains(body, `"clusters"`) || !strings.Contains(body, `"name":"s"`) {
		t.Errorf("no clusters: %s %s", typ, body)
	}
	typ, body = c.raw(typeSubscribeServiceRequest, `{"namespace":"public","serviceName":"s","groupName":"DEFAULT_GROUP","clusters":"","subscribe":false}`)
	if typ != typeSubscribeServiceResponse || !strings.Contains(body, `"clusters":""`) {
		t.Errorf("blank clusters: %s %s", typ, body)
	}
}
