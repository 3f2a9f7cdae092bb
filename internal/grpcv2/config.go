package grpcv2

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/paramcheck"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Config request handlers (nacos-protocol.md 5.5; the 2.4.3 server's
// config/.../remote/Config*RequestHandler and RpcConfigChangeNotifier).

const (
	typeConfigQueryRequest              = "ConfigQueryRequest"
	typeConfigQueryResponse             = "ConfigQueryResponse"
	typeConfigPublishRequest            = "ConfigPublishRequest"
	typeConfigPublishResponse           = "ConfigPublishResponse"
	typeConfigRemoveRequest             = "ConfigRemoveRequest"
	typeConfigRemoveResponse            = "ConfigRemoveResponse"
	typeConfigBatchListenRequest        = "ConfigBatchListenRequest"
	typeConfigChangeBatchListenResponse = "ConfigChangeBatchListenResponse"
	typeConfigChangeNotifyRequest       = "ConfigChangeNotifyRequest"
)

// ConfigQueryResponse error codes.
const (
	codeConfigNotFound = 300
	// vipserverTag is Constants.VIPSERVER_TAG, the header that selects a
	// tag variant of a config.
	vipserverTag = "Vipserver-Tag"
	// nullMD5 stands for a listen context whose md5 is null: the real
	// server compares it with the server md5 ("" for a missing config) and
	// never finds them equal.
	nullMD5 = "\x00null"
)

// --- requests ---

// configRequest is AbstractConfigRequest. Pointers tell null from "":
// Java messages print a null as "null".
type configRequest struct {
	baseRequest
	DataID *string `json:"dataId"`
	Group  *string `json:"group"`
	Tenant *string `json:"tenant"`
}

type configQueryRequest struct {
	configRequest
	Tag *string `json:"tag"`
}

type configPublishRequest struct {
	configRequest
	Content     *string            `json:"content"`
	CasMd5      *string            `json:"casMd5"`
	AdditionMap map[string]*string `json:"additionMap"`
}

type configRemoveRequest struct {
	configRequest
	Tag *string `json:"tag"`
}

type configBatchListenRequest struct {
	baseRequest
	// Listen defaults to true (the Java field's initialiser).
	Listen               *bool                  `json:"listen"`
	ConfigListenContexts []*configListenContext `json:"configListenContexts"`
}

type configListenContext struct {
	Group  *string `json:"group"`
	MD5    *string `json:"md5"`
	DataID *string `json:"dataId"`
	Tenant *string `json:"tenant"`
}

// --- responses' subclass fields (declaration order) ---

type configQueryFields struct {
	Content          *string `json:"content,omitempty"`
	EncryptedDataKey *string `json:"encryptedDataKey,omitempty"`
	ContentType      *string `json:"contentType,omitempty"`
	MD5              *string `json:"md5,omitempty"`
	LastModified     int64   `json:"lastModified"`
	// Tag is null (omitted) unless a tag variant was served; nacos-sdk-go
	// v2 declares it a bool and cannot parse a string here.
	Tag  string `json:"tag,omitempty"`
	Beta bool   `json:"beta"`
}

type configContext struct {
	Group  string `json:"group"`
	DataID string `json:"dataId"`
	Tenant string `json:"tenant"`
}

type changedConfigsField struct {
	ChangedConfigs []configContext `json:"changedConfigs"`
}

type configNotifyFields struct {
	DataID string  `json:"dataId"`
	Group  string  `json:"group"`
	Tenant *string `json:"tenant,omitempty"` // nil: left out (Jackson NON_NULL)
}

