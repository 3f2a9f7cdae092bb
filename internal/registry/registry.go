package registry

import (
	"sort"
	"sync"
	"time"
)

// Pusher delivers a service view to one subscriber. Protocol layers
// implement it (a UDP datagram for 1.x pollers, NotifySubscriberRequest on a
// gRPC stream for 2.x); the registry only hands views to it.
type Pusher interface {
	Push(v *View)
}

// Subscriber is a client that is pushed the view of a service on every
// change.
type Subscriber struct {
	// ID is unique among the service's subscribers (for example
	// "udp:127.0.0.1:54321", or a gRPC connection id).
	ID string
	// Owner is the gRPC connection id, whose closing removes the
	// subscription; empty for 1.x UDP subscribers.
	Owner       string
	Clusters    string // as the subscriber asked, echoed in every view
	HealthyOnly bool
	// Expires is the wall-clock instant after which the subscription has
	// lapsed (1.x push clients are zombies 10 s after their last poll);
	// zero means never.
	Expires time.Time
	Pusher  Pusher
}

// Push is one view to deliver to one subscriber.
type Push struct {
	Subscriber *Subscriber
	View       *View
}

// Transition is a health change the mock clock caused.
type Transition struct {
	Key      ServiceKey
	Instance Instance
	// Removed is true when the instance expired (no beat for the delete
	// timeout); false when it turned unhealthy.
	Removed bool
	At      time.Time
}

// Changes is what one operation changed, handed to Config.Notify after the
// registry's lock is released.
type Changes struct {
	Services    []ServiceKey
	Pushes      []Push
	Transitions []Transition
}

// Config wires a Registry to its clock and to the protocol layers.
type Config struct {
	Mode Mode
	// Now is the mock clock.
	Now func() time.Time
	// Wall is the wall clock (lastRefTime, subscriber lapses); time.Now by
	// default.
	Wall func() time.Time
	// Notify receives every non-empty batch of changes, synchronously, in
	// the goroutine that made them, without the registry lock held.
	Notify func(Changes)
}

// Registry holds every service of every namespace. It is safe for
// concurrent use.
type Registry struct {
	cfg Config

	mu       sync.Mutex
	services map[ServiceKey]*service
	subs     map[ServiceKey]map[string]*Subscriber
	// refs is the last lastRefTime handed out per service key, kept while
	// the service does not exist too (not created yet, or removed), so that
	// the views of one key a client is shown strictly increase: clients
	// drop a view whose lastRefTime is not newer than the one they hold.
	refs map[ServiceKey]int64
	// nextCheck is the earliest mock time at which some heartbeated
	// instance may change state (hasCheck false: none can). Requests only
	// sweep once the clock passes it, so a beat stays O(1) with many
	// instances.
	nextCheck time.Time
	hasCheck  bool
	// sealed: a restart has replaced this registry (Seal); no change lands.
	sealed bool
	// started is the mock time the registry was created: the 2.x empty
	// service cleaner runs at started+30 s and every 60 s after.
	started time.Time
}

// The 2.x server's EmptyServiceAutoCleanerV2: first run 30 s after start,
// then every nacos.naming.clean.empty-service.interval (60 s); it removes a
// service no client publishes to whose last update is at least
// nacos.naming.clean.empty-service.expired-time (60 s) old. Subscribers do
// not keep a service; services created through the API are not spared.
const (
	emptyCleanDelay    = 30 * time.Second
	emptyCleanInterval = 60 * time.Second
	emptyCleanExpiry   = 60 * time.Second
)

type service struct {
	key       ServiceKey
	instances map[instanceKey]*Instance
	// explicit: created or updated through the service API, so it has
	// stored service metadata (2.x applies the protect threshold only then).
	explicit         bool
	protectThreshold float64
	metadata         map[string]string
	selector         string
	// ephemeral is fixed when the service is first created (2.x refuses an
	// instance of the other kind).
	ephemeral bool
	// overlays are the 2.x instance metadata written by PUT/PATCH.
	overlays map[instanceKey]overlay
	// updated is the mock time of the last change (Service.lastUpdatedTime).
	updated time.Time
}

