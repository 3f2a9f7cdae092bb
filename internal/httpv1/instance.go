package httpv1

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/paramcheck"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// trimJava is String.trim: it drops every char <= ' ' at both ends.
func trimJava(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// splitServiceName groups a bare name with the group (DEFAULT_GROUP when
// blank) and applies NamingUtils.checkServiceNameFormat to the result.
func splitServiceName(serviceName, group string) (string, string, error) {
	grouped := serviceName
	if !strings.Contains(serviceName, registry.GroupSeparator) {
		if strings.TrimSpace(group) == "" {
			group = registry.DefaultGroup
		}
		grouped = group + registry.GroupSeparator + serviceName
	}
	// Java's String.split drops trailing empty parts.
	parts := strings.Split(grouped, registry.GroupSeparator)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) <= 1 {
		return "", "", badRequest("Param 'serviceName' is illegal, it should be format as 'groupName@@serviceName'")
	}
	if parts[0] == "" {
		return "", "", badRequest("Param 'serviceName' is illegal, groupName can't be empty")
	}
	return parts[0], strings.Join(parts[1:], registry.GroupSeparator), nil
}

// javaBool is ConvertUtils.toBoolean (commons-lang BooleanUtils): "true",
// "on", "yes", "y" and "t" in any case are true, anything else false.
func javaBool(s string) bool {
	switch strings.ToLower(trimJava(s)) {
	case "true", "on", "yes", "y", "t":
		return true
	}
	return false
}

// parseMetadata is UtilsAndCommons.parseMetadata: a JSON object of strings,
// else "k1=v1,k2=v2", else 400.
func parseMetadata(raw string) (map[string]string, error) {
	md := map[string]string{}
	if strings.TrimSpace(raw) == "" {
		return md, nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(raw), &obj); err == nil {
		for k, v := range obj {
			switch x := v.(type) {
			case nil:
			case string:
				md[k] = x
			case float64, bool:
				md[k] = fmt.Sprint(x)
			case json.Number:
				md[k] = x.String()
			default:
				goto kv
			}
		}
		return md, nil
	}
kv:
	md = map[string]string{}
	for _, pair := range strings.Split(raw, ",") {
		kv := strings.Split(pair, "=")
		if len(kv) != 2 {
			return nil, nacosErr(400, "metadata format incorrect:"+raw)
		}
		md[kv[0]] = kv[1]
	}
	return md, nil
}

var (
	clusterNamePattern = paramcheck.NewClass(`^[0-9a-zA-Z-]+$`)
	// domNamePattern is 1.4.x Service's SERVICE_NAME_SYNTAX.
	domNamePattern = paramcheck.NewClass(`^[0-9a-zA-Z@.:_-]+$`)
)

// checkInstance is NamingUtils.checkInstanceIsLegal (2.x). A 1.4.x server
// has no such check: only Cluster.validate's, with its own message, and no
// beat interval check (both observed on a real 1.4.8 server).
func checkInstance(in *registry.Instance, mode registry.Mode) error {
	if mode == registry.ModeV1 {
		if in.Cluster != "" && !clusterNamePattern.MatchString(in.Cluster) {
			return badRequest("cluster name can only have these characters: 0-9a-zA-Z-, current: " + in.Cluster)
		}
		return nil
	}
	if in.BeatTimeout() < in.BeatInterval() || in.DeleteTimeout() < in.BeatInterval() {
		return badRequest("Instance 'heart beat interval' must less than 'heart beat timeout' and 'ip delete timeout'.")
	}
	if in.Cluster != "" && !clusterNamePattern.MatchString(in.Cluster) {
		return badRequest(fmt.Sprintf("Instance 'clusterName' should be characters with only 0-9a-zA-Z-. (current: %s)", in.Cluster))
	}
	return nil
}

// checkWeight is the 2.x weight range check (0 to 10000).
func checkWeight(w float64) error {
	if w > 10000 || w < 0 {
		return badRequest("instance format invalid: The weights range from 0.0 to 10000.0")
	}
	return nil
}

func (c *call) cluster() string {
	if v := c.p.optional("clusterName", ""); v != "" {
		return v
	}
	return c.p.optional("cluster", registry.DefaultCluster)
}

