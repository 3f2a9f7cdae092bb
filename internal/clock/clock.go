// Package clock is the mock's own clock: the wall clock plus an offset that
// Advance grows, or a frozen instant that only Advance moves.
//
// It drives server-side expiry only (beats, health, removal). Clients still
// beat on their real clocks, and gRPC connection liveness and auth tokens
// follow the wall clock (design.md, "What the mock clock does not move").
package clock

import (
	"sync"
	"time"
)

// Clock is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	frozen bool
	at     time.Time     // the frozen instant, when frozen
	offset time.Duration // added to the wall clock, when not frozen
}

// New returns a clock that follows the wall clock.
func New() *Clock { return &Clock{} }

// NewFrozen returns a clock stopped at the given instant; only Advance moves it.
func NewFrozen(at time.Time) *Clock { return &Clock{frozen: true, at: at} }

// Now is the mock time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at
	}
	return time.Now().Add(c.offset)
}

// Advance moves the mock time forward by d (a negative d is ignored: the
// server's expiry logic assumes time never runs backwards).
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		if c.frozen {
			c.at = c.at.Add(d)
		} else {
			c.offset += d
		}
	}
	if c.frozen {
		return c.at
	}
	return time.Now().Add(c.offset)
}

// Frozen reports whether only Advance moves the clock.
func (c *Clock) Frozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen
}

// Offset is how far the clock is ahead of the wall clock (for a frozen clock,
// the distance at the moment of the call).
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return time.Until(c.at)
	}
	return c.offset
}