// str is a Java String's value: null is "".
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// jstr is a Java String as string concatenation prints it.
func jstr(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// --- the listener: a connection's config.Listener ---

// configListener is a connection listening to configs: every change of a
// key it listens to is pushed as a ConfigChangeNotifyRequest carrying the
// key as the connection sent it.
type configListener struct {
	s *Server
	c *conn
	// busy counts the connection's config requests being handled;
	// answered is when the last one was answered (wall clock, unix nanos).
	busy     atomic.Int32
	answered atomic.Int64
}

// configTypes are the config requests a connection's readiness waits out.
var configTypes = map[string]bool{typeConfigQueryRequest: true, typeConfigBatchListenRequest: true,
	typeConfigPublishRequest: true, typeConfigRemoveRequest: true}

// listenSettle is how long a connection's config traffic must have been
// quiet before a change is sure to reach its client (ReadyAt).
const listenSettle = 50 * time.Millisecond

// handling marks a config request of the connection as being handled; the
// returned func marks it answered.
func (l *configListener) handling() func() {
	l.busy.Add(1)
	return func() {
		l.answered.Store(time.Now().UnixNano())
		l.busy.Add(-1)
	}
}

// ReadyAt is config.Settling. A change pushed while the client is still
// taking in its listen answer can be lost: nacos-sdk-go v2 (2.3.5,
// ConfigClient.executeConfigListen) marks every key the answer did not list
// as in sync once it has read it, overwriting what a push set meanwhile,
// and only its 5-minute full sync finds the change. So a connection counts
// as ready once its config requests have been answered and quiet for
// listenSettle (its follow-up queries and listen rounds come within that).
func (l *configListener) ReadyAt() time.Time {
	if l.busy.Load() > 0 {
		return time.Now().Add(listenSettle)
	}
	return time.Unix(0, l.answered.Load()).Add(listenSettle)
}

// Changed pushes the change and returns once the notification was handed
// to the connection's stream (or after the push timeout), so that a change
// made by the test API has been sent when the call returns.
func (l *configListener) Changed(w config.Watch) { l.s.pushConfig(l.c, w) }

func (s *Server) pushConfig(c *conn, w config.Watch) {
	if s.stopping.Load() || c.isClosed() {
		return
	}
	spelled := config.Spelling(w.Tenant)
	tenant := &spelled
	if strings.TrimSpace(spelled) == "" {
		// 3.0.3 and 2.4.3 push no tenant (null) to a connection that
		// listened with a blank one, and "public" to one that listened
		// with "public" (observed on both: two connections, one listening
		// with each).
		tenant = nil
	}
	body := serverRequest(s.nextRequestID(), "config", configNotifyFields{DataID: w.DataID, Group: w.Group, Tenant: tenant})
	p := &payload{Type: typeConfigChangeNotifyRequest, Body: body}
	ev := journal.Event{Kind: journal.ConfigPush, Namespace: config.Namespace(w.Tenant), Group: w.Group,
		Service: w.DataID, Request: journal.Request{Type: p.Type, Body: string(body)}}
	s.push(c, ev, func(ev *journal.Event) error { return s.sendOn(c, p, "", 0, ev) })
}

// unlistenConfigs forgets what a connection listened to (ConfigConnectionEventListener).
func (s *Server) unlistenConfigs(c *conn) {
	if s.cfg.Configs != nil && c.cfgListener != nil {
		s.cfg.Configs.UnlistenAll(c.cfgListener)
	}
}

// --- checks ---

var configDataIDPattern = regexp.MustCompile(`^[a-zA-Z0-9-_:.]*$`)

// configParamCheck is RemoteParamCheckFilter with a config extractor
// (namespace, dataId, group; DefaultParamChecker's order).
func (cl *call) configParamCheck(tenant, dataID, group *string) *response {
	msg := (&paramInfo{namespace: str(tenant)}).check()
	if d := str(dataID); msg == "" && !blank(d) {
		if paramcheck.JavaLen(d) > 256 {
			msg = "Param 'dataId' is illegal, the param length should not exceed 256."
		} else if !configDataIDPattern.MatchString(d) {
			msg = "Param 'dataId' is illegal, illegal characters should not appear in the param."
		}
	}
	if msg == "" {
		msg = (&paramInfo{group: str(group)}).check()
	}
	if msg != "" {
		r := failed(cl.respType, codeInvalidParam, "Param check invalid:"+msg)
		// The filter answers a new instance of the handler's response
		// class: its default fields are written too.
		switch cl.respType {
		case typeConfigQueryResponse:
			r.Extra = configQueryFields{}
		case typeConfigChangeBatchListenResponse:
			r.Extra = changedConfigsField{ChangedConfigs: []configContext{}}
		}
		return r
	}
	return nil
}

// isValid is ParamUtils.isValid: letters, digits and _ - . :
func isValid(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("_-.:", r) {
			return false
		}
	}
	return true
}

