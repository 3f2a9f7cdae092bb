package registry

import "errors"

// ErrClosed refuses a change to a registry that a restart has sealed.
var ErrClosed = errors.New("server is restarting")

// Seal ends this registry's life as a server restart does, at one instant:
// every later change to it is refused with ErrClosed, so a request still in
// flight to the old server can neither reach the new state nor be answered
// as if it had. It returns a new registry, wired by cfg, holding what a
// real server keeps across a restart: services created through the service
// API (with their metadata) and persistent instances, which the real server
// stores in its database. Ephemeral instances and every subscription are
// lost, as they are when a Nacos server restarts. The lastRefTime of every
// key carries over, so that a client's cached view never looks newer than
// the first one it is shown after the restart (the real server's restart
// takes seconds of wall clock; the mock's does not).
func (r *Registry) Seal(cfg Config) *Registry {
	next := New(cfg)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sealed = true
	for key, v := range r.refs {
		next.refs[key] = v
	}
	for key, svc := range r.services {
		kept := &service{key: key, instances: make(map[instanceKey]*Instance), explicit: svc.explicit,
			protectThreshold: svc.protectThreshold, metadata: svc.metadata, selector: svc.selector,
			ephemeral: svc.ephemeral, overlays: svc.overlays, updated: next.started}
		for k, in := range svc.instances {
			if !in.Ephemeral {
				c := *in
				kept.instances[k] = &c
			}
		}
		if svc.explicit || len(kept.instances) > 0 {
			next.services[key] = kept
		}
	}
	return next
}
