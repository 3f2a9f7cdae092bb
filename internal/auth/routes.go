package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// Mount adds login and admin initialisation to the HTTP API's router
// (httpv1.Config.Mounts). UserController is mapped at both /v1/auth and
// /v1/auth/users; 3.x adds /v3/auth/user/login (section 3.1).
func (s *Service) Mount(h *httpv1.Server, r *mux.Router) {
	for _, p := range []string{"/nacos/v1/auth/users/login", "/nacos/v1/auth/login", "/nacos/v3/auth/user/login"} {
		httpv1.Route(r, p, h.Handle(journal.Login, nil, s.login), http.MethodPost)
	}
	for _, p := range []string{"/nacos/v1/auth/users/admin", "/nacos/v1/auth/admin"} {
		httpv1.Route(r, p, h.Handle(journal.AdminInit, nil, s.initAdmin), http.MethodPost)
	}
}

// login is UserController.login. Missing username or password is Spring's
// MissingServletRequestParameterException, which the console's catch-all
// handler answers 500 (HTML-escaped); a failed identity is an
// AccessException, answered 403 with its message as text.
func (s *Service) login(x *httpv1.Exchange) {
	for _, name := range []string{"username", "password"} {
		if !x.Has(name) {
			// 1.4.x does not escape it (seen on a real 1.4.8 by the
			// conformance suite).
			q := "&#39;"
			if s.cfg.V1 {
				q = "'"
			}
			x.Answer(http.StatusInternalServerError, "text/plain;charset=UTF-8",
				"caused: Required request parameter "+q+name+q+" for method parameter type String is not present;")
			return
		}
	}
	// AbstractAuthenticationManager.resolveToken: a bearer header, else the
	// accessToken parameter; else the username and password parameters.
	tok, err := s.Login(Identity{Authorization: x.Request().Header.Get("Authorization"), AccessToken: x.Param("accessToken"),
		Username: x.Param("username"), Password: x.Param("password")})
	var ae *AccessError
	if errors.As(err, &ae) {
		x.Answer(http.StatusForbidden, "text/plain;charset=UTF-8", ae.Msg)
		return
	}
	var unknown *UnknownUserError
	if errors.As(err, &unknown) {
		// ConsoleExceptionHandler's catch-all: 500, HTML-escaped.
		x.Answer(http.StatusInternalServerError, "text/plain;charset=UTF-8", "caused: "+html.EscapeString(unknown.Error())+";")
		return
	}
	x.Header().Set("Authorization", "Bearer "+tok.AccessToken)
	x.Answer(http.StatusOK, "application/json", jsonString(struct {
		AccessToken string `json:"accessToken"`
		TokenTTL    int64  `json:"tokenTtl"`
		GlobalAdmin bool   `json:"globalAdmin"`
		Username    string `json:"username"`
	}{tok.AccessToken, tok.TTL, tok.GlobalAdmin, tok.Username}))
}

// initAdmin is UserController.createAdminUser. Once an admin exists it
// answers a RestResult with code 409 (HTTP 200: RestResultUtils.failed only
// fills the body).
func (s *Service) initAdmin(x *httpv1.Exchange) {
	user, pw, ok := s.InitAdmin(x.Param("password"))
	if !ok {
		x.Answer(http.StatusOK, "application/json", jsonString(struct {
			Code    int     `json:"code"`
			Message *string `json:"message"`
			Data    string  `json:"data"`
		}{409, nil, "have admin user cannot use it"}))
		return
	}
	x.Answer(http.StatusOK, "application/json", jsonString(struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{user, pw}))
}

// jsonString encodes as Jackson does (no HTML escaping).
func jsonString(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return string(bytes.TrimRight(b.Bytes(), "\n"))
}
