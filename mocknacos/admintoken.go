package mocknacos

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// isAdminPath tells the admin API and the console page (the paths
// WithAdminToken guards) from the Nacos APIs.
func isAdminPath(p string) bool {
	return p == AdminPrefix || strings.HasPrefix(p, AdminPrefix+"/") ||
		p == ConsolePath || p == ConsolePath+"index.html"
}

// adminAuthorized reports whether r carries the admin token: as a bearer
// token, or as the query parameter token (a browser opening the console;
// the page passes it on to its own admin calls).
func adminAuthorized(r *http.Request, token string) bool {
	got := ""
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		got = strings.TrimSpace(h[7:])
	} else {
		got = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// guardAdmin refuses admin and console requests without the admin token
// with 401 (a JSON body like the admin API's other errors).
func (s *Server) guardAdmin(h http.Handler) http.Handler {
	token := s.opts.adminToken
	if token == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAdminPath(r.URL.Path) && !adminAuthorized(r, token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mocknacos admin"`)
			adminError(w, http.StatusUnauthorized, "the admin API needs the admin token (Authorization: Bearer <token>, or ?token=<token>)")
			return
		}
		h.ServeHTTP(w, r)
	})
}
