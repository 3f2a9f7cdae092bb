package grpcv2

import (
	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// encodeServiceInfo is the ServiceInfo of a subscribe or query answer and
// of a push (nacos-protocol.md 5.4): the HTTP list's shape (httpv1 holds
// it, so both protocols show a service identically) with the name BARE;
// clusters echo the subscriber's string, because clients key their cache by
// it; hosts is never null.
func encodeServiceInfo(mode registry.Mode, v *registry.View) *httpv1.ServiceInfo {
	si := httpv1.NewServiceInfo(mode, v, v.Key.Name, registry.DefaultPushCacheMillis)
	return &si
}

// mode is the imitated server generation (the registry's switch).
func (s *Server) mode() registry.Mode {
	if s.cfg.Registry == nil {
		return registry.ModeV2
	}
	return s.cfg.Registry.Mode()
}
