package journal

import (
	"sync"
)

// Journal is an ordered, concurrency-safe list of events, optionally capped
// to the newest N. Events are held compactly (compact.go) in a ring of at
// most N records.
type Journal struct {
	mu sync.Mutex
	// buf holds n records from start, circularly; with a cap, len(buf)
	// never exceeds it.
	buf     []record
	start   int
	n       int
	seq     int64
	limit   int
	dropped int64
	off     bool
	in      interner
}

// New returns a journal that keeps the newest limit events (0: all).
func New(limit int) *Journal { return &Journal{limit: max(limit, 0), off: limit < 0} }

// SetLimit changes the cap (0: unlimited); a negative limit turns
// recording off.
func (j *Journal) SetLimit(limit int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.off = limit < 0
	j.limit = max(limit, 0)
	if j.limit > 0 && j.n > j.limit {
		over := j.n - j.limit
		j.start = (j.start + over) % len(j.buf)
		j.n -= over
		j.dropped += int64(over)
	}
	j.resize(j.n)
}

// resize moves the records into a buffer of size max(size, n), oldest
// first.
func (j *Journal) resize(size int) {
	nb := make([]record, max(size, j.n))
	for i := 0; i < j.n; i++ {
		nb[i] = *j.at(i)
	}
	j.buf, j.start = nb, 0
}

func (j *Journal) at(i int) *record {
	i += j.start
	if i >= len(j.buf) {
		i -= len(j.buf)
	}
	return &j.buf[i]
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
	p := j.n
	for p > 0 && j.at(p-1).seq > e.Seq {
		p--
	}
	if j.limit > 0 && j.n == j.limit {
		if p == 0 {
			j.dropped++ // older than every event kept
			return e
		}
		j.start++
		if j.start == len(j.buf) {
			j.start = 0
		}
		j.n--
		p--
		j.dropped++
	}
	if j.n == len(j.buf) {
		size := max(64, 2*len(j.buf))
		if j.limit > 0 {
			size = min(size, j.limit)
		}
		j.resize(size)
	}
	for i := j.n; i > p; i-- {
		*j.at(i) = *j.at(i - 1)
	}
	*j.at(p) = j.in.pack(&e)
	j.n++
	return e
}

// Events returns the stored events, oldest first (at most the cap). The
// maps of their requests may be shared between events: read them only.
func (j *Journal) Events() []Event { return j.Select(nil) }

// Select returns the stored events that match selects (nil: all), oldest
// first. match sees an event without its Request.Params.
func (j *Journal) Select(match func(*Event) bool) []Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Event
	if match == nil {
		out = make([]Event, 0, j.n)
	}
	var e Event
	for i := 0; i < j.n; i++ {
		r := j.at(i)
		if match != nil {
			j.in.unpack(r, &e, false)
			if !match(&e) {
				continue
			}
		}
		out = append(out, Event{})
		j.in.unpack(r, &out[len(out)-1], true)
	}
	return out
}

// Count is len(Select(match)), without building the events it counts.
func (j *Journal) Count(match func(*Event) bool) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	c := 0
	var e Event
	for i := 0; i < j.n; i++ {
		j.in.unpack(j.at(i), &e, false)
		if match(&e) {
			c++
		}
	}
	return c
}

// Dropped is how many events the cap (or recording off) discarded.
func (j *Journal) Dropped() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.dropped
}

// Len is the number of stored events.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Reset forgets every event (the sequence keeps counting).
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.buf, j.start, j.n = nil, 0, 0
	j.dropped = 0
	// The tables that made the forgotten records share go too: they hold
	// up to maxHeads keys with their bodies, which no record needs now.
	j.in = interner{}
}
