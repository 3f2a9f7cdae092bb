// Package httpv1 serves the Nacos 1.x HTTP naming API under the context
// path /nacos (nacos-protocol.md sections 1-2). It decodes requests into
// calls on the registry, encodes answers as the real server does, records
// every request in the journal, and pushes changes to 1.x subscribers over
// UDP.
package httpv1

import (
	"bytes"
	"encoding/json"
	"html"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Config wires the HTTP API to the rest of the mock.
type Config struct {
	Registry *registry.Registry
	// Record receives every request's event; it stamps the times.
	Record func(journal.Event)
	// Begin, when set, numbers and stamps a request's event when it
	// arrives, so that it stays before the pushes it causes.
	Begin  func() journal.Event
	Logger *slog.Logger
	// Routes lets other parts of the mock (config, auth, admin) add their
	// own routes to the same router.
	Routes []func(*mux.Router)
	// Mounts add routes whose handlers go through Handle (the same
	// parameters, faults, Guard and journal as the naming routes).
	Mounts []func(*Server, *mux.Router)
	// Faults are the injected faults (nil: none).
	Faults *faults.Set
	// Guard, when set, runs before every naming handler (authentication);
	// a non-nil answer is sent instead of calling the handler.
	Guard func(r *http.Request, p Params) *Reject
	// Compat are the 3.x API compatibility switches (ModeV3 only).
	Compat Compat
}

// Reject is an answer that stops a request before its handler.
type Reject struct {
	Status      int
	Body        string
	ContentType string
}

// Server is the HTTP side of the mock.
type Server struct {
	cfg    Config
	reg    *registry.Registry
	udp    *udpPusher
	router *mux.Router
}

// New builds the HTTP API. Close releases its UDP socket.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Record == nil {
		cfg.Record = func(journal.Event) {}
	}
	s := &Server{cfg: cfg, reg: cfg.Registry}
	udp, err := newUDPPusher(s)
	if err != nil {
		return nil, err
	}
	s.udp = udp
	s.router = s.routes()
	return s, nil
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveClean) }

// serveClean routes the request by its normalised path, as Tomcat
// normalises it before any filter runs ("//" merged, "." and ".." segments
// resolved), instead of gorilla/mux's redirect to the clean path, which no
// Nacos server answers and which bypassed the journal.
func (s *Server) serveClean(w http.ResponseWriter, r *http.Request) {
	if p := cleanPath(r.URL.Path); p != r.URL.Path {
		u := *r.URL
		u.Path, u.RawPath = p, ""
		r = r.Clone(r.Context())
		r.URL = &u
	}
	s.router.ServeHTTP(w, r)
}

// cleanPath is path.Clean keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// Close stops the UDP push socket and its reader.
func (s *Server) Close() error { return s.udp.close() }

func (s *Server) routes() *mux.Router {
	r := mux.NewRouter().SkipClean(true) // serveClean cleans, without a redirect
	const ns = "/nacos/v1/ns"
	Route(r, ns+"/instance", s.handle(journal.Register, s.register), http.MethodPost)
	Route(r, ns+"/instance", s.handle(journal.Deregister, s.deregister), http.MethodDelete)
	Route(r, ns+"/instance", s.handle(journal.Update, s.update), http.MethodPut)
	Route(r, ns+"/instance", s.handle(journal.Patch, s.patch), http.MethodPatch)
	Route(r, ns+"/instance", s.handle(journal.Instance, s.detail), http.MethodGet)
	Route(r, ns+"/instance/beat", s.handle(journal.Beat, s.beat), http.MethodPut)
	Route(r, ns+"/instance/list", s.handle(journal.List, s.list), http.MethodGet)
	Route(r, ns+"/service", s.handle(journal.ServiceGet, s.serviceDetail), http.MethodGet)
	Route(r, ns+"/service", s.handle(journal.ServiceCreate, s.serviceCreate), http.MethodPost)
	Route(r, ns+"/service", s.handle(journal.ServiceUpdate, s.serviceUpdate), http.MethodPut)
	Route(r, ns+"/service", s.handle(journal.ServiceDelete, s.serviceDelete), http.MethodDelete)
	Route(r, ns+"/service/list", s.handle(journal.ServiceList, s.serviceList), http.MethodGet)
	for _, op := range []string{"/operator", "/ops"} {
		Route(r, ns+op+"/metrics", s.handle(journal.Metrics, s.metrics), http.MethodGet)
		Route(r, ns+op+"/switches", s.handle(journal.Switches, s.switches), http.MethodGet)
	}
	for _, v := range []string{"v1", "v2"} {
		Route(r, "/nacos/"+v+"/console/health/liveness", s.handle(journal.Health, s.liveness), http.MethodGet)
		Route(r, "/nacos/"+v+"/console/health/readiness", s.handle(journal.Health, s.readiness), http.MethodGet)
	}
	if s.reg.Mode() == registry.ModeV3 {
		s.v3Routes(func(p string, h http.Handler, methods ...string) { Route(r, p, h, methods...) })
	}
	for _, add := range s.cfg.Routes {
		add(r)
	}
	for _, mount := range s.cfg.Mounts {
		mount(s, r)
	}
	r.NotFoundHandler = s.handle(journal.Unknown, func(c *call) error {
		c.noSuchAPI(http.StatusNotFound)
		return nil
	})
	r.MethodNotAllowedHandler = s.handle(journal.Unknown, func(c *call) error {
		c.noSuchAPI(http.StatusMethodNotAllowed)
		return nil
	})
	return r
}

