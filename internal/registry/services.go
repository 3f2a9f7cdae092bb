package registry

import (
	"sort"
	"strings"
)

// Errors of the service API; protocol layers word them as the imitated
// server does.
var (
	ErrServiceNotFound = &Error{Status: 400, Msg: "service not found"}
	ErrServiceExists   = &Error{Status: 400, Msg: "service already exists"}
	ErrServiceNotEmpty = &Error{Status: 400, Msg: "service is not empty"}
)

// ServiceInfo describes a service (the service detail answer).
type ServiceInfo struct {
	Key              ServiceKey
	ProtectThreshold float64
	Metadata         map[string]string
	Selector         string
	Ephemeral        bool
	Explicit         bool
	Clusters         []string // names of the clusters holding instances, sorted
	InstanceCount    int
	HealthyCount     int
}

// ServiceFields are the settable fields of a service (nil: unchanged).
type ServiceFields struct {
	ProtectThreshold *float64
	Metadata         map[string]string
	Selector         *string
}

// CreateService creates a service through the service API. In 2.x it is a
// persistent service (the v1 controller creates its metadata with
// ephemeral=false).
func (r *Registry) CreateService(key ServiceKey, f ServiceFields) error {
	return r.change(func(t *tx) error {
		if r.services[key] != nil {
			return ErrServiceExists
		}
		svc := r.serviceLocked(key, true, r.cfg.Mode == ModeV1)
		svc.explicit = true
		applyServiceFields(svc, f)
		t.touch(svc)
		return nil
	})
}

func applyServiceFields(svc *service, f ServiceFields) {
	if f.ProtectThreshold != nil {
		svc.protectThreshold = *f.ProtectThreshold
	}
	if f.Metadata != nil {
		svc.metadata = f.Metadata
	}
	if f.Selector != nil {
		svc.selector = *f.Selector
	}
}

// UpdateService changes an existing service's fields.
func (r *Registry) UpdateService(key ServiceKey, f ServiceFields) error {
	return r.change(func(t *tx) error {
		svc := r.services[key]
		if svc == nil {
			return ErrServiceNotFound
		}
		svc.explicit = true
		applyServiceFields(svc, f)
		t.touch(svc)
		return nil
	})
}

// DeleteService removes a service that has no instances.
func (r *Registry) DeleteService(key ServiceKey) error {
	return r.change(func(t *tx) error {
		svc := r.services[key]
		if svc == nil {
			return ErrServiceNotFound
		}
		if len(svc.instances) > 0 && r.cfg.Mode != ModeV1 {
			return ErrServiceNotEmpty
		}
		delete(r.services, key)
		return nil
	})
}

// Service describes one service.
func (r *Registry) Service(key ServiceKey) (ServiceInfo, bool) {
	var out ServiceInfo
	var ok bool
	_ = r.update(func(t *tx) error {
		if svc := r.services[key]; svc != nil {
			out, ok = describe(svc), true
		}
		return nil
	})
	return out, ok
}

func describe(svc *service) ServiceInfo {
	info := ServiceInfo{Key: svc.key, ProtectThreshold: svc.protectThreshold, Metadata: svc.metadata,
		Selector: svc.selector, Ephemeral: svc.ephemeral, Explicit: svc.explicit}
	seen := map[string]bool{}
	for _, in := range svc.instances {
		info.InstanceCount++
		if in.Healthy {
			info.HealthyCount++
		}
		if !seen[in.Cluster] {
			seen[in.Cluster] = true
			info.Clusters = append(info.Clusters, in.Cluster)
		}
	}
	sort.Strings(info.Clusters)
	return info
}

// ServiceNames lists the bare names of a namespace's services in a group,
// sorted ("*" in 1.x mode: every group, names grouped).
func (r *Registry) ServiceNames(namespace, group string) []string {
	var names []string
	_ = r.update(func(t *tx) error {
		for key := range r.services {
			if key.Namespace != namespace {
				continue
			}
			switch {
			case group == "*" && r.cfg.Mode == ModeV1:
				names = append(names, key.Grouped())
			case key.Group == group:
				names = append(names, key.Name)
			}
		}
		return nil
	})
	sort.Strings(names)
	if names == nil {
		names = []string{}
	}
	return names
}

// Page returns page pageNo (1-based) of size pageSize of names.
func Page(names []string, pageNo, pageSize int) []string {
	if pageNo < 1 {
		pageNo = 1
	}
	if pageSize < 0 {
		pageSize = 0
	}
	start := (pageNo - 1) * pageSize
	if pageSize == 0 || start >= len(names) || start < 0 {
		return []string{}
	}
	end := start + pageSize
	if end > len(names) || end < 0 {
		end = len(names)
	}
	return names[start:end]
}

// Snapshot describes every service, sorted by key.
func (r *Registry) Snapshot() []ServiceState {
	var out []ServiceState
	_ = r.update(func(t *tx) error {
		for _, svc := range r.services {
			st := ServiceState{Info: describe(svc)}
			for _, in := range svc.instances {
				st.Instances = append(st.Instances, *in)
			}
			sortInstances(st.Instances)
			for _, s := range r.subs[svc.key] {
				st.Subscribers = append(st.Subscribers, *s)
			}
			sort.Slice(st.Subscribers, func(i, j int) bool { return st.Subscribers[i].ID < st.Subscribers[j].ID })
			out = append(out, st)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Info.Key.String() < out[j].Info.Key.String() })
	return out
}

// ServiceState is a service with its instances and subscribers.
type ServiceState struct {
	Info        ServiceInfo
	Instances   []Instance
	Subscribers []Subscriber
}

// Counts returns the number of services and instances.
func (r *Registry) Counts() (services, instances int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, svc := range r.services {
		services++
		instances += len(svc.instances)
	}
	return services, instances
}

// Subscribe records a subscriber of a service (replacing one with the same
// ID) and returns the current view.
func (r *Registry) Subscribe(key ServiceKey, s Subscriber) *View {
	v, _ := r.SubscribeFirst(key, s)
	return v
}

// SubscribeFirst is Subscribe, and also reports whether the subscriber's
// Owner (a gRPC connection) had no subscription of the service before: a
// 2.x server then pushes the view to that client alone
// (ClientServiceIndexesManager.addSubscriberIndexes publishes
// ServiceSubscribedEvent only for a client new to the service).
func (r *Registry) SubscribeFirst(key ServiceKey, s Subscriber) (v *View, first bool) {
	_ = r.update(func(t *tx) error {
		subs := r.subs[key]
		if subs == nil {
			subs = make(map[string]*Subscriber)
			r.subs[key] = subs
		}
		first = true
		for _, old := range subs {
			if old.Owner == s.Owner {
				first = false
				break
			}
		}
		sc := s
		subs[s.ID] = &sc
		v = r.viewLocked(key, Selection{Clusters: s.Clusters, HealthyOnly: s.HealthyOnly})
		return nil
	})
	return v, first
}

// Unsubscribe removes a subscriber.
func (r *Registry) Unsubscribe(key ServiceKey, id string) {
	r.mu.Lock()
	delete(r.subs[key], id)
	r.mu.Unlock()
}

// ParseGrouped splits "group@@name"; a bare name gets the given group.
func ParseGrouped(serviceName, group string) (g, name string) {
	if i := strings.Index(serviceName, GroupSeparator); i >= 0 {
		return serviceName[:i], serviceName[i+len(GroupSeparator):]
	}
	if strings.TrimSpace(group) == "" {
		group = DefaultGroup
	}
	return group, serviceName
}
