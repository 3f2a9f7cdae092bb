package journal

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeCorpus are lines the fast reader must read as encoding/json does:
// what WriteJSONL writes, and hand-written variants that take the slow path.
func decodeCorpus(t testing.TB) [][]byte {
	at := time.Date(2026, 11, 23, 20, 6, 16, 900000001, time.UTC)
	events := []Event{
		{Seq: 1, Time: at, WallTime: at.Add(time.Second), Protocol: HTTP, Kind: Beat, Namespace: "public", Group: "DEFAULT_GROUP",
			Service: "orders", Cluster: "DEFAULT", IP: "127.0.0.1", Port: 8080, Remote: "127.0.0.1:5",
			Request: Request{Method: "PUT", Path: "/nacos/v1/ns/instance/beat", Query: "a=1&b=%20", Params: map[string][]string{"a": {"1"}, "b": {" ", "x"}, "e": {}},
				Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: `beat={"ip":"127.0.0.1","port":8080}`},
			Response: Response{Status: 200, ErrorCode: 10200, Body: "{\"code\":10200}\r\n\t\u2028 <&> é 😀 \x01"}},
		{Seq: 2, Protocol: GRPC, Kind: Register, ConnectionID: "1_127.0.0.1_9", Rejected: true, Error: "bad\"quote\\", Fault: "f",
			Request:  Request{Type: "InstanceRequest", Headers: map[string]string{}, Body: "{}"},
			Response: Response{Status: -500, Type: "ErrorResponse"}},
		{},
	}
	var out [][]byte
	for i := range events {
		b, err := json.Marshal(&events[i])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	for _, s := range []string{
		` { "seq" : 3 , "kind" : "beat" } `,
		`{"seq":3,"Kind":"beat"}`, // case-insensitive key: encoding/json's rule
		`{"seq":3,"kind":null}`,   // null
		`{"seq":1.0}`,             // not an integer
		`{"seq":01}`,              // leading zero: invalid
		`{"request":{"params":{"a":["1"]},"params":{"b":["2"]}}}`, // duplicate map
		`{"request":{"body":"\ud83d\ude00 \ud800 \udc00x \u00e9"}}`,
		`{"request":{"body":"bad \q escape"}}`,
		`{"extra":{"nested":[1,2,{"x":null}]},"seq":5}`,
		`{"seq":5}trailing`,
		`{"time":"2026-11-23T20:06:16+02:00"}`,
		"{\"request\":{\"body\":\"\xff\xfe invalid utf8\"}}",
	} {
		out = append(out, []byte(s))
	}
	return out
}

func checkDecode(t *testing.T, line []byte) {
	var want, got Event
	werr := json.Unmarshal(line, &want)
	gerr := decodeEvent(line, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s: encoding/json says %v, decodeEvent %v", line, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\nencoding/json %+v\ndecodeEvent   %+v", line, want, got)
	}
}

func TestDecodeEventAgreesWithEncodingJSON(t *testing.T) {
	for _, line := range decodeCorpus(t) {
		checkDecode(t, line)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, line := range decodeCorpus(f) {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checkDecode(t, line)
	})
}

func TestScanJSONLUsesTheFastReader(t *testing.T) {
	var buf bytes.Buffer
	in := []Event{{Seq: 1, Kind: Beat, Request: Request{Params: map[string][]string{"a": {"b"}}}}, {Seq: 2, Kind: Push}}
	if err := WriteJSONL(&buf, Header{Source: "t"}, in); err != nil {
		t.Fatal(err)
	}
	_, out, err := ReadJSONL(strings.NewReader(buf.String()))
	if err != nil || !reflect.DeepEqual(in, out) {
		t.Fatalf("%v\n%+v\n%+v", err, in, out)
	}
}