// checkDatum is ParamUtils.checkParam(dataId, group, datumId, content): a
// NacosApiException with errCode 400.
func checkDatum(dataID, group, content *string) string {
	switch {
	case blank(str(dataID)) || !isValid(strings.TrimSpace(*dataID)):
		return "invalid dataId : " + jstr(dataID)
	case blank(str(group)) || !isValid(*group):
		return "invalid group : " + jstr(group)
	case blank(str(content)):
		return "content is blank : " + jstr(content)
	}
	return ""
}

// checkTag is ParamUtils.checkParam(tag): an IllegalArgumentException.
func checkTag(tag string) string {
	if blank(tag) {
		return ""
	}
	if !isValid(strings.TrimSpace(tag)) {
		return "invalid tag : " + tag
	}
	if paramcheck.JavaLen(tag) > 16 {
		return "too long tag, over 16"
	}
	return ""
}

// checkTenant is ParamUtils.checkTenant: an IllegalArgumentException.
func checkTenant(tenant string) string {
	if blank(tenant) {
		return ""
	}
	if !isValid(strings.TrimSpace(tenant)) {
		return "invalid tenant"
	}
	if paramcheck.JavaLen(tenant) > 128 {
		return "too long tenant, over 128"
	}
	return ""
}

// checkAdvance is ParamUtils.checkParam(configAdvanceInfo) over the keys
// the publish handler copies (null values are not copied).
func checkAdvance(m map[string]*string) string {
	if v := m["config_tags"]; v != nil {
		tags := strings.Split(*v, ",")
		// Java's split drops trailing empty strings.
		for len(tags) > 0 && tags[len(tags)-1] == "" {
			tags = tags[:len(tags)-1]
		}
		if len(tags) > 5 {
			return "too much config_tags, over 5"
		}
		for _, t := range tags {
			if paramcheck.JavaLen(t) > 64 {
				return "too long tag, over 64"
			}
		}
	}
	limits := []struct {
		key string
		max int
	}{{"desc", 128}, {"use", 32}, {"effect", 32}, {"type", 32}, {"schema", 32768}}
	for _, l := range limits {
		if v := m[l.key]; v != nil && paramcheck.JavaLen(*v) > l.max {
			return "too long " + l.key + ", over " + strconv.Itoa(l.max)
		}
	}
	return ""
}

// --- handlers ---

// store is the config store; a server without one has no config handlers.
func (cl *call) store() (*config.Store, *response) {
	if cl.s.cfg.Configs == nil {
		return nil, errorResponse(codeNoHandler, "RequestHandler Not Found")
	}
	return cl.s.cfg.Configs, nil
}

// tenant is the store's tenant for a request's: a real 2.4.3's gRPC config
// handlers use it verbatim ("public" is not ""); 3.0.3 maps blank to public.
func (cl *call) tenant(p *string) string {
	if cl.s.mode() == registry.ModeV2 {
		return config.Exact(str(p))
	}
	return str(p)
}

func (cl *call) noteConfig(dataID, group, tenant *string) {
	cl.ev.Namespace, cl.ev.Group, cl.ev.Service = config.NormalizeTenant(str(tenant)), str(group), str(dataID)
}

