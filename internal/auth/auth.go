// Package auth is the mock's authentication (nacos-protocol.md section 3):
// users, login, HS256 tokens, and the guards that the HTTP and gRPC layers
// run before a secured request. Answers and messages are those of the 2.4.3
// default auth plugin (UserController, AbstractAuthenticationManager,
// JwtTokenManager, NacosSignatureAlgorithm) and of the AuthFilter and
// RemoteRequestAuthFilter that call it.
package auth

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"sync"
	"time"
)

// DefaultTTL is nacos.core.auth.plugin.nacos.token.expire.seconds.
const DefaultTTL = 18000 * time.Second

// DefaultAdmin is the user POST /v1/auth/users/admin creates.
const DefaultAdmin = "nacos"

// disabledToken is what login answers when auth is off
// (JwtTokenManager.AUTH_DISABLED_TOKEN).
const disabledToken = "AUTH_DISABLED"

// Config configures authentication.
type Config struct {
	// Enabled is nacos.core.auth.enabled: secured requests need an identity.
	Enabled bool
	// Username and Password, when set, are a global admin that exists from
	// the start.
	Username, Password string
	// TTL is how long a token lives (DefaultTTL when zero).
	TTL time.Duration
	// Now is the clock tokens expire on: the wall clock when nil (clients
	// refresh on theirs, design.md), or the mock clock.
	Now func() time.Time
	// V1 answers as a 1.4.x server: its database starts with the user
	// nacos/nacos (schema.sql), a failed password login is an
	// AccessException "unknown user!" (NacosAuthManager.resolveTokenFromUser),
	// and login signs a token even with auth off (UserController.login).
	V1 bool
	// V3 answers as a 3.0.x server: login signs a token even with auth off
	// (its console auth is on by default), and login failures are answered
	// as 3.0.3 does (see routes.go).
	V3 bool
}

// v1DefaultUser is the user (name and password) of a 1.4.x server's fresh
// database.
const v1DefaultUser = "nacos"

// Service holds users and checks identities; safe for concurrent use.
type Service struct {
	cfg Config
	key []byte

	mu    sync.Mutex
	users map[string]string // username -> password; every user is a global admin
}

// New starts the service with a fresh random signing key.
func New(cfg Config) *Service {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	s := &Service{cfg: cfg, key: key, users: map[string]string{}}
	if cfg.V1 {
		s.users[v1DefaultUser] = v1DefaultUser
	}
	if cfg.Username != "" {
		s.users[cfg.Username] = cfg.Password
	}
	return s
}

// Enabled reports whether secured requests need an identity.
func (s *Service) Enabled() bool { return s.cfg.Enabled }

// AccessError is the real server's AccessException: its message is what a
// 403 says.
type AccessError struct{ Msg string }

func (e *AccessError) Error() string { return e.Msg }

func denied(msg string) error { return &AccessError{Msg: msg} }

// UnknownUserError is Spring Security's UsernameNotFoundException, thrown by
// NacosUserDetailsServiceImpl for a user that does not exist. The 2.4.3
// AbstractAuthenticationManager does not turn it into an AccessException,
// so it escapes as a server error: login answers 500 "caused: User x not
// found;" (with auth on or off: a fresh 2.4 server has no user at all), the
// HTTP filter 500 "Server failed, User x not found", the gRPC filter
// errorCode 500. A known user with a wrong password is an AccessException.
type UnknownUserError struct{ User string }

func (e *UnknownUserError) Error() string { return "User " + e.User + " not found" }

// Identity is what a request carries to prove who it is (the identity
// names of NacosAuthPluginService).
type Identity struct {
	Authorization string // "Bearer <token>"
	AccessToken   string
	Username      string
	Password      string
}

// Token is a login's answer.
type Token struct {
	AccessToken string
	// TTL is the seconds until it expires (tokenTtl).
	TTL         int64
	GlobalAdmin bool
	Username    string
}

// Authenticate is NacosAuthPluginService.validateIdentity: a bearer
// Authorization or an accessToken wins; otherwise username and password.
// It returns the user, or an *AccessError.
func (s *Service) Authenticate(id Identity) (string, error) {
	if token := id.token(); token != "" {
		user, _, err := parseToken(s.key, token, s.cfg.Now().Unix())
		return user, err
	}
	return s.checkPassword(id.Username, id.Password)
}

// token is the token an identity carries: a bearer Authorization wins over
// accessToken; "" for none.
func (id Identity) token() string {
	token := id.AccessToken
	if b := id.Authorization; strings.TrimSpace(b) != "" && strings.HasPrefix(b, "Bearer ") {
		token = strings.TrimPrefix(b, "Bearer ")
	}
	if strings.TrimSpace(token) == "" {
		return ""
	}
	return token
}

// checkPassword is AbstractAuthenticationManager.authenticate(user, pw).
// In 1.4.x any failure is "unknown user!".
func (s *Service) checkPassword(user, password string) (string, error) {
	if s.cfg.V1 {
		s.mu.Lock()
		want, ok := s.users[user]
		s.mu.Unlock()
		if !ok || want != password || user == "" {
			return "", denied("unknown user!")
		}
		return user, nil
	}
	if strings.TrimSpace(user) == "" || strings.TrimSpace(password) == "" {
		return "", denied("user not found!")
	}
	s.mu.Lock()
	want, ok := s.users[user]
	s.mu.Unlock()
	if !ok {
		return "", &UnknownUserError{User: user}
	}
	if want != password {
		return "", denied("user not found!")
	}
	return user, nil
}

// Login is UserController.login for the nacos auth system: the identity is
// resolved, and a token given with the request wins over the password.
// Such a login answers that same token (user.getToken()), with the seconds
// it has left in 2.4.3 (getTokenTtlInSeconds) and the full validity in
// 1.4.8; otherwise a token is issued.
func (s *Service) Login(id Identity) (Token, error) {
	ttl := int64(s.cfg.TTL / time.Second)
	if token := id.token(); token != "" {
		now := s.cfg.Now().Unix()
		user, exp, err := parseToken(s.key, token, now)
		if err != nil {
			return Token{}, err
		}
		if s.cfg.Enabled && !s.cfg.V1 {
			ttl = exp - now
		}
		return Token{AccessToken: token, TTL: ttl, GlobalAdmin: true, Username: user}, nil
	}
	user, err := s.checkPassword(id.Username, id.Password)
	if err != nil {
		return Token{}, err
	}
	if !s.cfg.Enabled && !s.cfg.V1 && !s.cfg.V3 {
		return Token{AccessToken: disabledToken, TTL: ttl, GlobalAdmin: true, Username: user}, nil
	}
	now := s.cfg.Now().Unix()
	exp := now + ttl
	return Token{AccessToken: newToken(s.key, user, exp), TTL: exp - now, GlobalAdmin: true, Username: user}, nil
}

// InitAdmin is POST /v1/auth/users/admin: it creates user nacos with the
// password (a random one when blank) unless an admin exists.
func (s *Service) InitAdmin(password string) (user, pw string, created bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.users) > 0 {
		return "", "", false
	}
	if strings.TrimSpace(password) == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		password = base64.RawURLEncoding.EncodeToString(b)
	}
	s.users[DefaultAdmin] = password
	return DefaultAdmin, password, true
}
