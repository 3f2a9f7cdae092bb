package mocknacos_test

// Plain-HTTP tests of authentication (nacos-protocol.md section 3): login
// answers, and the 403s of the 2.4.3 AuthFilter (Spring Boot /error JSON
// with the AccessException's message).

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

type loginAnswer struct {
	AccessToken string `json:"accessToken"`
	TokenTTL    int64  `json:"tokenTtl"`
	GlobalAdmin bool   `json:"globalAdmin"`
	Username    string `json:"username"`
}

func login(t *testing.T, srv *mocknacos.Server, path, query, form string) (configReply, loginAnswer) {
	t.Helper()
	r := configDo(t, srv, "POST", path+query, form, nil)
	var a loginAnswer
	if r.status == 200 {
		if err := json.Unmarshal([]byte(r.body), &a); err != nil {
			t.Fatalf("login answer %q: %v", r.body, err)
		}
	}
	return r, a
}

func TestLoginAtEveryPath(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithAuth("nacos", "s3cret"))
	for _, tc := range []struct{ path, query, form string }{
		{"/v1/auth/users/login", "?username=nacos", "password=s3cret"}, // Java 1.x/2.x
		{"/v1/auth/users/login", "", "username=nacos&password=s3cret"}, // Go
		{"/v1/auth/login", "?username=nacos&password=s3cret", ""},      // Python v1
		{"/v3/auth/user/login", "", "username=nacos&password=s3cret"},  // Java 3.x
	} {
		r, a := login(t, srv, tc.path, tc.query, tc.form)
		if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %q", tc.path, r.status, r.body)
		}
		if !strings.HasPrefix(a.AccessToken, "eyJhbGciOiJIUzI1NiJ9.") || a.TokenTTL != 18000 || !a.GlobalAdmin || a.Username != "nacos" {
			t.Errorf("%s: %+v", tc.path, a)
		}
		if !strings.HasPrefix(r.body, `{"accessToken":"`) {
			t.Errorf("%s: field order %q", tc.path, r.body)
		}
		if r.header.Get("Authorization") != "Bearer "+a.AccessToken {
			t.Errorf("%s: Authorization %q", tc.path, r.header.Get("Authorization"))
		}
	}
	for _, form := range []string{"username=nacos&password=wrong", "username=nacos&password="} {
		r, _ := login(t, srv, "/v1/auth/users/login", "", form)
		if r.status != 403 || r.body != "user not found!" || r.header.Get("Content-Type") != "text/plain;charset=UTF-8" {
			t.Errorf("%s: %d %q", form, r.status, r.body)
		}
	}
	// A user that does not exist escapes as UsernameNotFoundException: 500
	// through the console's catch-all handler, HTML-escaped (as a real
	// 2.4.3 answered the Spring apps of the compat suite).
	r, _ := login(t, srv, "/v1/auth/users/login", "", "username=w%3Cho&password=s3cret")
	if r.status != 500 || r.body != "caused: User w&lt;ho not found;" || r.header.Get("Content-Type") != "text/plain;charset=UTF-8" {
		t.Errorf("unknown user: %d %q", r.status, r.body)
	}
	r, _ = login(t, srv, "/v1/auth/users/login", "", "username=nacos")
	if r.status != 500 || r.body != "caused: Required request parameter &#39;password&#39; for method parameter type String is not present;" {
		t.Errorf("no password: %d %q", r.status, r.body)
	}
	if n := srv.Count(mocknacos.Query{Kind: mocknacos.KindLogin}); n != 8 {
		t.Errorf("%d login events, want 8", n)
	}
}

// forbidden checks a 403 from the auth filter.
func forbidden(t *testing.T, r configReply, path, message string) {
	t.Helper()
	var e struct {
		Status  int    `json:"status"`
		Error   string `json:"error"`
		Message string `json:"message"`
		Path    string `json:"path"`
	}
	if r.status != 403 || json.Unmarshal([]byte(r.body), &e) != nil || e.Status != 403 || e.Error != "Forbidden" ||
		e.Message != message || e.Path != path {
		t.Fatalf("got %d %q, want 403 %q", r.status, r.body, message)
	}
}

// TestAuthFilterAnswersByAccept: the AuthFilter's sendError goes through
// Spring's /error: JSON labelled with its charset, or the Whitelabel page
// for a client whose Accept names text/html (the JDK's default, which Java
// 1.x clients send), as a real 2.4.3 answers; an unknown user is a 500.
func TestAuthFilterAnswersByAccept(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithAuth("nacos", "s3cret"))
	path := "/v1/cs/configs?dataId=x&group=y&username=nacos&password=wrong"
	r := configDo(t, srv, "GET", path, "", map[string]string{"Accept": "*/*"})
	if r.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Errorf("JSON answer labelled %q", r.header.Get("Content-Type"))
	}
	forbidden(t, r, "/nacos/v1/cs/configs", "user not found!")
	jdk := map[string]string{"Accept": "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"}
	r = configDo(t, srv, "GET", path, "", jdk)
	if r.status != 403 || r.header.Get("Content-Type") != "text/html;charset=UTF-8" ||
		!strings.HasPrefix(r.body, "<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p><div id='created'>") ||
		!strings.HasSuffix(r.body, "</div><div>There was an unexpected error (type=Forbidden, status=403).</div><div>user not found!</div></body></html>") {
		t.Errorf("HTML answer: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = configDo(t, srv, "GET", "/v1/cs/configs?dataId=x&group=y&username=nacos2&password=x", "", nil)
	var e struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	}
	if r.status != 500 || json.Unmarshal([]byte(r.body), &e) != nil || e.Status != 500 || e.Message != "Server failed, User nacos2 not found" {
		t.Errorf("unknown user: %d %q", r.status, r.body)
	}
}

