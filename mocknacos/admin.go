package mocknacos

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// AdminPrefix is where the admin API lives: a path no Nacos API uses.
const AdminPrefix = "/__mock"

// adminRoutes adds the admin API (for suites that are not written in Go):
// the journal, the clock, the registry's state and a reset; and the
// console page (console.go), which reads them. Admin requests are not
// journaled.
func (s *Server) adminRoutes(r *mux.Router) {
	a := func(path string, h http.HandlerFunc, method string) { httpv1.Route(r, AdminPrefix+path, h, method) }
	a("/journal", s.adminJournal, http.MethodGet)
	a("/clock", s.adminClock, http.MethodGet)
	a("/clock/advance", s.adminAdvance, http.MethodPost)
	a("/services", s.adminServices, http.MethodGet)
	a("/reset", s.adminReset, http.MethodPost)
	a("/restart", s.adminRestart, http.MethodPost)
	a("/configs", s.adminConfigs, http.MethodGet)
	a("/configs", s.adminSetConfig, http.MethodPost)
	a("/configs", s.adminDeleteConfig, http.MethodDelete)
	a("/connections", s.adminConnections, http.MethodGet)
	a("/connections", s.adminCloseConnections, http.MethodDelete)
	s.adminFaultRoutes(r)
	s.adminInstanceRoutes(r)
	s.consoleRoutes(r)
}

// adminRestart is POST /__mock/restart: Restart, answered once the new
// server serves. The request's own connection belongs to the old server,
// which Restart closes, so the handler takes the connection over first and
// answers on it afterwards (and is not counted among the handlers the old
// server waits for).
func (s *Server) adminRestart(w http.ResponseWriter, r *http.Request) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		adminError(w, http.StatusInternalServerError, "restart needs an HTTP/1.1 connection")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		adminError(w, http.StatusInternalServerError, err.Error())
		return
	}
	defer conn.Close()
	status, body := http.StatusOK, `{"restarted":true}`
	if err := s.Restart(); err != nil {
		b, _ := json.Marshal(map[string]string{"error": err.Error()})
		status, body = http.StatusInternalServerError, string(b)
	}
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n",
		status, http.StatusText(status), len(body)+1, body)
	_ = buf.Flush()
}

// adminCloseConnections is DELETE /__mock/connections: CloseConnections,
// or with ?id=ID CloseConnection of that one (404 when it is not live);
// it answers {"closed":n}.
func (s *Server) adminCloseConnections(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if id == "" {
		writeJSON(w, http.StatusOK, map[string]int{"closed": s.CloseConnections()})
		return
	}
	if !s.CloseConnection(id) {
		adminError(w, http.StatusNotFound, "no live connection "+strconv.Quote(id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"closed": 1})
}

func (s *Server) adminConfigs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Configs())
}

// adminSetConfig is POST /__mock/configs with a JSON body
// {"dataId":"app.yaml","group":"DEFAULT_GROUP","content":"...","type":"yaml","tenant":""}.
func (s *Server) adminSetConfig(w http.ResponseWriter, r *http.Request) {
	var body struct {
		DataID  string `json:"dataId"`
		Group   string `json:"group"`
		Content string `json:"content"`
		Type    string `json:"type"`
		Tenant  string `json:"tenant"`
		AppName string `json:"appName"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		adminError(w, http.StatusBadRequest, "config: "+err.Error())
		return
	}
	if body.DataID == "" {
		adminError(w, http.StatusBadRequest, "config: dataId is required")
		return
	}
	// Like any request in flight when a restart begins, this one is refused
	// rather than carried over (s.SetConfig would wait for the new server,
	// which waits for this handler).
	item, err := s.cur.Load().setConfig(body.DataID, body.Group, body.Content,
		[]ConfigOption{ConfigTenant(body.Tenant), ConfigType(body.Type), ConfigAppName(body.AppName)})
	if err != nil {
		adminError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, item)
}

// adminDeleteConfig is DELETE /__mock/configs?dataId=&group=&tenant=.
func (s *Server) adminDeleteConfig(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("dataId") == "" {
		adminError(w, http.StatusBadRequest, "dataId is required")
		return
	}
	deleted, err := s.cur.Load().deleteConfig(q.Get("dataId"), q.Get("group"), []ConfigOption{ConfigTenant(q.Get("tenant"))})
	if err != nil {
		adminError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": deleted})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// adminJournal is GET /__mock/journal: JSON Lines (the export format),
// filtered by kind, service, protocol, ip, port, and since (a sequence
// number: only later events).
func (s *Server) adminJournal(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := Query{Kind: Kind(q.Get("kind")), Service: q.Get("service"), Protocol: q.Get("protocol"),
		Namespace: q.Get("namespace"), IP: q.Get("ip")}
	if v := q.Get("port"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			adminError(w, http.StatusBadRequest, "port: "+err.Error())
			return
		}
		query.Port = p
	}
	var since int64
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			adminError(w, http.StatusBadRequest, "since: "+err.Error())
			return
		}
		since = n
	}
	events := s.journal.Select(func(e *Event) bool { return e.Seq > since && query.Match(e) })
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Mocknacos-Dropped", strconv.FormatInt(s.journal.Dropped(), 10))
	_ = journal.WriteJSONL(w, s.journalHeader(), events)
}

type clockState struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset"`
	Frozen bool      `json:"frozen"`
}

func (s *Server) clockState() clockState {
	return clockState{Now: s.clock.Now(), Offset: s.clock.Offset().String(), Frozen: s.clock.Frozen()}
}

func (s *Server) adminClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.clockState())
}

