package auth

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/httpv1"
)

// openPrefixes are never secured: nacos.security.ignore.urls (/v1/auth/**,
// /v1/console/health/**), the 3.x login, and the 3.x liveness and readiness
// (a real 3.0.3 with auth on answers them without a token).
var openPrefixes = []string{"/nacos/v1/auth/", "/nacos/v3/auth/", "/nacos/v1/console/health/", "/nacos/v2/console/health/",
	"/nacos/v3/admin/core/state/liveness", "/nacos/v3/admin/core/state/readiness"}

// openPaths are served by controller methods without @Secured.
var openPaths = map[string]bool{
	"/nacos/v1/ns/operator/metrics": true, "/nacos/v1/ns/ops/metrics": true,
	"/nacos/v1/ns/operator/switches": true, "/nacos/v1/ns/ops/switches": true,
}

// HTTPGuard is httpv1.Config.Guard: with auth on, a secured request
// without a valid identity is refused as AuthFilter refuses it,
// sendError(403, reason), which Spring Boot answers with its /error JSON
// (section 3.3). Paths no route serves are not secured (no controller
// method, so the filter lets them through to their 404).
func (s *Service) HTTPGuard(r *http.Request, params httpv1.Params) *httpv1.Reject {
	if !s.cfg.Enabled || mux.CurrentRoute(r) == nil || openPaths[r.URL.Path] {
		return nil
	}
	for _, p := range openPrefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			return nil
		}
	}
	if _, err := s.Authenticate(s.httpIdentity(r, params)); err != nil {
		var unknown *UnknownUserError
		if errors.As(err, &unknown) {
			return httpv1.SpringReject(r, http.StatusInternalServerError, "Server failed, "+unknown.Error())
		}
		return httpv1.SpringReject(r, http.StatusForbidden, err.Error())
	}
	return nil
}

// httpIdentity is HttpIdentityContextBuilder: headers, then parameters,
// which win; 2.4.3 matches the identity names in any case in both (a
// case-insensitive TreeMap, "according to RFC2616"), 1.4.8's
// NacosAuthManager reads the parameters by their exact names.
func (s *Service) httpIdentity(r *http.Request, params httpv1.Params) Identity {
	param := params.GetFold
	if s.cfg.V1 {
		param = params.Get
	}
	pick := func(name string) string {
		if v := param(name); v != "" {
			return v
		}
		return r.Header.Get(name)
	}
	return Identity{Authorization: pick("Authorization"), AccessToken: pick("accessToken"),
		Username: pick("username"), Password: pick("password")}
}

// securedGRPC are the request types whose 2.4.3 handlers carry @Secured.
var securedGRPC = map[string]bool{
	"InstanceRequest": true, "BatchInstanceRequest": true, "PersistentInstanceRequest": true,
	"SubscribeServiceRequest": true, "ServiceQueryRequest": true, "ServiceListRequest": true,
	"ConfigQueryRequest": true, "ConfigPublishRequest": true, "ConfigRemoveRequest": true,
	"ConfigBatchListenRequest": true,
}

// GRPCGuard has the signature of grpcv2.Config.Guard: with auth on, a
// secured request type without a valid identity in its payload headers
// (exact names: accessToken, Authorization, username, password) gets an
// error whose text the gRPC layer answers with resultCode 500 and
// errorCode 403 (RemoteRequestAuthFilter, section 3.3).
func (s *Service) GRPCGuard(requestType string, headers map[string]string) error {
	if !s.cfg.Enabled || !securedGRPC[requestType] {
		return nil
	}
	_, err := s.Authenticate(Identity{Authorization: headers["Authorization"], AccessToken: headers["accessToken"],
		Username: headers["username"], Password: headers["password"]})
	var unknown *UnknownUserError
	if errors.As(err, &unknown) {
		return &ServerError{Msg: "caused: " + unknown.Error() + ";"}
	}
	return err
}

// ServerError is a refusal the gRPC filter answers with errorCode 500
// (NacosException.SERVER_ERROR) instead of 403: an exception other than
// AccessException, its message as ExceptionUtil.getAllExceptionMsg gives it.
type ServerError struct{ Msg string }

func (e *ServerError) Error() string { return e.Msg }

// ErrorCode is the errorCode of the gRPC answer.
func (e *ServerError) ErrorCode() int { return 500 }
