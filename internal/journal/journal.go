package journal

import (
	"sync"
)

// Journal is an ordered, concurrency-safe list of events, optionally capped
// to the newest N.
type Journal struct {
	mu      sync.Mutex
	events  []Event
	seq     int64
	limit   int
	dropped int64
	off     bool
}

// New returns a journal that keeps the newest limit events (0: all).
func New(limit int) *Journal { return &Journal{limit: limit} }

// SetLimit changes the cap (0: unlimited); a negative limit turns
// recording off.
func (j *Journal) SetLimit(limit int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.off = limit < 0
	if limit < 0 {
		limit = 0
	}
	j.limit = limit
	j.trimLocked()
}

// Reserve takes the next sequence number for an event that is recorded
// later: a request numbered when it arrives keeps its place before the
// pushes it causes, which are recorded while it is handled.
func (j *Journal) Reserve() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	return j.seq
}

// Append stores e: with the next sequence number, or, when e.Seq was
// reserved, in its place among the events already stored.
func (j *Journal) Append(e Event) Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	if e.Seq == 0 {
		j.seq++
		e.Seq = j.seq
	}
	if j.off {
		j.dropped++
		return e
	}
	i := len(j.events)
	for i > 0 && j.events[i-1].Seq > e.Seq {
		i--
	}
	j.events = append(j.events, Event{})
	copy(j.events[i+1:], j.events[i:])
	j.events[i] = e
	j.trimLocked()
	return e
}

// trimLocked drops the oldest events beyond the cap. It compacts only when
// the slice holds twice the cap, so appends stay amortised O(1).
func (j *Journal) trimLocked() {
	if j.limit <= 0 || len(j.events) <= j.limit {
		return
	}
	if len(j.events) < 2*j.limit && cap(j.events) >= 2*j.limit {
		return
	}
	over := len(j.events) - j.limit
	j.dropped += int64(over)
	kept := make([]Event, j.limit, 2*j.limit)
	copy(kept, j.events[over:])
	j.events = kept
}

// Events returns a copy of the stored events, oldest first (at most the cap).
func (j *Journal) Events() []Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	start := 0
	if j.limit > 0 && len(j.events) > j.limit {
		start = len(j.events) - j.limit
	}
	out := make([]Event, len(j.events)-start)
	copy(out, j.events[start:])
	return out
}

// Dropped is how many events the cap (or recording off) discarded.
func (j *Journal) Dropped() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	d := j.dropped
	if j.limit > 0 && len(j.events) > j.limit {
		d += int64(len(j.events) - j.limit)
	}
	return d
}

// Len is the number of stored events.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.limit > 0 && len(j.events) > j.limit {
		return j.limit
	}
	return len(j.events)
}

// Reset forgets every event (the sequence keeps counting).
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events = nil
	j.dropped = 0
}
