package journal

import (
	"net/http"
	"net/textproto"
)

// HTTPHeaders are the request headers an HTTP event keeps: those a Nacos
// server reads, so that a replay sends what changes the answer, and
// nothing that only bloats the journal (Accept-Encoding, Content-Length,
// Connection are the transport's own).
var HTTPHeaders = []string{
	"Content-Type",                   // a form body is read only with the form content type
	"User-Agent",                     // decides UDP push and the grouped-name quirks of old clients
	"Client-Version",                 // config long polling (nacos-protocol.md 3)
	"Authorization",                  // auth: a token in a header
	"Long-Pulling-Timeout",           // config long polling: how long to hold
	"Long-Pulling-Timeout-No-Hangup", // config long polling: answer at once
	"casMd5",                         // config publish with compare-and-set
}

// canonicalHeaders are HTTPHeaders as net/http keys them.
var canonicalHeaders = func() []string {
	out := make([]string, len(HTTPHeaders))
	for i, k := range HTTPHeaders {
		out[i] = textproto.CanonicalMIMEHeaderKey(k)
	}
	return out
}()

// HeadersOf picks HTTPHeaders from h (first value each); nil when none is set.
func HeadersOf(h http.Header) map[string]string {
	var out map[string]string
	for i, k := range HTTPHeaders {
		if v := h[canonicalHeaders[i]]; len(v) > 0 {
			if out == nil {
				out = make(map[string]string, 4)
			}
			out[k] = v[0]
		}
	}
	return out
}
