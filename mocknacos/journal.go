package mocknacos

import (
	"io"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Event is one request the mock received (or a push it sent) and what it
// answered. Time is the mock clock, WallTime the wall clock.
type Event = journal.Event

// Kind says what a request did.
type Kind = journal.Kind

// The kinds of events.
const (
	KindRegister    = journal.Register
	KindDeregister  = journal.Deregister
	KindBeat        = journal.Beat        // a 1.x HTTP beat
	KindHealthCheck = journal.HealthCheck // a 2.x gRPC health check
	KindSubscribe   = journal.Subscribe
	KindUnsubscribe = journal.Unsubscribe
	KindList        = journal.List // an instance list without a UDP port
	KindUpdate      = journal.Update
	KindPatch       = journal.Patch
	KindInstance    = journal.Instance // instance detail
	KindPush        = journal.Push
	KindUnknown     = journal.Unknown
)

// Protocols of events.
const (
	ProtocolHTTP = journal.HTTP
	ProtocolGRPC = journal.GRPC
)

// Journal returns every event so far, oldest first (the newest N when
// WithJournalLimit caps it).
func (s *Server) Journal() []Event { return s.journal.Events() }

// JournalDropped is how many events the journal's cap discarded.
func (s *Server) JournalDropped() int64 { return s.journal.Dropped() }

// Query selects events; zero fields match anything.
type Query struct {
	Kind     Kind
	Protocol string
	// Service is "name" or "group@@name"; a bare name matches any group.
	Service   string
	Namespace string // "" matches any namespace
	IP        string
	Port      int
	// Rejected, when set, matches only rejected (true) or only accepted
	// (false) requests.
	Rejected *bool
}

// Match reports whether e is selected by q.
func (q Query) Match(e *Event) bool {
	if q.Kind != "" && e.Kind != q.Kind {
		return false
	}
	if q.Protocol != "" && e.Protocol != q.Protocol {
		return false
	}
	if q.Service != "" {
		group, name := splitService(q.Service)
		if e.Service != name || (group != "" && e.Group != group) {
			return false
		}
	}
	if q.Namespace != "" && e.Namespace != registry.NormalizeNamespace(q.Namespace) {
		return false
	}
	if q.IP != "" && e.IP != q.IP {
		return false
	}
	if q.Port != 0 && e.Port != q.Port {
		return false
	}
	if q.Rejected != nil && e.Rejected != *q.Rejected {
		return false
	}
	return true
}

// Find returns the events q selects, oldest first.
func (s *Server) Find(q Query) []Event {
	return s.journal.Select(q.Match)
}

// Count is len(Find(q)).
func (s *Server) Count(q Query) int {
	return s.journal.Count(q.Match)
}

// ExportJournal writes the journal as JSON Lines: a header line naming the
// format and its version, then one event per line (see the README).
func (s *Server) ExportJournal(w io.Writer) error {
	return journal.WriteJSONL(w, s.journalHeader(), s.journal.Events())
}

// journalHeader is the first line of an export: its source (with the
// imitated server version, which the console shows), and how many events
// the cap had dropped.
func (s *Server) journalHeader() journal.Header {
	return journal.Header{Source: "mocknacos " + s.Addr() + " as Nacos " + string(s.opts.version), Dropped: s.journal.Dropped()}
}

// ResetJournal forgets every event recorded so far.
func (s *Server) ResetJournal() { s.journal.Reset() }

// splitService splits "group@@name"; a bare name has an empty group.
func splitService(s string) (group, name string) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '@' && s[i+1] == '@' {
			return s[:i], s[i+2:]
		}
	}
	return "", s
}
