package httpv1

import (
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"strconv"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// pushZombie is how long a 1.x UDP subscriber lives after its last poll
// (PushService: pushCacheMillis, 10 s).
const pushZombie = 10 * time.Second

// list is GET /instance/list (nacos-protocol.md 1.6). With udpPort > 0 and a
// client that may receive pushes, the poller also becomes a UDP
// subscriber.
func (s *Server) list(c *call) error {
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	udpPort, err := parseInt(c.p.optional("udpPort", "0"))
	if err != nil {
		return err
	}
	sel := registry.Selection{Clusters: c.p.optional("clusters", ""), HealthyOnly: javaBool(c.p.optional("healthyOnly", "false"))}
	push := udpPort > 0 && canPush(c.r.UserAgent())
	var v *registry.View
	if push {
		c.ev.Kind = journal.Subscribe
		target := c.remoteIP()
		c.ev.IP, c.ev.Port = target, udpPort
		v = s.reg.Subscribe(key, registry.Subscriber{
			ID:       "udp:" + target + ":" + strconv.Itoa(udpPort) + ":" + sel.Clusters,
			Clusters: sel.Clusters,
			Expires:  time.Now().Add(pushZombie),
			Pusher:   &udpTarget{s: s, ip: target, port: udpPort, agent: c.r.UserAgent()},
		})
	} else {
		v = s.reg.View(key, sel)
	}
	cacheMillis := registry.DefaultPushCacheMillis
	if s.reg.Mode() == registry.ModeV1 && !push {
		cacheMillis = registry.DefaultCacheMillis
	}
	return c.json(encodeView(s.reg.Mode(), v, cacheMillis, groupedForAgent(c.r.UserAgent())))
}

var agentPattern = regexp.MustCompile(`^Nacos-(Java|Go|C|CSharp|DNS)-Client:v?(\d+)\.(\d+)\.(\d+)`)

// canPush is PushService.canEnablePush with the default switches: Java and
// Go clients from 0.1.0, C from 1.0.12, C# from 0.9.0, DNS from 0.4.3.
func canPush(agent string) bool {
	m := agentPattern.FindStringSubmatch(agent)
	if m == nil {
		return false
	}
	ver := [3]int{}
	for i := range ver {
		ver[i], _ = strconv.Atoi(m[i+2])
	}
	min := map[string][3]int{"Java": {0, 1, 0}, "Go": {0, 1, 0}, "C": {1, 0, 12}, "CSharp": {0, 9, 0}, "DNS": {0, 4, 3}}[m[1]]
	for i := range ver {
		if ver[i] != min[i] {
			return ver[i] > min[i]
		}
	}
	return true
}

// groupedForAgent: the 1.x server gives Java clients from 1.0.0 grouped
// names, and every other client bare ones.
func groupedForAgent(agent string) bool {
	m := agentPattern.FindStringSubmatch(agent)
	return m != nil && m[1] == "Java" && m[2] >= "1"
}

// hostV2 is a host of a 2.x ServiceInfo (the api Instance POJO, NON_NULL).
type hostV2 struct {
	InstanceID                string            `json:"instanceId"`
	IP                        string            `json:"ip"`
	Port                      int               `json:"port"`
	Weight                    javaDouble        `json:"weight"`
	Healthy                   bool              `json:"healthy"`
	Enabled                   bool              `json:"enabled"`
	Ephemeral                 bool              `json:"ephemeral"`
	ClusterName               string            `json:"clusterName"`
	ServiceName               string            `json:"serviceName"`
	Metadata                  map[string]string `json:"metadata"`
	InstanceHeartBeatInterval int64             `json:"instanceHeartBeatInterval"`
	InstanceHeartBeatTimeOut  int64             `json:"instanceHeartBeatTimeOut"`
	IPDeleteTimeout           int64             `json:"ipDeleteTimeout"`
	// InstanceIDGenerator is left out when the metadata is non-empty
	// without the generator key: the POJO's getter returns null then.
	InstanceIDGenerator string `json:"instanceIdGenerator,omitempty"`
}

// ServiceInfo is the 2.x/3.x ServiceInfo JSON: the HTTP list answer, the
// UDP push data, and the gRPC subscribe and query answers and pushes (one
// shape for both protocols). 3.0 renamed allIPs to allIps (observed on a
// real 3.0.3: /v1/ns/instance/list and the gRPC QueryServiceResponse).
type ServiceInfo struct {
	Name                     string   `json:"name"`
	GroupName                string   `json:"groupName,omitempty"`
	Clusters                 string   `json:"clusters"`
	CacheMillis              int      `json:"cacheMillis"`
	Hosts                    []hostV2 `json:"hosts"`
	LastRefTime              int64    `json:"lastRefTime"`
	Checksum                 string   `json:"checksum"`
	AllIPs                   *bool    `json:"allIPs,omitempty"`
	AllIps                   *bool    `json:"allIps,omitempty"`
	ReachProtectionThreshold bool     `json:"reachProtectionThreshold"`
	Valid                    bool     `json:"valid"`
}

// NewServiceInfo is the view as a 2.x or 3.x server shows it, named name
// (grouped over HTTP, bare over gRPC).
func NewServiceInfo(mode registry.Mode, v *registry.View, name string, cacheMillis int) ServiceInfo {
	si := ServiceInfo{
		Name: name, GroupName: v.Key.Group, Clusters: v.Clusters, CacheMillis: cacheMillis,
		Hosts: HostsV2(v.Hosts, v.Key.Grouped()), LastRefTime: v.LastRefTime,
		ReachProtectionThreshold: v.ReachProtectionThreshold, Valid: true,
	}
	all := false
	if mode == registry.ModeV3 {
		si.AllIps = &all
	} else {
		si.AllIPs = &all
	}
	return si
}

// hostV1 is a host of the 1.4.x list answer.
type hostV1 struct {
	IP          string            `json:"ip"`
	Port        int               `json:"port"`
	Valid       bool              `json:"valid"`
	Healthy     bool              `json:"healthy"`
	Marked      bool              `json:"marked"`
	InstanceID  string            `json:"instanceId"`
	Metadata    map[string]string `json:"metadata"`
	Enabled     bool              `json:"enabled"`
	Weight      javaDouble        `json:"weight"`
	ClusterName string            `json:"clusterName"`
	ServiceName string            `json:"serviceName"`
	Ephemeral   bool              `json:"ephemeral"`
}

type serviceInfoV1 struct {
	Hosts           []hostV1          `json:"hosts"`
	Dom             string            `json:"dom"`
	Name            string            `json:"name"`
	CacheMillis     int               `json:"cacheMillis"`
	LastRefTime     int64             `json:"lastRefTime"`
	Checksum        string            `json:"checksum"`
	UseSpecifiedURL bool              `json:"useSpecifiedURL"`
	Clusters        string            `json:"clusters"`
	Env             string            `json:"env"`
	Metadata        map[string]string `json:"metadata"`
}

type unknownServiceV1 struct {
	Name        string   `json:"name"`
	Clusters    string   `json:"clusters"`
	CacheMillis int      `json:"cacheMillis"`
	Hosts       []hostV1 `json:"hosts"`
}

// HostsV2 encodes instances as 2.x hosts (also used by the gRPC views).
func HostsV2(hosts []registry.Instance, grouped string) []hostV2 {
	out := make([]hostV2, 0, len(hosts))
	for i := range hosts {
		in := &hosts[i]
		out = append(out, hostV2{
			InstanceID: in.InstanceID, IP: in.IP, Port: in.Port, Weight: javaDouble(in.Weight),
			Healthy: in.Healthy, Enabled: in.Enabled, Ephemeral: in.Ephemeral, ClusterName: in.Cluster,
			ServiceName: grouped, Metadata: in.Metadata,
			InstanceHeartBeatInterval: in.BeatInterval().Milliseconds(),
			InstanceHeartBeatTimeOut:  in.BeatTimeout().Milliseconds(),
			IPDeleteTimeout:           in.DeleteTimeout().Milliseconds(),
			InstanceIDGenerator:       idGeneratorField(in),
		})
	}
	return out
}

func idGeneratorField(in *registry.Instance) string {
	if len(in.Metadata) > 0 && in.Metadata[registry.MetaIDGenerator] == "" {
		return ""
	}
	return in.IDGenerator()
}

// encodeView is the list answer (and the UDP push data) in the flavour of
// the imitated server.
func encodeView(mode registry.Mode, v *registry.View, cacheMillis int, grouped bool) any {
	if mode != registry.ModeV1 {
		return NewServiceInfo(mode, v, v.Key.Grouped(), cacheMillis)
	}
	name := v.Key.Name
	if grouped {
		name = v.Key.Grouped()
	}
	if !v.Found {
		return unknownServiceV1{Name: v.Key.Grouped(), Clusters: v.Clusters, CacheMillis: cacheMillis, Hosts: []hostV1{}}
	}
	hosts := make([]hostV1, 0, len(v.Hosts))
	for i := range v.Hosts {
		in := &v.Hosts[i]
		hosts = append(hosts, hostV1{
			IP: in.IP, Port: in.Port, Valid: in.Healthy, Healthy: in.Healthy, Marked: in.Marked,
			InstanceID: in.InstanceID, Metadata: in.Metadata, Enabled: in.Enabled, Weight: javaDouble(in.Weight),
			ClusterName: in.Cluster, ServiceName: name, Ephemeral: in.Ephemeral,
		})
	}
	// doSrvIpxt@1.4.8 strips the group from "dom" and the hosts'
	// serviceName for clients other than Java >= 1.0.0, but "name" is
	// always the grouped name: clients key their cache by it.
	return serviceInfoV1{
		Hosts: hosts, Dom: name, Name: v.Key.Grouped(), CacheMillis: cacheMillis, LastRefTime: v.LastRefTime,
		Checksum: checksumV1(v), Clusters: v.Clusters, Metadata: v.Metadata,
	}
}

// checksumV1 stands in for 1.x Service.getChecksum: an md5 that changes
// whenever the listed instances do.
func checksumV1(v *registry.View) string {
	h := md5.New()
	for _, in := range v.Hosts {
		_, _ = h.Write([]byte(in.IP + ":" + strconv.Itoa(in.Port) + "_" + strconv.FormatFloat(in.Weight, 'f', -1, 64) + "_" +
			strconv.FormatBool(in.Healthy) + "_" + in.Cluster + ","))
	}
	return hex.EncodeToString(h.Sum(nil))
}
