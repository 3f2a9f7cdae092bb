package registry

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// OwnerHTTP is the 2.x client id of an HTTP-registered instance
// (IpPortBasedClient): "ip:port#ephemeral".
func OwnerHTTP(ip string, port int, ephemeral bool) string {
	return ip + ":" + strconv.Itoa(port) + "#" + strconv.FormatBool(ephemeral)
}

// Register stores (or replaces) an instance. Cluster defaults to DEFAULT and
// InstanceID to the simple generator's id; Owner defaults to the HTTP client
// id.
func (r *Registry) Register(key ServiceKey, in Instance) error {
	return r.change(func(t *tx) error { return r.registerLocked(t, key, in) })
}

func (r *Registry) registerLocked(t *tx, key ServiceKey, in Instance) error {
	if in.Cluster == "" {
		in.Cluster = DefaultCluster
	}
	if in.Metadata == nil {
		in.Metadata = map[string]string{}
	}
	if in.Owner == "" {
		in.Owner = OwnerHTTP(in.IP, in.Port, in.Ephemeral)
	}
	svc := r.services[key]
	if svc != nil && r.cfg.Mode != ModeV1 && svc.ephemeral != in.Ephemeral {
		// EphemeralClientOperationServiceImpl / PersistentClientOperationServiceImpl
		// refuse an instance of the other kind (a NacosRuntimeException).
		kind := "persistent service, can't register ephemeral"
		if !in.Ephemeral {
			kind = "ephemeral service, can't register persistent"
		}
		return &Error{Status: 400, Runtime: true, Msg: fmt.Sprintf("Current service %s is %s instance.", key.Grouped(), kind)}
	}
	svc = r.serviceLocked(key, true, in.Ephemeral)
	if in.InstanceID == "" {
		in.InstanceID = SimpleInstanceID(in.IP, in.Port, in.Cluster, key.Grouped())
	}
	k := r.keyOf(&in)
	in.published = in.Metadata
	if o, ok := svc.overlays[k.addr()]; ok && r.cfg.Mode != ModeV1 {
		o.apply(&in)
	}
	in.LastBeat = t.now
	in.Registered = t.now
	if old := svc.instances[k]; old != nil {
		in.Registered = old.Registered
	}
	stored := in
	svc.instances[k] = &stored
	r.scheduleLocked(&stored)
	t.touch(svc)
	return nil
}

// Deregister removes the instance at ip:port. In 2.x mode the cluster is not
// part of the match (a client publishes one instance per service); in 1.x
// mode it is. A non-empty owner must match. It reports whether anything was
// removed; removing nothing is not an error (the real server answers ok).
func (r *Registry) Deregister(key ServiceKey, cluster, ip string, port int, owner string) bool {
	removed := false
	_ = r.change(func(t *tx) error {
		svc := r.services[key]
		if svc == nil {
			return nil
		}
		for k, in := range svc.instances {
			if in.IP != ip || in.Port != port || (owner != "" && in.Owner != owner) {
				continue
			}
			if r.cfg.Mode == ModeV1 && in.Cluster != clusterOrDefault(cluster) {
				continue
			}
			delete(svc.instances, k)
			removed = true
			t.touch(svc)
		}
		return nil
	})
	return removed
}

// ErrInstanceNotFound is wrapped by the 404 answers of a missing instance.
var ErrInstanceNotFound = errors.New("instance not found")

func clusterOrDefault(c string) string {
	if c == "" {
		return DefaultCluster
	}
	return c
}

// InstancePatch lists the fields an update or patch sets (nil: unchanged).
type InstancePatch struct {
	Weight   *float64
	Enabled  *bool
	Healthy  *bool             // 1.x only: the health of a persistent instance
	Metadata map[string]string // nil: unchanged
}

// overlay is the 2.x server's InstanceMetadata: kept per ip:port:cluster,
// applied on top of what the client published, surviving re-registration.
type overlay struct {
	weight   float64
	enabled  bool
	metadata map[string]string
}