func TestAuthGuardsNamingAndConfig(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithAuth("nacos", "s3cret"))
	_, a := login(t, srv, "/v1/auth/users/login", "", "username=nacos&password=s3cret")
	register := "/v1/ns/instance?serviceName=orders&ip=127.0.0.1&port=8080"
	getConfig := "/v1/cs/configs?dataId=a&group=G"

	forbidden(t, configDo(t, srv, "POST", register, "", nil), "/nacos/v1/ns/instance", "user not found!")
	forbidden(t, configDo(t, srv, "GET", getConfig, "", nil), "/nacos/v1/cs/configs", "user not found!")
	forbidden(t, configDo(t, srv, "GET", getConfig+"&accessToken=garbage", "", nil), "/nacos/v1/cs/configs", "token invalid!")
	forbidden(t, configDo(t, srv, "GET", getConfig, "", map[string]string{"Authorization": "Bearer " + a.AccessToken + "x"}), "/nacos/v1/cs/configs", "Invalid signature")

	// The token as a parameter, an accessToken header or a bearer header;
	// or the user's name and password.
	for _, ok := range []configReply{
		configDo(t, srv, "POST", register+"&accessToken="+url.QueryEscape(a.AccessToken), "", nil),
		configDo(t, srv, "GET", getConfig, "", map[string]string{"accessToken": a.AccessToken}),
		configDo(t, srv, "GET", getConfig, "", map[string]string{"Authorization": "Bearer " + a.AccessToken}),
		configDo(t, srv, "GET", getConfig+"&username=nacos&password=s3cret", "", nil),
	} {
		if ok.status == 403 {
			t.Fatalf("refused: %q", ok.body)
		}
	}
	// Open without a token: login, health, metrics, and paths no route serves.
	for _, p := range []string{"/v1/console/health/liveness", "/v1/ns/operator/metrics"} {
		if r := configDo(t, srv, "GET", p, "", nil); r.status != 200 {
			t.Errorf("%s: %d %q", p, r.status, r.body)
		}
	}
	if r := configDo(t, srv, "GET", "/v1/no/such/api", "", nil); r.status != 404 {
		t.Errorf("unknown path: %d", r.status)
	}
	rejected := true
	if n := srv.Count(mocknacos.Query{Kind: mocknacos.KindRegister, Service: "orders", Rejected: &rejected}); n != 1 {
		t.Errorf("%d rejected register events for orders, want 1", n)
	}
}

func TestTokensExpireOnTheChosenClock(t *testing.T) {
	// Mock clock: Advance expires the token.
	srv := mocknacos.Start(t, mocknacos.WithAuth("nacos", "pw"), mocknacos.WithTokenExpiryOnMockClock(), mocknacos.WithTokenTTL(time.Minute))
	_, a := login(t, srv, "/v1/auth/login", "?username=nacos&password=pw", "")
	if a.TokenTTL != 60 {
		t.Fatalf("tokenTtl %d", a.TokenTTL)
	}
	path := "/v1/cs/configs?dataId=a&group=G&accessToken=" + url.QueryEscape(a.AccessToken)
	if r := configDo(t, srv, "GET", path, "", nil); r.status != 404 {
		t.Fatalf("fresh token: %d %q", r.status, r.body)
	}
	srv.Advance(61 * time.Second)
	forbidden(t, configDo(t, srv, "GET", path, "", nil), "/nacos/v1/cs/configs", "token expired!")

	// A login that carries a token (and a wrong password) is answered with
	// that same token and the time it has left (UserController.login,
	// getTokenTtlInSeconds).
	_, a = login(t, srv, "/v1/auth/login", "?username=nacos&password=pw", "")
	srv.Advance(20 * time.Second)
	r, again := login(t, srv, "/v1/auth/users/login", "?accessToken="+url.QueryEscape(a.AccessToken), "username=nacos&password=wrong")
	if r.status != 200 || again.AccessToken != a.AccessToken || again.TokenTTL != 40 || again.Username != "nacos" {
		t.Fatalf("login with a token: %d %+v", r.status, again)
	}
	srv.Advance(41 * time.Second)
	if r, _ := login(t, srv, "/v1/auth/users/login", "?accessToken="+url.QueryEscape(a.AccessToken), "username=nacos&password=pw"); r.status != 403 || r.body != "token expired!" {
		t.Fatalf("login with an expired token: %d %q", r.status, r.body)
	}

	// Wall clock (the default): Advance does not.
	wall := mocknacos.Start(t, mocknacos.WithAuth("nacos", "pw"), mocknacos.WithTokenTTL(time.Minute))
	_, a = login(t, wall, "/v1/auth/login", "?username=nacos&password=pw", "")
	wall.Advance(time.Hour)
	if r := configDo(t, wall, "GET", "/v1/cs/configs?dataId=a&group=G&accessToken="+url.QueryEscape(a.AccessToken), "", nil); r.status != 404 {
		t.Fatalf("wall-clock token after Advance: %d %q", r.status, r.body)
	}
}

