package httpv1

import (
	"github.com/mocknacos/mocknacos/internal/paramcheck"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/registry"
)

// checkParams is the 2.4.3 ParamCheckerFilter (DefaultParamChecker with the
// naming extractors): it runs before every naming controller and answers
// 400 with the message and CRLF. Blank values are not checked.
func (c *call) checkParams() error {
	if c.s.reg.Mode() == registry.ModeV1 || !strings.HasPrefix(c.r.URL.Path, "/nacos/v1/ns/") {
		return nil
	}
	// ServiceNameFilter runs first: it groups a bare name with groupName
	// (DEFAULT_GROUP when blank) and rejects a grouped name without a group
	// or a name; the checker then sees the grouped name.
	svc := c.p.get("serviceName")
	if strings.TrimSpace(svc) != "" {
		g, n, err := splitServiceName(trimJava(svc), c.p.get("groupName"))
		if err != nil {
			return &apiError{kind: filterError, code: 400, msg: "Service name filter error,caused: " + err.Error() + ";"}
		}
		svc = g + registry.GroupSeparator + n
	}
	// The extractor parses the metadata (the beat extractor: the beat
	// JSON instead) before anything is checked: what does not parse fails
	// first.
	beatPath := strings.HasSuffix(c.r.URL.Path, "/beat")
	var md map[string]string
	var beat *rsInfo
	if raw := c.p.get("metadata"); strings.TrimSpace(raw) != "" && !beatPath {
		m, err := parseMetadata(raw)
		if err != nil {
			msg := err.Error()
			return &apiError{kind: filterError, code: 500,
				msg: "Server failed, caused: ErrCode:400, ErrMsg:" + msg + ";caused: " + msg + ";"}
		}
		md = m
	}
	if raw := c.p.get("beat"); beatPath && strings.TrimSpace(raw) != "" {
		rs, err := c.beatJSON(raw)
		if err != nil {
			return &apiError{kind: filterError, code: 500, msg: "Server failed, caused: " + err.Error() + ";"}
		}
		beat = &rs
	}
	if ns := c.p.get("namespaceId"); strings.TrimSpace(ns) != "" {
		if paramcheck.JavaLen(ns) > 64 {
			return paramTooLong("namespaceId/tenant", 64)
		}
		if !namespacePattern.MatchString(ns) {
			return paramIllegal("namespaceId/tenant")
		}
	}
	group := c.p.get("groupName")
	if strings.TrimSpace(svc) != "" {
		name := svc
		if g, rest, ok := strings.Cut(svc, registry.GroupSeparator); ok {
			group, name = g, rest
		}
		// DefaultParamChecker.checkServiceNameFormat passes a blank name
		// ("group@@"): ServiceNameFilter rejects that one.
		if strings.TrimSpace(name) != "" {
			if paramcheck.JavaLen(name) > 512 {
				return paramTooLong("serviceName", 512)
			}
			if !paramcheck.LegalServiceName(name) {
				return paramIllegal("serviceName")
			}
		}
	}
	if strings.TrimSpace(group) != "" {
		if paramcheck.JavaLen(group) > 128 {
			return paramTooLong("group", 128)
		}
		if !groupPattern.MatchString(group) {
			return paramIllegal("group")
		}
	}
	clusters := []string{c.p.get("clusterName")}
	if clusters[0] == "" {
		clusters[0] = c.p.get("cluster")
	}
	if c.r.URL.Path == "/nacos/v1/ns/instance/list" {
		clusters = strings.Split(c.p.get("clusters"), ",")
	}
	port := c.p.get("port")
	if port == "" {
		port = c.p.get("checkPort")
	}
	infos := []paramInfo{{clusters: clusters, ip: c.p.get("ip"), port: port, metadata: md}}
	if beatPath {
		// NamingInstanceBeatHttpParamExtractor: the parameters' ip and
		// port (no cluster, no metadata), then the beat JSON's ip, port
		// (String.valueOf of its int: 0 when absent) and cluster.
		infos[0].clusters, infos[0].metadata = nil, nil
		if beat != nil {
			bp := beat.Port.String()
			if bp == "" {
				bp = "0"
			}
			infos = append(infos, paramInfo{clusters: []string{beat.Cluster}, ip: beat.IP, port: bp})
		}
	}
	for _, in := range infos {
		if err := in.check(); err != nil {
			return err
		}
	}
	return nil
}

// paramInfo is the part of one ParamInfo the checker checks after the
// namespace, service and group, in its order.
type paramInfo struct {
	clusters []string
	ip, port string
	metadata map[string]string
}

// paramFail is the checker's 400; paramIllegal and paramTooLong its two
// common messages.
func paramFail(msg string) error { return &apiError{kind: paramCheck, code: 400, msg: msg} }

func paramIllegal(name string) error {
	return paramFail("Param '" + name + "' is illegal, illegal characters should not appear in the param.")
}

func paramTooLong(name string, n int) error {
	return paramFail("Param '" + name + "' is illegal, the param length should not exceed " + strconv.Itoa(n) + ".")
}

func (in paramInfo) check() error {
	for _, cl := range in.clusters {
		if strings.TrimSpace(cl) == "" {
			continue
		}
		if paramcheck.JavaLen(cl) > 64 {
			return paramTooLong("cluster", 64)
		}
		if !clusterParamPattern.MatchString(cl) {
			return paramIllegal("cluster")
		}
	}
	if strings.TrimSpace(in.ip) != "" {
		if paramcheck.JavaLen(in.ip) > 128 {
			return paramTooLong("ip", 128)
		}
		if paramcheck.HasSpaceOrCJK(in.ip) {
			return paramIllegal("ip")
		}
	}
	if strings.TrimSpace(in.port) != "" {
		if n, err := strconv.Atoi(in.port); err != nil || n < 0 || n > 65535 {
			return paramFail("Param 'port' is illegal, the value should be between 0 and 65535.")
		}
	}
	total := 0
	for k, v := range in.metadata {
		total += paramcheck.JavaLen(k) + paramcheck.JavaLen(v)
	}
	if total > 1024 {
		return paramFail("Param 'Metadata' is illegal, the param length should not exceed 1024.")
	}
	return nil
}

var (
	namespacePattern    = paramcheck.NewClass(`^[\w-]+$`)
	groupPattern        = paramcheck.NewClass(`^[a-zA-Z0-9-_:.]*$`)
	clusterParamPattern = paramcheck.NewClass(`^[0-9a-zA-Z-_]+$`)
)
