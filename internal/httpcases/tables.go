package httpcases

// The hand-written tables of what the real Nacos servers reject over HTTP,
// and how. The mock's own tests (mocknacos/http_test.go) assert the mock
// answers them; the conformance suite (conformance/) sends them to the real
// servers too, so that the tables themselves are checked. Every expected
// status and body is the real server's: the 2.4.3 param checker answers 400
// with the message, CRLF and no Content-Type; controllers answer plain text;
// servlet filters (ServiceNameFilter, DistroFilter) answer with Spring Boot's
// /error JSON.

import (
	"net/url"
	"strings"
)

// Rejections are the requests a real Nacos 2.4.3 rejects (and two it
// answers with a 200 a client may not expect).
func Rejections() []Rejection {
	reg := "serviceName=orders&ip=127.0.0.1&port=8080"
	createOrders := Request{Method: "POST", Path: "/v1/ns/service?serviceName=orders"}
	cases := []Rejection{
		// Register: required parameters (WebUtils.required).
		{Name: "register/no serviceName", Req: PostInstance("ip=127.0.0.1&port=8080"),
			Status: 400, CType: TextPlain, Body: "Param 'serviceName' is required."},
		{Name: "register/no ip", Req: PostInstance("serviceName=orders&port=8080"),
			Status: 400, CType: TextPlain, Body: "Param 'ip' is required."},
		{Name: "register/empty ip", Req: PostInstance("serviceName=orders&ip=&port=8080"),
			Status: 400, CType: TextPlain, Body: "Param 'ip' is required."},
		{Name: "register/no port", Req: PostInstance("serviceName=orders&ip=127.0.0.1"),
			Status: 400, CType: TextPlain, Body: "Param 'port' is required."},
		{Name: "register/params in form body", Req: Request{Method: "POST", Path: InstancePath, Form: "serviceName=orders&ip=127.0.0.1"},
			Status: 400, CType: TextPlain, Body: "Param 'port' is required."},

		// Register: the param checker (400, message + CRLF, no Content-Type).
		{Name: "register/port not a number", Req: PostInstance("serviceName=orders&ip=127.0.0.1&port=abc"),
			Status: 400, CType: NoType, Body: portIllegal + CRLF},
		{Name: "register/port too large", Req: PostInstance("serviceName=orders&ip=127.0.0.1&port=65536"),
			Status: 400, CType: NoType, Body: portIllegal + CRLF},
		{Name: "register/port negative", Req: PostInstance("serviceName=orders&ip=127.0.0.1&port=-1"),
			Status: 400, CType: NoType, Body: portIllegal + CRLF},
		{Name: "register/cluster with a dot", Req: PostInstance(reg + "&clusterName=a.b"),
			Status: 400, CType: NoType, Body: "Param 'cluster' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "register/legacy cluster param", Req: PostInstance(reg + "&cluster=a.b"),
			Status: 400, CType: NoType, Body: "Param 'cluster' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "register/namespace with a dot", Req: PostInstance(reg + "&namespaceId=a.b"),
			Status: 400, CType: NoType, Body: "Param 'namespaceId/tenant' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "register/group with a space", Req: PostInstance(reg + "&groupName=a%20b"),
			Status: 400, CType: NoType, Body: "Param 'group' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "register/service name with a space", Req: PostInstance("serviceName=my%20orders&ip=127.0.0.1&port=8080"),
			Status: 400, CType: NoType, Body: "Param 'serviceName' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "register/ip with a space", Req: PostInstance("serviceName=orders&ip=1.2.3.4%205&port=8080"),
			Status: 400, CType: NoType, Body: "Param 'ip' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "register/metadata too long", Req: PostInstance(reg + "&metadata=" + url.QueryEscape(`{"k":"`+strings.Repeat("v", 1024)+`"}`)),
			Status: 400, CType: NoType, Body: "Param 'Metadata' is illegal, the param length should not exceed 1024." + CRLF},

		// Register: controller validation (plain text).
		{Name: "register/weight not a number", Req: PostInstance(reg + "&weight=abc"),
			Status: 400, CType: TextPlain, Body: `For input string: "abc"`},
		{Name: "register/weight too large", Req: PostInstance(reg + "&weight=10000.5"),
			Status: 400, CType: TextPlain, Body: "instance format invalid: The weights range from 0.0 to 10000.0"},
		{Name: "register/weight negative", Req: PostInstance(reg + "&weight=-1"),
			Status: 400, CType: TextPlain, Body: "instance format invalid: The weights range from 0.0 to 10000.0"},
		{Name: "register/cluster with an underscore", Req: PostInstance(reg + "&clusterName=a_b"),
			Status: 400, CType: TextPlain, Body: "Instance 'clusterName' should be characters with only 0-9a-zA-Z-. (current: a_b)"},
		{Name: "register/beat interval above timeout", Req: PostInstance(reg + "&metadata=" + url.QueryEscape(`{"preserved.heart.beat.interval":"20000"}`)),
			Status: 400, CType: TextPlain, Body: "Instance 'heart beat interval' must less than 'heart beat timeout' and 'ip delete timeout'."},
		{Name: "register/ephemeral into a persistent service", Setup: []Request{createOrders}, Req: PostInstance(reg),
			Status: 400, CType: TextPlain,
			Body: "errCode: 400, errMsg: Current service DEFAULT_GROUP@@orders is persistent service, can't register ephemeral instance. "},

		// Register: metadata that is neither JSON nor k=v fails in the
		// param checker's extractor, which DistroFilter turns into a 500.
		{Name: "register/bad metadata", Req: PostInstance(reg + "&metadata=abc"),
			Status: 500, CType: AppJSON,
			Spring: filterError(500, "Server failed, caused: ErrCode:400, ErrMsg:metadata format incorrect:abc;caused: metadata format incorrect:abc;")},

		// ServiceNameFilter: sendError(400), rendered as /error JSON.
		{Name: "register/service name without group", Req: PostInstance("serviceName=%40%40orders&ip=127.0.0.1&port=8080"),
			Status: 400, CType: AppJSON,
			Spring: filterError(400, "Service name filter error,caused: Param 'serviceName' is illegal, groupName can't be empty;")},
		{Name: "register/service name without name", Req: PostInstance("serviceName=orders%40%40&ip=127.0.0.1&port=8080"),
			Status: 400, CType: AppJSON,
			Spring: filterError(400, "Service name filter error,caused: Param 'serviceName' is illegal, it should be format as 'groupName@@serviceName';")},

		// Deregister shares the register builder's checks.
		{Name: "deregister/no ip", Req: Request{Method: "DELETE", Path: InstancePath + "?serviceName=orders&port=8080"},
			Status: 400, CType: TextPlain, Body: "Param 'ip' is required."},
		{Name: "deregister/no port", Req: Request{Method: "DELETE", Path: InstancePath + "?serviceName=orders&ip=127.0.0.1"},
			Status: 400, CType: TextPlain, Body: "Param 'port' is required."},

		// Update of an unknown service.
		{Name: "update/unknown service", Req: Request{Method: "PUT", Path: InstancePath + "?serviceName=nosuch&ip=127.0.0.1&port=8080"},
			Status: 400, CType: TextPlain,
			Body: "service not found, namespace: public, service: Service{namespace='public', group='DEFAULT_GROUP', name='nosuch', ephemeral=true, revision=0}"},

		// Instance detail.
		{Name: "detail/unknown service", Req: Request{Method: "GET", Path: InstancePath + "?serviceName=nosuch&ip=127.0.0.1&port=8080"},
			Status: 404, CType: TextPlain, Body: "no ips found for cluster DEFAULT in service DEFAULT_GROUP@@nosuch"},
		{Name: "detail/unknown instance", Setup: []Request{PostInstance(reg)},
			Req:    Request{Method: "GET", Path: InstancePath + "?serviceName=orders&ip=127.0.0.1&port=9090"},
			Status: 404, CType: TextPlain, Body: "no matched ip found!"},
		{Name: "detail/no port", Req: Request{Method: "GET", Path: InstancePath + "?serviceName=orders&ip=127.0.0.1"},
			Status: 400, CType: TextPlain, Body: "Param 'port' is required."},

		// Beat.
		{Name: "beat/no serviceName", Req: Request{Method: "PUT", Path: InstancePath + "/beat?ip=127.0.0.1&port=8080"},
			Status: 400, CType: TextPlain, Body: "Param 'serviceName' is required."},
		{Name: "beat/light beat for unknown instance", Req: Request{Method: "PUT", Path: InstancePath + "/beat?serviceName=orders&ip=127.0.0.1&port=8080"},
			Status: 200, CType: AppJSON, Body: `{"clientBeatInterval":5000,"code":20404,"lightBeatEnabled":true}`},

		// Instance list.
		{Name: "list/no serviceName", Req: Request{Method: "GET", Path: InstancePath + "/list"},
			Status: 400, CType: TextPlain, Body: "Param 'serviceName' is required."},
		{Name: "list/udpPort not a number", Req: Request{Method: "GET", Path: InstancePath + "/list?serviceName=orders&udpPort=x"},
			Status: 400, CType: TextPlain, Body: `For input string: "x"`},
		{Name: "list/illegal cluster", Req: Request{Method: "GET", Path: InstancePath + "/list?serviceName=orders&clusters=a,b.c"},
			Status: 400, CType: NoType, Body: "Param 'cluster' is illegal, illegal characters should not appear in the param." + CRLF},

		// Services.
		{Name: "service/create twice", Setup: []Request{createOrders}, Req: createOrders,
			Status: 400, CType: TextPlain, Body: "specified service DEFAULT_GROUP@@orders already exists!"},
		{Name: "service/create over an implicit service", Setup: []Request{PostInstance(reg)}, Req: createOrders,
			Status: 400, CType: TextPlain, Body: "specified service DEFAULT_GROUP@@orders already exists!"},
		{Name: "service/create without serviceName", Req: Request{Method: "POST", Path: "/v1/ns/service"},
			Status: 400, CType: TextPlain, Body: "Parameter 'serviceName' is missing"},
		{Name: "service/delete unknown", Req: Request{Method: "DELETE", Path: "/v1/ns/service?serviceName=nosuch"},
			Status: 400, CType: TextPlain, Body: "service DEFAULT_GROUP@@nosuch not found!"},
		{Name: "service/delete not empty", Setup: []Request{PostInstance(reg)}, Req: Request{Method: "DELETE", Path: "/v1/ns/service?serviceName=orders"},
			Status: 400, CType: TextPlain,
			Body: "Service DEFAULT_GROUP@@orders is not empty, can't be delete. Please unregister instance first"},
		{Name: "service/detail unknown", Req: Request{Method: "GET", Path: "/v1/ns/service?serviceName=nosuch"},
			Status: 400, CType: TextPlain, Body: "service not found, namespace: public, serviceName: DEFAULT_GROUP@@nosuch"},
		{Name: "service/update unknown", Req: Request{Method: "PUT", Path: "/v1/ns/service?serviceName=nosuch&protectThreshold=0.5"},
			Status: 400, CType: TextPlain, Body: "service DEFAULT_GROUP@@nosuch not found!"},
		{Name: "service/update without protectThreshold", Setup: []Request{createOrders}, Req: Request{Method: "PUT", Path: "/v1/ns/service?serviceName=orders"},
			Status: 400, CType: TextPlain, Body: "Param 'protectThreshold' is required."},
		{Name: "service list/no pageNo", Req: Request{Method: "GET", Path: "/v1/ns/service/list?pageSize=10"},
			Status: 400, CType: TextPlain, Body: "Param 'pageNo' is required."},
		{Name: "service list/no pageSize", Req: Request{Method: "GET", Path: "/v1/ns/service/list?pageNo=1"},
			Status: 400, CType: TextPlain, Body: "Param 'pageSize' is required."},

		// Found by the conformance suite (conformance/): ServiceNameFilter
		// runs before the param checker, which sees the grouped name; the
		// checker's extractor parses the metadata before any check; a
		// service update reads protectThreshold as NumberUtils.toFloat.
		{Name: "register/service name filter before the checker", Req: PostInstance("serviceName=%40%40orders&ip=127.0.0.1&port=8080&clusterName=a.b"),
			Status: 400, CType: AppJSON,
			Spring: filterError(400, "Service name filter error,caused: Param 'serviceName' is illegal, groupName can't be empty;")},
		{Name: "register/group with @@ makes the grouped name illegal", Req: PostInstance("serviceName=orders&groupName=a%40%40b&ip=127.0.0.1&port=8080"),
			Status: 400, CType: NoType, Body: "Param 'serviceName' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "register/bad metadata before the group check", Req: PostInstance("serviceName=orders&groupName=a%20b&ip=127.0.0.1&port=8080&metadata=abc"),
			Status: 500, CType: AppJSON,
			Spring: filterError(500, "Server failed, caused: ErrCode:400, ErrMsg:metadata format incorrect:abc;caused: metadata format incorrect:abc;")},
		{Name: "service/update unknown with a bad threshold", Req: Request{Method: "PUT", Path: "/v1/ns/service?serviceName=nosuch&protectThreshold=abc"},
			Status: 400, CType: TextPlain, Body: "service DEFAULT_GROUP@@nosuch not found!"},

		{Name: "service/delete without serviceName", Req: Request{Method: "DELETE", Path: "/v1/ns/service"},
			Status: 400, CType: TextPlain, Body: "Parameter 'serviceName' is missing"},

		{Name: "beat/illegal cluster is not checked", Req: Request{Method: "PUT", Path: InstancePath + "/beat?serviceName=orders&ip=127.0.0.1&port=8080&clusterName=a.b"},
			Status: 200, CType: AppJSON, Body: `{"clientBeatInterval":5000,"code":20404,"lightBeatEnabled":true}`},
		// NamingInstanceBeatHttpParamExtractor checks the beat JSON's
		// cluster, ip and port, and no metadata.
		{Name: "beat/illegal cluster in the beat JSON", Req: Request{Method: "PUT", Path: InstancePath + "/beat?serviceName=orders&beat=" +
			"%7B%22ip%22%3A%22127.0.0.1%22%2C%22port%22%3A8080%2C%22cluster%22%3A%22a.b%22%2C%22serviceName%22%3A%22orders%22%7D"},
			Status: 400, CType: NoType, Body: "Param 'cluster' is illegal, illegal characters should not appear in the param." + CRLF},
		{Name: "beat/metadata is not checked", Req: Request{Method: "PUT", Path: InstancePath + "/beat?serviceName=orders&ip=127.0.0.1&port=8080&metadata=abc"},
			Status: 200, CType: AppJSON, Body: `{"clientBeatInterval":5000,"code":20404,"lightBeatEnabled":true}`},

		{Name: "service/detail without serviceName", Req: Request{Method: "GET", Path: "/v1/ns/service"},
			Status: 400, CType: TextPlain, Body: "Parameter 'serviceName' is missing"},

		// A blank serviceName is Service("", "") (NamingUtils.getGroupName
		// and getServiceName of a blank are ""): created once; then its
		// "already exists" message takes Service.getGroupedServiceName,
		// whose NamingUtils.getGroupedName refuses a blank name. The
		// namespace "orders" is renamed per case by the conformance suite.
		{Name: "service/create with a blank serviceName", Req: Request{Method: "POST", Path: "/v1/ns/service?serviceName=&namespaceId=orders"},
			Status: 200, CType: TextPlain, Body: "ok"},
		{Name: "service/create of an existing blank serviceName", Setup: []Request{{Method: "POST", Path: "/v1/ns/service?serviceName=&namespaceId=orders"}},
			Req:    Request{Method: "POST", Path: "/v1/ns/service?serviceName=&namespaceId=orders"},
			Status: 400, CType: TextPlain, Body: "Param 'serviceName' is illegal, serviceName is blank"},
		{Name: "service/detail of an unknown blank serviceName", Req: Request{Method: "GET", Path: "/v1/ns/service?serviceName=&namespaceId=orders"},
			Status: 400, CType: TextPlain, Body: "service not found, namespace: orders, serviceName: "},
		{Name: "service/delete of an unknown blank serviceName", Req: Request{Method: "DELETE", Path: "/v1/ns/service?serviceName=&namespaceId=orders"},
			Status: 400, CType: TextPlain, Body: "Param 'serviceName' is illegal, serviceName is blank"},

		// DistroFilter: no controller method for this path and method.
		{Name: "unknown naming path", Req: Request{Method: "GET", Path: "/v1/ns/nosuch"},
			Status: 501, CType: AppJSON,
			Spring: &SpringError{Status: 501, Error: "Not Implemented", Message: "no such api:GET:/nacos/v1/ns/nosuch", Path: "/nacos/v1/ns/nosuch"}},
		{Name: "unknown naming method", Req: Request{Method: "GET", Path: "/v1/ns/instance/beat?serviceName=orders"},
			Status: 501, CType: AppJSON,
			Spring: &SpringError{Status: 501, Error: "Not Implemented", Message: "no such api:GET:/nacos/v1/ns/instance/beat", Path: "/nacos/v1/ns/instance/beat"}},
	}
	return cases
}

