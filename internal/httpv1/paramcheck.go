package httpv1

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/registry"
)

// checkParams is the 2.4.3 ParamCheckerFilter (DefaultParamChecker with the
// naming extractors): it runs before every naming controller and answers
// 400 with the message and CRLF. Blank values are not checked.
func (c *call) checkParams() error {
	if c.s.reg.Mode() != registry.ModeV2 || !strings.HasPrefix(c.r.URL.Path, "/nacos/v1/ns/") {
		return nil
	}
	fail := func(msg string) error { return &apiError{kind: paramCheck, code: 400, msg: msg} }
	illegal := func(name string) error {
		return fail("Param '" + name + "' is illegal, illegal characters should not appear in the param.")
	}
	tooLong := func(name string, n int) error {
		return fail("Param '" + name + "' is illegal, the param length should not exceed " + strconv.Itoa(n) + ".")
	}
	if ns := c.p.get("namespaceId"); strings.TrimSpace(ns) != "" {
		if len(ns) > 64 {
			return tooLong("namespaceId/tenant", 64)
		}
		if !namespacePattern.MatchString(ns) {
			return illegal("namespaceId/tenant")
		}
	}
	group := c.p.get("groupName")
	if svc := c.p.get("serviceName"); strings.TrimSpace(svc) != "" {
		name := svc
		if g, rest, ok := strings.Cut(svc, registry.GroupSeparator); ok {
			group, name = g, rest
		}
		// DefaultParamChecker.checkServiceNameFormat passes a blank name
		// ("group@@"): ServiceNameFilter rejects that one.
		if strings.TrimSpace(name) != "" {
			if len([]rune(name)) > 512 {
				return tooLong("serviceName", 512)
			}
			if !legalServiceName(name) {
				return illegal("serviceName")
			}
		}
	}
	if strings.TrimSpace(group) != "" {
		if len(group) > 128 {
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
	ip, port := c.p.get("ip"), c.p.get("port")
	var md map[string]string
	if raw := c.p.get("beat"); strings.TrimSpace(raw) != "" && strings.HasSuffix(c.r.URL.Path, "/beat") {
		rs, err := c.beatJSON(raw)
		if err != nil {
			return &apiError{kind: filterError, code: 500, msg: "Server failed, caused: " + err.Error() + ";"}
		}
		ip, port, md = rs.IP, rs.Port.String(), rs.Metadata
		if strings.TrimSpace(rs.Cluster) != "" {
			clusters = []string{rs.Cluster}
		}
	}
	for _, cl := range clusters {
		if strings.TrimSpace(cl) == "" {
			continue
		}
		if len(cl) > 64 {
			return tooLong("cluster", 64)
		}
		if !clusterParamPattern.MatchString(cl) {
			return illegal("cluster")
		}
	}
	if strings.TrimSpace(ip) != "" {
		if len(ip) > 128 {
			return tooLong("ip", 128)
		}
		if strings.IndexFunc(ip, func(r rune) bool { return isJavaSpace(r) || isCJK(r) }) >= 0 {
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
	if raw := c.p.get("metadata"); strings.TrimSpace(raw) != "" && md == nil {
		m, err := parseMetadata(raw)
		if err != nil {
			msg := err.Error()
			return &apiError{kind: filterError, code: 500,
				msg: "Server failed, caused: ErrCode:400, ErrMsg:" + msg + ";caused: " + msg + ";"}
		}
		md = m
	}
	total := 0
	for k, v := range md {
		total += len(k) + len(v)
	}
	if total > 1024 {
		return fail("Param 'Metadata' is illegal, the param length should not exceed 1024.")
	}
	return nil
}

var (
	namespacePattern    = regexp.MustCompile(`^[\w-]+$`)
	groupPattern        = regexp.MustCompile(`^[a-zA-Z0-9-_:.]*$`)
	clusterParamPattern = regexp.MustCompile(`^[0-9a-zA-Z-_]+$`)
)

// legalServiceName is ^(?!@).((?!@@)[^\u4E00-\u9FA5\s])*$ (Go's regexp
// has no lookahead).
func legalServiceName(s string) bool {
	rs := []rune(s)
	if len(rs) == 0 || rs[0] == '@' || rs[0] == '\n' || rs[0] == '\r' {
		return false
	}
	for i := 1; i < len(rs); i++ {
		if rs[i] == '@' && i+1 < len(rs) && rs[i+1] == '@' {
			return false
		}
		if isJavaSpace(rs[i]) || isCJK(rs[i]) {
			return false
		}
	}
	return true
}

func isJavaSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\x0B', '\f', '\r':
		return true
	}
	return false
}

func isCJK(r rune) bool { return r >= 0x4E00 && r <= 0x9FA5 }
