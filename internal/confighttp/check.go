package confighttp

import (
	"github.com/mocknacos/mocknacos/internal/paramcheck"

	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/mocknacos/mocknacos/internal/httpv1"
)

const textPlain = "text/plain;charset=UTF-8"

// caused answers an exception as the config GlobalExceptionHandler and the
// ConsoleExceptionHandler do: ExceptionUtil.getAllExceptionMsg as text.
func caused(x *httpv1.Exchange, status int, msg string) {
	x.Answer(status, textPlain, "caused: "+msg+";")
}

// missingParam is Spring's MissingServletRequestParameterException for a
// config controller: no config handler takes it, so ConsoleExceptionHandler's
// catch-all answers 500 with the message HTML-escaped (2.4.3); 1.4.x does not
// escape it (observed on a real 1.4.8 server).
func (s *Server) missingParam(x *httpv1.Exchange, name string) {
	q := "&#39;"
	if s.cfg.V1 {
		q = "'"
	}
	caused(x, 500, "Required request parameter "+q+name+q+" for method parameter type String is not present")
}

// required checks the @RequestParam parameters in declaration order.
func (s *Server) required(x *httpv1.Exchange, names ...string) bool {
	for _, n := range names {
		if !x.Has(n) {
			s.missingParam(x, n)
			return false
		}
	}
	return true
}

// paramStatus is the status of a ParamUtils.checkParam failure: 2.4.3's
// NacosApiException is a 400; 1.4.x answers 500 (observed on a real 1.4.8
// server for a blank content, an invalid dataId and a too long desc).
func (s *Server) paramStatus() int {
	if s.cfg.V1 {
		return 500
	}
	return 400
}

// paramInfo is what a 2.4.3 param extractor hands the DefaultParamChecker.
type paramInfo struct{ namespace, dataID, group, ip string }

var (
	namespacePattern = regexp.MustCompile(`^[\w-]+$`)
	dataIDPattern    = regexp.MustCompile(`^[a-zA-Z0-9-_:.]*$`)
)

// filterCheck is the 2.4.3 ParamCheckerFilter with DefaultParamChecker: a
// failure is 400, the message and CRLF, no Content-Type. Blank values pass.
func (s *Server) filterCheck(x *httpv1.Exchange, infos []paramInfo) bool {
	if s.cfg.V1 {
		return true
	}
	for _, in := range infos {
		if msg := checkInfo(in); msg != "" {
			x.Answer(400, "", msg+"\r\n")
			return false
		}
	}
	return true
}

func checkInfo(in paramInfo) string {
	tooLong := func(name string, n int) string {
		return "Param '" + name + "' is illegal, the param length should not exceed " + strconv.Itoa(n) + "."
	}
	illegal := func(name string) string {
		return "Param '" + name + "' is illegal, illegal characters should not appear in the param."
	}
	if v := in.namespace; strings.TrimSpace(v) != "" {
		if paramcheck.JavaLen(v) > 64 {
			return tooLong("namespaceId/tenant", 64)
		}
		if !namespacePattern.MatchString(v) {
			return illegal("namespaceId/tenant")
		}
	}
	if v := in.dataID; strings.TrimSpace(v) != "" {
		if paramcheck.JavaLen(v) > 256 {
			return tooLong("dataId", 256)
		}
		if !dataIDPattern.MatchString(v) {
			return illegal("dataId")
		}
	}
	if v := in.group; strings.TrimSpace(v) != "" {
		if paramcheck.JavaLen(v) > 128 {
			return tooLong("group", 128)
		}
		if !dataIDPattern.MatchString(v) {
			return illegal("group")
		}
	}
	if v := in.ip; strings.TrimSpace(v) != "" {
		if paramcheck.JavaLen(v) > 128 {
			return tooLong("ip", 128)
		}
		if paramcheck.HasSpaceOrCJK(v) {
			return illegal("ip")
		}
	}
	return ""
}

// defaultInfo is ConfigDefaultHttpParamExtractor: the namespace is the
// first non-blank of namespaceId, tenant and namespace.
func defaultInfo(x *httpv1.Exchange) []paramInfo {
	ns := x.Param("namespaceId")
	for _, alt := range []string{"tenant", "namespace"} {
		if strings.TrimSpace(ns) == "" {
			ns = x.Param(alt)
		}
	}
	return []paramInfo{{namespace: ns, dataID: x.Param("dataId"), group: x.Param("group"), ip: x.Param("ip")}}
}

// checkTenant is ParamUtils.checkTenant (IllegalArgumentException: 400).
func checkTenant(x *httpv1.Exchange, tenant string) bool {
	if strings.TrimSpace(tenant) == "" {
		return true
	}
	if !isValid(strings.TrimSpace(tenant)) {
		caused(x, 400, "invalid tenant")
		return false
	}
	if paramcheck.JavaLen(tenant) > 128 {
		caused(x, 400, "too long tenant, over 128")
		return false
	}
	return true
}

// checkParam is ParamUtils.checkParam(dataId, group, datumId, content): a
// NacosApiException(status, see paramStatus) for the first bad one.
func checkParam(x *httpv1.Exchange, status int, dataID, group, content string) bool {
	msg := ""
	switch {
	case strings.TrimSpace(dataID) == "" || !isValid(strings.TrimSpace(dataID)):
		msg = "invalid dataId : " + dataID
	case strings.TrimSpace(group) == "" || !isValid(group):
		msg = "invalid group : " + group
	case strings.TrimSpace(content) == "":
		msg = "content is blank : " + content
	}
	if msg != "" {
		caused(x, status, msg)
		return false
	}
	return true
}

// checkTag is ParamUtils.checkParam(tag) (IllegalArgumentException: 400).
func checkTag(x *httpv1.Exchange, tag string) bool {
	if strings.TrimSpace(tag) == "" {
		return true
	}
	if !isValid(strings.TrimSpace(tag)) {
		caused(x, 400, "invalid tag : "+tag)
		return false
	}
	if paramcheck.JavaLen(tag) > 16 {
		caused(x, 400, "too long tag, over 16")
		return false
	}
	return true
}

// isValid is ParamUtils.isValid: letters, digits and _ - . :
func isValid(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_-.:", r) {
			return false
		}
	}
	return true
}
