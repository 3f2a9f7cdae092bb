package confighttp

import (
	"github.com/mocknacos/mocknacos/internal/paramcheck"

	"errors"
	"net/http"
	"strings"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/httpv1"
)

// contentTypes is FileTypeEnum: the Content-Type of a GET by config type
// (anything else is text).
var contentTypes = map[string]string{
	"json": "application/json;charset=UTF-8",
	"xml":  "application/xml;charset=UTF-8",
	"html": "text/html;charset=UTF-8",
	"htm":  "text/html;charset=UTF-8",
}

// get is GET /v1/cs/configs (section 4.1; ConfigController.getConfig and
// ConfigServletInner.doGetConfig).
func (s *Server) get(x *httpv1.Exchange) {
	if !s.filterCheck(x, defaultInfo(x)) || !s.required(x, "dataId", "group") {
		return
	}
	dataID, group, tenant, tag := x.Param("dataId"), x.Param("group"), x.Param("tenant"), x.Param("tag")
	if !checkTenant(x, tenant) || !checkParam(x, s.paramStatus(), dataID, group, "content") || !checkTag(x, tag) {
		return
	}
	it, ok := s.store.Get(dataID, group, tenant, strings.TrimSpace(tag))
	if !ok {
		// get404Result: println, no Content-Type.
		x.Answer(http.StatusNotFound, "", "config data not exist\n")
		return
	}
	h := x.Header()
	h.Set("Config-Type", it.Type)
	h.Set("Content-MD5", it.MD5)
	noCache(h)
	h.Set("Last-Modified", it.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Encrypted-Data-Key", it.EncryptedDataKey)
	ctype, ok := contentTypes[strings.ToLower(strings.TrimSpace(it.Type))]
	if !ok {
		ctype = textPlain
	}
	x.Answer(http.StatusOK, ctype, it.Content)
}

// publish is POST /v1/cs/configs (section 4.2; ConfigController.publishConfig
// and ConfigOperationService.publishConfig). The casMd5 header makes it
// conditional. Beta publishes (betaIps header) are stored as plain ones.
func (s *Server) publish(x *httpv1.Exchange) {
	if !s.filterCheck(x, defaultInfo(x)) || !s.required(x, "dataId", "group", "content") {
		return
	}
	dataID, group, tenant, tag, content := x.Param("dataId"), x.Param("group"), x.Param("tenant"), x.Param("tag"), x.Param("content")
	if !checkTenant(x, tenant) || !checkParam(x, s.paramStatus(), dataID, group, content) || !checkTag(x, tag) || !checkAdvance(x, s.paramStatus()) {
		return
	}
	_, err := s.store.Publish(config.Publish{DataID: dataID, Group: group, Tenant: s.tenant(tenant), Tag: strings.TrimSpace(tag),
		Content: content, Type: x.Param("type"), AppName: x.Param("appName"),
		EncryptedDataKey: x.Param("encryptedDataKey"), CasMD5: x.Request().Header.Get("casMd5")})
	if errors.Is(err, config.ErrCASMismatch) {
		msg := "Cas publish fail, server md5 may have changed."
		if strings.TrimSpace(tag) != "" {
			msg = "Cas publish tag config fail, server md5 may have changed."
		}
		caused(x, 500, msg)
		return
	}
	if err != nil {
		caused(x, 500, err.Error())
		return
	}
	x.Answer(http.StatusOK, "application/json", "true")
}

// checkAdvance is ParamUtils.checkParam(configAdvanceInfo).
func checkAdvance(x *httpv1.Exchange, status int) bool {
	if tags := x.Param("config_tags"); tags != "" {
		parts := strings.Split(tags, ",")
		if len(parts) > 5 {
			caused(x, status, "too much config_tags, over 5")
			return false
		}
		for _, p := range parts {
			if paramcheck.JavaLen(p) > 64 {
				caused(x, status, "too long tag, over 64")
				return false
			}
		}
	}
	for _, lim := range []struct {
		name string
		max  int
	}{{"desc", 128}, {"use", 32}, {"effect", 32}, {"schema", 32768}} {
		if v := x.Param(lim.name); paramcheck.JavaLen(v) > lim.max {
			caused(x, status, "too long "+lim.name+", over "+itoa(lim.max))
			return false
		}
	}
	return true
}

// remove is DELETE /v1/cs/configs (section 4.3): true, also when absent.
func (s *Server) remove(x *httpv1.Exchange) {
	if !s.filterCheck(x, defaultInfo(x)) || !s.required(x, "dataId", "group") {
		return
	}
	dataID, group, tenant, tag := x.Param("dataId"), x.Param("group"), x.Param("tenant"), x.Param("tag")
	if !checkTenant(x, tenant) || !checkParam(x, s.paramStatus(), dataID, group, "rm") || !checkTag(x, tag) {
		return
	}
	if _, err := s.store.Remove(dataID, group, s.tenant(tenant), strings.TrimSpace(tag)); err != nil {
		caused(x, 500, err.Error())
		return
	}
	x.Answer(http.StatusOK, "application/json", "true")
}
