package mocknacos

import (
	"fmt"
	"strings"
	"time"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// ConfigItem is a config as the mock holds it: its key (Tenant normalised,
// "public" for the default namespace), content, md5, type (never blank) and
// last modification on the mock clock.
type ConfigItem = config.Item

// Kinds of config and auth events. For config events, Namespace is the
// normalised tenant, Group the group and Service the dataId, so that
// Query{Kind: KindConfigGet, Service: "DEFAULT_GROUP@@app.yaml"} selects
// the fetches of one config.
const (
	KindConfigGet     = journal.ConfigGet
	KindConfigPublish = journal.ConfigPublish
	KindConfigRemove  = journal.ConfigRemove
	KindConfigListen  = journal.ConfigListen
	KindConfigPush    = journal.ConfigPush // a held long poll answered with a change; a gRPC ConfigChangeNotifyRequest
	KindLogin         = journal.Login
	KindAdminInit     = journal.AdminInit
)

// ConfigOption qualifies a config call: its tenant, type or tag.
type ConfigOption func(*configOpts)

type configOpts struct {
	tenant, typ, tag, appName string
	asSent                    bool // ConfigTenantAsSent
}

// ConfigTenant selects a namespace ("", "public" and "null" are the default).
func ConfigTenant(tenant string) ConfigOption {
	return func(o *configOpts) { o.tenant, o.asSent = tenant, false }
}

// ConfigTenantAsSent selects the namespace a client names by sending
// tenant verbatim. In the 2.4 and 1.4 modes that differs from ConfigTenant
// for the default's other spellings: a real 2.4.3's gRPC config handlers
// (and the HTTP publish, delete and listener of 2.4.3 and 1.4.8) keep
// "public" and "null" apart from "", so ConfigTenantAsSent("public") is
// what a 3.x Java client (which sends "public") reads, and the default
// namespace is not. In the 3.0 mode it is ConfigTenant.
func ConfigTenantAsSent(tenant string) ConfigOption {
	return func(o *configOpts) { o.tenant, o.asSent = tenant, true }
}

// configOpts resolves ConfigTenantAsSent for the server's generation (an
// option applied after the caller's).
func (s *Server) configOpts(opts []ConfigOption) []ConfigOption {
	return append(opts[:len(opts):len(opts)], func(o *configOpts) {
		if o.asSent && s.opts.version != Nacos3 {
			o.tenant = config.Exact(o.tenant)
		}
	})
}

// ConfigType sets a published config's type (text, yaml, json, properties,
// xml, html, toml; anything else is text, as on the real server).
func ConfigType(t string) ConfigOption { return func(o *configOpts) { o.typ = t } }

// ConfigTag selects a tag variant of a config instead of the config itself.
func ConfigTag(tag string) ConfigOption { return func(o *configOpts) { o.tag = tag } }

// ConfigAppName sets a published config's appName.
func ConfigAppName(app string) ConfigOption { return func(o *configOpts) { o.appName = app } }

func configOptions(group string, opts []ConfigOption) (string, configOpts) {
	var o configOpts
	for _, opt := range opts {
		opt(&o)
	}
	if strings.TrimSpace(group) == "" {
		group = "DEFAULT_GROUP"
	}
	return group, o
}

// SetConfig publishes a config as a client's publish would, without a
// request: seed configs before clients start, or change one while they
// listen (every listening client is told, over HTTP long polling and gRPC).
// A blank group is DEFAULT_GROUP.
//
//	srv.SetConfig("orders.yaml", "", "port: 8080\n", mocknacos.ConfigType("yaml"))
func (s *Server) SetConfig(dataID, group, content string, opts ...ConfigOption) ConfigItem {
	var it ConfigItem
	_ = s.onCurrent(func(v *serving) (err error) {
		it, err = v.setConfig(dataID, group, content, s.configOpts(opts))
		return err
	})
	return it
}

func (v *serving) setConfig(dataID, group, content string, opts []ConfigOption) (ConfigItem, error) {
	group, o := configOptions(group, opts)
	return v.configs.Publish(config.Publish{DataID: dataID, Group: group, Tenant: o.tenant, Tag: o.tag,
		Content: content, Type: o.typ, AppName: o.appName})
}

// DeleteConfig removes a config (listeners are told; they then read 404).
// It reports whether the config existed.
func (s *Server) DeleteConfig(dataID, group string, opts ...ConfigOption) bool {
	var removed bool
	_ = s.onCurrent(func(v *serving) (err error) {
		removed, err = v.deleteConfig(dataID, group, s.configOpts(opts))
		return err
	})
	return removed
}

func (v *serving) deleteConfig(dataID, group string, opts []ConfigOption) (bool, error) {
	group, o := configOptions(group, opts)
	return v.configs.Remove(dataID, group, o.tenant, o.tag)
}

// Config returns a config as stored now.
func (s *Server) Config(dataID, group string, opts ...ConfigOption) (ConfigItem, bool) {
	group, o := configOptions(group, s.configOpts(opts))
	return s.configStore().Get(dataID, group, o.tenant, o.tag)
}

// Configs lists every config, sorted by tenant, group, dataId and tag.
func (s *Server) Configs() []ConfigItem { return s.configStore().Items() }

// ConfigListeners counts the clients listening to a config now: HTTP long
// polls being held, and gRPC connections.
func (s *Server) ConfigListeners(dataID, group string, opts ...ConfigOption) int {
	group, o := configOptions(group, s.configOpts(opts))
	return s.configStore().Listeners(dataID, group, o.tenant)
}

// WaitForConfigListeners waits until at least n clients listen to a config
// and are ready for a change, so that a test can change it knowing the
// change will reach them: a long poll is held, or a gRPC connection listens
// and its client has taken in the answer (its config traffic has been quiet
// for 50 ms: nacos-sdk-go v2 loses a change pushed while it reads its listen
// answer).
func (s *Server) WaitForConfigListeners(dataID, group string, n int, timeout time.Duration, opts ...ConfigOption) error {
	group, o := configOptions(group, s.configOpts(opts))
	got := 0
	err := s.waitUntil(timeout, func() (bool, time.Time) {
		var next time.Time
		got, next = s.configStore().ReadyListeners(dataID, group, o.tenant, time.Now())
		return got >= n, next
	})
	if err != nil {
		return fmt.Errorf("mocknacos: %d listeners of config %s ready, want %d, after %v", got, dataID, n, timeout)
	}
	return nil
}
