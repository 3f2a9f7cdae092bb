package mocknacos_test

// The console page (/nacos/), looked at the way a person does: in Debian's
// headless Chromium, while instances beat and one of them has gone quiet.
// The test installs nothing: without `chromium` on PATH it fails and says to
// run scripts/install-chromium.sh, unless MOCKNACOS_SKIP_BROWSER=1 (then it
// skips). The screenshot and the DOM it saw are kept under
// $MOCKNACOS_ARTIFACTS (a CI artifact), or a temporary directory.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

var consoleClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// consoleDo sends one request to the mock and returns status, headers and
// body.
func consoleDo(t *testing.T, method, rawURL string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "Nacos-Java-Client:v1.4.2") // a client that may receive UDP pushes
	resp, err := consoleClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func nacosOK(t *testing.T, srv *mocknacos.Server, method, pathAndQuery string) string {
	t.Helper()
	status, _, body := consoleDo(t, method, srv.URL()+pathAndQuery)
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, pathAndQuery, status, body)
	}
	return body
}

// TestConsoleRoutes: the page is served at the paths users open, is not a
// Nacos request (nothing journaled), and leaves the Nacos 404/501 answers
// alone. No browser needed.
func TestConsoleRoutes(t *testing.T) {
	t.Parallel()
	srv := mocknacos.Start(t)
	base := "http://" + srv.Addr()
	for _, p := range []string{"/nacos/", "/nacos/index.html", "//nacos/./"} {
		status, h, body := consoleDo(t, http.MethodGet, base+p)
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %q", p, status, h.Get("Content-Type"))
		}
		if !strings.Contains(body, "<title>mocknacos console</title>") || !strings.Contains(body, "/__mock") {
			t.Fatalf("GET %s: not the console page:\n%.300s", p, body)
		}
		for _, ext := range []string{"http://", "https://", "//cdn"} {
			if strings.Contains(body, `src="`+ext) || strings.Contains(body, `href="`+ext) {
				t.Errorf("GET %s: the page loads something from elsewhere (%s)", p, ext)
			}
		}
	}
	if status, _, body := consoleDo(t, http.MethodHead, base+"/nacos/"); status != http.StatusOK || body != "" {
		t.Errorf("HEAD /nacos/: %d, body %q", status, body)
	}
	if status, h, _ := consoleDo(t, http.MethodGet, base+"/nacos"); status != http.StatusFound || h.Get("Location") != "/nacos/" {
		t.Errorf("GET /nacos: %d Location %q, want 302 to /nacos/ (as Tomcat answers the context root)", status, h.Get("Location"))
	}
	if n := len(srv.Journal()); n != 0 {
		t.Errorf("the console was journaled: %d events: %+v", n, srv.Journal())
	}
	// Nacos paths still get the real server's answers.
	if status, _, body := consoleDo(t, http.MethodGet, base+"/nacos/v1/ns/nothing"); status != http.StatusNotImplemented {
		t.Errorf("GET /nacos/v1/ns/nothing: %d %s, want 501", status, body)
	}
	if status, _, _ := consoleDo(t, http.MethodGet, base+"/nacos/other.html"); status != http.StatusNotFound {
		t.Errorf("GET /nacos/other.html: %d, want 404", status)
	}
	if n := srv.Count(mocknacos.Query{Kind: "unknown"}); n != 2 {
		t.Errorf("unknown paths journaled: %d, want 2", n)
	}
	status, h, body := consoleDo(t, http.MethodGet, base+"/__mock/connections")
	var conns []map[string]any
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(body), &conns) != nil || conns == nil || len(conns) != 0 {
		t.Errorf("GET /__mock/connections: %d %q %s, want an empty JSON array", status, h.Get("Content-Type"), body)
	}
	if status, _, body := consoleDo(t, http.MethodDelete, base+"/__mock/connections?id=nope"); status != http.StatusNotFound || !strings.Contains(body, `no live connection \"nope\"`) {
		t.Errorf("DELETE /__mock/connections?id=nope: %d %s, want 404", status, body)
	}
	if status, _, body := consoleDo(t, http.MethodDelete, base+"/__mock/connections"); status != http.StatusOK || body != `{"closed":0}`+"\n" {
		t.Errorf("DELETE /__mock/connections: %d %q, want {\"closed\":0}", status, body)
	}
}

