package registry

import (
	"sort"
	"strings"
)

// Selection is what a client asks of a service's instances.
type Selection struct {
	// Clusters is the comma-separated list as the client sent it ("" = all).
	// It is echoed in the view, because clients key their cache by it.
	Clusters    string
	HealthyOnly bool
}

// View is what a client is shown of a service: the filtered instances and
// the fields protocol layers encode (nacos-protocol.md 1.6, 5.4).
type View struct {
	Key      ServiceKey
	Found    bool // the service exists
	Clusters string
	// Hosts are copies, sorted by cluster, ip and port (in 1.x mode,
	// clusters in the server's HashMap order and unhealthy instances first,
	// as the 1.x server lists them: sortV1, selectV1).
	Hosts                    []Instance
	LastRefTime              int64
	ReachProtectionThreshold bool

	// Service fields the 1.x answer carries.
	ProtectThreshold float64
	Metadata         map[string]string
}

// View returns what a poller or subscriber sees now.
func (r *Registry) View(key ServiceKey, sel Selection) *View {
	var v *View
	_ = r.update(func(t *tx) error {
		v = r.viewLocked(key, sel)
		return nil
	})
	return v
}

func splitClusters(s string) map[string]bool {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	set := make(map[string]bool)
	for _, c := range strings.Split(s, ",") {
		if c != "" {
			set[c] = true
		}
	}
	return set
}

func (r *Registry) viewLocked(key ServiceKey, sel Selection) *View {
	svc := r.services[key]
	v := &View{Key: key, Clusters: sel.Clusters, Hosts: []Instance{}, Metadata: map[string]string{}, LastRefTime: r.bumpRefLocked(key)}
	if svc == nil {
		return v
	}
	v.Found = true
	v.ProtectThreshold = svc.protectThreshold
	v.Metadata = svc.metadata
	clusters := splitClusters(sel.Clusters)
	// all: the instances of the requested clusters that are enabled (both
	// generations always drop disabled instances).
	all := make([]Instance, 0, len(svc.instances))
	healthy := 0
	// In 2.x mode, two clients publishing the very same instance show once:
	// the server gathers every client's instances into a HashSet, and
	// Instance equality compares all fields (its toString). Identities are
	// only compared where addresses collide, which is rare.
	var byAddr map[instanceKey][]int
	if r.cfg.Mode != ModeV1 {
		byAddr = make(map[instanceKey][]int, len(svc.instances))
	}
	for _, in := range svc.instances {
		if clusters != nil && !clusters[in.Cluster] {
			continue
		}
		if !in.Enabled && r.cfg.Mode != ModeV1 {
			continue
		}
		if byAddr != nil {
			a := r.keyOf(in).addr()
			if dup(all, byAddr[a], in) {
				continue
			}
			byAddr[a] = append(byAddr[a], len(all))
		}
		all = append(all, *in)
		if in.Healthy {
			healthy++
		}
	}
	if r.cfg.Mode == ModeV1 {
		sortV1(all, svc)
	} else {
		sortV2(all, key)
	}
	if r.cfg.Mode == ModeV1 {
		v.Hosts = selectV1(all, healthy, svc.protectThreshold, sel.HealthyOnly, &v.ReachProtectionThreshold)
		return v
	}
	// 2.x ServiceUtil.doSelectInstances + selectInstancesWithHealthyProtection:
	// healthyOnly filters first; the protect threshold applies only to
	// services with stored metadata, on what the filter kept.
	hosts := all
	if sel.HealthyOnly {
		hosts = make([]Instance, 0, healthy)
		for _, in := range all {
			if in.Healthy {
				hosts = append(hosts, in)
			}
		}
	}
	if svc.explicit && len(hosts) > 0 {
		kept := 0
		for _, in := range hosts {
			if in.Healthy {
				kept++
			}
		}
		threshold := svc.protectThreshold
		if threshold < 0 {
			threshold = 0
		}
		if float64(float32(kept)/float32(len(hosts))) <= float64(float32(threshold)) {
			v.ReachProtectionThreshold = true
			for i := range hosts {
				hosts[i].Healthy = true
			}
		}
	}
	v.Hosts = hosts
	return v
}

// selectV1 is 1.4.x InstanceController.doSrvIpxt: instances split into
// healthy and unhealthy; when the healthy share is at or below the protect
// threshold (with the default 0.0: when none is healthy) every instance is
// listed as healthy; disabled instances are dropped last. The unhealthy are
// listed first (the iteration order of the server's HashMap<Boolean, ...>).
func selectV1(all []Instance, healthy int, threshold float64, healthyOnly bool, reached *bool) []Instance {
	if len(all) == 0 {
		return []Instance{}
	}
	var good, bad []Instance
	for _, in := range all {
		if in.Healthy {
			good = append(good, in)
		} else {
			bad = append(bad, in)
		}
	}
	if float64(float32(healthy)/float32(len(all))) <= threshold {
		*reached = true
		for i := range bad {
			bad[i].Healthy = true
		}
		good = append(good, bad...)
		bad = nil
	}
	out := make([]Instance, 0, len(all))
	if !healthyOnly {
		for _, in := range bad {
			if in.Enabled {
				out = append(out, in)
			}
		}
	}
	for _, in := range good {
		if in.Enabled {
			out = append(out, in)
		}
	}
	return out
}

func sortInstances(ins []Instance) {
	sort.Slice(ins, func(i, j int) bool {
		a, b := &ins[i], &ins[j]
		if a.Cluster != b.Cluster {
			return a.Cluster < b.Cluster
		}
		if a.IP != b.IP {
			return a.IP < b.IP
		}
		return a.Port < b.Port
	})
}

// dup reports whether one of all[at...] is the same instance as in.
func dup(all []Instance, at []int, in *Instance) bool {
	if len(at) == 0 {
		return false
	}
	id := in.identity()
	for _, i := range at {
		if all[i].identity() == id {
			return true
		}
	}
	return false
}
