package httpv1

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/registry"
)

// rsInfo is the "beat" JSON (RsInfo on the server); unknown fields are
// ignored, numbers may arrive as strings.
type rsInfo struct {
	IP          string            `json:"ip"`
	Port        json.Number       `json:"port"`
	ServiceName string            `json:"serviceName"`
	Cluster     string            `json:"cluster"`
	Weight      json.Number       `json:"weight"`
	Ephemeral   *bool             `json:"ephemeral"`
	Metadata    map[string]string `json:"metadata"`
}

func decodeBeat(raw string) (rsInfo, error) {
	var rs rsInfo
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	err := dec.Decode(&rs)
	return rs, err
}

// beatJSON decodes the request's "beat" parameter once per request (the
// param checker and the handler both read it).
func (c *call) beatJSON(raw string) (rsInfo, error) {
	if c.rs == nil {
		rs, err := decodeBeat(raw)
		if err != nil {
			return rs, err
		}
		c.rs = &rs
	}
	return *c.rs, nil
}

type beatAnswer struct {
	ClientBeatInterval int64 `json:"clientBeatInterval"`
	Code               int   `json:"code"`
	LightBeatEnabled   *bool `json:"lightBeatEnabled,omitempty"`
}

// beat is PUT /instance/beat (nacos-protocol.md 1.5).
func (s *Server) beat(c *call) error {
	var info *registry.BeatInfo
	cluster := c.cluster()
	ip := c.p.optional("ip", "")
	port, err := parseInt(c.p.optional("port", "0"))
	if err != nil {
		return err
	}
	if raw := c.p.optional("beat", ""); raw != "" {
		rs, err := c.beatJSON(raw)
		if err != nil {
			return nacosErr(500, err.Error())
		}
		if rs.Cluster != "" && strings.TrimSpace(rs.Cluster) != "" {
			cluster = rs.Cluster
		}
		ip = rs.IP
		port = 0
		if rs.Port != "" {
			if port, err = strconv.Atoi(rs.Port.String()); err != nil {
				return nacosErr(500, err.Error())
			}
		}
		// RsInfo's weight is a double field: 0.0 when the beat has none.
		info = &registry.BeatInfo{IP: ip, Port: port, Cluster: cluster, Ephemeral: true, Metadata: rs.Metadata}
		if rs.Weight != "" {
			if w, err := rs.Weight.Float64(); err == nil {
				info.Weight = w
			}
		}
		if rs.Ephemeral != nil {
			info.Ephemeral = *rs.Ephemeral
		}
	}
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	c.setInstance(cluster, ip, port)
	var res registry.BeatResult
	if c.discard {
		res = s.reg.BeatAnswer(key, cluster, ip, port, info)
	} else if res, err = s.reg.Beat(key, cluster, ip, port, info); err != nil {
		return err
	}
	c.ev.Response.ErrorCode = res.Code
	ans := beatAnswer{ClientBeatInterval: res.Interval, Code: res.Code}
	light := true
	// 1.4.x leaves lightBeatEnabled out of the 20404 answer; 2.x sends it.
	if !(res.Code == registry.BeatNotFound && s.reg.Mode() == registry.ModeV1) {
		ans.LightBeatEnabled = &light
	}
	return c.json(ans)
}
