package grpcv2

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Naming request handlers (nacos-protocol.md 5.4; the 2.4.3 server's
// naming/.../remote/rpc/handler/*).

const (
	registerInstance      = "registerInstance"
	deregisterInstance    = "deregisterInstance"
	batchRegisterInstance = "batchRegisterInstance"
)

// key is the service a naming request is about: the namespace as sent (a
// blank one is not public: registry.GRPCKey), group blank DEFAULT_GROUP,
// serviceName bare. The journal's event names the namespace normalised,
// as every event does.
func (cl *call) key(r *namingRequest) registry.ServiceKey {
	k := registry.GRPCKey(r.Namespace, r.GroupName, r.ServiceName)
	cl.ev.Namespace, cl.ev.Group, cl.ev.Service = registry.NormalizeNamespace(k.Namespace), k.Group, k.Name
	return k
}

func (r *namingRequest) params() paramInfo {
	return paramInfo{namespace: r.Namespace, serviceName: r.ServiceName, group: r.GroupName}
}

func (cl *call) noteInstance(in *instanceJSON) {
	if in == nil {
		return
	}
	cl.ev.IP, cl.ev.Port = in.IP, int(in.Port)
	if in.ClusterName != nil {
		cl.ev.Cluster = *in.ClusterName
	}
}

func instanceParams(base paramInfo, in *instanceJSON) paramInfo {
	if in == nil {
		return base
	}
	base.ip = in.IP
	base.port = strconv.FormatInt(int64(in.Port), 10)
	if in.ClusterName != nil {
		base.cluster = *in.ClusterName
	}
	base.metadata = in.Metadata
	return base
}

// afterMutation closes the race with a connection that ended while its
// request was being handled: whatever the request stored after the
// connection's cleanup ran is removed again, so nothing outlives the
// connection.
func (cl *call) afterMutation() {
	if cl.c.isClosed() {
		cl.s.cfg.Registry.RemoveOwner(cl.c.id)
	}
}

// registryError maps a registry rejection to the exception the real server
// throws (ErrorResponse with resultCode = errorCode).
func registryError(err error) *response {
	var re *registry.Error
	if errors.As(err, &re) {
		return thrown(re.Status, re.Msg)
	}
	return thrown(codeFail, err.Error())
}

// toInstance is the server's view of a posted Instance: the POJO's
// defaults for absent fields (Go v2 sends "" for unset strings, treated as
// absent), InstanceUtil.setInstanceIdIfEmpty, and the checks of
// NamingUtils.checkInstanceIsLegal.
func toInstance(j *instanceJSON, key registry.ServiceKey, ephemeral bool) (registry.Instance, *response) {
	if j == nil {
		return registry.Instance{}, thrown(codeInvalidParam, "Instance can not be null.")
	}
	md := j.Metadata
	if md == nil {
		md = map[string]string{}
	}
	in := registry.Instance{IP: j.IP, Port: int(j.Port), Weight: 1.0, Healthy: true, Enabled: true,
		Ephemeral: ephemeral, Metadata: md}
	if j.Weight != nil {
		in.Weight = *j.Weight
	}
	if j.Healthy != nil {
		in.Healthy = *j.Healthy
	}
	if j.Enabled != nil {
		in.Enabled = *j.Enabled
	}
	// The id generator sees the cluster as posted (Java concatenates a
	// null as "null"); storage defaults a blank one to DEFAULT.
	rawCluster := "null"
	if j.ClusterName != nil {
		rawCluster = *j.ClusterName
	}
	in.Cluster = rawCluster
	if j.ClusterName == nil || blank(*j.ClusterName) {
		in.Cluster = registry.DefaultCluster
	}
	if j.InstanceID != nil && *j.InstanceID != "" {
		in.InstanceID = *j.InstanceID
	} else {
		svc := key.Grouped()
		if j.ServiceName != nil && !blank(*j.ServiceName) {
			svc = *j.ServiceName
		}
		in.InstanceID = registry.SimpleInstanceID(in.IP, in.Port, rawCluster, svc)
	}
	if in.BeatTimeout() < in.BeatInterval() || in.DeleteTimeout() < in.BeatInterval() {
		return in, thrown(codeInvalidParam, "Instance 'heart beat interval' must less than 'heart beat timeout' and 'ip delete timeout'.")
	}
	if j.ClusterName != nil && *j.ClusterName != "" && !clusterNamePattern.MatchString(*j.ClusterName) {
		return in, thrown(codeInvalidParam, "Instance 'clusterName' should be characters with only 0-9a-zA-Z-. (current: "+*j.ClusterName+")")
	}
	return in, nil
}

// instancePrologue is what InstanceRequest and PersistentInstanceRequest
// do first: the service key, the journal's subject and kind, and the
// parameter check (a non-nil answer refuses the request).
func (cl *call) instancePrologue(req *instanceRequest) (registry.ServiceKey, *response) {
	key := cl.key(&req.namingRequest)
	cl.noteInstance(req.Instance)
	if req.Type == deregisterInstance {
		cl.ev.Kind = journal.Deregister
	}
	if r := cl.paramCheck(instanceParams(req.params(), req.Instance)); r != nil {
		return key, r
	}
	if r := blankNames(req.ServiceName, req.GroupName); r != nil {
		return key, r
	}
	return key, nil
}

// blankNames is NamingUtils.getGroupedName's check, serviceName first,
// then groupName, before the request type is looked at (seen on a real
// 2.4.3 by the conformance suite: both blank is "serviceName is blank").
func blankNames(service, group string) *response {
	if strings.TrimSpace(service) == "" {
		return thrown(codeFail, "Param 'serviceName' is illegal, serviceName is blank")
	}
	if strings.TrimSpace(group) == "" {
		return thrown(codeFail, "Param 'groupName' is illegal, groupName is blank")
	}
	return nil
}

// instanceReq is InstanceRequestHandler: an ephemeral instance owned by the
// connection. A connection publishes one instance per service, so a
// register replaces the connection's previous one and a deregister removes
// it whatever address it names.
func instanceReq(cl *call, req *instanceRequest) *response {
	key, r := cl.instancePrologue(req)
	if r != nil {
		return r
	}
	reg := cl.s.cfg.Registry
	switch req.Type {
	case registerInstance:
		in, r := toInstance(req.Instance, key, true)
		if r != nil {
			return r
		}
		in.Source, in.Owner = registry.SourceGRPC, cl.c.id
		err := reg.ReplaceOwned(key, cl.c.id, []registry.Instance{in})
		cl.afterMutation()
		if err != nil {
			return registryError(err)
		}
	case deregisterInstance:
		_ = reg.ReplaceOwned(key, cl.c.id, nil)
		if req.Instance == nil {
			// The real handler removes, then fails tracing the null
			// instance (a NullPointerException: errorCode 500).
			return thrown(codeFail, "")
		}
	default:
		return thrown(codeInvalidParam, "Unsupported request type "+req.Type)
	}
	return ok(typeInstanceResponse, typeField{Type: req.Type})
}

// batchInstanceReq is BatchInstanceRequestHandler: the connection's
// instances of the service become exactly the posted list (Java clients
// batch-deregister by re-sending what they keep).
func batchInstanceReq(cl *call, req *batchInstanceRequest) *response {
	key := cl.key(&req.namingRequest)
	ps := []paramInfo{req.params()}
	for _, in := range req.Instances {
		p := instanceParams(paramInfo{}, in)
		if in != nil && in.ServiceName != nil {
			p.serviceName = *in.ServiceName
		}
		ps = append(ps, p)
	}
	if r := cl.paramCheck(ps...); r != nil {
		return r
	}
	if r := blankNames(req.ServiceName, req.GroupName); r != nil {
		return r
	}
	if req.Type != batchRegisterInstance {
		return thrown(codeInvalidParam, "Unsupported request type "+req.Type)
	}
	ins := make([]registry.Instance, 0, len(req.Instances))
	for _, j := range req.Instances {
		if j == nil {
			continue
		}
		// The batch path does not run checkInstanceIsLegal.
		in, _ := toInstance(j, key, true)
		in.Source, in.Owner = registry.SourceGRPC, cl.c.id
		ins = append(ins, in)
	}
	if len(ins) == 1 {
		cl.ev.IP, cl.ev.Port, cl.ev.Cluster = ins[0].IP, ins[0].Port, ins[0].Cluster
	}
	err := cl.s.cfg.Registry.ReplaceOwned(key, cl.c.id, ins)
	cl.afterMutation()
	if err != nil {
		return registryError(err)
	}
	return ok(typeBatchInstanceResponse, typeField{Type: req.Type})
}

// persistentInstanceReq is PersistentInstanceRequestHandler: a persistent
// instance owned by the "ip:port#false" client, not by the connection, so it
// outlives the connection (answered as InstanceResponse).
func persistentInstanceReq(cl *call, req *instanceRequest) *response {
	key, r := cl.instancePrologue(req)
	if r != nil {
		return r
	}
	reg := cl.s.cfg.Registry
	switch req.Type {
	case registerInstance:
		in, r := toInstance(req.Instance, key, false)
		if r != nil {
			return r
		}
		in.Source, in.Owner = registry.SourceHTTP, registry.OwnerHTTP(in.IP, in.Port, false)
		if err := reg.Register(key, in); err != nil {
			return registryError(err)
		}
	case deregisterInstance:
		if req.Instance == nil {
			return thrown(codeFail, "")
		}
		ip, port := req.Instance.IP, int(req.Instance.Port)
		reg.Deregister(key, "", ip, port, registry.OwnerHTTP(ip, port, false))
	default:
		return thrown(codeInvalidParam, "Unsupported request type "+req.Type)
	}
	return ok(typeInstanceResponse, typeField{Type: req.Type})
}

// subscriberID names a connection's subscription of a service: one per
// cluster selection, since clients cache a view per clusters string.
func subscriberID(connID, clusters string) string { return connID + "#" + clusters }

// subscribeReq is SubscribeServiceRequestHandler: subscribe true records the
// connection as a subscriber (pushed NotifySubscriberRequest on every change
// until it unsubscribes or closes, and once at once when it is new to the
// service); false removes it. Both answer the current view (healthyOnly
// false).
func subscribeReq(cl *call, req *subscribeServiceRequest) *response {
	key := cl.key(&req.namingRequest)
	if !req.Subscribe {
		cl.ev.Kind = journal.Unsubscribe
	}
	cl.ev.Cluster = req.Clusters
	p := req.params()
	p.clusters = req.Clusters
	if r := cl.paramCheck(p); r != nil {
		return r
	}
	if r := blankNames(req.ServiceName, req.GroupName); r != nil {
		return r
	}
	reg := cl.s.cfg.Registry
	var v *registry.View
	subID := subscriberID(cl.c.id, req.Clusters)
	if req.Subscribe {
		if !cl.c.addSubscription(key.String()+"|"+subID, cl.s.cfg.MaxSubscriptionsPerConnection) {
			return failed(typeSubscribeServiceResponse, codeOverThreshold,
				"Subscriber limit reached: at most "+strconv.Itoa(cl.s.cfg.MaxSubscriptionsPerConnection)+" subscriptions per connection")
		}
		var first bool
		v, first = reg.SubscribeFirst(key, registry.Subscriber{
			ID:       subID,
			Owner:    cl.c.id,
			Clusters: req.Clusters,
			Pusher:   &pushTarget{s: cl.s, c: cl.c},
		})
		cl.afterMutation()
		if first {
			// A client new to the service is pushed the view as well
			// (ServiceSubscribedEvent; the real server after its 500 ms
			// push delay, the mock at once). Keyed like every view: a
			// change pushed while this one waited for the stream is newer
			// (lastRefTime strictly increases per key), so this one is
			// then dropped rather than shown after it.
			cl.s.pushView(cl.c, v)
		}
	} else {
		reg.Unsubscribe(key, subID)
		cl.c.removeSubscription(key.String() + "|" + subID)
		v = reg.View(key, registry.Selection{Clusters: req.Clusters})
	}
	// The answer's clusters are the request's: left out when it sent none
	// (seen on a real 2.4.3 by the conformance suite).
	var info any = serviceInfoField{ServiceInfo: encodeServiceInfo(cl.s.mode(), v)}
	if sent, _ := sentFields(cl.in.Body)["clusters"]; !sent {
		info = subscribedServiceInfo{ServiceInfo: subscribedInfo{ServiceInfo: encodeServiceInfo(cl.s.mode(), v)}}
	}
	r := ok(typeSubscribeServiceResponse, info)
	r.Message = "success"
	return r
}

// sentFields tells which fields a request body carries, not null.
func sentFields(body []byte) map[string]bool {
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)
	out := make(map[string]bool, len(raw))
	for k, v := range raw {
		out[k] = string(v) != "null"
	}
	return out
}

