// Package registry is the naming model of the mock: services, clusters,
// instances, their health on the mock clock, and who subscribes to what.
//
// It does no I/O. Protocol layers (internal/httpv1, internal/grpcv2) decode
// requests into calls on a *Registry, and deliver the pushes it hands back
// through the Notify callback. Semantics follow nacos-protocol.md sections 1-2
// (1.x beats) and 2.3-2.4 / 5.4 (2.x client model).
package registry

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Defaults of the real server (nacos-protocol.md 1.1 and 2.1).
const (
	DefaultNamespace = "public"
	DefaultGroup     = "DEFAULT_GROUP"
	DefaultCluster   = "DEFAULT"
	GroupSeparator   = "@@"

	DefaultBeatInterval  = 5 * time.Second
	DefaultBeatTimeout   = 15 * time.Second
	DefaultDeleteTimeout = 30 * time.Second

	// DefaultPushCacheMillis is SwitchDomain.defaultPushCacheMillis, the
	// cacheMillis of 2.x views and of 1.x answers to push-capable pollers.
	DefaultPushCacheMillis = 10000
	// DefaultCacheMillis is SwitchDomain.defaultCacheMillis (1.x pollers
	// without a UDP port).
	DefaultCacheMillis = 3000
)

// Preserved instance metadata keys (api/.../PreservedMetadataKeys.java).
const (
	MetaBeatInterval  = "preserved.heart.beat.interval"
	MetaBeatTimeout   = "preserved.heart.beat.timeout"
	MetaDeleteTimeout = "preserved.ip.delete.timeout"
	MetaIDGenerator   = "preserved.instance.id.generator"
)

// Mode selects which server generation the model imitates where 1.4.x,
// 2.x and 3.x differ.
type Mode int

const (
	// ModeV2 imitates a Nacos 2.4.x server (the default).
	ModeV2 Mode = iota
	// ModeV1 imitates a Nacos 1.4.x server.
	ModeV1
	// ModeV3 imitates a Nacos 3.0.x server: the model behaves as in ModeV2;
	// the protocol packages switch on it where 3.0.3 answers differently.
	ModeV3
)

// ServiceKey names a service. Namespace is normalised ("" becomes "public")
// by Key, as every HTTP API does; a gRPC naming request's key (GRPCKey)
// keeps a blank namespace apart, as a 2.4.x server does.
type ServiceKey struct {
	Namespace string
	Group     string
	Name      string // bare, without "group@@"
}

// Grouped is the "group@@name" form clients cache by.
func (k ServiceKey) Grouped() string { return k.Group + GroupSeparator + k.Name }

func (k ServiceKey) String() string { return k.Namespace + "/" + k.Grouped() }

// NormalizeNamespace maps a blank namespace to "public".
func NormalizeNamespace(ns string) string {
	if strings.TrimSpace(ns) == "" {
		return DefaultNamespace
	}
	return ns
}

// Key builds a normalised key; group defaults to DEFAULT_GROUP.
func Key(namespace, group, name string) ServiceKey {
	return GRPCKey(NormalizeNamespace(namespace), group, name)
}

// GRPCKey is the key of a 2.x gRPC naming request: the namespace exactly as
// sent, because the 2.4.x handlers (InstanceRequestHandler and the rest)
// build their Service from it without NamespaceUtil's blank-is-public rule.
// A client that sends namespace "" (nacos-sdk-python 2.x does) publishes
// and subscribes in a namespace of its own, which no HTTP request (its
// blank namespaceId is public) and no client sending "public" (the Java and
// Go SDKs do) sees. Group defaults to DEFAULT_GROUP.
func GRPCKey(namespace, group, name string) ServiceKey {
	if strings.TrimSpace(group) == "" {
		group = DefaultGroup
	}
	return ServiceKey{Namespace: namespace, Group: group, Name: name}
}

// Source says which protocol owns an instance.
type Source int

const (
	// SourceHTTP instances were registered over 1.x HTTP (or by a full beat).
	// Ephemeral ones live by beats on the mock clock.
	SourceHTTP Source = iota
	// SourceGRPC instances are owned by a gRPC connection and live as long
	// as it does (no beats).
	SourceGRPC
)

