package mocknacos

import (
	"fmt"
	"time"
)

// WaitFor blocks until cond returns true or the timeout passes. cond is
// re-checked whenever the journal or the registry changes (never by polling
// on a timer), so it may read the journal or the mock's state.
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) error {
	return s.waitUntil(timeout, func() (bool, time.Time) { return cond(), time.Time{} })
}

// waitUntil is WaitFor for a condition that can also come true with time
// alone: cond gives, besides whether it holds, when to check again without
// a change (zero: only on a change).
func (s *Server) waitUntil(timeout time.Duration, cond func() (bool, time.Time)) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		changed := s.changed.wait()
		ok, again := cond()
		if ok {
			return nil
		}
		var recheck <-chan time.Time
		stopRecheck := func() bool { return false }
		if !again.IsZero() {
			t := time.NewTimer(time.Until(again))
			recheck, stopRecheck = t.C, t.Stop
		}
		select {
		case <-changed:
			stopRecheck()
		case <-recheck:
		case <-deadline.C:
			stopRecheck()
			if ok, _ := cond(); ok {
				return nil
			}
			return fmt.Errorf("mocknacos: condition not met within %v", timeout)
		case <-s.stop:
			stopRecheck()
			return fmt.Errorf("mocknacos: server closed while waiting")
		}
	}
}

// WaitForEvents waits until the journal holds at least n events that q
// selects, and returns them.
func (s *Server) WaitForEvents(q Query, n int, timeout time.Duration) ([]Event, error) {
	var got []Event
	err := s.WaitFor(timeout, func() bool {
		got = s.Find(q)
		return len(got) >= n
	})
	if err != nil {
		return got, fmt.Errorf("mocknacos: %d of %d %v events within %v", len(got), n, q, timeout)
	}
	return got, nil
}

// WaitForBeats waits until n beats from ip:port for the service arrived.
func (s *Server) WaitForBeats(service, ip string, port, n int, timeout time.Duration) error {
	_, err := s.WaitForEvents(Query{Kind: KindBeat, Service: service, IP: ip, Port: port}, n, timeout)
	return err
}

// WaitForHealthy waits until the service (in the public namespace) has
// exactly n healthy instances.
func (s *Server) WaitForHealthy(service string, n int, timeout time.Duration) error {
	got := 0
	err := s.WaitFor(timeout, func() bool {
		got = 0
		for _, in := range s.Instances(service) {
			if in.Healthy {
				got++
			}
		}
		return got == n
	})
	if err != nil {
		return fmt.Errorf("mocknacos: %s has %d healthy instances, want %d, after %v", service, got, n, timeout)
	}
	return nil
}

// WaitForInstances waits until the service (in the public namespace) has
// exactly n instances, healthy or not.
func (s *Server) WaitForInstances(service string, n int, timeout time.Duration) error {
	got := 0
	err := s.WaitFor(timeout, func() bool {
		got = len(s.Instances(service))
		return got == n
	})
	if err != nil {
		return fmt.Errorf("mocknacos: %s has %d instances, want %d, after %v", service, got, n, timeout)
	}
	return nil
}
