package httpv1

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds what the mock reads of a request body that is not a form.
const maxBody = 10 << 20

// MaxFormPost is Tomcat's maxPostSize (Spring Boot's
// server.tomcat.max-http-form-post-size, 2 MB, which no Nacos release
// changes): a POST form body longer than this is not parsed at all, so its
// parameters are missing (observed on real 2.4.3 and 3.0.3 servers: a
// config publish of 3 MB or 30 MB answers the missing dataId's error). The
// mock reads at most this much of it and leaves the rest unread.
const MaxFormPost = 2 << 20

// params are a request's parameters with Java's request.getParameter
// semantics: the query string first, then a form body, for every method
// (nacos-protocol.md rule 2). Decoding is lenient, because nacos-sdk-go v1
// sends PUT bodies and GET queries without URL-encoding them.
type params struct {
	keys   []string
	values map[string][]string
	body   string
}

// parseParams reads the request's parameters. queryOnly leaves a form
// body's parameters out, as 1.4.x's naming DistroFilter does for a POST: its ReuseHttpServletRequest reads the body
// before asking for the parameters, so Tomcat never parses a POST's form
// (observed on a real 1.4.8 server: a register with its parameters in the
// body, as nacos-sdk-go v1 sends it, answers 400 "caused: Param
// 'serviceName' is required.;"). PUT and DELETE forms are parsed earlier by
// Spring's FormContentFilter, so they are read.
func parseParams(r *http.Request, queryOnly bool) params {
	p := params{values: make(map[string][]string)}
	p.addEncoded(r.URL.RawQuery)
	if r.Body != nil && isForm(r.Header.Get("Content-Type")) && !queryOnly {
		// Tomcat parses only POST bodies (parseBodyMethods); Spring's
		// FormContentFilter reads PUT and DELETE forms whole.
		limit := int64(maxBody)
		if r.Method == http.MethodPost {
			limit = MaxFormPost
		}
		if r.ContentLength > limit {
			drain(r) // Tomcat does not parse it
			return p
		}
		b, _ := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if int64(len(b)) > limit {
			drain(r) // a chunked body found too long while read
			return p
		}
		p.body = string(b)
		p.addEncoded(p.body)
	} else if r.Body != nil {
		b, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		p.body = string(b)
	}
	return p
}

// maxDrain bounds how much of an oversized body is read and thrown away.
const maxDrain = 128 << 20

// drain reads and discards the rest of an oversized body (in small
// buffers), so that the client, still sending it, gets the answer instead
// of a connection reset; a body beyond maxDrain is cut off by closing the
// connection after the answer, as net/http does with an unread body.
func drain(r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
}

func isForm(ct string) bool {
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded")
	}
	return mt == "application/x-www-form-urlencoded"
}

func (p *params) addEncoded(s string) {
	for len(s) > 0 {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		p.add(unescape(k), unescape(v))
	}
}

// unescape decodes form encoding, keeping the raw text where it is not
// valid encoding (a literal '%' in an un-encoded value).
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

func (p *params) add(k, v string) {
	if _, ok := p.values[k]; !ok {
		p.keys = append(p.keys, k)
	}
	p.values[k] = append(p.values[k], v)
}

// get is request.getParameter: the first value, "" when absent.
func (p *params) get(k string) string {
	if vs := p.values[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Params are a request's parameters as a guard reads them.
type Params interface {
	// Get is request.getParameter: the first value, "" when absent.
	Get(name string) string
	// GetFold is Get for a name in any case: the first value of the last
	// parameter whose name equals it ignoring case, as a case-insensitive
	// map filled from getParameterNames keeps it.
	GetFold(name string) string
}

// Get is get, for guards.
func (p *params) Get(k string) string { return p.get(k) }

// GetFold: see Params.
func (p *params) GetFold(k string) string {
	v := ""
	for _, name := range p.keys {
		if strings.EqualFold(name, k) {
			v = p.get(name)
		}
	}
	return v
}

// optional is WebUtils.optional: a blank value counts as absent; others
// are trimmed.
func (p *params) optional(k, def string) string {
	if v := p.get(k); strings.TrimSpace(v) != "" {
		return trimJava(v)
	}
	return def
}

func (p *params) has(k string) bool { return len(p.values[k]) > 0 }

// required is WebUtils.required: an empty or absent value is
// IllegalArgumentException "Param 'k' is required."; anything else is
// returned trimmed (so " " passes, as ""), as optional values are.
func (p *params) required(k string) (string, error) {
	v := p.get(k)
	if v == "" {
		return "", badRequest("Param '" + k + "' is required.")
	}
	return trimJava(v), nil
}

// all returns the parameters for the journal (a copy).
func (p *params) all() map[string][]string {
	if len(p.values) == 0 {
		return nil
	}
	out := make(map[string][]string, len(p.values))
	for k, v := range p.values {
		out[k] = append([]string(nil), v...)
	}
	return out
}
