package config

// Hook is told of every change to an untagged config after it is stored:
// the key, and whether it was removed. It runs on the goroutine that made
// the change, outside the store's lock, and must not block for long.
type Hook func(k Key, removed bool)

type hookEntry struct{ h Hook }

// AddHook adds h (fuzzy watch: a pattern rather than one key); the returned
// func removes it.
func (s *Store) AddHook(h Hook) (remove func()) {
	e := &hookEntry{h}
	s.mu.Lock()
	s.hooks = append(s.hooks, e)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, have := range s.hooks {
			if have == e {
				s.hooks = append(s.hooks[:i:i], s.hooks[i+1:]...)
				return
			}
		}
	}
}

// runHooks tells the hooks of a change to k (untagged only).
func (s *Store) runHooks(k Key, removed bool) {
	if k.Tag != "" {
		return
	}
	s.mu.Lock()
	hs := append([]*hookEntry(nil), s.hooks...)
	s.mu.Unlock()
	for _, e := range hs {
		e.h(k, removed)
	}
}