// instanceParams is HttpRequestInstanceBuilder: the instance a register or
// update describes.
func (c *call) instanceParams() (registry.Instance, error) {
	in := registry.Instance{Source: registry.SourceHTTP, Cluster: c.cluster()}
	ip, err := c.p.required("ip")
	if err != nil {
		return in, err
	}
	in.IP = ip
	ps, err := c.p.required("port")
	if err != nil {
		return in, err
	}
	if in.Port, err = parseInt(ps); err != nil {
		return in, err
	}
	c.setInstance(in.Cluster, in.IP, in.Port)
	if in.Weight, err = parseDouble(c.p.optional("weight", "1")); err != nil {
		return in, err
	}
	// 1.4.x checks the range in Instance.validate, after the metadata is
	// parsed (seen on a real 1.4.8 by the conformance suite).
	weightErr := checkWeight(in.Weight)
	if weightErr != nil && c.s.reg.Mode() != registry.ModeV1 {
		return in, weightErr
	}
	in.Healthy = javaBool(c.p.optional("healthy", "true"))
	if c.p.has("enabled") {
		in.Enabled = javaBool(c.p.optional("enabled", "true"))
	} else {
		in.Enabled = javaBool(c.p.optional("enable", "true"))
	}
	in.Ephemeral = javaBool(c.p.optional("ephemeral", "true"))
	if in.Metadata, err = parseMetadata(c.p.get("metadata")); err != nil {
		return in, err
	}
	if weightErr != nil {
		// Instance.validate@1.4.8 throws a NacosException: 500 there.
		return in, nacosErr(500, weightErr.Error())
	}
	return in, checkInstance(&in, c.s.reg.Mode())
}

func (s *Server) register(c *call) error {
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	in, err := c.instanceParams()
	if err != nil {
		return err
	}
	if s.reg.Mode() == registry.ModeV1 && !domNamePattern.MatchString(key.Group+"@@"+key.Name) {
		// Service.validate, when 1.4.x creates the service.
		return badRequest("dom name can only have these characters: 0-9a-zA-Z-._:, current: " + key.Group + "@@" + key.Name)
	}
	if err := s.reg.Register(key, in); err != nil {
		return err
	}
	return c.ok()
}

func (s *Server) deregister(c *call) error {
	if s.reg.Mode() == registry.ModeV1 {
		return s.deregisterV1(c)
	}
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	ip, port, err := c.ipPort()
	if err != nil {
		return err
	}
	cluster := c.cluster()
	c.setInstance(cluster, ip, port)
	ephemeral := javaBool(c.p.optional("ephemeral", "true"))
	s.reg.Deregister(key, cluster, ip, port, registry.OwnerHTTP(ip, port, ephemeral))
	return c.ok()
}

// ipPort reads the required ip and port, the port as Integer.parseInt.
func (c *call) ipPort() (string, int, error) {
	ip, err := c.p.required("ip")
	if err != nil {
		return "", 0, err
	}
	ps, err := c.p.required("port")
	if err != nil {
		return "", 0, err
	}
	port, err := parseInt(ps)
	if err != nil {
		return "", 0, err
	}
	return ip, port, nil
}

// deregisterV1 is 1.4.x InstanceController.deregister, in its order:
// getIpAddress (ip, port, their parse, the weight's Double.parseDouble),
// then serviceName and its format; an unknown service is ok; for a known
// one ServiceManager.updateIpAddresses makes a Cluster of a cluster the
// service does not have, whose validate refuses an illegal name (seen on
// a real 1.4.8 by the conformance suite). Only legal names can be in a
// service, so the name's syntax decides.
func (s *Server) deregisterV1(c *call) error {
	ip, port, err := c.ipPort()
	if err != nil {
		return err
	}
	if _, err := parseDouble(c.p.optional("weight", "1")); err != nil {
		return err
	}
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	cluster := c.cluster()
	c.setInstance(cluster, ip, port)
	if _, ok := s.reg.Service(key); !ok {
		return c.ok()
	}
	if !clusterNamePattern.MatchString(cluster) {
		return badRequest("cluster name can only have these characters: 0-9a-zA-Z-, current: " + cluster)
	}
	s.reg.Deregister(key, cluster, ip, port, "")
	return c.ok()
}

