package grpcv2

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/httpv1"
)

// Payload type names: the Java simple class names (nacos-protocol.md 5.2).
const (
	typeServerCheckRequest       = "ServerCheckRequest"
	typeServerCheckResponse      = "ServerCheckResponse"
	typeConnectionSetupRequest   = "ConnectionSetupRequest"
	typeSetupAckRequest          = "SetupAckRequest"
	typeHealthCheckRequest       = "HealthCheckRequest"
	typeHealthCheckResponse      = "HealthCheckResponse"
	typeErrorResponse            = "ErrorResponse"
	typeClientDetectionRequest   = "ClientDetectionRequest"
	typeConnectResetRequest      = "ConnectResetRequest"
	typeNotifySubscriberRequest  = "NotifySubscriberRequest"
	typeInstanceRequest          = "InstanceRequest"
	typeInstanceResponse         = "InstanceResponse"
	typeBatchInstanceRequest     = "BatchInstanceRequest"
	typeBatchInstanceResponse    = "BatchInstanceResponse"
	typePersistentInstanceReq    = "PersistentInstanceRequest"
	typeSubscribeServiceRequest  = "SubscribeServiceRequest"
	typeSubscribeServiceResponse = "SubscribeServiceResponse"
	typeServiceQueryRequest      = "ServiceQueryRequest"
	typeQueryServiceResponse     = "QueryServiceResponse"
	typeServiceListRequest       = "ServiceListRequest"
	typeServiceListResponse      = "ServiceListResponse"
)

// Error codes of the real server (NacosException, ResponseCode).
const (
	codeSuccess      = 200
	codeFail         = 500
	codeInvalidParam = 400
	codeNoRight      = 403
	codeUnregister   = 301
	codeNoHandler    = 302
	codeBadGateway   = 502
	// codeOverThreshold is NacosException.OVER_THRESHOLD, what the real
	// server's TPS control answers a request over its limit with.
	codeOverThreshold = 503
)

// response is a server answer: the base Response fields plus the fields of
// the concrete class in Extra (a struct or nil).
type response struct {
	Type       string
	ResultCode int
	ErrorCode  int
	Message    string // omitted when empty (Jackson NON_NULL)
	RequestID  string // omitted when empty
	Extra      any
}

func ok(typ string, extra any) *response {
	return &response{Type: typ, ResultCode: codeSuccess, Extra: extra}
}

// failed is Response.setErrorInfo: resultCode 500 and the given errorCode,
// in the handler's own response class (what request filters answer).
func failed(typ string, errorCode int, msg string) *response {
	return &response{Type: typ, ResultCode: codeFail, ErrorCode: errorCode, Message: msg}
}

// errorResponse is ErrorResponse.build(code, msg): resultCode 500.
func errorResponse(code int, msg string) *response {
	return &response{Type: typeErrorResponse, ResultCode: codeFail, ErrorCode: code, Message: msg}
}

// thrown is ErrorResponse.build(exception): a NacosException thrown by a
// handler sets both resultCode and errorCode to its code.
func thrown(code int, msg string) *response {
	return &response{Type: typeErrorResponse, ResultCode: code, ErrorCode: code, Message: msg}
}

// encode writes the JSON body in the order Jackson writes a Response:
// resultCode, errorCode, message, requestId, the subclass fields, then
// success (from isSuccess()).
func (r *response) encode() []byte {
	var b bytes.Buffer
	b.WriteString(`{"resultCode":`)
	b.WriteString(strconv.Itoa(r.ResultCode))
	b.WriteString(`,"errorCode":`)
	b.WriteString(strconv.Itoa(r.ErrorCode))
	if r.Message != "" {
		b.WriteString(`,"message":`)
		writeJSON(&b, r.Message)
	}
	if r.RequestID != "" {
		b.WriteString(`,"requestId":`)
		writeJSON(&b, r.RequestID)
	}
	if r.Extra != nil {
		inner := marshal(r.Extra)
		if len(inner) > 2 { // not "{}"
			b.WriteByte(',')
			b.Write(inner[1 : len(inner)-1])
		}
	}
	b.WriteString(`,"success":`)
	b.WriteString(strconv.FormatBool(r.ResultCode == codeSuccess))
	b.WriteByte('}')
	return b.Bytes()
}

func (r *response) payload() *payload {
	return &payload{Type: r.Type, Body: r.encode()}
}

// marshal is json.Marshal without HTML escaping (Jackson does not escape
// '<', '>' or '&').
func marshal(v any) []byte {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.WriteString("null")
		return
	}
	b.Truncate(b.Len() - 1) // Encode's newline
}