// configQueryReq is ConfigQueryRequestHandler: the config, or a tag
// variant (the tag field, or the Vipserver-Tag header when that variant
// exists). Not found is resultCode 500, errorCode 300.
func configQueryReq(cl *call, req *configQueryRequest) *response {
	cl.noteConfig(req.DataID, req.Group, req.Tenant)
	st, r := cl.store()
	if r != nil {
		return r
	}
	if req.Group == nil || req.DataID == nil {
		// A query without a group or dataId fails before the checks, with a
		// NullPointerException without message (seen on a real 2.4.3 by
		// the conformance suite).
		return errorResponse(codeFail, "")
	}
	if r := cl.configParamCheck(req.Tenant, req.DataID, req.Group); r != nil {
		return r
	}
	tag, autoTag := str(req.Tag), cl.in.Headers[vipserverTag]
	for _, t := range []string{tag, autoTag} {
		if msg := checkTag(t); msg != "" {
			return failed(typeConfigQueryResponse, codeFail, msg)
		}
	}
	dataID, group, tenant := str(req.DataID), str(req.Group), cl.tenant(req.Tenant)
	notFound := func() *response {
		r := failed(typeConfigQueryResponse, codeConfigNotFound, "config data not exist")
		r.Extra = configQueryFields{}
		return r
	}
	var it config.Item
	var found bool
	servedTag := ""
	switch {
	case !blank(tag):
		it, found = st.Get(dataID, group, tenant, tag)
		servedTag = tag
	case !blank(autoTag):
		if it, found = st.Get(dataID, group, tenant, autoTag); found {
			servedTag = url.QueryEscape(autoTag)
		} else {
			it, found = st.Get(dataID, group, tenant, "")
		}
	default:
		it, found = st.Get(dataID, group, tenant, "")
	}
	if !found {
		return notFound()
	}
	return ok(typeConfigQueryResponse, configQueryFields{Content: &it.Content, EncryptedDataKey: &it.EncryptedDataKey,
		ContentType: &it.Type, MD5: &it.MD5, LastModified: it.LastModified.UnixMilli(), Tag: servedTag})
}

// configPublishReq is ConfigPublishRequestHandler: casMd5 makes the
// publish conditional; additionMap carries type, appName, tag,
// encryptedDataKey and the like. A beta publish (betaIps) is stored as a
// plain one, as on the HTTP side.
func configPublishReq(cl *call, req *configPublishRequest) *response {
	cl.noteConfig(req.DataID, req.Group, req.Tenant)
	st, r := cl.store()
	if r != nil {
		return r
	}
	if r := cl.configParamCheck(req.Tenant, req.DataID, req.Group); r != nil {
		return r
	}
	add := func(k string) string { return str(req.AdditionMap[k]) }
	if msg := checkDatum(req.DataID, req.Group, req.Content); msg != "" {
		return failed(typeConfigPublishResponse, codeInvalidParam, msg)
	}
	tag := add("tag")
	if msg := checkTag(tag); msg != "" {
		return failed(typeConfigPublishResponse, codeFail, msg)
	}
	if msg := checkAdvance(req.AdditionMap); msg != "" {
		return failed(typeConfigPublishResponse, codeInvalidParam, msg)
	}
	beta := !blank(add("betaIps"))
	if beta {
		tag = ""
	}
	_, err := st.Publish(config.Publish{DataID: str(req.DataID), Group: str(req.Group), Tenant: cl.tenant(req.Tenant),
		Tag: strings.TrimSpace(tag), Content: str(req.Content), Type: add("type"), AppName: add("appName"),
		EncryptedDataKey: add("encryptedDataKey"), CasMD5: str(req.CasMd5)})
	if errors.Is(err, config.ErrCASMismatch) {
		msg := "Cas publish fail,server md5 may have changed."
		switch {
		case beta:
			msg = "Cas publish beta config fail,server md5 may have changed."
		case !blank(tag):
			msg = "Cas publish tag config fail,server md5 may have changed."
		}
		return failed(typeConfigPublishResponse, codeFail, msg)
	}
	if err != nil {
		return failed(typeConfigPublishResponse, codeFail, err.Error())
	}
	return ok(typeConfigPublishResponse, nil)
}

