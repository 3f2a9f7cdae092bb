package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"strings"

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
	if s.cfg.V3 {
		httpv1.Route(r, "/nacos/v3/auth/user/admin", h.Handle(journal.AdminInit, nil, s.initAdminV3), http.MethodPost)
	}
}

// loginFailedV3 answers a failed login as a real 3.0.3 does: on the v1
// paths the API compatibility filter turns any exception into a 500 "Handle
// API Compatibility failed"; on /v3/auth/user/login an unknown user is
// Spring Security's 403 "Access Denied" and anything else a bare 500
// (observed: curl -d username=nacos -d password=bad, and username=nobody).
func loginFailedV3(x *httpv1.Exchange, unknownUser bool) {
	switch {
	case !strings.HasPrefix(x.Request().URL.Path, "/nacos/v3/"):
		x.SpringError(http.StatusInternalServerError, "Handle API Compatibility failed, please see log for detail.")
	case unknownUser:
		x.SpringError(http.StatusForbidden, "Access Denied")
	default:
		x.SpringError(http.StatusInternalServerError, "")
	}
}

// initAdminV3 is POST /v3/auth/user/admin (UserControllerV3): the same as
// the v1 call, in a Result envelope (observed on 3.0.3).
func (s *Service) initAdminV3(x *httpv1.Exchange) {
	user, pw, ok := s.InitAdmin(x.Param("password"))
	if !ok {
		x.Result(http.StatusOK, 409, "have admin user cannot use it.", nil)
		return
	}
	x.Result(http.StatusOK, 0, "success", struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{user, pw})
}

// login is UserController.login. Missing username or password is Spring's
// MissingServletRequestParameterException, which the console's catch-all
// handler answers 500 (HTML-escaped); a failed identity is an
// AccessException, answered 403 with its message as text.
func (s *Service) login(x *httpv1.Exchange) {
	for _, name := range []string{"username", "password"} {
		if !x.Has(name) && s.cfg.V3 {
			// 3.0.3: a 400 from Spring on the v1 paths (curl -X POST
			// .../v1/auth/login), a bare 500 on v3 (no password).
			if !strings.HasPrefix(x.Request().URL.Path, "/nacos/v3/") {
				x.SpringError(http.StatusBadRequest, "Required parameter '"+name+"' is not present.")
				return
			}
			loginFailedV3(x, false)
			return
		}
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
	var unknown *UnknownUserError
	if err != nil && s.cfg.V3 {
		loginFailedV3(x, errors.As(err, &unknown))
		return
	}
	if errors.As(err, &ae) {
		x.Answer(http.StatusForbidden, "text/plain;charset=UTF-8", ae.Msg)
		return
	}
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