// Update changes an instance's weight, enabled flag and metadata, as
// PUT /instance (requireInstance false) and PATCH /instance (true) do.
//
// In 2.x mode it writes the instance metadata overlay: its metadata keys are
// merged over the ones the client published, it may name an instance that
// is not registered (yet), and a PATCH starts from the overlay's defaults
// (weight 1, enabled) when there is none. In 1.x mode the instance must
// exist and its fields are replaced.
func (r *Registry) Update(key ServiceKey, cluster, ip string, port int, p InstancePatch, requireInstance bool) error {
	return r.change(func(t *tx) error {
		svc := r.services[key]
		if svc == nil && !requireInstance {
			return ErrServiceNotFound
		}
		k := instanceKey{clusterOrDefault(cluster), ip, port, ""}
		in, err := r.findLocked(svc, key, k.cluster, ip, port)
		if err != nil && (requireInstance || r.cfg.Mode == ModeV1) {
			return err
		}
		if r.cfg.Mode == ModeV1 {
			if p.Weight != nil {
				in.Weight = *p.Weight
			}
			if p.Enabled != nil {
				in.Enabled = *p.Enabled
			}
			if p.Healthy != nil && !in.Ephemeral {
				in.Healthy = *p.Healthy
			}
			if p.Metadata != nil {
				in.Metadata, in.published = p.Metadata, p.Metadata
			}
		} else {
			o := overlay{weight: 1, enabled: true, metadata: map[string]string{}}
			if old, ok := svc.overlays[k]; ok && requireInstance {
				o = old
			}
			if p.Weight != nil {
				o.weight = *p.Weight
			}
			if p.Enabled != nil {
				o.enabled = *p.Enabled
			}
			if p.Metadata != nil {
				o.metadata = p.Metadata
			}
			if svc.overlays == nil {
				svc.overlays = make(map[instanceKey]overlay)
			}
			svc.overlays[k] = o
			// The overlay is per address: every client's copy gets it.
			for _, m := range r.matchingLocked(svc, k.cluster, ip, port) {
				o.apply(m)
				r.scheduleLocked(m)
			}
		}
		if in != nil {
			r.scheduleLocked(in)
			t.touch(svc)
		}
		return nil
	})
}

func (o overlay) apply(in *Instance) {
	in.Weight, in.Enabled = o.weight, o.enabled
	if len(o.metadata) == 0 {
		in.Metadata = in.published
		return
	}
	md := make(map[string]string, len(in.published)+len(o.metadata))
	for k, v := range in.published {
		md[k] = v
	}
	for k, v := range o.metadata {
		md[k] = v
	}
	in.Metadata = md
}

func (r *Registry) findLocked(svc *service, key ServiceKey, cluster, ip string, port int) (*Instance, error) {
	if svc == nil || len(svc.instances) == 0 {
		return nil, &Error{Status: 404, Msg: "no ips found for cluster " + cluster + " in service " + key.Grouped(), Kind: ErrInstanceNotFound}
	}
	if m := r.matchingLocked(svc, cluster, ip, port); len(m) > 0 {
		return m[0], nil
	}
	return nil, &Error{Status: 404, Msg: "no matched ip found!", Kind: ErrInstanceNotFound}
}

// matchingLocked returns the instances stored at cluster/ip:port: at most
// one in 1.x mode; in 2.x mode one per client that published it, ordered by
// owner so that the first is always the same one.
func (r *Registry) matchingLocked(svc *service, cluster, ip string, port int) []*Instance {
	if svc == nil {
		return nil
	}
	if r.cfg.Mode == ModeV1 {
		if in := svc.instances[instanceKey{cluster, ip, port, ""}]; in != nil {
			return []*Instance{in}
		}
		return nil
	}
	var out []*Instance
	for k, in := range svc.instances {
		if k.cluster == cluster && k.ip == ip && k.port == port {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Owner < out[j].Owner })
	return out
}

// Instance returns a copy of the instance at cluster/ip:port.
func (r *Registry) Instance(key ServiceKey, cluster, ip string, port int) (Instance, error) {
	var out Instance
	err := r.update(func(t *tx) error {
		in, err := r.findLocked(r.services[key], key, clusterOrDefault(cluster), ip, port)
		if err == nil {
			out = *in
		}
		return err
	})
	return out, err
}

// BeatInfo is the "beat" JSON of a full beat (RsInfo on the server).
type BeatInfo struct {
	IP        string
	Port      int
	Cluster   string
	Weight    float64
	Ephemeral bool
	Metadata  map[string]string
}

// Beat result codes (ResponseCode.OK, NamingResponseCode.RESOURCE_NOT_FOUND).
const (
	BeatOK       = 10200
	BeatNotFound = 20404
)

// BeatResult is the answer to a beat.
type BeatResult struct {
	Code int
	// Interval is the clientBeatInterval to answer: the instance's
	// preserved.heart.beat.interval, or 5 s.
	Interval int64
	// Registered is true when a full beat re-registered an unknown instance.
	Registered bool
}