// RejectionsNacos1 are Nacos 1.4.x's answers: exceptions as "caused: ...;",
// most of them 500, no param checker, no ServiceNameFilter.
func RejectionsNacos1() []Rejection {
	cases := []Rejection{
		{Name: "register/no serviceName", Req: PostInstance("ip=127.0.0.1&port=8080"),
			Status: 400, CType: TextPlain, Body: "caused: Param 'serviceName' is required.;"},
		{Name: "register/empty group", Req: PostInstance("serviceName=%40%40orders&ip=127.0.0.1&port=8080"),
			Status: 400, CType: TextPlain, Body: "caused: Param 'serviceName' is illegal, groupName can't be empty;"},
		// 1.4.x's DistroFilter reads a POST's body before Tomcat parses it:
		// form parameters are never seen (observed on a real 1.4.8 server).
		{Name: "register/params in form body", Req: Request{Method: "POST", Path: InstancePath, Form: "serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080"},
			Status: 400, CType: TextPlain, Body: "caused: Param 'serviceName' is required.;"},
		// Cluster.validate and Service.validate, not 2.x's
		// checkInstanceIsLegal: no beat interval check.
		{Name: "register/cluster with a dot", Req: PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&clusterName=a.b"),
			Status: 400, CType: TextPlain, Body: "caused: cluster name can only have these characters: 0-9a-zA-Z-, current: a.b;"},
		// Deregister: ip, port and weight first; the cluster is validated
		// only for a known service (ServiceManager makes the Cluster).
		{Name: "deregister/illegal cluster of a known service", Setup: []Request{PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080")},
			Req:    Request{Method: "DELETE", Path: InstancePath + "?serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&clusterName=a.b"},
			Status: 400, CType: TextPlain, Body: "caused: cluster name can only have these characters: 0-9a-zA-Z-, current: a.b;"},
		{Name: "deregister/illegal cluster of an unknown service", Req: Request{Method: "DELETE", Path: InstancePath + "?serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&clusterName=a.b"},
			Status: 200, CType: TextPlain, Body: "ok"},
		{Name: "deregister/no port before no serviceName", Req: Request{Method: "DELETE", Path: InstancePath + "?ip=127.0.0.1"},
			Status: 400, CType: TextPlain, Body: "caused: Param 'port' is required.;"},
		{Name: "deregister/weight not a number before no serviceName", Req: Request{Method: "DELETE", Path: InstancePath + "?ip=127.0.0.1&port=8080&weight=abc"},
			Status: 400, CType: TextPlain, Body: `caused: For input string: "abc";`},
		{Name: "register/group with a space", Req: PostInstance("serviceName=orders&groupName=a%20b&ip=127.0.0.1&port=8080"),
			Status: 400, CType: TextPlain, Body: "caused: dom name can only have these characters: 0-9a-zA-Z-._:, current: a b@@orders;"},
		{Name: "register/beat interval above timeout", Req: PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&metadata=" + url.QueryEscape(`{"preserved.heart.beat.interval":"20000"}`)),
			Status: 200, CType: TextPlain, Body: "ok"},
		{Name: "register/no ip", Req: PostInstance("serviceName=DEFAULT_GROUP%40%40orders&port=8080"),
			Status: 400, CType: TextPlain, Body: "caused: Param 'ip' is required.;"},
		{Name: "register/port not a number", Req: PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=abc"),
			Status: 400, CType: TextPlain, Body: `caused: For input string: "abc";`},
		{Name: "register/weight too large", Req: PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&weight=10001"),
			Status: 500, CType: TextPlain, Body: "caused: instance format invalid: The weights range from 0.0 to 10000.0;"},
		{Name: "register/bad metadata", Req: PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&metadata=abc"),
			Status: 500, CType: TextPlain, Body: "caused: metadata format incorrect:abc;"},
		{Name: "register/bad metadata before the weight range", Req: PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&weight=10000.5&metadata=abc"),
			Status: 500, CType: TextPlain, Body: "caused: metadata format incorrect:abc;"},
		// detail: allIPs of the cluster, not of the service.
		{Name: "detail/cluster without instances", Setup: []Request{PostInstance("serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080")},
			Req:    Request{Method: "GET", Path: InstancePath + "?serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080&clusterName=c1"},
			Status: 500, CType: TextPlain, Body: "caused: no ips found for cluster c1 in service DEFAULT_GROUP@@orders;"},
		{Name: "detail/unknown service", Req: Request{Method: "GET", Path: InstancePath + "?serviceName=DEFAULT_GROUP%40%40nosuch&ip=127.0.0.1&port=8080"},
			Status: 500, CType: TextPlain, Body: "caused: no service DEFAULT_GROUP@@nosuch found!;"},
		{Name: "service/create twice", Setup: []Request{{Method: "POST", Path: "/v1/ns/service?serviceName=DEFAULT_GROUP%40%40orders"}},
			Req:    Request{Method: "POST", Path: "/v1/ns/service?serviceName=DEFAULT_GROUP%40%40orders"},
			Status: 400, CType: TextPlain, Body: "caused: specified service already exists, serviceName : DEFAULT_GROUP@@orders;"},
		{Name: "service/delete unknown", Req: Request{Method: "DELETE", Path: "/v1/ns/service?serviceName=DEFAULT_GROUP%40%40nosuch"},
			Status: 400, CType: TextPlain, Body: "caused: specified service not exist, serviceName : DEFAULT_GROUP@@nosuch;"},
		{Name: "service/detail unknown", Req: Request{Method: "GET", Path: "/v1/ns/service?serviceName=DEFAULT_GROUP%40%40nosuch"},
			Status: 500, CType: TextPlain, Body: "caused: service DEFAULT_GROUP@@nosuch is not found!;"},
		{Name: "service list/no pageNo", Req: Request{Method: "GET", Path: "/v1/ns/service/list?pageSize=10"},
			Status: 400, CType: TextPlain, Body: "caused: Param 'pageNo' is required.;"},
		// Found by the conformance suite: 1.4.x does not HTML-escape the
		// missing-parameter message of a login.
		{Name: "login/no password", Req: Request{Method: "POST", Path: "/v1/auth/login", Form: "username=nacos"},
			Status: 500, CType: TextPlain, Body: "caused: Required request parameter 'password' for method parameter type String is not present;"},
		// Found by the conformance suite: 1.4.x service detail, update and
		// delete look a malformed name up as sent.
		{Name: "service/detail of a name without group", Req: Request{Method: "GET", Path: "/v1/ns/service?serviceName=%40%40nosuch"},
			Status: 500, CType: TextPlain, Body: "caused: service @@nosuch is not found!;"},
		{Name: "service/delete of a name without name", Req: Request{Method: "DELETE", Path: "/v1/ns/service?serviceName=nosuch%40%40"},
			Status: 400, CType: TextPlain, Body: "caused: specified service not exist, serviceName : nosuch@@;"},
		{Name: "service/delete without serviceName", Req: Request{Method: "DELETE", Path: "/v1/ns/service"},
			Status: 500, CType: TextPlain, Body: "caused: Required request parameter 'serviceName' for method parameter type String is not present;"},
		{Name: "service/detail without serviceName", Req: Request{Method: "GET", Path: "/v1/ns/service?groupName=g1"},
			Status: 500, CType: TextPlain, Body: "caused: Required request parameter 'serviceName' for method parameter type String is not present;"},
		// 1.4.x leaves lightBeatEnabled out of the 20404 answer.
		{Name: "beat/light beat for unknown instance",
			Req:    Request{Method: "PUT", Path: InstancePath + "/beat?serviceName=DEFAULT_GROUP%40%40orders&ip=127.0.0.1&port=8080"},
			Status: 200, CType: AppJSON, Body: `{"clientBeatInterval":5000,"code":20404}`},
		// 1.4.x list of an unknown service: no lastRefTime, checksum or dom.
		{Name: "list/unknown service", Req: Request{Method: "GET", Path: InstancePath + "/list?serviceName=DEFAULT_GROUP%40%40nosuch&clusters=a"},
			Status: 200, CType: AppJSON, Body: `{"name":"DEFAULT_GROUP@@nosuch","clusters":"a","cacheMillis":3000,"hosts":[]}`},
	}
	return cases
}
