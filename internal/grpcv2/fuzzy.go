package grpcv2

import (
	"sort"
	"strings"
	"sync"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Fuzzy watch (3.x, registry.ModeV3 only): a client watches a pattern
// "namespace>>group>>name" ('*' in group and name matches any run of
// characters; nothing else is special) and is told which services or
// configs it matches, then of each one that comes or goes. Every shape
// below was read off a real 3.0.3 with this package's test client:
//
//	-> NamingFuzzyWatchRequest {"namespace","groupKeyPattern","receivedGroupKeys":[...],"watchType":"WATCH","initializing":true}
//	<- NamingFuzzyWatchResponse {"resultCode":200,"errorCode":0,"success":true}
//	<- NamingFuzzyWatchSyncRequest {"syncType":"FUZZY_WATCH_INIT_NOTIFY","groupKeyPattern",
//	   "contexts":[{"serviceKey":"ns@@group@@name","changedType":"ADD_SERVICE"|"DELETE_SERVICE"}],"totalBatch":1,"currentBatch":1}
//	<- NamingFuzzyWatchChangeNotifyRequest {"syncType":"FUZZY_WATCH_RESOURCE_CHANGED","serviceKey","changedType"}
//
// and for config the same with groupKey "dataId+group+tenant",
// ADD_CONFIG/DELETE_CONFIG in the sync, and a change notify
// {"groupKey","changeType":"CONFIG_CHANGED"|"DELETE_CONFIG"} on every publish
// (new or not) and removal. The sync lists what the pattern matches that
// the client did not say it holds (ADD) and what it holds that is gone
// (DELETE), if anything; an initializing watch is then sent a sync of
// syncType FINISH_FUZZY_WATCH_INIT_NOTIFY, which completes the client's
// watch future. A service counts as added when it gets instances while the
// client does not hold it, and as deleted when its last instance goes
// (observed: a persistent service that stays, empty, is reported deleted).

const (
	typeNamingFuzzyWatchRequest       = "NamingFuzzyWatchRequest"
	typeNamingFuzzyWatchResponse      = "NamingFuzzyWatchResponse"
	typeNamingFuzzyWatchSyncRequest   = "NamingFuzzyWatchSyncRequest"
	typeNamingFuzzyWatchChangeRequest = "NamingFuzzyWatchChangeNotifyRequest"
	typeConfigFuzzyWatchRequest       = "ConfigFuzzyWatchRequest"
	typeConfigFuzzyWatchResponse      = "ConfigFuzzyWatchResponse"
	typeConfigFuzzyWatchSyncRequest   = "ConfigFuzzyWatchSyncRequest"
	typeConfigFuzzyWatchChangeRequest = "ConfigFuzzyWatchChangeNotifyRequest"

	syncInit        = "FUZZY_WATCH_INIT_NOTIFY"
	syncDiff        = "FUZZY_WATCH_DIFF_SYNC_NOTIFY"
	syncChanged     = "FUZZY_WATCH_RESOURCE_CHANGED"
	syncInitFinish  = "FINISH_FUZZY_WATCH_INIT_NOTIFY"
	watchCancel     = "CANCEL_WATCH"
	patternSep      = ">>"
	serviceKeySep   = "@@"
	configKeySep    = "+"
	changeAddSvc    = "ADD_SERVICE"
	changeDelSvc    = "DELETE_SERVICE"
	changeAddCfg    = "ADD_CONFIG"
	changeDelCfg    = "DELETE_CONFIG"
	changeCfgChange = "CONFIG_CHANGED"
)

// v3Only are the request types a 2.4.3 server has no handler for.
var v3Only = map[string]bool{typeNamingFuzzyWatchRequest: true, typeConfigFuzzyWatchRequest: true}

func init() {
	handlers[typeNamingFuzzyWatchRequest] = handle(journal.NamingFuzzyWatch, typeNamingFuzzyWatchResponse, namingFuzzyWatchReq)
	handlers[typeConfigFuzzyWatchRequest] = handle(journal.ConfigFuzzyWatch, typeConfigFuzzyWatchResponse, configFuzzyWatchReq)
}

type fuzzyWatchRequest struct {
	baseRequest
	Namespace         string   `json:"namespace"`
	GroupKeyPattern   string   `json:"groupKeyPattern"`
	ReceivedGroupKeys []string `json:"receivedGroupKeys"`
	WatchType         string   `json:"watchType"`
	Initializing      bool     `json:"initializing"`
}

// fuzzyPattern is a parsed groupKeyPattern.
type fuzzyPattern struct{ raw, ns, group, name string }

func parsePattern(raw string) (fuzzyPattern, bool) {
	parts := strings.Split(raw, patternSep)
	if len(parts) != 3 {
		return fuzzyPattern{}, false
	}
	return fuzzyPattern{raw: raw, ns: parts[0], group: parts[1], name: parts[2]}, true
}

func (p fuzzyPattern) matches(ns, group, name string) bool {
	return registry.NormalizeNamespace(ns) == registry.NormalizeNamespace(p.ns) && glob(p.group, group) && glob(p.name, name)
}

// glob matches s against a pattern whose only wildcard is '*'.
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// fuzzyWatches are one connection's fuzzy watches, by pattern, with the
// keys each is known to hold.
type fuzzyWatches struct {
	mu         sync.Mutex
	naming     map[string]*fuzzyWatch
	config     map[string]*fuzzyWatch
	removeHook func()
}

type fuzzyWatch struct {
	p     fuzzyPattern
	known map[string]bool
}

// fuzzyOf is the connection's fuzzy state, made on first use.
func (s *Server) fuzzyOf(c *conn) *fuzzyWatches {
	s.fuzzyMu.Lock()
	defer s.fuzzyMu.Unlock()
	if s.fuzzy == nil {
		s.fuzzy = map[string]*fuzzyWatches{}
	}
	f := s.fuzzy[c.id]
	if f == nil {
		f = &fuzzyWatches{naming: map[string]*fuzzyWatch{}, config: map[string]*fuzzyWatch{}}
		s.fuzzy[c.id] = f
	}
	return f
}

// dropFuzzy forgets a closed connection's watches.
func (s *Server) dropFuzzy(c *conn) {
	s.fuzzyMu.Lock()
	f := s.fuzzy[c.id]
	delete(s.fuzzy, c.id)
	s.fuzzyMu.Unlock()
	if f != nil && f.removeHook != nil {
		f.removeHook()
	}
}

type fuzzyContext struct {
	ServiceKey  string `json:"serviceKey,omitempty"`
	GroupKey    string `json:"groupKey,omitempty"`
	ChangedType string `json:"changedType"`
}

type namingSyncFields struct {
	SyncType        string         `json:"syncType"`
	GroupKeyPattern string         `json:"groupKeyPattern"`
	Contexts        []fuzzyContext `json:"contexts"`
	TotalBatch      int            `json:"totalBatch"`
	CurrentBatch    int            `json:"currentBatch"`
}

type configSyncFields struct {
	GroupKeyPattern string         `json:"groupKeyPattern"`
	Contexts        []fuzzyContext `json:"contexts,omitempty"`
	SyncType        string         `json:"syncType"`
	TotalBatch      int            `json:"totalBatch"`
	CurrentBatch    int            `json:"currentBatch"`
}

type namingChangeFields struct {
	SyncType    string `json:"syncType"`
	ServiceKey  string `json:"serviceKey"`
	ChangedType string `json:"changedType"`
}

type configChangeFields struct {
	GroupKey   string `json:"groupKey"`
	ChangeType string `json:"changeType"`
}

func serviceKeyString(k registry.ServiceKey) string {
	return k.Namespace + serviceKeySep + k.Group + serviceKeySep + k.Name
}

func configKeyString(k config.Key) string {
	return k.DataID + configKeySep + k.Group + configKeySep + k.Tenant
}

// diff is the sync contexts: matched keys the client lacks (add), held
// keys no longer matched (del); sorted for a stable order.
func diff(matched map[string]bool, received []string, add, del string, ctx func(key, change string) fuzzyContext) []fuzzyContext {
	have := map[string]bool{}
	for _, k := range received {
		have[k] = true
	}
	var out []fuzzyContext
	for _, k := range sortedKeys(have) {
		if !matched[k] {
			out = append(out, ctx(k, del))
		}
	}
	for _, k := range sortedKeys(matched) {
		if !have[k] {
			out = append(out, ctx(k, add))
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func syncType(initializing bool) string {
	if initializing {
		return syncInit
	}
	return syncDiff
}

// startFuzzy is what both watch requests do first: parse the pattern
// (r is the answer to a bad one), journal it, and handle CANCEL_WATCH by
// forgetting the pattern in watches (r is then the answer).
func startFuzzy(cl *call, req *fuzzyWatchRequest, respType string, watches func(*fuzzyWatches) map[string]*fuzzyWatch) (fuzzyPattern, *fuzzyWatches, *response) {
	p, valid := parsePattern(req.GroupKeyPattern)
	if !valid {
		return p, nil, errorResponse(codeInvalidParam, "groupKeyPattern is illegal: "+req.GroupKeyPattern)
	}
	cl.ev.Namespace, cl.ev.Group, cl.ev.Service = registry.NormalizeNamespace(p.ns), p.group, p.name
	f := cl.s.fuzzyOf(cl.c)
	if req.WatchType == watchCancel {
		f.mu.Lock()
		delete(watches(f), p.raw)
		f.mu.Unlock()
		return p, f, ok(respType, nil)
	}
	return p, f, nil
}

func namingFuzzyWatchReq(cl *call, req *fuzzyWatchRequest) *response {
	p, f, r := startFuzzy(cl, req, typeNamingFuzzyWatchResponse, func(f *fuzzyWatches) map[string]*fuzzyWatch { return f.naming })
	if r != nil {
		return r
	}
	matched := map[string]bool{}
	for _, st := range cl.s.cfg.Registry.Snapshot() {
		k := st.Info.Key
		if p.matches(k.Namespace, k.Group, k.Name) {
			matched[serviceKeyString(k)] = true
		}
	}
	f.mu.Lock()
	f.naming[p.raw] = &fuzzyWatch{p: p, known: matched}
	f.mu.Unlock()
	contexts := diff(matched, req.ReceivedGroupKeys, changeAddSvc, changeDelSvc, func(k, ch string) fuzzyContext {
		return fuzzyContext{ServiceKey: k, ChangedType: ch}
	})
	s, c := cl.s, cl.c
	s.background(func() {
		if len(contexts) > 0 {
			s.fuzzyPush(c, typeNamingFuzzyWatchSyncRequest, "naming", p, namingSyncFields{SyncType: syncType(req.Initializing),
				GroupKeyPattern: p.raw, Contexts: contexts, TotalBatch: 1, CurrentBatch: 1})
		}
		if req.Initializing {
			// The client's watch future completes with this.
			s.fuzzyPush(c, typeNamingFuzzyWatchSyncRequest, "naming", p, namingSyncFields{SyncType: syncInitFinish,
				GroupKeyPattern: p.raw, Contexts: []fuzzyContext{}, TotalBatch: 1, CurrentBatch: 1})
		}
	})
	return ok(typeNamingFuzzyWatchResponse, nil)
}

func configFuzzyWatchReq(cl *call, req *fuzzyWatchRequest) *response {
	st, r := cl.store()
	if r != nil {
		return r
	}
	p, f, r := startFuzzy(cl, req, typeConfigFuzzyWatchResponse, func(f *fuzzyWatches) map[string]*fuzzyWatch { return f.config })
	if r != nil {
		return r
	}
	matched := map[string]bool{}
	for _, it := range st.Items() {
		if it.Tag == "" && p.matches(it.Tenant, it.Group, it.DataID) {
			matched[configKeyString(it.Key)] = true
		}
	}
	f.mu.Lock()
	f.config[p.raw] = &fuzzyWatch{p: p, known: matched}
	if f.removeHook == nil {
		c, s := cl.c, cl.s
		f.removeHook = st.AddHook(func(k config.Key, removed bool) { s.configFuzzyChanged(c, k, removed) })
	}
	f.mu.Unlock()
	contexts := diff(matched, req.ReceivedGroupKeys, changeAddCfg, changeDelCfg, func(k, ch string) fuzzyContext {
		return fuzzyContext{GroupKey: k, ChangedType: ch}
	})
	s, c := cl.s, cl.c
	s.background(func() {
		if len(contexts) > 0 {
			s.fuzzyPush(c, typeConfigFuzzyWatchSyncRequest, "config", p, configSyncFields{GroupKeyPattern: p.raw,
				Contexts: contexts, SyncType: syncType(req.Initializing), TotalBatch: 1, CurrentBatch: 1})
		}
		if req.Initializing {
			// No contexts and no batch numbers, as 3.0.3 sends it.
			s.fuzzyPush(c, typeConfigFuzzyWatchSyncRequest, "config", p, configSyncFields{GroupKeyPattern: p.raw,
				SyncType: syncInitFinish})
		}
	})
	return ok(typeConfigFuzzyWatchResponse, nil)
}

// fuzzyPush sends one fuzzy watch push, journaled as FuzzyPush.
func (s *Server) fuzzyPush(c *conn, typ, module string, p fuzzyPattern, fields any) {
	if s.stopping.Load() || c.isClosed() {
		return
	}
	body := serverRequest(s.nextRequestID(), module, fields)
	pl := &payload{Type: typ, Body: body}
	ev := journal.Event{Kind: journal.FuzzyPush, Namespace: registry.NormalizeNamespace(p.ns), Group: p.group,
		Service: p.name, Request: journal.Request{Type: typ, Body: string(body)}}
	s.push(c, ev, func(ev *journal.Event) error { return s.sendOn(c, pl, "", 0, ev) })
}

// configFuzzyChanged tells the connection's config watches whose pattern
// matches k of a publish or removal.
func (s *Server) configFuzzyChanged(c *conn, k config.Key, removed bool) {
	f := s.fuzzyOf(c)
	key := configKeyString(k)
	change := changeCfgChange
	if removed {
		change = changeDelCfg
	}
	var hit []fuzzyPattern
	f.mu.Lock()
	for _, w := range f.config {
		if w.p.matches(k.Tenant, k.Group, k.DataID) {
			if removed {
				delete(w.known, key)
			} else {
				w.known[key] = true
			}
			hit = append(hit, w.p)
		}
	}
	f.mu.Unlock()
	for _, p := range hit {
		s.fuzzyPush(c, typeConfigFuzzyWatchChangeRequest, "config", p, configChangeFields{GroupKey: key, ChangeType: change})
	}
}

// ServicesChanged tells the naming fuzzy watches of services whose
// instances changed (the registry's Changes.Services): a service with
// instances that a watch does not hold is added, one without instances
// that it holds is deleted.
func (s *Server) ServicesChanged(keys []registry.ServiceKey) {
	if s.mode() != registry.ModeV3 || len(keys) == 0 {
		return
	}
	s.fuzzyMu.Lock()
	var conns []*conn
	for id := range s.fuzzy {
		if c := s.lookup(id); c != nil {
			conns = append(conns, c)
		}
	}
	s.fuzzyMu.Unlock()
	if len(conns) == 0 {
		return
	}
	present := map[registry.ServiceKey]bool{}
	for _, k := range keys {
		present[k] = len(s.cfg.Registry.View(k, registry.Selection{}).Hosts) > 0
	}
	for _, c := range conns {
		f := s.fuzzyOf(c)
		type note struct {
			p           fuzzyPattern
			key, change string
		}
		var notes []note
		f.mu.Lock()
		for _, w := range f.naming {
			for _, k := range keys {
				if !w.p.matches(k.Namespace, k.Group, k.Name) {
					continue
				}
				sk := serviceKeyString(k)
				switch {
				case present[k] && !w.known[sk]:
					w.known[sk] = true
					notes = append(notes, note{w.p, sk, changeAddSvc})
				case !present[k] && w.known[sk]:
					delete(w.known, sk)
					notes = append(notes, note{w.p, sk, changeDelSvc})
				}
			}
		}
		f.mu.Unlock()
		for _, n := range notes {
			s.fuzzyPush(c, typeNamingFuzzyWatchChangeRequest, "naming", n.p,
				namingChangeFields{SyncType: syncChanged, ServiceKey: n.key, ChangedType: n.change})
		}
	}
}
