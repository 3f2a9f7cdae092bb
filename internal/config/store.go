// Package config is the mock's config center: the configs it holds, their
// md5s, and who listens to them (nacos-protocol.md sections 4 and 5.5). It
// does no I/O; the HTTP 1.x long-polling API and the gRPC 2.x config
// requests both work through it.
package config

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultTenant is the default namespace, as the naming side and the journal
// spell it. The real 2.x server stores it as "" (NamespaceUtil); "", "public"
// and "null" (any case) all name it.
const DefaultTenant = "public"

// DefaultType is what a config without a valid type is (ConfigType.TEXT).
const DefaultType = "text"

// ErrCASMismatch is a publish whose casMd5 is not the stored config's md5.
var ErrCASMismatch = errors.New("server md5 may have changed")

// ErrClosed refuses a change to a store that a restart has sealed.
var ErrClosed = errors.New("server is restarting")

// NormalizeTenant is NamespaceUtil.processNamespaceParameter, with the
// default spelled "public": blank, "public" and "null" (any case) are the
// default namespace; anything else is trimmed.
func NormalizeTenant(tenant string) string {
	if exact(tenant) {
		return tenant // kept apart (Exact)
	}
	t := strings.TrimSpace(tenant)
	if t == "" || strings.EqualFold(t, "public") || strings.EqualFold(t, "null") {
		return DefaultTenant
	}
	return t
}

// MD5 is MD5Utils.md5Hex(content, "UTF-8"): lowercase hex (section 4.4).
func MD5(content string) string {
	sum := md5.Sum([]byte(content))
	return hex.EncodeToString(sum[:])
}

// validTypes are ConfigType's values; anything else publishes as text.
var validTypes = map[string]bool{"properties": true, "xml": true, "json": true, "text": true, "html": true,
	"yaml": true, "toml": true, "unset": true}

// NormalizeType is ConfigType.isValidType, falling back to text (exact
// case, as the real server compares).
func NormalizeType(t string) string {
	if validTypes[t] {
		return t
	}
	return DefaultType
}

// Key names a stored config. Tenant is normalised; Tag is "" for the config
// itself, or a tag variant's name (GET/POST/DELETE with tag=...).
type Key struct {
	Tenant string `json:"tenant"`
	Group  string `json:"group"`
	DataID string `json:"dataId"`
	Tag    string `json:"tag,omitempty"`
}

// NewKey builds a key with the tenant normalised.
func NewKey(dataID, group, tenant string) Key {
	return Key{Tenant: NormalizeTenant(tenant), Group: group, DataID: dataID}
}

// Item is a stored config.
type Item struct {
	Key
	Content string `json:"content"`
	MD5     string `json:"md5"`
	// Type is the config type (text, yaml, json, ...); never blank.
	Type             string `json:"type"`
	AppName          string `json:"appName,omitempty"`
	EncryptedDataKey string `json:"encryptedDataKey,omitempty"`
	// LastModified is the mock clock at the publish.
	LastModified time.Time `json:"lastModified"`
}

// Publish is one publish request.
type Publish struct {
	DataID, Group, Tenant, Tag string
	Content                    string
	// Type is normalised (blank or unknown: text).
	Type             string
	AppName          string
	EncryptedDataKey string
	// CasMD5, when not blank, makes the publish conditional: an existing
	// config must have this md5 (a missing one is created regardless, as
	// insertOrUpdateCas does).
	CasMD5 string
}

// Store holds the configs and their listeners; safe for concurrent use.
type Store struct {
	now     func() time.Time
	observe func()

	mu        sync.Mutex
	items     map[Key]*Item
	listeners map[Key]map[Listener][]Watch // who listens, with the keys as each sent them
	sealed    bool                         // a restart replaced this store (Seal)
	hooks     []*hookEntry                 // AddHook's; not carried over by Seal
}

// New returns an empty store; now is the mock clock (LastModified).
// observe, when set, is called after every change of the configs or of the
// listeners (outside the lock), so that waiters can re-check.
func New(now func() time.Time, observe func()) *Store {
	if now == nil {
		now = time.Now
	}
	if observe == nil {
		observe = func() {}
	}
	return &Store{now: now, observe: observe, items: map[Key]*Item{}, listeners: map[Key]map[Listener][]Watch{}}
}

// Get returns the config (tag "" for the config itself).
func (s *Store) Get(dataID, group, tenant, tag string) (Item, bool) {
	k := NewKey(dataID, group, tenant)
	k.Tag = tag
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[k]
	if !ok {
		return Item{}, false
	}
	return *it, true
}

// MD5Of is the server md5 of a config: "" when it does not exist.
func (s *Store) MD5Of(dataID, group, tenant string) string {
	it, ok := s.Get(dataID, group, tenant, "")
	if !ok {
		return ""
	}
	return it.MD5
}

// Publish stores a config and, for an untagged one, tells its listeners.
func (s *Store) Publish(p Publish) (Item, error) {
	k := NewKey(p.DataID, p.Group, p.Tenant)
	k.Tag = p.Tag
	s.mu.Lock()
	if s.sealed {
		s.mu.Unlock()
		return Item{}, ErrClosed
	}
	old, exists := s.items[k]
	if exists && strings.TrimSpace(p.CasMD5) != "" && old.MD5 != p.CasMD5 {
		s.mu.Unlock()
		return Item{}, ErrCASMismatch
	}
	it := &Item{Key: k, Content: p.Content, MD5: MD5(p.Content), Type: NormalizeType(p.Type), AppName: p.AppName,
		EncryptedDataKey: p.EncryptedDataKey, LastModified: s.now()}
	s.items[k] = it
	notes := s.changedLocked(k)
	s.mu.Unlock()
	notify(notes)
	s.runHooks(k, false)
	s.observe()
	return *it, nil
}

// Remove deletes a config; it reports whether one was there. Listeners are
// told even when nothing was there, as the real server publishes the change
// event regardless.
func (s *Store) Remove(dataID, group, tenant, tag string) (bool, error) {
	k := NewKey(dataID, group, tenant)
	k.Tag = tag
	s.mu.Lock()
	if s.sealed {
		s.mu.Unlock()
		return false, ErrClosed
	}
	_, ok := s.items[k]
	delete(s.items, k)
	notes := s.changedLocked(k)
	s.mu.Unlock()
	notify(notes)
	s.runHooks(k, true)
	s.observe()
	return ok, nil
}

// Seal ends this store's life as a server restart does, at one instant:
// every later publish or removal is refused with ErrClosed, so a request
// still in flight to the old server can neither reach the new state nor be
// answered as if it had. It returns a new store with the same configs (the
// real server keeps them in its database) and no listeners (they belong to
// connections, which a restart closes).
func (s *Store) Seal() *Store {
	next := New(s.now, s.observe)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sealed = true
	for k, it := range s.items {
		c := *it
		next.items[k] = &c
	}
	return next
}

// Items lists every stored config, sorted by tenant, group, data id and tag.
func (s *Store) Items() []Item {
	s.mu.Lock()
	out := make([]Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, *it)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Key, out[j].Key
		if a.Tenant != b.Tenant {
			return a.Tenant < b.Tenant
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.DataID != b.DataID {
			return a.DataID < b.DataID
		}
		return a.Tag < b.Tag
	})
	return out
}

// Reset forgets every config; listeners stay.
func (s *Store) Reset() {
	s.mu.Lock()
	s.items = map[Key]*Item{}
	s.mu.Unlock()
	s.observe()
}
