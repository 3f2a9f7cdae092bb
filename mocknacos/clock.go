package mocknacos

import "time"

// Now is the mock clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the mock clock forward by d. Every health transition it
// causes (healthy -> unhealthy -> removed), and every push to subscribers
// that results, has happened when it returns. It moves server-side expiry
// only: clients keep beating on their own clocks, and gRPC connections and
// auth tokens follow the wall clock.
func (s *Server) Advance(d time.Duration) {
	s.clock.Advance(d)
	s.registry().Sweep()
}
