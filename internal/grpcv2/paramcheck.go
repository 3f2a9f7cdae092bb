package grpcv2

import (
	"github.com/mocknacos/mocknacos/internal/paramcheck"
	"regexp"
	"strconv"
	"strings"
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
	groupPattern       = paramcheck.NewClass(`^[a-zA-Z0-9-_:.]*$`)
	clusterPattern     = paramcheck.NewClass(`^[0-9a-zA-Z-_]+$`)
	// clusterNamePattern is NamingUtils' CLUSTER_NAME_PATTERN, stricter than
	// the parameter check (no '_').
	clusterNamePattern = paramcheck.NewClass(`^[0-9a-zA-Z-]+$`)
)

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
		if paramcheck.JavaLen(p.namespace) > 64 {
			return tooLong("namespaceId/tenant", 64)
		}
		if loc := namespaceIDPattern.FindStringIndex(p.namespace); loc == nil || loc[1] != len(p.namespace) {
			return illegal("namespaceId/tenant")
		}
	}
	if !blank(p.serviceName) {
		if paramcheck.JavaLen(p.serviceName) > 512 {
			return tooLong("serviceName", 512)
		}
		if !paramcheck.LegalServiceName(p.serviceName) {
			return illegal("serviceName")
		}
	}
	if !blank(p.group) {
		if paramcheck.JavaLen(p.group) > 128 {
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
		if paramcheck.JavaLen(cl) > 64 {
			return tooLong("cluster", 64)
		}
		if !clusterPattern.MatchString(cl) {
			return illegal("cluster")
		}
	}
	if !blank(p.ip) {
		if paramcheck.JavaLen(p.ip) > 128 {
			return tooLong("ip", 128)
		}
		if paramcheck.HasSpaceOrCJK(p.ip) {
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
			total += paramcheck.JavaLen(k)
		}
		if !blank(v) {
			total += paramcheck.JavaLen(v)
		}
	}
	if total > 1024 {
		return "Param 'Metadata' is illegal, the param length should not exceed 1024."
	}
	return ""
}

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
