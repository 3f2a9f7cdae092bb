package mocknacos_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// adminGet sends method to the mock's path with an optional Authorization
// header and returns status and body.
func adminGet(t *testing.T, method, url, authorization string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := consoleClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func TestAdminTokenGuardsAdminAPIAndConsole(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithAdminToken("s3cret"))
	base := "http://" + srv.Addr()
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/__mock/journal"},
		{http.MethodGet, "/__mock/services"},
		{http.MethodPost, "/__mock/reset"},
		{http.MethodPost, "/__mock/restart"},
		{http.MethodPost, "/__mock/clock/advance?by=5s"},
		{http.MethodGet, "/__mock/faults"},
		{http.MethodDelete, "/__mock/faults/1"},
		{http.MethodGet, "/__mock/nosuchthing"},
		{http.MethodGet, "/nacos/"},
		{http.MethodGet, "/nacos/index.html"},
	} {
		for _, auth := range []string{"", "Bearer wrong", "Basic czNjcmV0", "Bearer s3cret2", "Bearer "} {
			status, h, body := adminGet(t, c.method, base+c.path, auth)
			assert.Equal(t, http.StatusUnauthorized, status, "%s %s with %q: %s", c.method, c.path, auth, body)
			assert.Contains(t, body, "admin token", "%s %s", c.method, c.path)
			assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
		}
		status, _, body := adminGet(t, c.method, base+c.path+sep(c.path)+"token=wrong", "")
		assert.Equal(t, http.StatusUnauthorized, status, "%s %s?token=wrong: %s", c.method, c.path, body)
	}
	// With the token: as a header, and as the query parameter.
	status, _, body := adminGet(t, http.MethodGet, base+"/__mock/clock", "Bearer s3cret")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"now"`)
	status, _, body = adminGet(t, http.MethodGet, base+"/__mock/clock?token=s3cret", "")
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = adminGet(t, http.MethodGet, base+"/nacos/?token=s3cret", "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Bearer", "the page passes the token on to its admin calls")
	status, _, body = adminGet(t, http.MethodPost, base+"/__mock/restart", "bearer s3cret")
	require.Equal(t, http.StatusOK, status, body)
	// /nacos redirects to the console keeping the token.
	status, h, _ := adminGet(t, http.MethodGet, base+"/nacos?token=s3cret", "")
	require.Equal(t, http.StatusFound, status)
	assert.Equal(t, "/nacos/?token=s3cret", h.Get("Location"))
	// The Nacos APIs are not the admin token's business.
	status, _, body = adminGet(t, http.MethodGet, base+"/nacos/v1/console/health/readiness", "")
	assert.Equal(t, http.StatusOK, status, body)
	status, _, body = adminGet(t, http.MethodGet, base+"/nacos/v1/ns/instance/list?serviceName=a", "")
	assert.Equal(t, http.StatusOK, status, body)
}

func TestNoAdminTokenLeavesAdminAPIOpen(t *testing.T) {
	srv := mocknacos.Start(t)
	status, _, body := adminGet(t, http.MethodGet, "http://"+srv.Addr()+"/__mock/clock", "")
	assert.Equal(t, http.StatusOK, status, body)
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}
