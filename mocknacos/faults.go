package mocknacos

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/faults"
	"github.com/mocknacos/mocknacos/internal/httpv1"
)

// Fault is an injected fault: which requests it hits (Protocol, Path and
// Method for HTTP, Type for a gRPC request type, Service) and what happens
// to them (Delay, then an error answer with Status and Message, a Drop of
// the connection, or a Discard: success answered, nothing applied), for
// Count requests or, with Count 0, until cleared. Every hit is journaled in
// the event's Fault field.
//
//	srv.InjectFault(mocknacos.Fault{Path: "/nacos/v1/ns/instance/beat", Discard: true})   // beats silently lost
//	srv.InjectFault(mocknacos.Fault{Path: "/nacos/v1/ns/instance", Method: "POST", Status: 503, Count: 2})
type Fault = faults.Rule

// InjectFault installs a fault and returns its id.
func (s *Server) InjectFault(f Fault) int { return s.faults.Add(f) }

// ClearFault removes one fault; it reports whether it was in force.
func (s *Server) ClearFault(id int) bool { return s.faults.Remove(id) }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// Faults lists the faults in force, with their hit counts.
func (s *Server) Faults() []Fault { return s.faults.Rules() }

func (s *Server) adminFaultRoutes(r *mux.Router) {
	const faultsPath = AdminPrefix + "/faults"
	httpv1.Route(r, faultsPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Faults())
	}), http.MethodGet)
	httpv1.Route(r, faultsPath, http.HandlerFunc(s.adminAddFault), http.MethodPost)
	httpv1.Route(r, faultsPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		writeJSON(w, http.StatusOK, map[string]bool{"cleared": true})
	}), http.MethodDelete)
	// DELETE /__mock/faults/{id}, matched by prefix (no path template: see
	// httpv1.Route).
	r.NewRoute().MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
		return strings.HasPrefix(req.URL.Path, faultsPath+"/")
	}).Methods(http.MethodDelete).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := strings.TrimPrefix(r.URL.Path, faultsPath+"/")
		id, err := strconv.Atoi(raw)
		if err != nil || !s.ClearFault(id) {
			adminError(w, http.StatusNotFound, "no fault "+strconv.Quote(raw))
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"cleared": id})
	})
}

// adminAddFault is POST /__mock/faults with a JSON body such as
// {"path":"/nacos/v1/ns/instance/beat","status":500,"count":3} or
// {"type":"InstanceRequest","delay":"2s"}.
func (s *Server) adminAddFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		adminError(w, http.StatusBadRequest, "fault: "+err.Error())
		return
	}
	if f.Delay == 0 && f.Status == 0 && !f.Drop && !f.Discard {
		adminError(w, http.StatusBadRequest, "fault: set at least one of delay, status, drop, discard")
		return
	}
	id := s.InjectFault(f)
	writeJSON(w, http.StatusOK, map[string]int{"id": id})
}
