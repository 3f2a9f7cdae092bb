//go:build conformance

package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mocknacos/mocknacos/internal/httpcases"
)

// step is one generated operation: an HTTP request or a gRPC request.
type step struct {
	Name string
	// HTTP
	Method, Path, Form string
	Headers            map[string]string
	// gRPC (2.x)
	GRPCType, GRPCBody string
	// Read: the request changes nothing, so it may be sent again while the
	// real server settles.
	Read bool
	// Service and Config are the list and config-read queries observing
	// what the step changes, when it succeeds.
	Service, Config string
}

func (s step) String() string {
	if s.GRPCType != "" {
		return fmt.Sprintf("gRPC %s %s", s.GRPCType, s.GRPCBody)
	}
	out := s.Method + " " + s.Path
	if s.Form != "" {
		out += "  form: " + s.Form
	}
	return out
}

// answer is one server's answer to a step, as compared: the HTTP status,
// Content-Type and body; or the gRPC response type, resultCode, errorCode,
// message and body. Bodies that are JSON are compared as JSON values
// (numbers as written), after normalisation.
type answer struct {
	Status    int    `json:",omitempty"`
	CType     string `json:",omitempty"`
	Type      string `json:",omitempty"`
	ErrorCode int    `json:",omitempty"`
	Message   string `json:",omitempty"`
	Body      any    `json:",omitempty"`
	Err       string `json:",omitempty"`
}

// side is one server under test: the real one or the mock.
type side struct {
	name   string
	url    string
	grpc   *grpcClient
	prefix string
}

func (s step) withPrefix(prefix string) step {
	r := strings.NewReplacer(pfx, prefix)
	s.Path, s.Form, s.GRPCBody = r.Replace(s.Path), r.Replace(s.Form), r.Replace(s.GRPCBody)
	s.Service, s.Config = r.Replace(s.Service), r.Replace(s.Config)
	return s
}

// do sends the step (already prefixed) and returns the answer, normalised.
func (sd *side) do(s step) answer {
	if s.GRPCType != "" {
		if sd.grpc == nil {
			return answer{Err: "no gRPC connection"}
		}
		p, err := sd.grpc.call(s.GRPCType, []byte(s.GRPCBody))
		if err != nil {
			return answer{Err: err.Error()}
		}
		var head struct {
			ResultCode int    `json:"resultCode"`
			ErrorCode  int    `json:"errorCode"`
			Message    string `json:"message"`
		}
		_ = json.Unmarshal(p.Body, &head)
		return normalise(answer{Status: head.ResultCode, Type: p.Type, ErrorCode: head.ErrorCode, Message: head.Message, Body: parseBody(string(p.Body))}, sd.prefix)
	}
	a, err := sendWith(sd.url, httpcases.Request{Method: s.Method, Path: s.Path, Form: s.Form}, s.Headers)
	if err != nil {
		return answer{Err: err.Error()}
	}
	return normalise(answer{Status: a.Status, CType: a.CType, Body: parseBody(a.Body)}, sd.prefix)
}

// ok: the step succeeded, so what it names is worth observing.
func (a answer) ok() bool { return a.Status == 200 && a.Err == "" }

// parseBody is the body as a JSON value (numbers kept as written) when it is
// JSON, else the text.
func parseBody(b string) any {
	t := strings.TrimSpace(b)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return b
	}
	d := json.NewDecoder(bytes.NewReader([]byte(b)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return b
	}
	return v
}
