package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTokenLifecycle(t *testing.T) {
	now := time.Unix(1700000000, 0)
	s := New(Config{Enabled: true, Username: "nacos", Password: "pw", TTL: 100 * time.Second, Now: func() time.Time { return now }})
	tok, err := s.Login(Identity{Username: "nacos", Password: "pw"})
	if err != nil || tok.TTL != 100 || !tok.GlobalAdmin || tok.Username != "nacos" {
		t.Fatalf("%+v %v", tok, err)
	}
	if !strings.HasPrefix(tok.AccessToken, "eyJhbGciOiJIUzI1NiJ9.") {
		t.Fatalf("token %q is not an HS256 JWT", tok.AccessToken)
	}
	for _, id := range []Identity{{AccessToken: tok.AccessToken}, {Authorization: "Bearer " + tok.AccessToken}, {Username: "nacos", Password: "pw"}} {
		if user, err := s.Authenticate(id); err != nil || user != "nacos" {
			t.Errorf("%+v: %q %v", id, user, err)
		}
	}
	now = now.Add(100 * time.Second) // exp >= now still holds
	if _, err := s.Authenticate(Identity{AccessToken: tok.AccessToken}); err != nil {
		t.Fatal("expired one second early:", err)
	}
	now = now.Add(time.Second)
	for id, want := range map[Identity]string{
		{AccessToken: tok.AccessToken}:         "token expired!",
		{}:                                     "user not found!",
		{Username: "nacos", Password: "wrong"}: "user not found!",
		{AccessToken: "abc"}:                   "token invalid!",
		{AccessToken: "a.b.c"}:                 "unsupported signature algorithm",
		{AccessToken: tok.AccessToken[:len(tok.AccessToken)-2] + "xx"}: "Invalid signature",
		{Authorization: "Basic x", AccessToken: "a.b."}:                "token invalid!",
	} {
		if _, err := s.Authenticate(id); err == nil || err.Error() != want {
			t.Errorf("%+v: %v, want %q", id, err, want)
		}
	}
}

func TestGRPCGuardChecksSecuredTypesOnly(t *testing.T) {
	s := New(Config{Enabled: true, Username: "u", Password: "p"})
	if err := s.GRPCGuard("HealthCheckRequest", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.GRPCGuard("ConfigQueryRequest", map[string]string{}); err == nil || err.Error() != "user not found!" {
		t.Fatalf("%v", err)
	}
	tok, _ := s.Login(Identity{Username: "u", Password: "p"})
	if err := s.GRPCGuard("InstanceRequest", map[string]string{"accessToken": tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	if err := New(Config{}).GRPCGuard("InstanceRequest", nil); err != nil {
		t.Fatal("auth off:", err)
	}
	err := s.GRPCGuard("InstanceRequest", map[string]string{"username": "who", "password": "p"})
	var se *ServerError
	if !errors.As(err, &se) || se.ErrorCode() != 500 || se.Msg != "caused: User who not found;" {
		t.Fatalf("unknown user over gRPC: %#v", err)
	}
}

// TestUnknownUserWithAuthOff: a fresh server has no user; with auth off a
// client's login for nacos is still refused, as UsernameNotFoundException.
func TestUnknownUserWithAuthOff(t *testing.T) {
	_, err := New(Config{}).Login(Identity{Username: "nacos", Password: "nacos"})
	var unknown *UnknownUserError
	if !errors.As(err, &unknown) || err.Error() != "User nacos not found" {
		t.Fatalf("%#v", err)
	}
}

func TestInitAdminOnce(t *testing.T) {
	s := New(Config{})
	if tok, err := s.Login(Identity{Username: "nacos", Password: "x"}); err == nil {
		t.Fatalf("login before any user: %+v", tok)
	}
	u, pw, ok := s.InitAdmin("")
	if !ok || u != "nacos" || pw == "" {
		t.Fatal(u, pw, ok)
	}
	if _, _, ok := s.InitAdmin("again"); ok {
		t.Fatal("second admin created")
	}
	tok, err := s.Login(Identity{Username: "nacos", Password: pw})
	if err != nil || tok.AccessToken != "AUTH_DISABLED" || tok.TTL != 18000 {
		t.Fatalf("auth off login: %+v %v", tok, err)
	}
}

// TestV1DefaultUser: a 1.4.x server starts with nacos/nacos in its
// database; login signs a token even with auth off; a failed password is
// "unknown user!" (recorded from a real 1.4.8: fixtures/2.2.6.RELEASE-nacos-1.4.8.jsonl).
func TestV1DefaultUser(t *testing.T) {
	s := New(Config{V1: true})
	tok, err := s.Login(Identity{Username: "nacos", Password: "nacos"})
	if err != nil || !strings.HasPrefix(tok.AccessToken, "eyJhbGciOiJIUzI1NiJ9.") || tok.TTL != 18000 || !tok.GlobalAdmin || tok.Username != "nacos" {
		t.Fatalf("%+v %v", tok, err)
	}
	for _, id := range []Identity{{Username: "nacos", Password: "x"}, {Username: "who", Password: "nacos"}, {Username: "", Password: "nacos"}} {
		if _, err := s.Login(id); err == nil || err.Error() != "unknown user!" {
			t.Errorf("%+v: %v, want unknown user!", id, err)
		}
	}
	// WithAuth's user sets nacos's password.
	s = New(Config{V1: true, Enabled: true, Username: "nacos", Password: "s3cret"})
	if _, err := s.Login(Identity{Username: "nacos", Password: "nacos"}); err == nil {
		t.Fatal("the default password still works after the user was configured")
	}
	if _, err := s.Login(Identity{Username: "nacos", Password: "s3cret"}); err != nil {
		t.Fatal(err)
	}
}
