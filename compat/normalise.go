//go:build compat

package compat

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// An observation is a JSON-like value (map[string]any, []any, string,
// float64, bool, nil) that a scenario saw: a server's HTTP answer, what a
// consumer reported, a traffic summary. Before the mock's and a real
// server's observations are compared with go-cmp, both are normalised the
// same way: ports become role names, the fields below are dropped or
// reduced to their presence, and arrays are sorted.

// Observation kinds (the first column of Ignored).
const (
	obsList     = "instance list"   // GET /nacos/v1/ns/instance/list
	obsDetail   = "instance detail" // GET /nacos/v1/ns/instance
	obsConsumer = "consumer"        // sample-consumer's GET /instances
	obsTraffic  = "traffic"         // requests a provider sent, as a recording proxy saw them
)

// Treatment of an ignored field.
const (
	Drop     = "not compared"
	Presence = "only empty vs non-empty compared"
)

// IgnoredField names one field the comparison does not take as is, and why.
// Path is a path of keys into the observation; "*" matches any key or array
// element.
type IgnoredField struct {
	Observation string
	Path        []string
	Treatment   string
	Reason      string
}

// Ignored is every field the comparison ignores: the one place to look.
// Besides these, every observation goes through two rewrites that are not
// field-specific: (1) the ports of the run (apps, server, proxies) become
// role names such as <provider-a>, since each column runs on free ports;
// (2) arrays are sorted by their JSON text, since instance order is hash
// order on the real server.
var Ignored = []IgnoredField{
	{obsList, []string{"lastRefTime"}, Drop, "the server's clock when the service last changed"},
	{obsList, []string{"checksum"}, Presence, "1.4.x: an MD5 over the hosts and lastRefTime, different every run (2.x answers an empty string)"},
	{obsTraffic, []string{"*", "body", "accessToken"}, Presence, "a signed JWT whose expiry and signature differ per server and run"},
	{obsTraffic, []string{"*", "body", "lastRefTime"}, Drop, "as in the instance list"},
	{obsTraffic, []string{"*", "body", "checksum"}, Presence, "as in the instance list"},
	{obsTraffic, []string{"*", "count"}, Drop, "how many beats arrive depends on how long each stage took"},
}

// portPattern finds decimal numbers that may be ports inside strings.
var portPattern = regexp.MustCompile(`\b\d{2,5}\b`)

// normalise returns v with the run's ports replaced by their roles, the
// Ignored fields of this observation kind applied and arrays sorted.
func normalise(kind string, v any, ports map[int]string) any {
	v = roundTrip(v)
	v = substitutePorts(v, ports)
	for _, f := range Ignored {
		if f.Observation == kind {
			v = apply(v, f.Path, f.Treatment)
		}
	}
	return sortArrays(v)
}

// roundTrip turns any JSON-encodable value into the generic JSON shape.
func roundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

func substitutePorts(v any, ports map[int]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[substitutePorts(k, ports).(string)] = substitutePorts(e, ports)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substitutePorts(e, ports)
		}
		return out
	case float64:
		if role, ok := ports[int(x)]; ok && float64(int(x)) == x {
			return role
		}
		return x
	case string:
		return portPattern.ReplaceAllStringFunc(x, func(s string) string {
			n, _ := strconv.Atoi(s)
			if role, ok := ports[n]; ok {
				return role
			}
			return s
		})
	}
	return v
}

func apply(v any, path []string, treatment string) any {
	if len(path) == 0 {
		if treatment == Presence {
			if isEmpty(v) {
				return ""
			}
			return "<non-empty>"
		}
		return "<not compared>"
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if path[0] == "*" || path[0] == k {
				x[k] = apply(e, path[1:], treatment)
			}
		}
	case []any:
		for i, e := range x {
			if path[0] == "*" || path[0] == strconv.Itoa(i) {
				x[i] = apply(e, path[1:], treatment)
			}
		}
	}
	return v
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func sortArrays(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = sortArrays(e)
		}
	case []any:
		keys := make([]string, len(x))
		for i, e := range x {
			x[i] = sortArrays(e)
			b, _ := json.Marshal(x[i])
			keys[i] = string(b)
		}
		sort.Sort(byKey{x, keys})
	}
	return v
}

type byKey struct {
	v    []any
	keys []string
}

func (b byKey) Len() int           { return len(b.v) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.v[i], b.v[j] = b.v[j], b.v[i]
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
}

// ignoredTable renders Ignored as Markdown rows.
func ignoredTable() string {
	var b strings.Builder
	b.WriteString("| observation | field | treatment | why |\n|---|---|---|---|\n")
	for _, f := range Ignored {
		b.WriteString("| " + f.Observation + " | `" + strings.Join(f.Path, " › ") + "` | " + f.Treatment + " | " + f.Reason + " |\n")
	}
	return b.String()
}
