package replay

import (
	"net/url"
	"testing"

	"github.com/mocknacos/mocknacos/internal/journal"
)

func TestCompareIgnoresOnlyVolatileFields(t *testing.T) {
	view := func(ref, port string) string {
		return `{"name":"DEFAULT_GROUP@@orders","cacheMillis":10000,"hosts":[{"ip":"127.0.0.1","port":` + port +
			`,"metadata":{"lastBeat":"` + ref + `"}}],"lastRefTime":` + ref + `,"checksum":"c` + ref + `"}`
	}
	for _, tc := range []struct {
		name      string
		protocol  string
		rec, got  journal.Response
		wantMatch bool
	}{
		{"same bytes", journal.HTTP, journal.Response{Status: 200, Body: "ok"}, journal.Response{Status: 200, Body: "ok"}, true},
		{"volatile values at any depth", journal.HTTP, journal.Response{Status: 200, Body: view("1", "8080")}, journal.Response{Status: 200, Body: view("2", "8080")}, true},
		{"a real difference beside volatile ones", journal.HTTP, journal.Response{Status: 200, Body: view("1", "8080")}, journal.Response{Status: 200, Body: view("2", "8081")}, false},
		{"status", journal.HTTP, journal.Response{Status: 200, Body: "ok"}, journal.Response{Status: 503, Body: "ok"}, false},
		{"text bodies compare exactly", journal.HTTP, journal.Response{Status: 200, Body: "ok"}, journal.Response{Status: 200, Body: "ok "}, false},
		{"a volatile field missing is a difference", journal.HTTP, journal.Response{Status: 200, Body: `{"a":1,"lastRefTime":1}`}, journal.Response{Status: 200, Body: `{"a":1}`}, false},
		{"grpc connection id", journal.GRPC,
			journal.Response{Status: 200, Type: "ServerCheckResponse", Body: `{"resultCode":200,"connectionId":"1_a","requestId":"1"}`},
			journal.Response{Status: 200, Type: "ServerCheckResponse", Body: `{"resultCode":200,"connectionId":"2_b","requestId":"7"}`}, true},
		{"grpc type", journal.GRPC, journal.Response{Status: 200, Type: "A"}, journal.Response{Status: 200, Type: "B"}, false},
		{"grpc errorCode", journal.GRPC, journal.Response{Status: 500, ErrorCode: 301, Type: "E"}, journal.Response{Status: 500, ErrorCode: 302, Type: "E"}, false},
	} {
		reason := Compare(tc.protocol, &tc.rec, &tc.got)
		if (reason == "") != tc.wantMatch {
			t.Errorf("%s: reason %q, want match %v", tc.name, reason, tc.wantMatch)
		}
	}
	for k, why := range Volatile {
		if why == "" {
			t.Errorf("volatile field %s has no reason", k)
		}
	}
}

func TestHTTPPartsOfOldRecordings(t *testing.T) {
	// New recordings: the raw query and the headers as sent.
	q, h := HTTPParts(&journal.Request{Query: "a=%20", Headers: map[string]string{"Content-Type": "x"}, Params: map[string][]string{"a": {" "}}})
	if q != "a=%20" || h.Get("Content-Type") != "x" || h["User-Agent"][0] != "" {
		t.Fatalf("%q %v", q, h)
	}
	// Old ones: params not in the form body go in the query.
	q, h = HTTPParts(&journal.Request{Body: "ip=1.2.3.4&port=80", Params: map[string][]string{
		"serviceName": {"orders"}, "ip": {"1.2.3.4"}, "port": {"80"}}})
	vals, err := url.ParseQuery(q)
	if err != nil || len(vals) != 1 || vals.Get("serviceName") != "orders" || h.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("%q %v", q, h)
	}
}