func TestAdminInitialisation(t *testing.T) {
	srv := mocknacos.Start(t) // auth off, no user yet (as 2.4.x ships)
	// The user does not exist: UsernameNotFoundException, a 500 (what a real
	// 2.4.3 with auth off answered the Spring apps' logins).
	if r, _ := login(t, srv, "/v1/auth/users/login", "", "username=nacos&password=pw"); r.status != 500 || r.body != "caused: User nacos not found;" {
		t.Fatalf("login before any user: %d %q", r.status, r.body)
	}
	r := configDo(t, srv, "POST", "/v1/auth/users/admin", "password=pw", nil)
	if r.status != 200 || r.body != `{"username":"nacos","password":"pw"}` {
		t.Fatalf("admin: %d %q", r.status, r.body)
	}
	// Once an admin exists: HTTP 200 with a RestResult whose code is 409.
	r = configDo(t, srv, "POST", "/v1/auth/users/admin", "password=other", nil)
	if r.status != 200 || r.body != `{"code":409,"message":null,"data":"have admin user cannot use it"}` {
		t.Fatalf("second admin: %d %q", r.status, r.body)
	}
	// With auth off a login succeeds with the AUTH_DISABLED token.
	if r, a := login(t, srv, "/v1/auth/users/login", "", "username=nacos&password=pw"); r.status != 200 || a.AccessToken != "AUTH_DISABLED" || a.TokenTTL != 18000 {
		t.Fatalf("login with auth off: %d %q", r.status, r.body)
	}
	// And no request needs a token.
	if r := configDo(t, srv, "GET", "/v1/cs/configs?dataId=a&group=G", "", nil); r.status != 404 {
		t.Fatalf("auth off: %d %q", r.status, r.body)
	}
	// With WithAuth the admin exists from the start.
	withAuth := mocknacos.Start(t, mocknacos.WithAuth("nacos", "nacos"))
	if r := configDo(t, withAuth, "POST", "/v1/auth/users/admin", "", nil); !strings.Contains(r.body, `"code":409`) {
		t.Fatalf("admin with WithAuth: %q", r.body)
	}
}

// TestIdentityNamesInAnyCase: 2.4.3 matches the identity names in any case,
// in headers and parameters alike (HttpIdentityContextBuilder's
// case-insensitive map); 1.4.8 reads the accessToken parameter by its
// exact name.
func TestIdentityNamesInAnyCase(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithAuth("nacos", "pw"))
	_, a := login(t, srv, "/v1/auth/login", "?username=nacos&password=pw", "")
	tok := url.QueryEscape(a.AccessToken)
	for _, q := range []string{"accessToken=" + tok, "accesstoken=" + tok, "ACCESSTOKEN=" + tok, "USERNAME=nacos&Password=pw"} {
		if r := configDo(t, srv, "GET", "/v1/cs/configs?dataId=a&group=G&"+q, "", nil); r.status != 404 {
			t.Errorf("2.4 with %s: %d %q", q[:strings.Index(q, "=")], r.status, r.body)
		}
	}
	if r := configDo(t, srv, "GET", "/v1/cs/configs?dataId=a&group=G", "", map[string]string{"ACCESSTOKEN": a.AccessToken}); r.status != 404 {
		t.Errorf("2.4 with an ACCESSTOKEN header: %d %q", r.status, r.body)
	}

	v1 := mocknacos.Start(t, mocknacos.WithAuth("nacos", "pw"), mocknacos.WithServerVersion(mocknacos.Nacos1))
	_, a = login(t, v1, "/v1/auth/login", "?username=nacos&password=pw", "")
	if r := configDo(t, v1, "GET", "/v1/cs/configs?dataId=a&group=G&accessToken="+url.QueryEscape(a.AccessToken), "", nil); r.status != 404 {
		t.Fatalf("1.4 with accessToken: %d %q", r.status, r.body)
	}
	if r := configDo(t, v1, "GET", "/v1/cs/configs?dataId=a&group=G&accesstoken="+url.QueryEscape(a.AccessToken), "", nil); r.status != 403 {
		t.Fatalf("1.4 reads the parameter by its exact name; accesstoken: %d %q", r.status, r.body)
	}
}
