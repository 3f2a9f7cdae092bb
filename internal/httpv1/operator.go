package httpv1

import (
	"net/http"
	"strings"

	"github.com/mocknacos/mocknacos/internal/registry"
)

// metrics is GET /operator/metrics: 2.x answers only the status unless
// onlyStatus=false; 1.4.x always adds the counts.
func (s *Server) metrics(c *call) error {
	services, instances := s.reg.Counts()
	if s.reg.Mode() == registry.ModeV1 {
		return c.json(struct {
			Status                   string  `json:"status"`
			ServiceCount             int     `json:"serviceCount"`
			InstanceCount            int     `json:"instanceCount"`
			RaftNotifyTaskCount      int     `json:"raftNotifyTaskCount"`
			ResponsibleServiceCount  int     `json:"responsibleServiceCount"`
			ResponsibleInstanceCount int     `json:"responsibleInstanceCount"`
			CPU                      float64 `json:"cpu"`
			Load                     float64 `json:"load"`
			Mem                      float64 `json:"mem"`
		}{"UP", services, instances, 0, services, instances, 0, 0, 0})
	}
	// Boolean.parseBoolean: only "true" (any case) is true.
	if strings.EqualFold(c.p.optional("onlyStatus", "true"), "true") {
		return c.json(map[string]string{"status": "UP"})
	}
	return c.json(struct {
		Status                      string  `json:"status"`
		ServiceCount                int     `json:"serviceCount"`
		InstanceCount               int     `json:"instanceCount"`
		SubscribeCount              int     `json:"subscribeCount"`
		ResponsibleInstanceCount    int     `json:"responsibleInstanceCount"`
		ClientCount                 int     `json:"clientCount"`
		ConnectionBasedClientCount  int     `json:"connectionBasedClientCount"`
		EphemeralIPPortClientCount  int     `json:"ephemeralIpPortClientCount"`
		PersistentIPPortClientCount int     `json:"persistentIpPortClientCount"`
		ResponsibleClientCount      int     `json:"responsibleClientCount"`
		CPU                         float64 `json:"cpu"`
		Load                        float64 `json:"load"`
		Mem                         float64 `json:"mem"`
	}{Status: "UP", ServiceCount: services, InstanceCount: instances, ResponsibleInstanceCount: instances})
}

// switches is GET /operator/switches: the SwitchDomain the mock behaves by.
func (s *Server) switches(c *call) error {
	return c.json(map[string]any{
		"name":                     "00-00---000-NACOS_SWITCH_DOMAIN-000---00-00",
		"defaultPushCacheMillis":   10000,
		"clientBeatInterval":       5000,
		"defaultCacheMillis":       3000,
		"healthCheckEnabled":       true,
		"pushEnabled":              true,
		"lightBeatEnabled":         true,
		"defaultInstanceEphemeral": true,
		"pushJavaVersion":          "0.1.0",
		"pushGoVersion":            "0.1.0",
		"pushCVersion":             "1.0.12",
		"pushCSharpVersion":        "0.9.0",
		"enableStandalone":         true,
		"checksum":                 nil,
	})
}

func (s *Server) liveness(c *call) error {
	c.text(http.StatusOK, "OK")
	return nil
}

func (s *Server) readiness(c *call) error {
	c.text(http.StatusOK, "OK")
	return nil
}
