// Package journal records every request the mock receives, in order, with
// what was answered. It is the Event type of the public package and the
// JSON Lines format the journal exports and replay reads.
package journal

import (
	"time"
)

// Kind says what a request did, in Nacos's words.
type Kind string

// Kinds of naming requests. More are added by the protocols that use them.
const (
	Register      Kind = "register"
	Deregister    Kind = "deregister"
	Beat          Kind = "beat"        // a 1.x HTTP beat
	HealthCheck   Kind = "healthcheck" // a 2.x gRPC HealthCheckRequest
	Subscribe     Kind = "subscribe"
	Unsubscribe   Kind = "unsubscribe"
	List          Kind = "list"   // instance list without a UDP port (a poll)
	Update        Kind = "update" // PUT /instance
	Patch         Kind = "patch"  // PATCH /instance
	Instance      Kind = "instance"
	BatchRegister Kind = "batch-register"
	ServiceCreate Kind = "service-create"
	ServiceUpdate Kind = "service-update"
	ServiceDelete Kind = "service-delete"
	ServiceGet    Kind = "service"
	ServiceList   Kind = "service-list"
	ServiceQuery  Kind = "service-query"
	Metrics       Kind = "metrics"
	Health        Kind = "health"
	Switches      Kind = "switches"
	Push          Kind = "push"    // a change pushed to a subscriber (UDP or gRPC)
	Unknown       Kind = "unknown" // a path or request type the mock does not serve
)

// Kinds of config and auth requests (nacos-protocol.md sections 3, 4 and
// 5.5). For config events, Namespace is the normalised tenant, Group the
// group and Service the dataId.
const (
	ConfigGet     Kind = "config-get"     // GET /v1/cs/configs, ConfigQueryRequest
	ConfigPublish Kind = "config-publish" // POST /v1/cs/configs, ConfigPublishRequest
	ConfigRemove  Kind = "config-remove"  // DELETE /v1/cs/configs, ConfigRemoveRequest
	ConfigListen  Kind = "config-listen"  // POST /v1/cs/configs/listener, ConfigBatchListenRequest
	ConfigPush    Kind = "config-push"    // a change answered to a held long poll, or ConfigChangeNotifyRequest
	Login         Kind = "login"          // POST /v1/auth/login, /v1/auth/users/login, /v3/auth/user/login
	AdminInit     Kind = "admin-init"     // POST /v1/auth/users/admin
)

// Protocols.
const (
	HTTP = "http"
	GRPC = "grpc"
)

// Event is one request the mock received and what it answered.
type Event struct {
	// Seq numbers events from 1 in the order they were recorded.
	Seq int64 `json:"seq"`
	// Time is the mock clock when the request was handled; WallTime the
	// wall clock.
	Time     time.Time `json:"time"`
	WallTime time.Time `json:"wallTime"`
	Protocol string    `json:"protocol"`
	Kind     Kind      `json:"kind"`

	// The service the request was about (Namespace normalised: "" and
	// absent are "public"; Service is the bare name).
	Namespace string `json:"namespace,omitempty"`
	Group     string `json:"group,omitempty"`
	Service   string `json:"service,omitempty"`
	Cluster   string `json:"cluster,omitempty"`
	// IP and Port are the instance's address; for a gRPC health check,
	// the connection's TCP peer.
	IP   string `json:"ip,omitempty"`
	Port int    `json:"port,omitempty"`

	// ConnectionID is the gRPC connection the request came on.
	ConnectionID string `json:"connectionId,omitempty"`
	// Remote is the client's address as the mock saw it.
	Remote string `json:"remote,omitempty"`

	// Rejected is set when the request was refused (an HTTP status other
	// than 200, or a gRPC error response); Error holds the reason.
	Rejected bool   `json:"rejected,omitempty"`
	Error    string `json:"error,omitempty"`
	// Fault describes the injected fault that hit this request, if any.
	Fault string `json:"fault,omitempty"`

	Request  Request  `json:"request"`
	Response Response `json:"response"`
}

// Request is a request as it crossed the wire.
type Request struct {
	// HTTP: Params are the query's and a form body's parameters merged
	// (what the server reads); Query is the raw query string as sent, so
	// that a replay sends each parameter where it was (1.4.x reads a POST's
	// parameters from the query only).
	Method string              `json:"method,omitempty"`
	Path   string              `json:"path,omitempty"`
	Query  string              `json:"query,omitempty"`
	Params map[string][]string `json:"params,omitempty"`
	// gRPC: the payload type (metadata.type) and its headers. HTTP: the
	// request headers the server reads (HTTPHeaders), first value each.
	Type    string            `json:"type,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the raw body (an HTTP form body, or a gRPC JSON body).
	Body string `json:"body,omitempty"`
}

// Response is an answer as it crossed the wire.
type Response struct {
	// Status is the HTTP status, or the gRPC resultCode.
	Status int `json:"status,omitempty"`
	// ErrorCode is the gRPC errorCode (or the beat's "code").
	ErrorCode int    `json:"errorCode,omitempty"`
	Type      string `json:"type,omitempty"`
	Body      string `json:"body,omitempty"`
}