// update is PUT /instance: the weight, enabled flag and metadata of an
// instance (nacos-protocol.md 1.4).
func (s *Server) update(c *call) error {
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	in, err := c.instanceParams()
	if err != nil {
		return err
	}
	patch := registry.InstancePatch{Weight: &in.Weight, Enabled: &in.Enabled, Metadata: in.Metadata, Healthy: &in.Healthy}
	if s.reg.Mode() == registry.ModeV1 {
		// 1.4.x updates in place for Java clients from 1.0.0 and
		// re-registers for every other client.
		if !groupedForAgent(c.r.UserAgent()) {
			if err := s.reg.Register(key, in); err != nil {
				return err
			}
			return c.ok()
		}
		err := s.reg.Update(key, in.Cluster, in.IP, in.Port, patch, true)
		switch {
		case errors.Is(err, registry.ErrInstanceNotFound):
			if _, ok := s.reg.Service(key); !ok {
				return nacosErr(404, "service not found, namespace: "+key.Namespace+", service: "+key.Grouped())
			}
			return nacosErr(404, fmt.Sprintf("instance not exist: %s:%d:unknown:%s_%s_%t_false_%s",
				in.IP, in.Port, in.Cluster, javaDoubleString(in.Weight), in.Healthy, in.Cluster))
		case err != nil:
			return err
		}
		return c.ok()
	}
	if err := s.reg.Update(key, in.Cluster, in.IP, in.Port, patch, false); errors.Is(err, registry.ErrServiceNotFound) {
		return nacosErr(400, fmt.Sprintf("service not found, namespace: %s, service: Service{namespace='%s', group='%s', name='%s', ephemeral=%t, revision=0}",
			key.Namespace, key.Namespace, key.Group, key.Name, in.Ephemeral))
	} else if err != nil {
		return err
	}
	return c.ok()
}

// patch is PATCH /instance: only the fields present change, on an instance
// that must exist.
func (s *Server) patch(c *call) error {
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	ip, port, err := c.ipPort()
	if err != nil {
		return err
	}
	cluster := c.cluster()
	c.setInstance(cluster, ip, port)
	var p registry.InstancePatch
	if v := c.p.optional("metadata", ""); v != "" {
		if p.Metadata, err = parseMetadata(v); err != nil {
			return err
		}
	}
	if v := c.p.optional("weight", ""); v != "" {
		w, err := parseDouble(v)
		if err != nil {
			return err
		}
		if s.reg.Mode() == registry.ModeV1 {
			if err := checkWeight(w); err != nil {
				return nacosErr(500, err.Error())
			}
		}
		p.Weight = &w
	}
	if v := c.p.optional("enabled", ""); v != "" {
		b := javaBool(v)
		p.Enabled = &b
	}
	if v := c.p.optional("healthy", ""); v != "" && s.reg.Mode() == registry.ModeV1 {
		b := javaBool(v)
		p.Healthy = &b
	}
	err = s.reg.Update(key, cluster, ip, port, p, true)
	if errors.Is(err, registry.ErrInstanceNotFound) && s.reg.Mode() == registry.ModeV1 {
		return badRequest("instance not found")
	}
	if err != nil {
		return err
	}
	return c.ok()
}

// detail is GET /instance.
func (s *Server) detail(c *call) error {
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	ip, port, err := c.ipPort()
	if err != nil {
		return err
	}
	// The detail endpoint reads clusterName only, not the legacy "cluster".
	cluster := c.p.optional("clusterName", registry.DefaultCluster)
	c.setInstance(cluster, ip, port)
	if info, ok := s.reg.Service(key); s.reg.Mode() == registry.ModeV1 {
		// InstanceController.detail@1.4.8 checks the service first, then
		// whether the cluster has any instance (service.allIPs(cluster));
		// 2.4.3 looks at the whole service (seen on real servers by the
		// conformance suite).
		if !ok {
			return nacosErr(404, "no service "+key.Grouped()+" found!")
		}
		if !slices.Contains(info.Clusters, cluster) {
			return nacosErr(404, "no ips found for cluster "+cluster+" in service "+key.Grouped())
		}
	}
	in, err := s.reg.Instance(key, cluster, ip, port)
	if err != nil {
		return err
	}
	return c.json(instanceDetail{
		Service: key.Grouped(), IP: in.IP, Port: in.Port, ClusterName: in.Cluster,
		Weight: javaDouble(in.Weight), Healthy: in.Healthy, InstanceID: in.InstanceID, Metadata: in.Metadata,
	})
}

type instanceDetail struct {
	Service     string            `json:"service"`
	IP          string            `json:"ip"`
	Port        int               `json:"port"`
	ClusterName string            `json:"clusterName"`
	Weight      javaDouble        `json:"weight"`
	Healthy     bool              `json:"healthy"`
	InstanceID  string            `json:"instanceId"`
	Metadata    map[string]string `json:"metadata"`
}

// javaDouble encodes as Jackson writes a double: 1.0, not 1.
type javaDouble float64

func (d javaDouble) MarshalJSON() ([]byte, error) { return []byte(javaDoubleString(float64(d))), nil }

// javaDoubleString is how Java prints a double in the ranges that occur
// here: 1.0, 0.5, 100.0.
func javaDoubleString(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