// subscribedInfo is a subscribe answer's ServiceInfo for a request without
// clusters: none written.
type subscribedInfo struct {
	Clusters *string `json:"clusters,omitempty"`
	*httpv1.ServiceInfo
}

type subscribedServiceInfo struct {
	ServiceInfo subscribedInfo `json:"serviceInfo"`
}

// serviceQueryReq is ServiceQueryRequestHandler (getAllInstances without
// subscribing).
func serviceQueryReq(cl *call, req *serviceQueryRequest) *response {
	key := cl.key(&req.namingRequest)
	cl.ev.Cluster = req.Cluster
	p := req.params()
	p.port = strconv.FormatInt(int64(req.UDPPort), 10)
	p.clusters = req.Cluster
	if r := cl.paramCheck(p); r != nil {
		return r
	}
	v := cl.s.cfg.Registry.View(key, registry.Selection{Clusters: req.Cluster, HealthyOnly: req.HealthyOnly})
	// The answer names the service as the request did: a name or group the
	// request left out is left out, a blank one stays blank (seen on a
	// real 2.4.3 by the conformance suite).
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(cl.in.Body, &raw)
	sent := func(k, v string) *string {
		if b, ok := raw[k]; !ok || string(b) == "null" {
			return nil
		}
		return &v
	}
	return ok(typeQueryServiceResponse, queriedServiceInfo{ServiceInfo: queriedInfo{
		Name: sent("serviceName", req.ServiceName), GroupName: sent("groupName", req.GroupName), ServiceInfo: encodeServiceInfo(cl.s.mode(), v)}})
}

// queriedInfo is a query's ServiceInfo: the name and group as sent.
type queriedInfo struct {
	Name      *string `json:"name,omitempty"`
	GroupName *string `json:"groupName,omitempty"`
	*httpv1.ServiceInfo
}

type queriedServiceInfo struct {
	ServiceInfo queriedInfo `json:"serviceInfo"`
}

// serviceListReq is ServiceListRequestHandler: the bare names of the
// namespace's services in exactly the requested group, paged.
func serviceListReq(cl *call, req *serviceListRequest) *response {
	ns := req.Namespace // as sent, like the other naming requests (registry.GRPCKey)
	cl.ev.Namespace, cl.ev.Group = registry.NormalizeNamespace(ns), req.GroupName
	if r := cl.paramCheck(req.params()); r != nil {
		return r
	}
	names := []string{}
	if strings.TrimSpace(req.GroupName) != "" {
		names = cl.s.cfg.Registry.ServiceNames(ns, req.GroupName)
	}
	page := registry.Page(names, int(req.PageNo), int(req.PageSize))
	return ok(typeServiceListResponse, serviceListFields{Count: len(names), ServiceNames: page})
}
