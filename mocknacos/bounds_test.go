package mocknacos_test

// What one request may cost, and what the mock answers past each bound.
// Each bound also has a memory check: the bytes the whole process
// allocates while serving an oversized request stay far below its size.

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// formBody is a config publish form of exactly n bytes (the content padded
// with 'x'), generated as it is read: the test holds none of it.
type formBody struct {
	prefix string
	n, off int64
}

func newFormBody(n int64) *formBody {
	return &formBody{prefix: "dataId=big.txt&group=DEFAULT_GROUP&content=", n: n}
}

func (f *formBody) Read(p []byte) (int, error) {
	if f.off >= f.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && f.off < f.n {
		if f.off < int64(len(f.prefix)) {
			p[k] = f.prefix[f.off]
		} else {
			p[k] = 'x'
		}
		k++
		f.off++
	}
	return k, nil
}

// postForm posts a generated form of n bytes to path (below /nacos); chunked
// sends it without a Content-Length.
func postForm(t *testing.T, srv *mocknacos.Server, path string, n int64, chunked bool) (int, string) {
	t.Helper()
	var body io.Reader = newFormBody(n)
	if chunked {
		body = io.MultiReader(body) // hides the length from net/http
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL()+path, body)
	require.NoError(t, err)
	if !chunked {
		req.ContentLength = n
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := configClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// allocated runs f and returns the bytes the process allocated meanwhile.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestFormPostLimit: a POST form over Tomcat's 2 MB is not parsed, so a
// config publish misses its dataId and gets the real 2.4.3's answer (500,
// HTML-escaped quotes), for 3 MB as for 30 MB, with or without a
// Content-Length; one of exactly 2 MB is stored. Serving 30 MB allocates
// a small fraction of it.
func TestFormPostLimit(t *testing.T) {
	srv := mocknacos.Start(t)
	const missing = "caused: Required request parameter &#39;dataId&#39; for method parameter type String is not present;"

	status, body := postForm(t, srv, "/v1/cs/configs", httpv1.MaxFormPost, false)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "true", body)
	cfg, ok := srv.Config("big.txt", "DEFAULT_GROUP")
	require.True(t, ok)
	assert.Len(t, cfg.Content, httpv1.MaxFormPost-len(newFormBody(0).prefix))

	for _, n := range []int64{httpv1.MaxFormPost + 1, 3 << 20, 30 << 20} {
		for _, chunked := range []bool{false, true} {
			var status int
			var body string
			a := allocated(func() { status, body = postForm(t, srv, "/v1/cs/configs", n, chunked) })
			assert.Equal(t, http.StatusInternalServerError, status, "%d bytes (chunked %v)", n, chunked)
			assert.Equal(t, missing, body, "%d bytes (chunked %v)", n, chunked)
			// A chunked body is read up to the limit (a growing buffer:
			// about 4 times the limit in all), a sized one not at all.
			assert.Less(t, a, uint64(5*httpv1.MaxFormPost), "%d bytes (chunked %v): allocated %d bytes serving it", n, chunked, a)
		}
	}
	// The 2 MB config stored before is still the one held.
	cfg, _ = srv.Config("big.txt", "DEFAULT_GROUP")
	assert.Len(t, cfg.Content, httpv1.MaxFormPost-len(newFormBody(0).prefix))
}

// TestFormPostLimitNaming: a register whose form is over 2 MB misses its
// parameters just as one without any.
func TestFormPostLimitNaming(t *testing.T) {
	srv := mocknacos.Start(t)
	_, want := postFormString(t, srv, "/v1/ns/instance", "")
	status, body := postForm(t, srv, "/v1/ns/instance", 3<<20, false)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, want, body)
	assert.Empty(t, srv.Services())
}

func postFormString(t *testing.T, srv *mocknacos.Server, path, form string) (int, string) {
	t.Helper()
	resp, err := configClient.Post(srv.URL()+path, "application/x-www-form-urlencoded", strings.NewReader(form))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestHTTPIdleTimeout: an idle keep-alive connection is closed by the
// server after the idle timeout (Tomcat's keepAliveTimeout; shortened
// here), so idle clients cannot pile up connections.
func TestHTTPIdleTimeout(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithHTTPIdleTimeout(200*time.Millisecond))
	conn, err := net.Dial("tcp", srv.Addr())
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /nacos/v1/console/health/liveness HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	_, err = conn.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the server closes the idle connection")
	assert.Less(t, time.Since(start), 30*time.Second)
}

// TestHTTPHeaderLimit: a request whose headers exceed 1 MB is refused
// with 431 and costs the server little memory.
func TestHTTPHeaderLimit(t *testing.T) {
	srv := mocknacos.Start(t)
	big := strings.Repeat("a", 2<<20)
	var status int
	a := allocated(func() {
		req, err := http.NewRequest(http.MethodGet, srv.URL()+"/v1/console/health/liveness", nil)
		require.NoError(t, err)
		req.Header.Set("X-Big", big)
		resp, err := configClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		status = resp.StatusCode
	})
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, status)
	assert.Less(t, a, uint64(12<<20), "allocated %d bytes", a)
}