// Beat refreshes an instance's last beat. An unknown instance is
// re-registered from a full beat (info non-nil) or answered 20404 for a
// light beat (nacos-protocol.md 1.5).
func (r *Registry) Beat(key ServiceKey, cluster, ip string, port int, info *BeatInfo) (BeatResult, error) {
	res := BeatResult{Code: BeatOK, Interval: DefaultBeatInterval.Milliseconds()}
	err := r.change(func(t *tx) error {
		in := r.beatTargetLocked(key, cluster, ip, port)
		if in == nil {
			if info == nil {
				res.Code = BeatNotFound
				return nil
			}
			md := info.Metadata
			if md == nil {
				md = map[string]string{}
			}
			reg := Instance{IP: info.IP, Port: info.Port, Cluster: clusterOrDefault(info.Cluster), Weight: info.Weight,
				Healthy: true, Enabled: true, Ephemeral: info.Ephemeral, Metadata: md, Source: SourceHTTP}
			if err := r.registerLocked(t, key, reg); err != nil {
				return err
			}
			res.Registered = true
			if in = r.beatTargetLocked(key, reg.Cluster, reg.IP, reg.Port); in == nil {
				return errorf(500, "service not found: "+key.Grouped()+"@"+key.Namespace)
			}
		}
		in.LastBeat = t.now
		if !in.Healthy && !in.Marked {
			in.Healthy = true
			t.touch(r.services[key])
		}
		r.scheduleLocked(in)
		res.Interval = in.BeatInterval().Milliseconds()
		return nil
	})
	return res, err
}

// BeatAnswer is what Beat would answer, without applying the beat: a beat
// discarded by an injected fault is answered so, with the interval the
// client then beats at (the instance's preserved.heart.beat.interval, as
// InstanceController.beat answers).
func (r *Registry) BeatAnswer(key ServiceKey, cluster, ip string, port int, info *BeatInfo) BeatResult {
	res := BeatResult{Code: BeatOK, Interval: DefaultBeatInterval.Milliseconds()}
	_ = r.update(func(t *tx) error {
		switch in := r.beatTargetLocked(key, cluster, ip, port); {
		case in != nil:
			res.Interval = in.BeatInterval().Milliseconds()
		case info == nil:
			res.Code = BeatNotFound
		default: // a full beat would register the instance it carries
			res.Interval = (&Instance{Metadata: info.Metadata}).BeatInterval().Milliseconds()
		}
		return nil
	})
	return res
}

// beatTargetLocked finds the HTTP instance a beat is for: by ip:port in 2.x
// (the IpPortBasedClient), by cluster, ip and port in 1.x.
func (r *Registry) beatTargetLocked(key ServiceKey, cluster, ip string, port int) *Instance {
	svc := r.services[key]
	if svc == nil {
		return nil
	}
	if r.cfg.Mode == ModeV1 {
		return svc.instances[instanceKey{clusterOrDefault(cluster), ip, port, ""}]
	}
	direct := svc.instances[instanceKey{clusterOrDefault(cluster), ip, port, OwnerHTTP(ip, port, true)}]
	if direct != nil && direct.Source == SourceHTTP && direct.Ephemeral {
		return direct // the usual case: the beat names the instance's cluster
	}
	for _, in := range svc.instances {
		if in.IP == ip && in.Port == port && in.Source == SourceHTTP && in.Ephemeral {
			return in
		}
	}
	return nil
}

// ReplaceOwned makes owner's instances of a service exactly the given set
// (BatchInstanceRequest semantics).
func (r *Registry) ReplaceOwned(key ServiceKey, owner string, ins []Instance) error {
	return r.change(func(t *tx) error {
		if svc := r.services[key]; svc != nil {
			for k, in := range svc.instances {
				if in.Owner == owner {
					delete(svc.instances, k)
					t.touch(svc)
				}
			}
		}
		for _, in := range ins {
			in.Owner = owner
			if err := r.registerLocked(t, key, in); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveOwner drops every instance and subscription a client owns (a gRPC
// connection that closed) and pushes the new views to the remaining
// subscribers.
func (r *Registry) RemoveOwner(owner string) {
	_ = r.update(func(t *tx) error {
		for _, svc := range r.services {
			for k, in := range svc.instances {
				if in.Owner == owner {
					delete(svc.instances, k)
					t.touch(svc)
				}
			}
		}
		for _, subs := range r.subs {
			for id, s := range subs {
				if s.Owner == owner {
					delete(subs, id)
				}
			}
		}
		return nil
	})
}

// RemoveEphemeral drops every ephemeral instance and every subscription, as
// a real restart loses them; persistent instances and services stay.
func (r *Registry) RemoveEphemeral() {
	_ = r.update(func(t *tx) error {
		for _, svc := range r.services {
			for k, in := range svc.instances {
				if in.Ephemeral {
					delete(svc.instances, k)
				}
			}
		}
		r.subs = make(map[ServiceKey]map[string]*Subscriber)
		r.hasCheck = false
		for _, svc := range r.services {
			for _, in := range svc.instances {
				r.scheduleLocked(in)
			}
		}
		return nil
	})
}