// New returns an empty registry.
func New(cfg Config) *Registry {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Wall == nil {
		cfg.Wall = time.Now
	}
	return &Registry{
		cfg:      cfg,
		started:  cfg.Now(),
		services: make(map[ServiceKey]*service),
		subs:     make(map[ServiceKey]map[string]*Subscriber),
		refs:     make(map[ServiceKey]int64),
	}
}

// Mode is the server generation imitated.
func (r *Registry) Mode() Mode { return r.cfg.Mode }

// tx collects what one locked operation changed.
type tx struct {
	r       *Registry
	now     time.Time
	changed []ServiceKey
	seen    map[ServiceKey]bool
	trans   []Transition
}

func (t *tx) touch(svc *service) {
	svc.updated = t.now
	if t.seen == nil {
		t.seen = make(map[ServiceKey]bool)
	}
	if !t.seen[svc.key] {
		t.seen[svc.key] = true
		t.changed = append(t.changed, svc.key)
	}
}

// update runs f under the lock, after sweeping expired instances, then
// delivers what changed.
func (r *Registry) update(f func(t *tx) error) error {
	return r.run(false, f)
}

// change is update for a request that changes the registry: a sealed one
// refuses it (ErrClosed).
func (r *Registry) change(f func(t *tx) error) error {
	return r.run(true, f)
}

func (r *Registry) run(changes bool, f func(t *tx) error) error {
	r.mu.Lock()
	if changes && r.sealed {
		r.mu.Unlock()
		return ErrClosed
	}
	t := &tx{r: r, now: r.cfg.Now()}
	r.sweepLocked(t)
	err := f(t)
	for _, key := range t.changed {
		if svc := r.services[key]; svc != nil {
			r.scheduleCleanLocked(svc)
		}
	}
	ch := r.changesLocked(t)
	r.mu.Unlock()
	r.deliver(ch)
	return err
}

func (r *Registry) changesLocked(t *tx) Changes {
	ch := Changes{Services: t.changed, Transitions: t.trans}
	if len(t.changed) == 0 {
		return ch
	}
	wall := r.cfg.Wall()
	for _, key := range t.changed {
		subs := r.subs[key]
		if len(subs) == 0 {
			continue
		}
		ids := make([]string, 0, len(subs))
		for id, s := range subs {
			if !s.Expires.IsZero() && wall.After(s.Expires) {
				delete(subs, id)
				continue
			}
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			s := subs[id]
			v := r.viewLocked(key, Selection{Clusters: s.Clusters, HealthyOnly: s.HealthyOnly})
			ch.Pushes = append(ch.Pushes, Push{Subscriber: s, View: v})
		}
	}
	return ch
}

func (r *Registry) deliver(ch Changes) {
	if r.cfg.Notify != nil && (len(ch.Services) > 0 || len(ch.Transitions) > 0) {
		r.cfg.Notify(ch)
	}
}

// serviceLocked returns the service, creating it (implicitly, as a
// registration does) when create is set.
func (r *Registry) serviceLocked(key ServiceKey, create bool, ephemeral bool) *service {
	svc := r.services[key]
	if svc == nil && create {
		svc = &service{key: key, instances: make(map[instanceKey]*Instance), metadata: map[string]string{}, ephemeral: ephemeral,
			updated: r.cfg.Now()}
		r.services[key] = svc
	}
	return svc
}

// bumpRefLocked returns the next lastRefTime of a service key, existing or
// not: the larger of the wall clock in milliseconds and the previous value
// + 1, so that every view a client receives is newer than the one it holds.
func (r *Registry) bumpRefLocked(key ServiceKey) int64 {
	v := r.cfg.Wall().UnixMilli()
	if prev := r.refs[key]; v <= prev {
		v = prev + 1
	}
	r.refs[key] = v
	return v
}

