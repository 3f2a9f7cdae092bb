package grpcv2

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// paramInfo is what a request's ParamExtractor hands to the
// DefaultParamChecker of the 2.4.3 server (RemoteParamCheckFilter). Blank
// values are not checked.
type paramInfo struct {
	namespace, serviceName, group string
	clusters                      string // comma-separated
	cluster                       string
	ip                            string
	port                          string
	metadata                      map[string]string
}

var (
	namespaceIDPattern = regexp.MustCompile(`^[\w-]+`)
	groupPattern       = regexp.MustCompile(`^[a-zA-Z0-9-_:.]*$`)
	clusterPattern     = regexp.MustCompile(`^[0-9a-zA-Z-_]+$`)
	// clusterNamePattern is NamingUtils' CLUSTER_NAME_PATTERN, stricter than
	// the parameter check (no '_').
	clusterNamePattern = regexp.MustCompile(`^[0-9a-zA-Z-]+$`)
)

func javaLen(s string) int { return len(utf16.Encode([]rune(s))) }

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// check returns the checker's message, "" when every parameter is legal.
// The order is DefaultParamChecker.checkParamInfoFormat's.
func (p *paramInfo) check() string {
	illegal := func(name string) string {
		return "Param '" + name + "' is illegal, illegal characters should not appear in the param."
	}
	tooLong := func(name string, n int) string {
		return "Param '" + name + "' is illegal, the param length should not exceed " + strconv.Itoa(n) + "."
	}
	if !blank(p.namespace) {
		if javaLen(p.namespace) > 64 {
			return tooLong("namespaceId/tenant", 64)
		}
		if loc := namespaceIDPattern.FindStringIndex(p.namespace); loc == nil || loc[1] != len(p.namespace) {
			return illegal("namespaceId/tenant")
		}
	}
	if !blank(p.serviceName) {
		if javaLen(p.serviceName) > 512 {
			return tooLong("serviceName", 512)
		}
		if !legalServiceName(p.serviceName) {
			return illegal("serviceName")
		}
	}
	if !blank(p.group) {
		if javaLen(p.group) > 128 {
			return tooLong("group", 128)
		}
		if !groupPattern.MatchString(p.group) {
			return illegal("group")
		}
	}
	clusters := []string{p.cluster}
	if !blank(p.clusters) {
		clusters = append(strings.Split(p.clusters, ","), p.cluster)
	}
	for _, cl := range clusters {
		if blank(cl) {
			continue
		}
		if javaLen(cl) > 64 {
			return tooLong("cluster", 64)
		}
		if !clusterPattern.MatchString(cl) {
			return illegal("cluster")
		}
	}
	if !blank(p.ip) {
		if javaLen(p.ip) > 128 {
			return tooLong("ip", 128)
		}
		if strings.IndexFunc(p.ip, func(r rune) bool { return isJavaSpace(r) || isCJK(r) }) >= 0 {
			return illegal("ip")
		}
	}
	if !blank(p.port) {
		if n, err := strconv.Atoi(p.port); err != nil || n < 0 || n > 65535 {
			return "Param 'port' is illegal, the value should be between 0 and 65535."
		}
	}
	total := 0
	for k, v := range p.metadata {
		if !blank(k) {
			total += javaLen(k)
		}
		if !blank(v) {
			total += javaLen(v)
		}
	}
	if total > 1024 {
		return "Param 'Metadata' is illegal, the param length should not exceed 1024."
	}
	return ""
}

// legalServiceName is ^(?!@).((?!@@)[^\u4E00-\u9FA5\s])*$ (Go's regexp has
// no lookahead).
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

// paramCheck answers the handler's response type with resultCode 500,
// errorCode 400 when a parameter is illegal (RemoteParamCheckFilter).
func (cl *call) paramCheck(ps ...paramInfo) *response {
	for i := range ps {
		if msg := ps[i].check(); msg != "" {
			return failed(cl.respType, codeInvalidParam, "Param check invalid:"+msg)
		}
	}
	return nil
}