// serverRequest encodes a server->client request: headers first, the
// class's fields, requestId, then the module getter.
func serverRequest(requestID, module string, extra any) []byte {
	var b bytes.Buffer
	b.WriteString(`{"headers":{},"requestId":`)
	writeJSON(&b, requestID)
	if extra != nil {
		inner := marshal(extra)
		if len(inner) > 2 {
			b.WriteByte(',')
			b.Write(inner[1 : len(inner)-1])
		}
	}
	b.WriteString(`,"module":`)
	writeJSON(&b, module)
	b.WriteByte('}')
	return b.Bytes()
}

// --- requests (unknown fields are ignored, as Jackson is configured) ---

// baseRequest holds the fields every request has.
type baseRequest struct {
	RequestID string `json:"requestId"`
	Module    string `json:"module"`
}

type connectionSetupRequest struct {
	baseRequest
	ClientVersion string            `json:"clientVersion"`
	Tenant        string            `json:"tenant"`
	Labels        map[string]string `json:"labels"`
	// AbilityTable is the client's abilities (Java clients 2.3 and later;
	// "{}" counts): present, it asks for a SetupAckRequest.
	AbilityTable json.RawMessage `json:"abilityTable"`
}

// wantsSetupAck: the table is present and not null.
func (r *connectionSetupRequest) wantsSetupAck() bool {
	return len(r.AbilityTable) > 0 && string(r.AbilityTable) != "null"
}

// serverAbilities is what a 2.4.3 server tells SDK clients it can do
// (NacosAbilityManagerHolder, AbilityMode.SERVER). A real 3.0.3 adds
// fuzzyWatch, lock and mcp; the 3.0 mode adds fuzzyWatch only, the one it
// implements (a client uses an ability it sees).
var (
	serverAbilities   = map[string]bool{"supportPersistentInstanceByGrpc": true}
	serverAbilitiesV3 = map[string]bool{"supportPersistentInstanceByGrpc": true, "fuzzyWatch": true}
)

// setupAck is the SetupAckRequest body: sent without a requestId, as
// GrpcConnection.sendRequestNoAck sends it, and with no answer awaited.
func setupAck(abilities map[string]bool) []byte {
	var b bytes.Buffer
	b.WriteString(`{"headers":{},"abilityTable":`)
	b.Write(marshal(abilities))
	b.WriteString(`,"module":"internal"}`)
	return b.Bytes()
}

// namingRequest is AbstractNamingRequest (nacos-protocol.md 5.4).
type namingRequest struct {
	baseRequest
	Namespace   string `json:"namespace"`
	ServiceName string `json:"serviceName"`
	GroupName   string `json:"groupName"`
}

type instanceRequest struct {
	namingRequest
	Type     string        `json:"type"`
	Instance *instanceJSON `json:"instance"`
}

type batchInstanceRequest struct {
	namingRequest
	Type      string          `json:"type"`
	Instances []*instanceJSON `json:"instances"`
}

type subscribeServiceRequest struct {
	namingRequest
	Subscribe bool   `json:"subscribe"`
	Clusters  string `json:"clusters"`
}

type serviceQueryRequest struct {
	namingRequest
	Cluster     string  `json:"cluster"`
	HealthyOnly bool    `json:"healthyOnly"`
	UDPPort     flexInt `json:"udpPort"`
}

type serviceListRequest struct {
	namingRequest
	PageNo   flexInt `json:"pageNo"`
	PageSize flexInt `json:"pageSize"`
	Selector string  `json:"selector"`
}

// instanceJSON is the api Instance POJO as clients send it. Pointers tell
// absent from zero where the POJO has a non-zero default; Go v2 sends every
// field, with "" for unset strings (treated as absent).
type instanceJSON struct {
	InstanceID  *string           `json:"instanceId"`
	IP          string            `json:"ip"`
	Port        flexInt           `json:"port"`
	Weight      *float64          `json:"weight"`
	Healthy     *bool             `json:"healthy"`
	Enabled     *bool             `json:"enabled"`
	Ephemeral   *bool             `json:"ephemeral"`
	ClusterName *string           `json:"clusterName"`
	ServiceName *string           `json:"serviceName"`
	Metadata    map[string]string `json:"metadata"`
}

// flexInt accepts a JSON number or a numeric string, as Jackson coerces.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fl, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil {
			return err
		}
		n = int64(fl)
	}
	*f = flexInt(n)
	return nil
}

// --- responses' subclass fields ---

type serverCheckFields struct {
	ConnectionID              string `json:"connectionId"`
	SupportAbilityNegotiation bool   `json:"supportAbilityNegotiation"`
}

type typeField struct {
	Type string `json:"type"`
}

type serviceInfoField struct {
	ServiceInfo *httpv1.ServiceInfo `json:"serviceInfo"`
}

type serviceListFields struct {
	Count        int      `json:"count"`
	ServiceNames []string `json:"serviceNames"`
}

type connectResetFields struct {
	ServerIP   string `json:"serverIp,omitempty"`
	ServerPort string `json:"serverPort,omitempty"`
}
