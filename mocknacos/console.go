package mocknacos

import (
	_ "embed"
	"net/http"
	"sort"
	"time"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/httpv1"
)

// ConsolePath is the console page: where users open the real server's
// console. No Nacos API is served at /nacos/, /nacos or /nacos/index.html
// (every API lives under /nacos/v1/ or /nacos/v2/).
const ConsolePath = "/nacos/"

// consolePage is the whole console: one self-contained HTML file (inline
// CSS and plain JavaScript, nothing fetched from elsewhere) that polls the
// admin API every second.
//
//go:embed console/index.html
var consolePage []byte

// consoleRoutes adds the console page. Like the admin API, it is served by
// plain handlers: a person looking at the console is not a Nacos request,
// so nothing here is journaled, guarded by authentication or hit by faults.
func (s *Server) consoleRoutes(r *mux.Router) {
	page := http.HandlerFunc(serveConsole)
	httpv1.Route(r, ConsolePath, page, http.MethodGet, http.MethodHead)
	httpv1.Route(r, ConsolePath+"index.html", page, http.MethodGet, http.MethodHead)
	// Tomcat answers the bare context path with a redirect to it with a
	// slash; so does the mock.
	httpv1.Route(r, "/nacos", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := ConsolePath
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery // the admin token, when given
		}
		http.Redirect(w, r, to, http.StatusFound)
	}), http.MethodGet, http.MethodHead)
}

func serveConsole(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(consolePage)
	}
}

type adminConnection struct {
	ID            string            `json:"id"`
	RemoteIP      string            `json:"remoteIp"`
	RemotePort    int               `json:"remotePort"`
	Labels        map[string]string `json:"labels"`
	ClientVersion string            `json:"clientVersion"`
	Tenant        string            `json:"tenant"`
	ConnectedAt   time.Time         `json:"connectedAt"`
	LastActive    time.Time         `json:"lastActive"`
	Stream        bool              `json:"stream"`
}

// adminConnections is GET /__mock/connections: the live gRPC connections
// (wall-clock times), oldest first.
func (s *Server) adminConnections(w http.ResponseWriter, r *http.Request) {
	conns := s.Connections()
	sort.SliceStable(conns, func(i, j int) bool { return conns[i].ConnectedAt.Before(conns[j].ConnectedAt) })
	out := make([]adminConnection, 0, len(conns))
	for _, c := range conns {
		labels := c.Labels
		if labels == nil {
			labels = map[string]string{}
		}
		out = append(out, adminConnection{ID: c.ID, RemoteIP: c.RemoteIP, RemotePort: c.RemotePort, Labels: labels,
			ClientVersion: c.ClientVersion, Tenant: c.Tenant, ConnectedAt: c.ConnectedAt, LastActive: c.LastActive, Stream: c.Stream})
	}
	writeJSON(w, http.StatusOK, out)
}
