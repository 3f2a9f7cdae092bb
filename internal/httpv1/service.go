package httpv1

import (
	"strings"

	"github.com/mocknacos/mocknacos/internal/registry"
)

type healthChecker struct {
	Type string `json:"type"`
}

type clusterJSON struct {
	Name          string            `json:"name"`
	HealthChecker healthChecker     `json:"healthChecker"`
	Metadata      map[string]string `json:"metadata"`
}

// selectorJSON is NoneSelector as Jackson writes it: 2.4.3 adds
// contextType "NONE", 1.4.8 has none (both observed on real servers).
type selectorJSON struct {
	Type        string `json:"type"`
	ContextType string `json:"contextType,omitempty"`
}

// serviceDetail is in the 2.4.3 server's field order (observed).
type serviceDetail struct {
	NamespaceID      string            `json:"namespaceId"`
	GroupName        string            `json:"groupName"`
	Name             string            `json:"name"`
	ProtectThreshold javaDouble        `json:"protectThreshold"`
	Metadata         map[string]string `json:"metadata"`
	Selector         selectorJSON      `json:"selector"`
	Clusters         []clusterJSON     `json:"clusters"`
}

// serviceFields reads protectThreshold, metadata and selector.
func (c *call) serviceFields() (registry.ServiceFields, error) {
	return c.serviceFieldsOf(true)
}

// serviceFieldsOf reads the fields; withThreshold false leaves
// protectThreshold to the caller.
func (c *call) serviceFieldsOf(withThreshold bool) (registry.ServiceFields, error) {
	var f registry.ServiceFields
	if v := c.p.optional("protectThreshold", ""); v != "" && withThreshold {
		t, err := parseDouble(v)
		if err != nil {
			return f, err
		}
		f.ProtectThreshold = &t
	}
	if c.p.has("metadata") {
		md, err := parseMetadata(c.p.get("metadata"))
		if err != nil {
			return f, err
		}
		f.Metadata = md
	}
	if c.p.has("selector") {
		sel := c.p.get("selector")
		f.Selector = &sel
	}
	return f, nil
}

func (s *Server) serviceDetail(c *call) error {
	if !c.p.has("serviceName") {
		// serviceName is a @RequestParam here (seen on real 1.4.8 and
		// 2.4.3 servers by the conformance suite).
		return &apiError{kind: missingParam, code: 400, msg: "serviceName"}
	}
	key, blank := c.blankServiceKey()
	if !blank {
		var err error
		if key, err = c.serviceKey(); err != nil {
			return err
		}
	}
	info, ok := s.reg.Service(key)
	if !ok {
		if s.reg.Mode() == registry.ModeV1 {
			return nacosErr(404, "service "+key.Grouped()+" is not found!")
		}
		// The message names the serviceName parameter as the filter
		// left it (a blank one untouched).
		name := key.Grouped()
		if blank {
			name = c.p.get("serviceName")
		}
		return nacosErr(400, "service not found, namespace: "+key.Namespace+", serviceName: "+name)
	}
	d := serviceDetail{Name: key.Name, NamespaceID: key.Namespace, ProtectThreshold: javaDouble(info.ProtectThreshold),
		Metadata: info.Metadata, Selector: selectorJSON{Type: "none"}, GroupName: key.Group, Clusters: []clusterJSON{}}
	for _, name := range info.Clusters {
		d.Clusters = append(d.Clusters, clusterJSON{Name: name, HealthChecker: healthChecker{Type: "TCP"}, Metadata: map[string]string{}})
	}
	if c.s.reg.Mode() == registry.ModeV1 {
		return c.json(serviceDetailV1{Name: d.Name, NamespaceID: d.NamespaceID, ProtectThreshold: d.ProtectThreshold,
			Metadata: d.Metadata, Selector: d.Selector, GroupName: d.GroupName, Clusters: d.Clusters})
	}
	d.Selector.ContextType = "NONE"
	return c.json(d)
}

// serviceDetailV1 is serviceDetail in the 1.4.8 server's field order.
type serviceDetailV1 struct {
	Name             string            `json:"name"`
	NamespaceID      string            `json:"namespaceId"`
	ProtectThreshold javaDouble        `json:"protectThreshold"`
	Metadata         map[string]string `json:"metadata"`
	Selector         selectorJSON      `json:"selector"`
	GroupName        string            `json:"groupName"`
	Clusters         []clusterJSON     `json:"clusters"`
}

// blankServiceKey is 2.4.3's service of a blank serviceName (a
// @RequestParam, so "" is present): NamingUtils.getGroupName and
// getServiceName of a blank are "", so it is Service(namespace, "", "").
// Any message that names it takes Service.getGroupedServiceName, which
// refuses a blank name (errBlankServiceName).
func (c *call) blankServiceKey() (registry.ServiceKey, bool) {
	if c.s.reg.Mode() != registry.ModeV2 || strings.TrimSpace(c.p.get("serviceName")) != "" {
		return registry.ServiceKey{}, false
	}
	ns := registry.NormalizeNamespace(c.p.optional("namespaceId", registry.DefaultNamespace))
	c.ev.Namespace = ns
	return registry.ServiceKey{Namespace: ns}, true
}

