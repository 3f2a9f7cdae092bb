package mocknacos

import (
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Instance is a registered instance as the mock holds it.
type Instance = registry.Instance

// ServiceState is a service with its instances and subscribers.
type ServiceState = registry.ServiceState

// key turns "name" or "group@@name" in the public namespace into a key.
func key(service string) registry.ServiceKey { return keyIn(registry.DefaultNamespace, service) }

// keyIn is key in a namespace exactly as the registry holds it: "" is
// not public there but the namespace of gRPC clients that send a blank one
// (registry.GRPCKey).
func keyIn(namespace, service string) registry.ServiceKey {
	group, name := splitService(service)
	return registry.GRPCKey(namespace, group, name)
}

// Instances returns the instances of a service of the public namespace
// ("name" or "group@@name"), healthy or not, sorted by cluster, ip and port.
// The check applies the mock clock first, like a request would. In 2.x mode
// (the default) an address two clients published is held once per client
// (Instance.Owner tells them apart), as the real server keeps them;
// clients are shown one when both are identical.
func (s *Server) Instances(service string) []Instance {
	return s.InstancesIn(registry.DefaultNamespace, service)
}

// InstancesIn is Instances in a namespace, named exactly as the registry
// holds it: "public" for the public namespace, and "" for the namespace
// that gRPC clients sending a blank namespace (nacos-sdk-python 2.x) land
// in. A real 2.4.x server keeps that one apart from public (its gRPC
// handlers use the namespace as sent), and so does the mock: no HTTP
// request and no Java or Go client sees its services.
func (s *Server) InstancesIn(namespace, service string) []Instance {
	k := keyIn(namespace, service)
	for _, st := range s.registry().Snapshot() {
		if st.Info.Key == k {
			return st.Instances
		}
	}
	return nil
}

// Services describes every service of every namespace, with instances and
// subscribers, sorted by namespace, group and name.
func (s *Server) Services() []ServiceState { return s.registry().Snapshot() }

// NewInstance is an instance with the defaults of a registration: cluster
// DEFAULT, weight 1, healthy, enabled, ephemeral, no metadata.
func NewInstance(ip string, port int) Instance {
	return Instance{IP: ip, Port: port, Cluster: registry.DefaultCluster, Weight: 1, Healthy: true, Enabled: true,
		Ephemeral: true, Metadata: map[string]string{}}
}

// Register seeds an instance directly (start from NewInstance), as if it had
// registered over HTTP: ephemeral ones then live by beats on the mock clock.
func (s *Server) Register(service string, in Instance) error {
	return s.onCurrent(func(v *serving) error { return v.reg.Register(key(service), in) })
}

// RegisterIn is Register in a namespace, named as in InstancesIn ("" is the
// blank namespace, not public).
func (s *Server) RegisterIn(namespace, service string, in Instance) error {
	return s.onCurrent(func(v *serving) error { return v.reg.Register(keyIn(namespace, service), in) })
}

// Deregister removes the instance at ip:port of a public-namespace service.
func (s *Server) Deregister(service, ip string, port int) bool {
	return s.registry().Deregister(key(service), "", ip, port, "")
}

// Reset forgets every service, instance, subscription, config and journal
// event; ports, users and the clock stay.
func (s *Server) Reset() {
	s.registry().Reset()
	s.configStore().Reset()
	s.journal.Reset()
	s.changed.broadcast()
}

// Where an instance came from (Instance.Source).
const (
	SourceHTTP = registry.SourceHTTP // registered over 1.x HTTP (or by a full beat); lives by beats
	SourceGRPC = registry.SourceGRPC // registered over 2.x gRPC; lives as long as its connection
)