// adminAdvance is POST /__mock/clock/advance?by=30s.
func (s *Server) adminAdvance(w http.ResponseWriter, r *http.Request) {
	by := r.URL.Query().Get("by")
	d, err := time.ParseDuration(by)
	if err != nil || d < 0 {
		adminError(w, http.StatusBadRequest, "by: want a non-negative duration such as 30s or 1m30s, got "+strconv.Quote(by))
		return
	}
	s.Advance(d)
	writeJSON(w, http.StatusOK, s.clockState())
}

// AdminInstance is one instance as GET /__mock/services shows it.
type AdminInstance struct {
	IP             string            `json:"ip"`
	Port           int               `json:"port"`
	Cluster        string            `json:"cluster"`
	Weight         float64           `json:"weight"`
	Healthy        bool              `json:"healthy"`
	Enabled        bool              `json:"enabled"`
	Ephemeral      bool              `json:"ephemeral"`
	Metadata       map[string]string `json:"metadata"`
	Protocol       string            `json:"protocol"`
	Owner          string            `json:"owner"`
	LastBeat       time.Time         `json:"lastBeat"`
	SinceLastBeat  string            `json:"sinceLastBeat"`
	RegisteredTime time.Time         `json:"registered"`
}

// AdminService is one service as GET /__mock/services shows it: its
// instances with health and time since the last beat (on the mock clock),
// and its subscribers.
type AdminService struct {
	Namespace   string          `json:"namespace"`
	Group       string          `json:"group"`
	Name        string          `json:"name"`
	Instances   []AdminInstance `json:"instances"`
	Subscribers []string        `json:"subscribers"`
}

// adminServices is GET /__mock/services: every service, its instances with
// health and time since the last beat (on the mock clock; for a gRPC
// instance, since the last health check of its connection, or since it
// registered when none came after), and its subscribers.
func (s *Server) adminServices(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	out := []AdminService{}
	// The connection id -> mock time of its last health check, read from
	// the journal once, and only when a gRPC instance is shown.
	lastCheck := sync.OnceValue(func() map[string]time.Time {
		m := map[string]time.Time{}
		for _, e := range s.journal.Events() {
			if e.Kind == KindHealthCheck && e.ConnectionID != "" && !e.Rejected {
				m[e.ConnectionID] = e.Time
			}
		}
		return m
	})
	for _, st := range s.registry().Snapshot() {
		svc := AdminService{Namespace: st.Info.Key.Namespace, Group: st.Info.Key.Group, Name: st.Info.Key.Name,
			Instances: []AdminInstance{}, Subscribers: []string{}}
		for _, in := range st.Instances {
			proto, last := ProtocolHTTP, in.LastBeat
			if in.Source == registry.SourceGRPC {
				proto = ProtocolGRPC
				if t, ok := lastCheck()[in.Owner]; ok && t.After(last) {
					last = t
				}
			}
			svc.Instances = append(svc.Instances, AdminInstance{IP: in.IP, Port: in.Port, Cluster: in.Cluster, Weight: in.Weight,
				Healthy: in.Healthy, Enabled: in.Enabled, Ephemeral: in.Ephemeral, Metadata: in.Metadata, Protocol: proto,
				Owner: in.Owner, LastBeat: last, SinceLastBeat: now.Sub(last).Round(time.Millisecond).String(),
				RegisteredTime: in.Registered})
		}
		for _, sub := range st.Subscribers {
			svc.Subscribers = append(svc.Subscribers, sub.ID)
		}
		out = append(out, svc)
	}
	writeJSON(w, http.StatusOK, out)
}

// adminReset is POST /__mock/reset: forget every service, instance,
// subscription and journal event.
func (s *Server) adminReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}
