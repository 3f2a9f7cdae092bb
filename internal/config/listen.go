package config

import "time"

// Watch is a config key as a listener sent it. Tenant is kept verbatim:
// lookups normalise it, but a notification carries back the listener's own
// spelling, because clients drop a change whose key does not match theirs
// exactly (issue 5, nacos-protocol.md 5.5).
type Watch struct {
	DataID string
	Group  string
	Tenant string
}

func (w Watch) key() Key { return NewKey(w.DataID, w.Group, w.Tenant) }

// Probe is a watched key with the md5 the client holds ("" for none).
type Probe struct {
	Watch
	MD5 string
}

// Listener is told about changes to the keys it listens to: an HTTP long
// poll, or a gRPC connection. Changed is called after the change is stored,
// outside the store's lock, on the goroutine that made the change, once per
// key the listener sent (with its spelling of the tenant). It must not
// block for long. A Listener is a map key: use a pointer.
type Listener interface {
	Changed(w Watch)
}

// Listen adds l as a listener of every probed key and returns the probed
// keys whose server md5 differs from the client's (section 4.4: a missing
// config has md5 ""). Both happen under one lock, so no change between the
// comparison and the registration is missed.
func (s *Store) Listen(l Listener, probes []Probe) []Watch {
	defer s.observe()
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []Watch
	for _, p := range probes {
		k := p.key()
		md5 := ""
		if it, ok := s.items[k]; ok {
			md5 = it.MD5
		}
		if md5 != p.MD5 {
			changed = append(changed, p.Watch)
		}
		ls := s.listeners[k]
		if ls == nil {
			ls = map[Listener][]Watch{}
			s.listeners[k] = ls
		}
		if !containsWatch(ls[l], p.Watch) {
			ls[l] = append(ls[l], p.Watch)
		}
	}
	return changed
}

// Compare is Listen without listening: the probed keys whose md5 differs.
func (s *Store) Compare(probes []Probe) []Watch {
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []Watch
	for _, p := range probes {
		md5 := ""
		if it, ok := s.items[p.key()]; ok {
			md5 = it.MD5
		}
		if md5 != p.MD5 {
			changed = append(changed, p.Watch)
		}
	}
	return changed
}

// Unlisten stops l listening to the given keys (a gRPC
// ConfigBatchListenRequest with listen=false).
func (s *Store) Unlisten(l Listener, ws []Watch) {
	defer s.observe()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range ws {
		k := w.key()
		ls := s.listeners[k]
		if ls == nil {
			continue
		}
		kept := ls[l][:0]
		for _, have := range ls[l] {
			if have != w {
				kept = append(kept, have)
			}
		}
		if len(kept) == 0 {
			delete(ls, l)
		} else {
			ls[l] = kept
		}
		if len(ls) == 0 {
			delete(s.listeners, k)
		}
	}
}

// UnlistenAll forgets l everywhere (a long poll that ended, a gRPC
// connection that closed).
func (s *Store) UnlistenAll(l Listener) {
	defer s.observe()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, ls := range s.listeners {
		delete(ls, l)
		if len(ls) == 0 {
			delete(s.listeners, k)
		}
	}
}

// Listeners counts the listeners of a key (any spelling of its tenant).
func (s *Store) Listeners(dataID, group, tenant string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.listeners[NewKey(dataID, group, tenant)])
}

// Settling is a Listener that may not be ready for a change yet: a client
// still taking in its listen answer (see the gRPC listener). ReadyAt is
// when it will be; a listener that is not Settling is ready at once (a held
// long poll is answered with the change).
type Settling interface {
	ReadyAt() time.Time
}

// ReadyListeners counts the listeners of a key that are ready at now, and
// gives the earliest time a listener not yet ready will be (zero: none).
func (s *Store) ReadyListeners(dataID, group, tenant string, now time.Time) (ready int, next time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range s.listeners[NewKey(dataID, group, tenant)] {
		if st, ok := l.(Settling); ok {
			if at := st.ReadyAt(); at.After(now) {
				if next.IsZero() || at.Before(next) {
					next = at
				}
				continue
			}
		}
		ready++
	}
	return ready, next
}

type note struct {
	l Listener
	w Watch
}

// changedLocked collects who to tell about a change to k. Tag variants
// have no listeners here (a tagged change reaches only clients that listen
// with that Vipserver-Tag, which the mock does not model).
func (s *Store) changedLocked(k Key) []note {
	if k.Tag != "" {
		return nil
	}
	var out []note
	for l, ws := range s.listeners[k] {
		for _, w := range ws {
			out = append(out, note{l, w})
		}
	}
	return out
}

func notify(notes []note) {
	for _, n := range notes {
		n.l.Changed(n.w)
	}
}

func containsWatch(ws []Watch, w Watch) bool {
	for _, have := range ws {
		if have == w {
			return true
		}
	}
	return false
}