// chromiumOrSkip finds Debian's chromium, or fails saying how to install it
// (MOCKNACOS_SKIP_BROWSER=1 skips instead).
func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	if os.Getenv("MOCKNACOS_SKIP_BROWSER") == "1" {
		t.Skip("MOCKNACOS_SKIP_BROWSER=1: the console is not checked in a browser")
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("`chromium` is not on PATH: run scripts/install-chromium.sh (Debian's chromium, with apt-get), " +
			"or set MOCKNACOS_SKIP_BROWSER=1 to skip the browser test")
	}
	return bin
}

// runChromium runs headless Chromium on pageURL with extra flags, from a
// fresh profile, and returns its standard output.
func runChromium(t *testing.T, bin, pageURL string, extra ...string) []byte {
	t.Helper()
	home := t.TempDir()
	profile, err := os.MkdirTemp("", "mocknacos-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's helpers may write to the profile a moment after it exits.
	defer os.RemoveAll(profile)
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile, "--virtual-time-budget=3000"},
		extra...)
	args = append(args, pageURL)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v (after %v)\nstderr:\n%s", strings.Join(extra, " "), err, time.Since(start).Round(time.Millisecond), stderr.String())
	}
	t.Logf("chromium %s: %v", strings.Join(extra, " "), time.Since(start).Round(time.Millisecond))
	return stdout.Bytes()
}

func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MOCKNACOS_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("MOCKNACOS_ARTIFACTS: %v", err)
	}
	return dir
}

