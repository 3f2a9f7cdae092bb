// Package confighttp serves the Nacos 1.x config HTTP API under /nacos
// (nacos-protocol.md section 4): get, publish and delete a config, and the
// long-polling listener. Statuses, headers and bodies are the 2.4.3
// server's (ConfigController, ConfigServletInner, LongPollingService,
// MD5Util, ParamUtils, the ParamCheckerFilter and the exception handlers
// that answer for them). The configs live in internal/config.
package confighttp

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// Config wires the API to the store.
type Config struct {
	Store *config.Store
	// V1 imitates 1.4.x, which has no ParamCheckerFilter in front of the
	// config controller.
	V1 bool
	// V3 imitates 3.0.x: the v3 client API too.
	V3 bool
	// Done, when closed, ends every held long poll at once (empty answer),
	// so that the HTTP server can shut down promptly.
	Done <-chan struct{}
}

// tenant is the store's tenant for a publish, delete or listener's: a real
// 2.4.3 and 1.4.8 keep it verbatim there ("public" is a namespace apart
// from "", config.Exact), and map it only for a GET. The 3.0 mode
// normalises it everywhere (3.0.3 maps blank to public).
func (s *Server) tenant(t string) string {
	if s.cfg.V3 {
		return t
	}
	return config.Exact(t)
}

// Server is the config HTTP API.
type Server struct {
	cfg   Config
	store *config.Store
}

// New builds the API; Mount adds its routes.
func New(cfg Config) *Server { return &Server{cfg: cfg, store: cfg.Store} }

// Mount adds the routes to the HTTP API's router (httpv1.Config.Mounts).
func (s *Server) Mount(h *httpv1.Server, r *mux.Router) {
	const cs = "/nacos/v1/cs"
	httpv1.Route(r, cs+"/configs", h.Handle(journal.ConfigGet, describe, s.jsonDefault(s.get)), http.MethodGet)
	httpv1.Route(r, cs+"/configs", h.Handle(journal.ConfigPublish, describe, s.jsonDefault(s.publish)), http.MethodPost)
	httpv1.Route(r, cs+"/configs", h.Handle(journal.ConfigRemove, describe, s.jsonDefault(s.remove)), http.MethodDelete)
	httpv1.Route(r, cs+"/configs/listener", h.Handle(journal.ConfigListen, describe, s.jsonDefault(s.listen)), http.MethodPost)
	if s.cfg.V3 {
		s.mountV3(h, r)
	}
}

// jsonUTF8 is the Content-Type every 2.4.3 (and 1.4.8) config answer carries unless its
// handler sets another (observed on a real 2.4.3 server: the publish and
// delete "true", the 404 "config data not exist", the param checker's 400,
// the listener's answers and Spring's /error JSON all carry it; a GET of a
// config and the exception handlers' text/plain answers do not).
const jsonUTF8 = "application/json;charset=UTF-8"

// jsonDefault gives h's answers the config API's default Content-Type (the
// same on a real 1.4.8 server).
func (s *Server) jsonDefault(h func(*httpv1.Exchange)) func(*httpv1.Exchange) {
	return func(x *httpv1.Exchange) {
		h(x)
		x.FilterContentType(jsonUTF8)
	}
}

// noCache sets the headers every config answer with content carries
// (ConfigServletInner, LongPollingService.generateResponse):
// setDateHeader("Expires", 0) is the epoch as an HTTP date.
func noCache(h http.Header) {
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "Thu, 01 Jan 1970 00:00:00 GMT")
	h.Set("Cache-Control", "no-cache,no-store")
}

// describe fills the journal event's subject: Namespace is the normalised
// tenant, Group the group, Service the dataId.
func describe(x *httpv1.Exchange) {
	ev := x.Event()
	ev.Namespace = config.NormalizeTenant(x.Param("tenant"))
	ev.Group = x.Param("group")
	ev.Service = x.Param("dataId")
	ev.Cluster, ev.IP, ev.Port = "", "", 0
}
