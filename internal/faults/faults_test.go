package faults

import "testing"

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