// Route adds a route for exactly path and the given methods. It matches
// the path by comparison: a path template would compile a regular
// expression per route, which made building the router most of Start's
// cost. A request for the path with another method still gets the router's
// MethodNotAllowedHandler.
func Route(r *mux.Router, path string, h http.Handler, methods ...string) {
	r.NewRoute().MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool { return req.URL.Path == path }).
		Methods(methods...).Handler(h)
}

// call is one request being handled.
type call struct {
	s  *Server
	w  http.ResponseWriter
	r  *http.Request
	p  params
	ev journal.Event
	rs *rsInfo // the decoded "beat" parameter, once read
	// discard: a fault says to answer success without applying the request.
	discard bool
	// recorded: the event is already journaled.
	recorded bool

	status int
	ctype  string
	body   []byte
}

func (s *Server) handle(kind journal.Kind, h func(*call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{s: s, w: w, r: r, p: parseParams(r, s.reg.Mode() == registry.ModeV1 && r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/nacos/v1/ns/"))}
		if s.cfg.Begin != nil {
			c.ev = s.cfg.Begin()
		}
		c.ev.Protocol, c.ev.Kind, c.ev.Remote = journal.HTTP, kind, r.RemoteAddr
		c.ev.Request = journal.Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Params: c.p.all(),
			Headers: journal.HeadersOf(r.Header), Body: c.p.body}
		c.describe()
		c.describeMounted()
		var err error
		if done := c.injectFault(); done {
			if !c.recorded {
				s.cfg.Record(c.ev)
			}
			return
		}
		if c.discard {
			err = c.fakeSuccess(h)
		} else if rej := s.gone(c); rej != nil {
			c.status, c.ctype, c.body = rej.Status, rej.ContentType, []byte(rej.Body)
		} else if rej := s.guard(r, &c.p); rej != nil {
			c.status, c.ctype, c.body = rej.Status, rej.ContentType, []byte(rej.Body)
		} else if err = c.checkParams(); err == nil {
			err = h(c)
		}
		if err != nil {
			c.fail(asAPIError(err))
		}
		if c.status == 0 {
			c.text(http.StatusOK, "")
		}
		if c.status != http.StatusOK {
			c.ev.Rejected = true
			c.ev.Error = string(c.body)
		}
		c.ev.Response.Status = c.status
		c.ev.Response.Body = string(c.body)
		if c.ctype != "" {
			w.Header().Set("Content-Type", c.ctype)
		} else {
			// The 2.4.3 param checker sets none; stop net/http sniffing one.
			w.Header()["Content-Type"] = nil
		}
		w.WriteHeader(c.status)
		_, _ = w.Write(c.body)
		s.cfg.Record(c.ev)
	})
}

func (s *Server) guard(r *http.Request, p *params) *Reject {
	if s.cfg.Guard == nil {
		return nil
	}
	return s.cfg.Guard(r, p)
}

func (c *call) text(status int, body string) {
	c.status, c.ctype, c.body = status, "text/plain;charset=UTF-8", []byte(body)
}

func (c *call) ok() error {
	c.text(http.StatusOK, "ok")
	return nil
}

// json answers v as Jackson does.
func (c *call) json(v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	c.status, c.ctype, c.body = http.StatusOK, "application/json", b
	return nil
}

// marshalJSON encodes as Jackson does: no HTML escaping of <, > and &.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// fail answers an exception as the imitated server does.
func (c *call) fail(e *apiError) {
	status, body, ctype := e.render(c.s.reg.Mode())
	if e.kind == filterError && c.s.reg.Mode() != registry.ModeV1 {
		c.springError(status, body)
		return
	}
	c.status, c.body, c.ctype = status, []byte(body), ctype
}

// noSuchAPI answers a request no route serves. Under /nacos/v1/ns/ the real
// server's DistroFilter finds no controller method and answers
// sendError(501, "no such api:<METHOD>:<URI>") (DistroFilter.java@1.4.8 and
// @2.4.3); elsewhere Spring answers with status.
func (c *call) noSuchAPI(status int) {
	if strings.HasPrefix(c.r.URL.Path, "/nacos/v1/ns/") {
		c.springError(http.StatusNotImplemented, "no such api:"+c.r.Method+":"+c.r.URL.EscapedPath())
		return
	}
	if c.s.reg.Mode() == registry.ModeV3 && status == http.StatusNotFound {
		// Spring 6 names the missing endpoint (observed on 3.0.3).
		c.springError(status, "No endpoint "+c.r.Method+" "+c.r.URL.Path+".")
		return
	}
	c.springError(status, "")
}