// Instance is one registered address of a service. Metadata is never
// mutated in place once stored: updates replace the map, so copies of an
// Instance may share it safely.
type Instance struct {
	InstanceID string
	IP         string
	Port       int
	Cluster    string
	Weight     float64
	Healthy    bool
	Enabled    bool
	Ephemeral  bool
	Marked     bool
	Metadata   map[string]string

	Source Source
	// Owner is the client that published the instance: the gRPC connection
	// id, or "ip:port#ephemeral" for HTTP registrations (the 2.x client ids).
	Owner string
	// LastBeat is the mock time of the last beat (or of registration).
	LastBeat time.Time
	// Registered is the mock time the instance was first registered.
	Registered time.Time

	// published is the metadata the client registered, before the 2.x
	// instance metadata overlay (PUT/PATCH) is merged over it.
	published map[string]string
}

// identity is every field a client sees, in a fixed order: two instances
// with the same identity are one to the 2.x server (Instance.equals).
func (in *Instance) identity() string {
	keys := make([]string, 0, len(in.Metadata))
	for k := range in.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%d|%s|%g|%t|%t|%t", in.InstanceID, in.IP, in.Port, in.Cluster, in.Weight, in.Healthy, in.Enabled, in.Ephemeral)
	for _, k := range keys {
		fmt.Fprintf(&b, "|%q=%q", k, in.Metadata[k])
	}
	return b.String()
}

// Addr is "ip:port".
func (in *Instance) Addr() string { return in.IP + ":" + strconv.Itoa(in.Port) }

func metaMillis(md map[string]string, key string, def time.Duration) time.Duration {
	if v, ok := md[key]; ok {
		if ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return def
}

// BeatInterval is preserved.heart.beat.interval, or 5 s.
func (in *Instance) BeatInterval() time.Duration {
	return metaMillis(in.Metadata, MetaBeatInterval, DefaultBeatInterval)
}

// BeatTimeout is preserved.heart.beat.timeout, or 15 s.
func (in *Instance) BeatTimeout() time.Duration {
	return metaMillis(in.Metadata, MetaBeatTimeout, DefaultBeatTimeout)
}

// DeleteTimeout is preserved.ip.delete.timeout, or 30 s.
func (in *Instance) DeleteTimeout() time.Duration {
	return metaMillis(in.Metadata, MetaDeleteTimeout, DefaultDeleteTimeout)
}

// IDGenerator is preserved.instance.id.generator, or "simple".
func (in *Instance) IDGenerator() string {
	if v := in.Metadata[MetaIDGenerator]; v != "" {
		return v
	}
	return "simple"
}

// heartbeated reports whether the instance lives by beats on the mock clock.
func (in *Instance) heartbeated() bool {
	return in.Ephemeral && in.Source == SourceHTTP && !in.Marked
}

// SimpleInstanceID is the default generator's id:
// ip#port#cluster#group@@service.
func SimpleInstanceID(ip string, port int, cluster, groupedService string) string {
	return ip + "#" + strconv.Itoa(port) + "#" + cluster + "#" + groupedService
}

// instanceKey is where a service stores an instance. In 2.x mode the owner
// (client id) is part of it: the real server keeps what each client
// published apart (ClientManager, one InstancePublishInfo per client and
// service), so two connections may publish the same ip:port and closing one
// leaves the other's. In 1.x mode the owner is empty: one instance per
// cluster/ip:port.
type instanceKey struct {
	cluster string
	ip      string
	port    int
	owner   string
}

func (r *Registry) keyOf(in *Instance) instanceKey {
	k := instanceKey{in.Cluster, in.IP, in.Port, ""}
	if r.cfg.Mode != ModeV1 {
		k.owner = in.Owner
	}
	return k
}

// addr is the key without the owner: what the 2.x instance metadata overlay
// is kept by (cluster, ip and port).
func (k instanceKey) addr() instanceKey { k.owner = ""; return k }

// Error is a rejection with the status the real server gives (an HTTP status
// for 1.x; protocol layers map it for gRPC).
type Error struct {
	Status int
	Msg    string
	// Runtime marks a NacosRuntimeException (answered "errCode: N, errMsg: M ").
	Runtime bool
	// Kind, when set, is a sentinel the error wraps (errors.Is).
	Kind error
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Kind }

func errorf(status int, msg string) *Error { return &Error{Status: status, Msg: msg} }
