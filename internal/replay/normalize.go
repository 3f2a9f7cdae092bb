package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// Volatile are the JSON fields whose values differ from one run to the
// next, or from one server to another, without the answer meaning
// anything else. Compare ignores their values (not their presence), at any
// depth of an answer's JSON body. This is the only list of them.
var Volatile = map[string]string{
	"lastRefTime":  "the server's clock when the view was built",
	"checksum":     "a hash over the view, lastRefTime included",
	"cacheMillis":  "the server's push-cache switch, which differs between servers and client kinds",
	"lastBeat":     "the server's clock at the instance's last beat",
	"timestamp":    "when Spring rendered an error answer",
	"lastModified": "when a config was last published",
	"accessToken":  "a login token, signed with the server's clock and key",
	"requestId":    "numbered by whoever sent the request (client or server)",
	"connectionId": "named by the server after the client's address and the clock",
}

// volatileKeys are Volatile's names as they appear in JSON text, for a
// quick look before decoding.
var volatileKeys = func() [][]byte {
	var out [][]byte
	for k := range Volatile {
		out = append(out, []byte(`"`+k+`"`))
	}
	return out
}()

// Compare returns "" when the replayed answer matches the recorded one,
// else why not. HTTP answers match by status and body; gRPC answers by
// response type, resultCode, errorCode and body. Bodies match when equal,
// or, both being JSON, equal once Volatile values are blanked.
func Compare(protocol string, rec, got *journal.Response) string {
	if rec.Status != got.Status {
		return fmt.Sprintf("status %d, recorded %d", got.Status, rec.Status)
	}
	if protocol == journal.GRPC {
		if rec.Type != got.Type {
			return fmt.Sprintf("type %s, recorded %s", got.Type, rec.Type)
		}
		if rec.ErrorCode != got.ErrorCode {
			return fmt.Sprintf("errorCode %d, recorded %d", got.ErrorCode, rec.ErrorCode)
		}
	}
	if rec.Body == got.Body || NormalizeBody(rec.Body) == NormalizeBody(got.Body) {
		return ""
	}
	return "body differs"
}

// NormalizeBody blanks the Volatile values of a JSON body (keys sorted);
// any other body is returned as it is.
func NormalizeBody(body string) string {
	b := []byte(body)
	found := false
	for _, k := range volatileKeys {
		if bytes.Contains(b, k) {
			found = true
			break
		}
	}
	trimmed := strings.TrimSpace(body)
	if !found || trimmed == "" || (trimmed[0] != '{' && trimmed[0] != '[') {
		return body
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return body
	}
	blank(v)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return body
	}
	return strings.TrimSuffix(out.String(), "\n")
}

func blank(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if _, ok := Volatile[k]; ok {
				t[k] = "<volatile>"
				continue
			}
			blank(x)
		}
	case []any:
		for _, x := range t {
			blank(x)
		}
	}
}