// springError is Spring Boot's /error JSON (server.error.include-message
// is ALWAYS on the real server; DefaultErrorAttributes writes "No message
// available" for an empty one).
func (c *call) springError(status int, message string) {
	if message == "" {
		message = "No message available"
	}
	body := struct {
		Timestamp string `json:"timestamp"`
		Status    int    `json:"status"`
		Error     string `json:"error"`
		Message   string `json:"message,omitempty"`
		Path      string `json:"path"`
	}{time.Now().UTC().Format("2006-01-02T15:04:05.000+00:00"), status, http.StatusText(status), message, c.r.URL.Path}
	if acceptsHTML(c.r) {
		c.status, c.ctype, c.body = status, "text/html;charset=UTF-8", []byte(whitelabel(status, message))
		return
	}
	_ = c.json(body)
	c.status = status
}

// acceptsHTML: Spring's BasicErrorController renders its HTML page
// (errorHtml, produces text/html) when the Accept header names text/html;
// "*/*" alone gets the JSON. The JDK's default Accept (Java clients 1.x)
// names it, so those clients get the page from a real server.
func acceptsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			media, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(media), "text/html") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
				return true
			}
		}
	}
	return false
}

// whitelabel is Spring Boot's fallback error page, as a real server answers
// a browser-like client (its date in Java's Date.toString form).
func whitelabel(status int, message string) string {
	return "<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, " +
		"so you are seeing this as a fallback.</p><div id='created'>" + time.Now().UTC().Format("Mon Jan 02 15:04:05 MST 2006") +
		"</div><div>There was an unexpected error (type=" + html.EscapeString(http.StatusText(status)) + ", status=" +
		strconv.Itoa(status) + ").</div><div>" + html.EscapeString(message) + "</div></body></html>"
}

// remoteIP is the host of the request's source address.
func (c *call) remoteIP() string {
	host, _, err := net.SplitHostPort(c.r.RemoteAddr)
	if err != nil {
		return c.r.RemoteAddr
	}
	return host
}

// serviceKey reads namespaceId, serviceName and groupName as the real
// server's filter and controller do: the name is trimmed, a bare name is
// grouped with groupName (default DEFAULT_GROUP), and the result must be
// "group@@name" with a non-empty group.
func (c *call) serviceKey() (registry.ServiceKey, error) {
	ns := registry.NormalizeNamespace(c.p.optional("namespaceId", registry.DefaultNamespace))
	c.ev.Namespace = ns
	raw, err := c.p.required("serviceName")
	if err != nil {
		return registry.ServiceKey{}, err
	}
	if raw == "" {
		// A blank name passes the filter untouched and fails the
		// controller's format check.
		return registry.ServiceKey{}, badRequest("Param 'serviceName' is illegal, it should be format as 'groupName@@serviceName'")
	}
	// A bare name is grouped before the controller runs: by ServiceNameFilter
	// in 2.x, by DistroFilter in 1.4.x (nacos-protocol.md rule 3).
	group, name, err := splitServiceName(raw, c.p.get("groupName"))
	if err != nil {
		if c.s.reg.Mode() != registry.ModeV1 {
			// ServiceNameFilter answers with sendError(400, ...).
			return registry.ServiceKey{}, &apiError{kind: filterError, code: 400, msg: "Service name filter error,caused: " + err.Error() + ";"}
		}
		if c.r.URL.Path == "/nacos/v1/ns/service" && c.r.Method != http.MethodPost {
			// 1.4.x's service detail, update and delete do not check the
			// format: the name is looked up as sent and not found (seen
			// on a real 1.4.8 by the conformance suite).
			g, n, _ := strings.Cut(raw, registry.GroupSeparator)
			return registry.ServiceKey{Namespace: ns, Group: g, Name: n}, nil
		}
		return registry.ServiceKey{}, err
	}
	c.ev.Group, c.ev.Service = group, name
	return registry.ServiceKey{Namespace: ns, Group: group, Name: name}, nil
}

// describe fills the event's service and instance from the raw
// parameters, so that a request rejected before its handler parsed them is
// still journaled with what it was about. Handlers overwrite these fields
// with the parsed values.
func (c *call) describe() {
	c.ev.Namespace = registry.NormalizeNamespace(c.p.get("namespaceId"))
	if svc := trimJava(c.p.get("serviceName")); svc != "" {
		c.ev.Group, c.ev.Service = registry.ParseGrouped(svc, c.p.get("groupName"))
	} else {
		c.ev.Group = c.p.get("groupName")
	}
	c.ev.Cluster = c.p.get("clusterName")
	c.ev.IP = c.p.get("ip")
	c.ev.Port, _ = strconv.Atoi(c.p.get("port"))
}

func (c *call) setInstance(cluster, ip string, port int) {
	c.ev.Cluster, c.ev.IP, c.ev.Port = cluster, ip, port
}

func itoa(n int) string { return strconv.Itoa(n) }
