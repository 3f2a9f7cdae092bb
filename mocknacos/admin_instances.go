package mocknacos

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// adminInstanceRoutes adds POST and DELETE /__mock/instances: Register and
// Deregister for suites not written in Go (the Java API of
// javaapps/mocknacos-junit uses them).
func (s *Server) adminInstanceRoutes(r *mux.Router) {
	httpv1.Route(r, AdminPrefix+"/instances", http.HandlerFunc(s.adminRegister), http.MethodPost)
	httpv1.Route(r, AdminPrefix+"/instances", http.HandlerFunc(s.adminDeregister), http.MethodDelete)
}

// adminRegister is POST /__mock/instances with a JSON body
// {"service":"orders","ip":"127.0.0.1","port":8080} and optionally
// "namespace" (public when empty), "cluster", "weight", "healthy",
// "enabled", "ephemeral" (true when absent) and "metadata". It registers as
// Register does: as if over HTTP, so an ephemeral instance then lives by
// beats on the mock clock.
func (s *Server) adminRegister(w http.ResponseWriter, r *http.Request) {
	body := struct {
		Service   string            `json:"service"`
		Namespace string            `json:"namespace"`
		IP        string            `json:"ip"`
		Port      int               `json:"port"`
		Cluster   string            `json:"cluster"`
		Weight    *float64          `json:"weight"`
		Healthy   *bool             `json:"healthy"`
		Enabled   *bool             `json:"enabled"`
		Ephemeral *bool             `json:"ephemeral"`
		Metadata  map[string]string `json:"metadata"`
	}{}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		adminError(w, http.StatusBadRequest, "instance: "+err.Error())
		return
	}
	if body.Service == "" || body.IP == "" || body.Port <= 0 {
		adminError(w, http.StatusBadRequest, "instance: service, ip and port are required")
		return
	}
	in := NewInstance(body.IP, body.Port)
	if body.Cluster != "" {
		in.Cluster = body.Cluster
	}
	setIf := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	if body.Weight != nil {
		in.Weight = *body.Weight
	}
	setIf(&in.Healthy, body.Healthy)
	setIf(&in.Enabled, body.Enabled)
	setIf(&in.Ephemeral, body.Ephemeral)
	for k, v := range body.Metadata {
		in.Metadata[k] = v
	}
	if err := s.RegisterIn(adminNamespace(body.Namespace), body.Service, in); err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"registered": true})
}

// adminDeregister is DELETE /__mock/instances?service=&ip=&port=[&namespace=].
func (s *Server) adminDeregister(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	port, err := strconv.Atoi(q.Get("port"))
	if q.Get("service") == "" || q.Get("ip") == "" || err != nil {
		adminError(w, http.StatusBadRequest, "instance: service, ip and port are required")
		return
	}
	removed := s.registry().Deregister(keyIn(adminNamespace(q.Get("namespace")), q.Get("service")), "", q.Get("ip"), port, "")
	writeJSON(w, http.StatusOK, map[string]bool{"deregistered": removed})
}

// adminNamespace: a blank namespace in an admin call is public, as in a
// 1.x HTTP request.
func adminNamespace(ns string) string {
	if ns == "" {
		return registry.DefaultNamespace
	}
	return ns
}
