// Package faults holds the faults a test injects: which requests they hit
// and what happens to them. It does no I/O; the protocol layers ask Match
// for every request and carry the fault out.
package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Rule is one injected fault.
type Rule struct {
	ID int `json:"id"`

	// What it hits (empty fields match anything).
	Protocol string `json:"protocol,omitempty"` // "http" or "grpc"
	// Path is an HTTP path ("/nacos/v1/ns/instance/beat"); a trailing "*"
	// matches a prefix.
	Path string `json:"path,omitempty"`
	// Method is an HTTP method.
	Method string `json:"method,omitempty"`
	// Type is a gRPC request type ("InstanceRequest").
	Type string `json:"type,omitempty"`
	// Service is the bare service name, or "group@@name".
	Service string `json:"service,omitempty"`

	// What it does. Delay applies first, then one of Status (an error
	// answer), Drop (the connection is closed without an answer) or
	// Discard (a success answer, but the request is not applied).
	Delay time.Duration `json:"-"` // "delay" in JSON, as a duration: "500ms"
	// Status is the HTTP status of an error answer whose body is Message
	// (the status text when empty). For gRPC it is the code of an
	// ErrorResponse, the answer the real server gives when a handler throws
	// (resultCode and errorCode both Status; nacos-sdk-go v2 retries it up
	// to 3 times, the Java client throws) or, with Filter, of a refusal.
	Status  int    `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Filter (gRPC) answers an error as a request filter refuses (the auth
	// or TPS-control filter): in the handler's own response type, resultCode
	// 500 and errorCode Status, which clients take as a plain failure
	// (nacos-sdk-go v2 returns false without an error and does not retry).
	Filter  bool `json:"filter,omitempty"`
	Drop    bool `json:"drop,omitempty"`
	Discard bool `json:"discard,omitempty"`

	// Count is how many requests it hits; 0 means until cleared.
	Count int `json:"count,omitempty"`
	// Hits is how many it has hit so far.
	Hits int `json:"hits"`
}

// Describe is how a hit shows in the journal: the rule's id and what it
// did; statusWord names its Status ("status" for HTTP, "errorCode" for
// gRPC).
func (r Rule) Describe(statusWord string) string {
	var parts []string
	if r.Delay > 0 {
		parts = append(parts, "delay "+r.Delay.String())
	}
	switch {
	case r.Drop:
		parts = append(parts, "drop")
	case r.Discard:
		parts = append(parts, "discard")
	case r.Status != 0 && r.Filter:
		parts = append(parts, fmt.Sprintf("refused, %s %d", statusWord, r.Status))
	case r.Status != 0:
		parts = append(parts, fmt.Sprintf("%s %d", statusWord, r.Status))
	}
	return fmt.Sprintf("#%d %s", r.ID, strings.Join(parts, ", "))
}

// Request is what a protocol layer knows of a request when it asks.
type Request struct {
	Protocol string
	Method   string
	Path     string
	Type     string
	Group    string
	Service  string
}

func (r *Rule) matches(q Request) bool {
	if r.Protocol != "" && r.Protocol != q.Protocol {
		return false
	}
	if r.Method != "" && !strings.EqualFold(r.Method, q.Method) {
		return false
	}
	if r.Path != "" {
		if p, ok := strings.CutSuffix(r.Path, "*"); ok {
			if !strings.HasPrefix(q.Path, p) {
				return false
			}
		} else if r.Path != q.Path {
			return false
		}
	}
	if r.Type != "" && r.Type != q.Type {
		return false
	}
	if r.Service != "" {
		group, name, grouped := strings.Cut(r.Service, "@@")
		if !grouped {
			group, name = "", r.Service
		}
		if name != q.Service || (group != "" && group != q.Group) {
			return false
		}
	}
	return true
}

// Set is the faults in force. It is safe for concurrent use.
type Set struct {
	mu     sync.Mutex
	rules  []*Rule
	nextID int
}

// Add installs a rule and returns its id.
func (s *Set) Add(r Rule) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	r.ID, r.Hits = s.nextID, 0
	s.rules = append(s.rules, &r)
	return r.ID
}

// Match returns a copy of the first rule that hits q, counting the hit and
// retiring the rule once its count is used up.
func (s *Set) Match(q Request) (Rule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if !r.matches(q) {
			continue
		}
		r.Hits++
		hit := *r
		if r.Count > 0 && r.Hits >= r.Count {
			s.rules = append(s.rules[:i], s.rules[i+1:]...)
		}
		return hit, true
	}
	return Rule{}, false
}

// Remove clears one rule; it reports whether it was in force.
func (s *Set) Remove(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.ID == id {
			s.rules = append(s.rules[:i], s.rules[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every rule.
func (s *Set) Clear() {
	s.mu.Lock()
	s.rules = nil
	s.mu.Unlock()
}

// Rules lists the rules in force, by id.
func (s *Set) Rules() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rule, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ruleJSON is a Rule in JSON, its delay a duration string ("500ms") both
// ways, so that a listed rule can be posted back.
type ruleJSON struct {
	ruleFields
	Delay string `json:"delay,omitempty"`
}

type ruleFields Rule

// MarshalJSON writes the delay as a duration string.
func (r Rule) MarshalJSON() ([]byte, error) {
	j := ruleJSON{ruleFields: ruleFields(r)}
	if r.Delay > 0 {
		j.Delay = r.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the delay as a duration string; unknown fields are
// refused, so that a misspelt one cannot make a fault hit everything.
func (r *Rule) UnmarshalJSON(b []byte) error {
	var j ruleJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*r = Rule(j.ruleFields)
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil || d < 0 {
			return fmt.Errorf("delay: want a duration such as 500ms, got %q", j.Delay)
		}
		r.Delay = d
	}
	return nil
}
