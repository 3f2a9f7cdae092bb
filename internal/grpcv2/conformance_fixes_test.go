package grpcv2

import "testing"

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
