package grpcv2

import (
	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// serviceInfo is the 2.x ServiceInfo of a subscribe or query answer and of a
// push (nacos-protocol.md 5.4): the name is BARE here, unlike the HTTP list
// answer; clusters echo the subscriber's string, because clients key their
// cache by it; hosts is never null.
type serviceInfo struct {
	Name        string `json:"name"`
	GroupName   string `json:"groupName"`
	Clusters    string `json:"clusters"`
	CacheMillis int    `json:"cacheMillis"`
	// Hosts holds httpv1.HostsV2's encoding: the same host JSON the HTTP
	// API writes, so both protocols show an instance identically.
	Hosts                    any    `json:"hosts"`
	LastRefTime              int64  `json:"lastRefTime"`
	Checksum                 string `json:"checksum"`
	AllIPs                   bool   `json:"allIPs"`
	ReachProtectionThreshold bool   `json:"reachProtectionThreshold"`
	Valid                    bool   `json:"valid"`
}

func encodeServiceInfo(v *registry.View) *serviceInfo {
	return &serviceInfo{
		Name:                     v.Key.Name,
		GroupName:                v.Key.Group,
		Clusters:                 v.Clusters,
		CacheMillis:              registry.DefaultPushCacheMillis,
		Hosts:                    httpv1.HostsV2(v.Hosts, v.Key.Grouped()),
		LastRefTime:              v.LastRefTime,
		ReachProtectionThreshold: v.ReachProtectionThreshold,
		Valid:                    true,
	}
}
