package faults

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMatchCountsAndRetires(t *testing.T) {
	var s Set
	id := s.Add(Rule{Path: "/nacos/v1/ns/instance/beat", Service: "orders", Status: 500, Count: 2})
	s.Add(Rule{Protocol: "grpc", Type: "InstanceRequest", Drop: true})
	beat := Request{Protocol: "http", Method: "PUT", Path: "/nacos/v1/ns/instance/beat", Group: "DEFAULT_GROUP", Service: "orders"}
	for i := 0; i < 2; i++ {
		r, ok := s.Match(beat)
		if !ok || r.ID != id || r.Hits != i+1 {
			t.Fatalf("hit %d: %+v %v", i, r, ok)
		}
	}
	if _, ok := s.Match(beat); ok {
		t.Fatal("a rule with Count 2 must retire after two hits")
	}
	if _, ok := s.Match(Request{Protocol: "http", Path: "/nacos/v1/ns/instance/beat", Service: "payments"}); ok {
		t.Fatal("another service must not match")
	}
	if r, ok := s.Match(Request{Protocol: "grpc", Type: "InstanceRequest"}); !ok || !r.Drop {
		t.Fatal("grpc rule must match until cleared")
	}
	s.Clear()
	if len(s.Rules()) != 0 {
		t.Fatal("Clear")
	}
}

func TestPrefixAndGroupedService(t *testing.T) {
	var s Set
	s.Add(Rule{Path: "/nacos/v1/ns/*", Service: "G@@orders"})
	if _, ok := s.Match(Request{Path: "/nacos/v1/ns/instance", Group: "DEFAULT_GROUP", Service: "orders"}); ok {
		t.Fatal("group must match when named")
	}
	if _, ok := s.Match(Request{Path: "/nacos/v1/ns/instance", Group: "G", Service: "orders"}); !ok {
		t.Fatal("prefix and grouped service must match")
	}
}

// TestRuleJSONRoundTrip: a listed rule can be posted back: its delay is a
// duration string both ways, and a misspelt field is refused.
func TestRuleJSONRoundTrip(t *testing.T) {
	in := Rule{ID: 3, Type: "InstanceRequest", Delay: 1500 * time.Millisecond, Status: 503, Filter: true, Count: 2}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":3,"type":"InstanceRequest","status":503,"filter":true,"count":2,"hits":0,"delay":"1.5s"}`; string(b) != want {
		t.Fatalf("marshalled %s, want %s", b, want)
	}
	var out Rule
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"path":"/x","dely":"1s"}`), &out); err == nil {
		t.Fatal("a misspelt field must be refused")
	}
	if err := json.Unmarshal([]byte(`{"path":"/x","delay":"soon"}`), &out); err == nil || !strings.Contains(err.Error(), "500ms") {
		t.Fatalf("a bad delay: %v", err)
	}
}