// configRemoveReq is ConfigRemoveRequestHandler. Its failures are
// buildFailResponse(msg): resultCode 500, errorCode 0.
func configRemoveReq(cl *call, req *configRemoveRequest) *response {
	cl.noteConfig(req.DataID, req.Group, req.Tenant)
	st, r := cl.store()
	if r != nil {
		return r
	}
	if r := cl.configParamCheck(req.Tenant, req.DataID, req.Group); r != nil {
		return r
	}
	rm := "rm"
	tag := str(req.Tag)
	for _, msg := range []string{checkTenant(str(req.Tenant)), checkDatum(req.DataID, req.Group, &rm), checkTag(tag)} {
		if msg != "" {
			return &response{Type: typeConfigRemoveResponse, ResultCode: codeFail, Message: msg}
		}
	}
	if _, err := st.Remove(str(req.DataID), str(req.Group), cl.tenant(req.Tenant), strings.TrimSpace(tag)); err != nil {
		return &response{Type: typeConfigRemoveResponse, ResultCode: codeFail, Message: err.Error()}
	}
	return ok(typeConfigRemoveResponse, nil)
}

// configBatchListenReq is ConfigChangeBatchListenRequestHandler: listen
// true adds the connection as a listener of every context and answers the
// contexts whose md5 differs from the server's; listen false removes them.
func configBatchListenReq(cl *call, req *configBatchListenRequest) *response {
	if len(req.ConfigListenContexts) == 1 && req.ConfigListenContexts[0] != nil {
		lc := req.ConfigListenContexts[0]
		cl.noteConfig(lc.DataID, lc.Group, lc.Tenant)
	}
	st, r := cl.store()
	if r != nil {
		return r
	}
	for _, lc := range req.ConfigListenContexts {
		if lc == nil {
			continue
		}
		if r := cl.configParamCheck(lc.Tenant, lc.DataID, lc.Group); r != nil {
			return r
		}
	}
	for _, lc := range req.ConfigListenContexts {
		// A context without a group fails building its group key, past
		// the checks (seen on a real 2.4.3 by the conformance suite).
		if lc != nil && (lc.Group == nil || lc.DataID == nil) {
			return errorResponse(codeFail, `Cannot invoke "String.length()" because "str" is null`)
		}
	}
	if msg := checkTag(cl.in.Headers[vipserverTag]); msg != "" {
		return thrown(codeFail, msg)
	}
	listen := req.Listen == nil || *req.Listen
	probes := make([]config.Probe, 0, len(req.ConfigListenContexts))
	for _, lc := range req.ConfigListenContexts {
		if lc == nil {
			continue
		}
		md5 := nullMD5
		if lc.MD5 != nil {
			md5 = *lc.MD5
		}
		probes = append(probes, config.Probe{Watch: config.Watch{DataID: str(lc.DataID), Group: str(lc.Group),
			Tenant: cl.tenant(lc.Tenant)}, MD5: md5})
	}
	changed := []configContext{}
	if !listen {
		ws := make([]config.Watch, len(probes))
		for i, p := range probes {
			ws[i] = p.Watch
		}
		st.Unlisten(cl.c.cfgListener, ws)
		return ok(typeConfigChangeBatchListenResponse, changedConfigsField{ChangedConfigs: changed})
	}
	for _, w := range st.Listen(cl.c.cfgListener, probes) {
		changed = append(changed, configContext{Group: w.Group, DataID: w.DataID, Tenant: config.Spelling(w.Tenant)})
	}
	// A connection that closed while this request was handled keeps no
	// listeners.
	if cl.c.isClosed() {
		cl.s.unlistenConfigs(cl.c)
	}
	return ok(typeConfigChangeBatchListenResponse, changedConfigsField{ChangedConfigs: changed})
}
