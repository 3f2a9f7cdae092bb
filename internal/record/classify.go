package record

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// httpKinds names what an HTTP request does, by method and path, in the
// journal's words (the mock's routes: internal/httpv1, confighttp, auth).
// proxy_test.go checks the proxy's events against the mock's own journal.
var httpKinds = map[string]journal.Kind{
	"POST /nacos/v1/ns/instance":             journal.Register,
	"DELETE /nacos/v1/ns/instance":           journal.Deregister,
	"PUT /nacos/v1/ns/instance":              journal.Update,
	"PATCH /nacos/v1/ns/instance":            journal.Patch,
	"GET /nacos/v1/ns/instance":              journal.Instance,
	"PUT /nacos/v1/ns/instance/beat":         journal.Beat,
	"GET /nacos/v1/ns/instance/list":         journal.List,
	"GET /nacos/v1/ns/service":               journal.ServiceGet,
	"POST /nacos/v1/ns/service":              journal.ServiceCreate,
	"PUT /nacos/v1/ns/service":               journal.ServiceUpdate,
	"DELETE /nacos/v1/ns/service":            journal.ServiceDelete,
	"GET /nacos/v1/ns/service/list":          journal.ServiceList,
	"GET /nacos/v1/ns/operator/metrics":      journal.Metrics,
	"GET /nacos/v1/ns/ops/metrics":           journal.Metrics,
	"GET /nacos/v1/ns/operator/switches":     journal.Switches,
	"GET /nacos/v1/ns/ops/switches":          journal.Switches,
	"GET /nacos/v1/console/health/liveness":  journal.Health,
	"GET /nacos/v1/console/health/readiness": journal.Health,
	"GET /nacos/v2/console/health/liveness":  journal.Health,
	"GET /nacos/v2/console/health/readiness": journal.Health,
	"GET /nacos/v1/cs/configs":               journal.ConfigGet,
	"POST /nacos/v1/cs/configs":              journal.ConfigPublish,
	"DELETE /nacos/v1/cs/configs":            journal.ConfigRemove,
	"POST /nacos/v1/cs/configs/listener":     journal.ConfigListen,
	"POST /nacos/v1/auth/login":              journal.Login,
	"POST /nacos/v1/auth/users/login":        journal.Login,
	"POST /nacos/v3/auth/user/login":         journal.Login,
	"POST /nacos/v1/auth/users/admin":        journal.AdminInit,
}

// describeHTTP fills an HTTP event's kind and subject from the request's
// parameters, as the mock's handlers do.
func describeHTTP(e *journal.Event, params map[string][]string) {
	get := func(k string) string {
		if v := params[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	e.Kind = httpKinds[e.Request.Method+" "+e.Request.Path]
	if e.Kind == "" {
		e.Kind = journal.Unknown
	}
	if e.Kind == journal.List {
		if n, _ := strconv.Atoi(get("udpPort")); n > 0 {
			e.Kind = journal.Subscribe
		}
	}
	if strings.HasPrefix(e.Request.Path, "/nacos/v1/cs/") {
		e.Namespace, e.Group, e.Service = config.NormalizeTenant(get("tenant")), get("group"), get("dataId")
		return
	}
	e.Namespace = registry.NormalizeNamespace(get("namespaceId"))
	if svc := strings.TrimSpace(get("serviceName")); svc != "" {
		e.Group, e.Service = registry.ParseGrouped(svc, get("groupName"))
	}
	e.Cluster, e.IP = get("clusterName"), get("ip")
	e.Port, _ = strconv.Atoi(get("port"))
	if beat := get("beat"); beat != "" {
		var rs struct {
			IP      string      `json:"ip"`
			Port    json.Number `json:"port"`
			Cluster string      `json:"cluster"`
		}
		if json.Unmarshal([]byte(beat), &rs) == nil {
			e.IP, e.Cluster = rs.IP, rs.Cluster
			if p, err := rs.Port.Int64(); err == nil {
				e.Port = int(p)
			}
		}
	}
	if e.Kind == journal.Beat {
		var ans struct {
			Code int `json:"code"`
		}
		if json.Unmarshal([]byte(e.Response.Body), &ans) == nil {
			e.Response.ErrorCode = ans.Code
		}
	}
}

// grpcKinds names the client requests by payload type.
var grpcKinds = map[string]journal.Kind{
	"ServerCheckRequest":        journal.ServerCheck,
	"ConnectionSetupRequest":    journal.Setup,
	"HealthCheckRequest":        journal.HealthCheck,
	"InstanceRequest":           journal.Register,
	"PersistentInstanceRequest": journal.Register,
	"BatchInstanceRequest":      journal.BatchRegister,
	"SubscribeServiceRequest":   journal.Subscribe,
	"ServiceQueryRequest":       journal.ServiceQuery,
	"ServiceListRequest":        journal.ServiceList,
	"ConfigQueryRequest":        journal.ConfigGet,
	"ConfigPublishRequest":      journal.ConfigPublish,
	"ConfigRemoveRequest":       journal.ConfigRemove,
	"ConfigBatchListenRequest":  journal.ConfigListen,
	// What the server sends on the stream.
	"NotifySubscriberRequest":   journal.Push,
	"ConfigChangeNotifyRequest": journal.ConfigPush,
	"ClientDetectionRequest":    journal.ClientDetection,
	"ConnectResetRequest":       journal.ConnectReset,
	"SetupAckRequest":           journal.SetupAck,
}

// grpcBody is what the journal reads of a gRPC body.
type grpcBody struct {
	ServiceName string `json:"serviceName"`
	Type        string `json:"type"`
	Subscribe   *bool  `json:"subscribe"`
	Clusters    string `json:"clusters"`
	Instance    *struct {
		IP          string      `json:"ip"`
		Port        json.Number `json:"port"`
		ClusterName string      `json:"clusterName"`
	} `json:"instance"`
	ServiceInfo *struct {
		Name      string `json:"name"`
		GroupName string `json:"groupName"`
		Clusters  string `json:"clusters"`
	} `json:"serviceInfo"`
	ResultCode int `json:"resultCode"`
	ErrorCode  int `json:"errorCode"`
}

// describeGRPC fills a gRPC event's kind and subject from the payload.
// fromServer is true for what the server sent on the stream.
func describeGRPC(e *journal.Event, typ string, body []byte, fromServer bool) {
	var b grpcBody
	_ = json.Unmarshal(body, &b)
	switch k, ok := grpcKinds[typ]; {
	case ok:
		e.Kind = k
	case fromServer:
		e.Kind = journal.Push // a server request the journal has no name for
	case strings.HasSuffix(typ, "Response"):
		e.Kind = journal.PushAck
		e.Response = journal.Response{Status: b.ResultCode, ErrorCode: b.ErrorCode, Type: typ}
		return
	default:
		e.Kind = journal.Unknown
	}
	switch {
	case e.Kind == journal.Register && b.Type == "deregisterInstance":
		e.Kind = journal.Deregister
	case e.Kind == journal.Subscribe && b.Subscribe != nil && !*b.Subscribe:
		e.Kind = journal.Unsubscribe
	}
	grpcv2.Describe(e, body)
	switch {
	case b.ServiceName != "":
		e.Cluster = b.Clusters
	case b.ServiceInfo != nil:
		e.Group, e.Service, e.Cluster = b.ServiceInfo.GroupName, b.ServiceInfo.Name, b.ServiceInfo.Clusters
	}
	if in := b.Instance; in != nil {
		e.IP, e.Cluster = in.IP, in.ClusterName
		if p, err := in.Port.Int64(); err == nil {
			e.Port = int(p)
		}
	}
}
