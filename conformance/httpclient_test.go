//go:build conformance

package conformance

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mocknacos/mocknacos/internal/httpcases"
)

// httpClient sends every plain-HTTP request; no keep-alive, so that nothing
// outlives a request.
var httpClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// httpAnswer is an HTTP answer as compared: status, Content-Type, body.
type httpAnswer struct {
	Status int
	CType  string
	Body   string
}

// send sends r to the server whose context path URL is base
// (http://host:port/nacos).
func send(base string, r httpcases.Request) (httpAnswer, error) {
	return sendWith(base, r, nil)
}

// sendWith sends r with extra headers.
func sendWith(base string, r httpcases.Request, headers map[string]string) (httpAnswer, error) {
	var body io.Reader
	if r.Form != "" {
		body = strings.NewReader(r.Form)
	}
	hr, err := http.NewRequest(r.Method, base+r.Path, body)
	if err != nil {
		return httpAnswer{}, err
	}
	if r.Form != "" {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		hr.Header.Set(k, v)
	}
	if r.Agent != "" {
		hr.Header.Set("User-Agent", r.Agent)
	}
	resp, err := httpClient.Do(hr)
	if err != nil {
		return httpAnswer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return httpAnswer{}, err
	}
	return httpAnswer{Status: resp.StatusCode, CType: resp.Header.Get("Content-Type"), Body: string(b)}, nil
}
