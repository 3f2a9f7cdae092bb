//go:build conformance

package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// relaxed is what a relaxed field's value becomes on both sides.
const relaxed = "<relaxed>"

// relaxation is one entry of THE normalisation table: a JSON field (at any
// depth) whose value is not compared, and why.
type relaxation struct {
	field  string
	reason string
}

// relaxations is the one normalisation table. Nothing else is ignored: a
// field that differs and is not here is a difference.
var relaxations = []relaxation{
	{"lastRefTime", "the wall-clock time of the answer or of the last change, never the same on two servers"},
	{"timestamp", "Spring Boot's /error body carries the time of the error"},
	{"requestId", "the gRPC request id a server puts on its answer (the client sent none, a server makes one up)"},
	{"connectionId", "a connection's id is made up by each server"},
	{"checksum", "the 1.x list answer's checksum hashes lastRefTime among others (relaxed above)"},
	{"accessToken", "a login token is signed with each server's secret and issue time"},
	{"lastModified", "the wall-clock time a config was last written"},
}

// Rules that are not a single field, each with its reason.
var (
	// hostsOrder: an instance list's order follows the real server's hash
	// maps, not the order of registration; the set is compared, in a stable
	// order.
	hostsOrderReason = "an instance list's order is the real server's hash order; compared as a set"
)

func relaxedField(k string) bool {
	for _, r := range relaxations {
		if r.field == k {
			return true
		}
	}
	return false
}

// normalise applies the table to an answer's body.
func normalise(a answer, prefix string) answer {
	a.Body = normaliseValue(a.Body)
	return a
}

func normaliseValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if relaxedField(k) {
				x[k] = relaxed
				continue
			}
			x[k] = normaliseValue(e)
			if k == "hosts" {
				sortHosts(x[k])
			}
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normaliseValue(e)
		}
		return x
	}
	return v
}

func sortHosts(v any) {
	hosts, ok := v.([]any)
	if !ok {
		return
	}
	key := func(h any) string {
		m, _ := h.(map[string]any)
		return fmt.Sprint(m["ip"], ":", m["port"], ":", m["clusterName"])
	}
	sort.SliceStable(hosts, func(i, j int) bool { return strings.Compare(key(hosts[i]), key(hosts[j])) < 0 })
}
