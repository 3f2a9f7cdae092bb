package confighttp

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/httpv1"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// mountV3 adds the 3.x config client API (ConfigOpenApiController@3.0.3):
// GET /nacos/v3/client/cs/config?namespaceId&groupName&dataId.
func (s *Server) mountV3(h *httpv1.Server, r *mux.Router) {
	describeV3 := func(x *httpv1.Exchange) {
		ev := x.Event()
		ev.Namespace = config.NormalizeTenant(x.Param("namespaceId"))
		ev.Group, ev.Service = x.Param("groupName"), x.Param("dataId")
		ev.Cluster, ev.IP, ev.Port = "", "", 0
	}
	httpv1.Route(r, "/nacos/v3/client/cs/config", h.Handle(journal.ConfigGet, describeV3, s.getV3), http.MethodGet)
}

// configResponse is the ConfigQueryResponse a v3 GET wraps in its Result.
type configResponse struct {
	ResultCode       int     `json:"resultCode"`
	ErrorCode        int     `json:"errorCode"`
	Message          *string `json:"message"`
	RequestID        *string `json:"requestId"`
	Content          string  `json:"content"`
	EncryptedDataKey string  `json:"encryptedDataKey"`
	ContentType      string  `json:"contentType"`
	MD5              string  `json:"md5"`
	LastModified     int64   `json:"lastModified"`
	Tag              *string `json:"tag"`
	Beta             bool    `json:"beta"`
	Success          bool    `json:"success"`
}

// getV3 answers as a real 3.0.3 (observed: curl
// '/nacos/v3/client/cs/config?dataId=d1&groupName=g1' after a v1 publish;
// the same without the config, and without dataId or groupName).
func (s *Server) getV3(x *httpv1.Exchange) {
	for _, name := range []string{"dataId", "groupName"} {
		if !x.Has(name) {
			// Spring's MissingServletRequestParameterException, through the
			// config module's exception handler.
			x.Answer(http.StatusBadRequest, "text/plain;charset=UTF-8",
				"caused: Required parameter '"+name+"' type String is not present;")
			return
		}
	}
	it, ok := s.store.Get(x.Param("dataId"), x.Param("groupName"), x.Param("namespaceId"), "")
	if !ok {
		x.Result(http.StatusOK, 20004, "resource not found", nil)
		return
	}
	x.Result(http.StatusOK, 0, "success", configResponse{ResultCode: 200, Content: it.Content,
		EncryptedDataKey: it.EncryptedDataKey, ContentType: it.Type, MD5: it.MD5,
		LastModified: it.LastModified.UnixMilli(), Success: true})
}
