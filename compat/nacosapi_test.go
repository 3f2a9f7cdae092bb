//go:build compat

package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// nacosAPI is the suite's own view of a server: the HTTP API a user would
// call (login, instance list, config publish), the same for the mock and
// for a real server.
type nacosAPI struct {
	base       string // http://127.0.0.1:P/nacos
	user, pass string
	hc         *http.Client

	mu    sync.Mutex
	token string
}

func newAPI(port int) *nacosAPI {
	return &nacosAPI{base: fmt.Sprintf("http://127.0.0.1:%d/nacos", port), user: "nacos", pass: "nacos",
		hc: &http.Client{Timeout: 10 * time.Second}}
}

// do sends a request with its parameters in the query string (which every
// server version reads, for every method) and returns status and body.
func (a *nacosAPI) do(ctx context.Context, method, path string, q url.Values) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (a *nacosAPI) login(ctx context.Context) error {
	st, body, err := a.do(ctx, http.MethodPost, "/v1/auth/login", url.Values{"username": {a.user}, "password": {a.pass}})
	if err != nil {
		return err
	}
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	if st != 200 || json.Unmarshal(body, &out) != nil || out.AccessToken == "" {
		return fmt.Errorf("login: %d %s", st, strings.TrimSpace(string(body)))
	}
	a.mu.Lock()
	a.token = out.AccessToken
	a.mu.Unlock()
	return nil
}

// authed is do with the access token; a 403 logs in again once.
func (a *nacosAPI) authed(ctx context.Context, method, path string, q url.Values) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		a.mu.Lock()
		tok := a.token
		a.mu.Unlock()
		if tok == "" {
			if err := a.login(ctx); err != nil {
				return 0, nil, err
			}
			continue
		}
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		qq.Set("accessToken", tok)
		st, body, err := a.do(ctx, method, path, qq)
		if st == http.StatusForbidden && attempt == 0 {
			a.mu.Lock()
			a.token = ""
			a.mu.Unlock()
			continue
		}
		return st, body, err
	}
}

// list is GET /v1/ns/instance/list of a DEFAULT_GROUP service, unhealthy
// instances included, decoded as generic JSON.
func (a *nacosAPI) list(ctx context.Context, service string) (map[string]any, error) {
	st, body, err := a.authed(ctx, http.MethodGet, "/v1/ns/instance/list", url.Values{"serviceName": {service}, "healthyOnly": {"false"}})
	if err != nil {
		return nil, err
	}
	if st != 200 {
		return nil, fmt.Errorf("instance list: %d %s", st, strings.TrimSpace(string(body)))
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("instance list: %v: %s", err, body)
	}
	return out, nil
}

// instance is GET /v1/ns/instance (instance detail) of ip:port in the
// DEFAULT cluster of a DEFAULT_GROUP service. Unlike the list, it tells an
// unhealthy instance as such on a 1.x server too (whose list applies the
// protect threshold: a service with no healthy instance lists all as healthy).
func (a *nacosAPI) instance(ctx context.Context, service string, port int) (map[string]any, error) {
	st, body, err := a.authed(ctx, http.MethodGet, "/v1/ns/instance", url.Values{"serviceName": {service}, "ip": {"127.0.0.1"},
		"port": {strconv.Itoa(port)}, "clusterName": {"DEFAULT"}})
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if st != 200 || json.Unmarshal(body, &out) != nil {
		return nil, fmt.Errorf("instance detail: %d %s", st, strings.TrimSpace(string(body)))
	}
	return out, nil
}

// publish is POST /v1/cs/configs of a properties config in DEFAULT_GROUP.
func (a *nacosAPI) publish(ctx context.Context, dataID, content string) error {
	st, body, err := a.authed(ctx, http.MethodPost, "/v1/cs/configs", url.Values{
		"dataId": {dataID}, "group": {"DEFAULT_GROUP"}, "content": {content}, "type": {"properties"}})
	if err != nil {
		return err
	}
	if st != 200 || strings.TrimSpace(string(body)) != "true" {
		return fmt.Errorf("config publish: %d %s", st, strings.TrimSpace(string(body)))
	}
	return nil
}

// config is GET /v1/cs/configs of a DEFAULT_GROUP config: its content, or
// "" when the server answers 404 (not found).
func (a *nacosAPI) config(ctx context.Context, dataID string) (string, error) {
	st, body, err := a.authed(ctx, http.MethodGet, "/v1/cs/configs", url.Values{"dataId": {dataID}, "group": {"DEFAULT_GROUP"}})
	switch {
	case err != nil:
		return "", err
	case st == http.StatusNotFound:
		return "", nil
	case st != 200:
		return "", fmt.Errorf("config get: %d %s", st, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

// ready reports whether GET /v1/console/health/readiness answers 200.
func (a *nacosAPI) ready(ctx context.Context) bool {
	st, _, err := a.do(ctx, http.MethodGet, "/v1/console/health/readiness", nil)
	if err == nil && st == http.StatusGone {
		// 3.x: the console health endpoints are gone; the v3 admin state is
		// the probe.
		st, _, err = a.do(ctx, http.MethodGet, "/v3/admin/core/state/readiness", nil)
	}
	return err == nil && st == 200
}

// version is the "version" of GET /v1/console/server/state.
func (a *nacosAPI) version(ctx context.Context) (string, error) {
	st, body, err := a.do(ctx, http.MethodGet, "/v1/console/server/state", nil)
	if err != nil {
		return "", err
	}
	var out struct {
		Version string `json:"version"`
	}
	if st != 200 || json.Unmarshal(body, &out) != nil || out.Version == "" {
		return "", fmt.Errorf("server state: %d %s", st, strings.TrimSpace(string(body)))
	}
	return out.Version, nil
}

// initAdmin makes sure nacos/nacos can log in: Nacos 2.4+ has no default
// user, and POST /v1/auth/users/admin creates it (once) when auth is on.
func (a *nacosAPI) initAdmin(ctx context.Context) (created bool, err error) {
	if a.login(ctx) == nil {
		return false, nil
	}
	st, body, err := a.do(ctx, http.MethodPost, "/v1/auth/users/admin", url.Values{"password": {a.pass}})
	if err == nil && st == http.StatusGone {
		// 3.x: the admin is made with POST /v3/auth/user/admin (code 0 in
		// its Result when created).
		st, body, err = a.do(ctx, http.MethodPost, "/v3/auth/user/admin", url.Values{"password": {a.pass}})
		if err == nil && st == 200 && !strings.Contains(string(body), `"code":0`) {
			st = http.StatusConflict
		}
	}
	if err != nil {
		return false, err
	}
	created = st == 200
	deadline := time.Now().Add(30 * time.Second)
	for {
		lerr := a.login(ctx)
		if lerr == nil {
			return created, nil
		}
		if time.Now().After(deadline) {
			return created, fmt.Errorf("admin init answered %d %s; then %v", st, strings.TrimSpace(string(body)), lerr)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// hosts returns the "hosts" of an instance list.
func hosts(list map[string]any) []map[string]any {
	var out []map[string]any
	arr, _ := list["hosts"].([]any)
	for _, h := range arr {
		if m, ok := h.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// host returns the host on port of an instance list, or nil.
func host(list map[string]any, port int) map[string]any {
	for _, h := range hosts(list) {
		if p, _ := h["port"].(float64); int(p) == port {
			return h
		}
	}
	return nil
}