// errBlankServiceName is NamingUtils.getGroupedName's
// IllegalArgumentException for a blank name: 400.
func errBlankServiceName() error {
	return badRequest("Param 'serviceName' is illegal, serviceName is blank")
}

func (s *Server) serviceCreate(c *call) error {
	if !c.p.has("serviceName") {
		// serviceName is a Spring @RequestParam here.
		return &apiError{kind: missingParam, code: 400, msg: "serviceName"}
	}
	key, blank := c.blankServiceKey()
	var err error
	if !blank {
		if key, err = c.serviceKey(); err != nil {
			return err
		}
	}
	f, err := c.serviceFields()
	if err != nil {
		return err
	}
	if f.ProtectThreshold == nil {
		zero := 0.0
		f.ProtectThreshold = &zero
	}
	if err := s.reg.CreateService(key, f); err == registry.ErrServiceExists {
		if blank {
			return errBlankServiceName()
		}
		if s.reg.Mode() == registry.ModeV1 {
			// IllegalArgumentException in ServiceController.create@1.4.8: 400.
			return badRequest("specified service already exists, serviceName : " + key.Grouped())
		}
		return nacosErr(400, "specified service "+key.Grouped()+" already exists!")
	} else if err != nil {
		return err
	}
	return c.ok()
}

func (s *Server) serviceUpdate(c *call) error {
	key, err := c.serviceKey()
	if err != nil {
		return err
	}
	pt, err := c.p.required("protectThreshold")
	if err != nil {
		return err
	}
	// The threshold is NumberUtils.toFloat's (unparsable is 0, below), so
	// a threshold "abc" of an unknown service is "not found" (seen on a
	// real 2.4.3 by the conformance suite).
	f, err := c.serviceFieldsOf(false)
	if err != nil {
		return err
	}
	// NumberUtils.toFloat: unparsable is 0.
	t, err := parseDouble(pt)
	if err != nil {
		t = 0
	}
	f.ProtectThreshold = &t
	if err := s.reg.UpdateService(key, f); err == registry.ErrServiceNotFound {
		return nacosErr(map[registry.Mode]int{registry.ModeV1: 500, registry.ModeV2: 400, registry.ModeV3: 400}[s.reg.Mode()],
			"service "+key.Grouped()+" not found!")
	} else if err != nil {
		return err
	}
	return c.ok()
}

func (s *Server) serviceDelete(c *call) error {
	if !c.p.has("serviceName") {
		// A Spring @RequestParam here too (seen on real 2.4.3 and 1.4.8
		// servers by the conformance suite).
		return &apiError{kind: missingParam, code: 400, msg: "serviceName"}
	}
	key, blank := c.blankServiceKey()
	if !blank {
		var err error
		if key, err = c.serviceKey(); err != nil {
			return err
		}
	}
	switch err := s.reg.DeleteService(key); {
	case err == registry.ErrServiceNotFound && blank:
		return errBlankServiceName()
	case err == registry.ErrServiceNotFound && s.reg.Mode() == registry.ModeV1:
		return badRequest("specified service not exist, serviceName : " + key.Grouped())
	case err == registry.ErrServiceNotFound:
		return nacosErr(400, "service "+key.Grouped()+" not found!")
	case err == registry.ErrServiceNotEmpty:
		return nacosErr(400, "Service "+key.Grouped()+" is not empty, can't be delete. Please unregister instance first")
	case err != nil:
		return err
	}
	return c.ok()
}

type serviceList struct {
	Count int      `json:"count"`
	Doms  []string `json:"doms"`
}

// toInt is NumberUtils.toInt: 0 for anything unparsable.
func toInt(s string) int {
	n, err := parseInt(trimJava(s))
	if err != nil {
		return 0
	}
	return n
}

func (s *Server) serviceList(c *call) error {
	pn, err := c.p.required("pageNo")
	if err != nil {
		return err
	}
	ps, err := c.p.required("pageSize")
	if err != nil {
		return err
	}
	ns := registry.NormalizeNamespace(c.p.optional("namespaceId", registry.DefaultNamespace))
	group := c.p.optional("groupName", registry.DefaultGroup)
	c.ev.Namespace, c.ev.Group = ns, group
	names := s.reg.ServiceNames(ns, group)
	page := registry.Page(names, toInt(pn), toInt(ps))
	if s.reg.Mode() == registry.ModeV1 {
		return c.json(struct {
			Doms  []string `json:"doms"`
			Count int      `json:"count"`
		}{page, len(names)})
	}
	return c.json(serviceList{Count: len(names), Doms: page})
}
