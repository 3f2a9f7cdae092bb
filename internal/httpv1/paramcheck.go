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
	fail := func(msg string) error { return &apiError{kind: paramCheck, code: 400, msg: msg} }
	illegal := func(name string) error {
		return fail("Param '" + name + "' is illegal, illegal characters should not appear in the param.")
	}
	tooLong := func(name string, n int) error {
		return fail("Param '" + name + "' is illegal, the param length should not exceed " + strconv.Itoa(n) + ".")
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
	// The extractor parses the metadata before anything is checked: a
	// metadata that is neither JSON nor k=v fails first.
	beat := strings.HasSuffix(c.r.URL.Path, "/beat") && strings.TrimSpace(c.p.get("beat")) != ""
	var md map[string]string
	if raw := c.p.get("metadata"); strings.TrimSpace(raw) != "" && !beat {
		m, err := parseMetadata(raw)
		if err != nil {
			msg := err.Error()
			return &apiError{kind: filterError, code: 500,
				msg: "Server failed, caused: ErrCode:400, ErrMsg:" + msg + ";caused: " + msg + ";"}
		}
		md = m
	}
	if ns := c.p.get("namespaceId"); strings.TrimSpace(ns) != "" {
		if paramcheck.JavaLen(ns) > 64 {
			return tooLong("namespaceId/tenant", 64)
		}
		if !namespacePattern.MatchString(ns) {
			return illegal("namespaceId/tenant")
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
				return tooLong("serviceName", 512)
			}
			if !paramcheck.LegalServiceName(name) {
				return illegal("serviceName")
			}
		}
	}
	if strings.TrimSpace(group) != "" {
		if paramcheck.JavaLen(group) > 128 {
			return tooLong("group", 128)
		}
		if !groupPattern.MatchString(group) {
			return illegal("group")
		}
	}
	clusters := []string{c.p.get("clusterName")}
	if clusters[0] == "" {
		clusters[0] = c.p.get("cluster")
	}
	if c.r.URL.Path == "/nacos/v1/ns/instance/list" {
		clusters = strings.Split(c.p.get("clusters"), ",")
	}
	if strings.HasSuffix(c.r.URL.Path, "/beat") {
		// The beat extractor checks no cluster, neither the parameter nor
		// the beat JSON's (seen on a real 2.4.3 by the conformance suite).
		clusters = nil
	}
	ip, port := c.p.get("ip"), c.p.get("port")
	if beat {
		rs, err := c.beatJSON(c.p.get("beat"))
		if err != nil {
			return &apiError{kind: filterError, code: 500, msg: "Server failed, caused: " + err.Error() + ";"}
		}
		ip, port, md = rs.IP, rs.Port.String(), rs.Metadata
	}
	for _, cl := range clusters {
		if strings.TrimSpace(cl) == "" {
			continue
		}
		if paramcheck.JavaLen(cl) > 64 {
			return tooLong("cluster", 64)
		}
		if !clusterParamPattern.MatchString(cl) {
			return illegal("cluster")
		}
	}
	if strings.TrimSpace(ip) != "" {
		if paramcheck.JavaLen(ip) > 128 {
			return tooLong("ip", 128)
		}
		if paramcheck.HasSpaceOrCJK(ip) {
			return illegal("ip")
		}
	}
	if port == "" {
		port = c.p.get("checkPort")
	}
	if strings.TrimSpace(port) != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return fail("Param 'port' is illegal, the value should be between 0 and 65535.")
		}
	}
	total := 0
	for k, v := range md {
		total += paramcheck.JavaLen(k) + paramcheck.JavaLen(v)
	}
	if total > 1024 {
		return fail("Param 'Metadata' is illegal, the param length should not exceed 1024.")
	}
	return nil
}

var (
	namespacePattern    = paramcheck.NewClass(`^[\w-]+$`)
	groupPattern        = paramcheck.NewClass(`^[a-zA-Z0-9-_:.]*$`)
	clusterParamPattern = paramcheck.NewClass(`^[0-9a-zA-Z-_]+$`)
)