// Sweep applies every health transition due at the current mock time and
// delivers the resulting pushes before it returns.
func (r *Registry) Sweep() {
	_ = r.update(func(*tx) error { return nil })
}

// sweepLocked marks unhealthy and removes the heartbeated instances whose
// beats are overdue at t.now (nacos-protocol.md 2.1, 2.3).
func (r *Registry) sweepLocked(t *tx) {
	if !r.hasCheck || t.now.Before(r.nextCheck) {
		return
	}
	r.hasCheck = false
	for key, svc := range r.services {
		if due, ok := r.cleanDueLocked(svc); ok && !t.now.Before(due) {
			// Removed silently: the cleaner pushes nothing (subscribers
			// were shown the empty view when the service emptied).
			delete(r.services, key)
			continue
		}
		r.scheduleCleanLocked(svc)
		for k, in := range svc.instances {
			if !in.heartbeated() {
				continue
			}
			idle := t.now.Sub(in.LastBeat)
			if idle > in.DeleteTimeout() {
				delete(svc.instances, k)
				t.touch(svc)
				t.trans = append(t.trans, Transition{Key: svc.key, Instance: *in, Removed: true, At: t.now})
				continue
			}
			if in.Healthy && idle > in.BeatTimeout() {
				in.Healthy = false
				t.touch(svc)
				t.trans = append(t.trans, Transition{Key: svc.key, Instance: *in, At: t.now})
			}
			r.scheduleLocked(in)
		}
	}
}

// scheduleLocked lowers nextCheck to the instance's next transition.
func (r *Registry) scheduleLocked(in *Instance) {
	if !in.heartbeated() {
		return
	}
	var due time.Time
	if in.Healthy {
		due = in.LastBeat.Add(in.BeatTimeout())
	} else {
		due = in.LastBeat.Add(in.DeleteTimeout())
	}
	// Transitions happen once idle time is strictly greater than the
	// timeout, so the first instant to look is just after due.
	due = due.Add(time.Nanosecond)
	if !r.hasCheck || due.Before(r.nextCheck) {
		r.nextCheck = due
		r.hasCheck = true
	}
}

// cleanDueLocked is the run of the 2.x empty service cleaner that removes
// svc if nothing changes: the first run at least emptyCleanExpiry after its
// last update. ok is false when svc is not empty, or in 1.x mode (1.4.x
// cleans empty services only when configured to).
func (r *Registry) cleanDueLocked(svc *service) (due time.Time, ok bool) {
	if r.cfg.Mode == ModeV1 || len(svc.instances) > 0 {
		return time.Time{}, false
	}
	first := r.started.Add(emptyCleanDelay)
	earliest := svc.updated.Add(emptyCleanExpiry)
	if !earliest.After(first) {
		return first, true
	}
	runs := (earliest.Sub(first) + emptyCleanInterval - 1) / emptyCleanInterval
	return first.Add(runs * emptyCleanInterval), true
}

// scheduleCleanLocked lowers nextCheck to svc's removal by the cleaner.
func (r *Registry) scheduleCleanLocked(svc *service) {
	if due, ok := r.cleanDueLocked(svc); ok && (!r.hasCheck || due.Before(r.nextCheck)) {
		r.nextCheck, r.hasCheck = due, true
	}
}

// NextTransition is the earliest mock time at which a heartbeated instance
// changes state, if any.
func (r *Registry) NextTransition() (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nextCheck, r.hasCheck
}

// Reset forgets everything.
func (r *Registry) Reset() {
	r.mu.Lock()
	r.services = make(map[ServiceKey]*service)
	r.subs = make(map[ServiceKey]map[string]*Subscriber)
	r.hasCheck = false
	r.mu.Unlock()
}