// TestConsoleInBrowser: three instances in two services beat over HTTP on a
// frozen clock advanced 5 s at a time; one stops beating after 10 s and is
// unhealthy at 30 s. A subscriber polls with a UDP port. Chromium then
// shows the services, the unhealthy instance and the beats per instance.
func TestConsoleInBrowser(t *testing.T) {
	bin := chromiumOrSkip(t)
	t0 := time.Date(2026, 3, 14, 9, 26, 0, 0, time.UTC)
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(t0))

	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	udpPort := udp.LocalAddr().(*net.UDPAddr).Port

	type inst struct {
		service, ns, group, ip string
		port                   int
		md                     map[string]string
		beatsUntil             time.Duration // the last beat's mock time after t0
	}
	insts := []inst{
		{"orders", "", "", "127.0.0.1", 8080, map[string]string{"version": "1.4.2", "zone": "eu-1"}, 30 * time.Second},
		{"orders", "", "", "127.0.0.1", 8081, map[string]string{"version": "1.4.1"}, 10 * time.Second},
		{"payments", "dev", "PAY_GROUP", "127.0.0.1", 9090, nil, 30 * time.Second},
	}
	q := func(in inst) string {
		v := url.Values{"serviceName": {in.service}, "ip": {in.ip}, "port": {strconv.Itoa(in.port)}}
		if in.ns != "" {
			v.Set("namespaceId", in.ns)
		}
		if in.group != "" {
			v.Set("groupName", in.group)
		}
		return v.Encode()
	}
	for _, in := range insts {
		query := q(in)
		if in.md != nil {
			b, _ := json.Marshal(in.md)
			query += "&metadata=" + url.QueryEscape(string(b))
		}
		nacosOK(t, srv, http.MethodPost, "/v1/ns/instance?"+query)
	}
	nacosOK(t, srv, http.MethodGet, "/v1/ns/instance/list?serviceName=orders&clientIP=127.0.0.1&udpPort="+strconv.Itoa(udpPort))

	// Beats at 0, 5, ..., 30 s of mock time; 8081 beats last at 10 s.
	for at := time.Duration(0); ; at += 5 * time.Second {
		for _, in := range insts {
			if at <= in.beatsUntil {
				if body := nacosOK(t, srv, http.MethodPut, "/v1/ns/instance/beat?"+q(in)); !strings.Contains(body, `"code":10200`) {
					t.Fatalf("beat %s:%d: %s", in.service, in.port, body)
				}
			}
		}
		if at == 30*time.Second {
			break
		}
		srv.Advance(5 * time.Second)
	}
	health := map[int]bool{}
	for _, in := range srv.Instances("orders") {
		health[in.Port] = in.Healthy
	}
	if !health[8080] || health[8081] || len(health) != 2 {
		t.Fatalf("orders before the browser looks: health by port %v, want 8080 healthy and 8081 unhealthy", health)
	}
	if n := srv.Count(mocknacos.Query{Kind: mocknacos.KindBeat}); n != 7+3+7 {
		t.Fatalf("beats journaled: %d, want 17", n)
	}
	events := len(srv.Journal())

	page := "http://" + srv.Addr() + "/nacos/"
	dom := string(runChromium(t, bin, page, "--dump-dom"))
	dir := artifactsDir(t)
	if err := os.WriteFile(filepath.Join(dir, "console.html"), []byte(dom), 0o644); err != nil {
		t.Fatal(err)
	}

	// What a person sees, element by element (the page marks its rows with
	// data attributes; the checks are on the text they hold).
	text := regexp.MustCompile(`<[^>]*>`)
	find := func(what, pattern string) string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindString(dom)
		if m == "" {
			t.Errorf("the page does not show %s (no match for %s)", what, pattern)
		}
		return strings.Join(strings.Fields(text.ReplaceAllString(m, " ")), " ")
	}
	if got := find("the orders service", `(?s)<tr class="svc" data-service="orders">.*?</tr>`); !strings.Contains(got, "public / DEFAULT_GROUP / orders") ||
		!strings.Contains(got, "2 instances") || !strings.Contains(got, "1 subscriber") {
		t.Errorf("orders header row reads %q", got)
	}
	if got := find("the payments service", `(?s)<tr class="svc" data-service="payments">.*?</tr>`); !strings.Contains(got, "dev / PAY_GROUP / payments") {
		t.Errorf("payments header row reads %q", got)
	}
	if got := find("8081 as unhealthy", `(?s)<tr class="instance unhealthy" data-instance="orders 127.0.0.1:8081"[^>]*>.*?</tr>`); !strings.Contains(got, "unhealthy 127.0.0.1:8081 http 1 20.0 s") ||
		!strings.Contains(got, "version=1.4.1") {
		t.Errorf("8081 row reads %q, want unhealthy, http, weight 1, 20.0 s since its last beat", got)
	}
	if got := find("8080 as healthy", `(?s)<tr class="instance healthy" data-instance="orders 127.0.0.1:8080"[^>]*>.*?</tr>`); !strings.Contains(got, "healthy 127.0.0.1:8080 http 1 0.0 s") ||
		!strings.Contains(got, "zone=eu-1") {
		t.Errorf("8080 row reads %q", got)
	}
	for _, want := range []struct{ row, beats string }{
		{"orders 127.0.0.1:8080", "7 beats"}, {"orders 127.0.0.1:8081", "3 beats"}, {"payments 127.0.0.1:9090", "7 beats"},
	} {
		row := find("the timeline row of "+want.row, `(?s)<div class="tl-row [a-z]+" data-instance="`+regexp.QuoteMeta(want.row)+`".*?<div class="tl-count">[^<]*</div>`)
		if !strings.HasSuffix(row, want.beats) {
			t.Errorf("timeline row %s reads %q, want it to end with %q", want.row, row, want.beats)
		}
	}
	find("the 8081 timeline row marked unhealthy", `<div class="tl-row unhealthy" data-instance="orders 127.0.0.1:8081"`)
	if got := find("the clock", `(?s)<div class="clock".*?</div>`); !strings.Contains(got, "2026-03-14 09:26:30.000 UTC frozen offset ") {
		t.Errorf("clock reads %q", got)
	}
	if got := find("the connections", `(?s)<section id="connections".*?</section>`); !strings.Contains(got, "No gRPC connection") {
		t.Errorf("connections read %q", got)
	}

	shot := filepath.Join(dir, "console.png")
	_ = os.Remove(shot)
	runChromium(t, bin, page, "--screenshot="+shot, "--window-size=1280,900")
	png, err := os.ReadFile(shot)
	if err != nil || len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot %s: %d bytes, %v", shot, len(png), err)
	}
	t.Logf("console screenshot: %s (%d bytes); DOM: %s", shot, len(png), filepath.Join(dir, "console.html"))

	// Looking is not a Nacos request: the journal only grew by the pushes
	// and nothing the browser asked for was journaled.
	for _, e := range srv.Journal()[events:] {
		if e.Kind != mocknacos.KindPush {
			t.Errorf("journaled while the browser looked: %s %s %s", e.Kind, e.Request.Method, e.Request.Path)
		}
	}
}
