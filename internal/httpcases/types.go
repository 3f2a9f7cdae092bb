// Package httpcases holds hand-written HTTP cases shared by the mock's tests
// and the conformance suite: data only, no I/O.
package httpcases

import "net/http"

// Request is one plain-HTTP request: path and query below the context path
// ("/v1/ns/..."), an optional form body and User-Agent.
type Request struct {
	Method string
	Path   string
	Form   string
	Agent  string
}

// SpringError is the Spring Boot /error body a servlet filter's sendError
// produces; its timestamp varies, so it is compared field by field.
type SpringError struct {
	Status  int    `json:"status"`
	Error   string `json:"error"`
	Message string `json:"message"`
	Path    string `json:"path"`
}

// Rejection is one request and the real server's answer to it. Setup is
// sent first; each must answer 200. For a Spring /error JSON answer Spring
// is set instead of Body.
type Rejection struct {
	Name   string
	Setup  []Request
	Req    Request
	Status int
	CType  string
	Body   string
	Spring *SpringError
}

// Content types and the param checker's line end, as the real server sends
// them.
const (
	TextPlain = "text/plain;charset=UTF-8"
	AppJSON   = "application/json"
	NoType    = "" // the 2.4.3 param checker sets no Content-Type
	CRLF      = "\r\n"

	InstancePath = "/v1/ns/instance"
	portIllegal  = "Param 'port' is illegal, the value should be between 0 and 65535."
)

// PostInstance is a register with its parameters in the query.
func PostInstance(query string) Request {
	return Request{Method: "POST", Path: InstancePath + "?" + query}
}

func filterError(status int, msg string) *SpringError {
	return &SpringError{Status: status, Error: http.StatusText(status), Message: msg, Path: "/nacos" + InstancePath}
}
