package registry

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The real servers list a service's instances in the iteration order of
// Java hash tables; clients see that order in lists and pushes. This file
// reproduces it from the JDK's documented hashing (String.hashCode, the
// HashMap spread h ^ h>>>16, power-of-two tables that double past 3/4
// full): a HashMap iterates bucket by bucket, and keys sharing a bucket in
// the order they were put (a resize splits a bucket keeping that order).

// javaStringHash is java.lang.String.hashCode.
func javaStringHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// javaBucket is the bucket of a key with hash h in a HashMap table of the
// given size.
func javaBucket(h int32, capacity int) int {
	x := uint32(h)
	return int((x ^ x>>16) & uint32(capacity-1))
}

// javaHashMapCapacity is the table size of a java.util.HashMap built with
// the default capacity (16) and load factor (0.75) holding n keys.
func javaHashMapCapacity(n int) int {
	m := javaMap{}
	for i := 0; i < n; i++ {
		m.put()
	}
	if m.capacity == 0 {
		return 16
	}
	return m.capacity
}

// javaMap follows the table size of a java.util.HashMap as keys are put
// (HashMap.resize, putVal, putMapEntries).
type javaMap struct{ capacity, threshold, size int }

// newJavaMap is new HashMap<>(initialCapacity).
func newJavaMap(initialCapacity int) javaMap {
	return javaMap{threshold: javaTableSizeFor(initialCapacity)}
}

// javaTableSizeFor is HashMap.tableSizeFor: the power of two >= n (>= 1).
func javaTableSizeFor(n int) int {
	c := 1
	for c < n {
		c <<= 1
	}
	return c
}

func (m *javaMap) resize() {
	newThr := 0
	switch {
	case m.capacity > 0:
		if m.capacity >= 16 {
			newThr = m.threshold << 1
		}
		m.capacity <<= 1
	case m.threshold > 0:
		m.capacity = m.threshold
	default:
		m.capacity, newThr = 16, 12
	}
	if newThr == 0 {
		newThr = int(float32(m.capacity) * 0.75)
	}
	m.threshold = newThr
}

// put adds a new key.
func (m *javaMap) put() {
	if m.capacity == 0 {
		m.resize()
	}
	m.size++
	if m.size > m.threshold {
		m.resize()
	}
}

// putAll is putAll of n new keys into an empty map (its pre-sizing).
func (m *javaMap) putAll(n int) {
	if m.capacity == 0 && n > 0 {
		if t := javaTableSizeFor(int(float32(n)/0.75 + 1)); t > m.threshold {
			m.threshold = t
		}
	}
	for i := 0; i < n; i++ {
		m.put()
	}
}

// javaOrder returns keys (in the order they were put) in the iteration
// order of a HashMap whose table has the given size.
func javaOrder(keys []string, capacity int) []string {
	out := append([]string(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool {
		return javaBucket(javaStringHash(out[i]), capacity) < javaBucket(javaStringHash(out[j]), capacity)
	})
	return out
}

// javaDoubleString is Double.toString for the weights Nacos accepts
// (0 to 10000): "1.0", "0.5", "1.0E-4".
func javaDoubleString(f float64) string {
	if f == 0 || (math.Abs(f) >= 1e-3 && math.Abs(f) < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1E-04, 1.5E+07
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// The extendDatum keys a 2.x server stores beside the metadata
// (naming Constants).
const (
	customInstanceIDKey = "customInstanceId"
	publishWeightKey    = "publishInstanceWeight"
	publishEnabledKey   = "publishInstanceEnable"
)

// javaInstanceString is the 2.4.3 api Instance.toString of in as
// ServiceStorage builds it (InstanceUtil.parseToApiInstance): its metadata
// is a HashMap sized for the publish info's extendDatum, filled in that
// map's order, and extendDatum (a HashMap(1) given the client's metadata
// with putAll, then the instance id, the weight when not 1 and the
// enabled flag when false; ClientOperationService.getPublishInfo). The
// client's own metadata order is not kept by the mock: its keys are taken
// sorted, which only matters for keys that share a bucket twice.
func javaInstanceString(in *Instance, groupedService string) string {
	keys := make([]string, 0, len(in.Metadata)+3)
	for k := range in.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	datum := newJavaMap(1)
	datum.putAll(len(keys))
	extra := []string{customInstanceIDKey}
	if in.Weight != 1 {
		extra = append(extra, publishWeightKey)
	}
	if !in.Enabled {
		extra = append(extra, publishEnabledKey)
	}
	for range extra {
		datum.put()
	}
	datumOrder := javaOrder(append(keys, extra...), datum.capacity)
	md := newJavaMap(len(datumOrder))
	for range keys {
		md.put()
	}
	var b strings.Builder
	b.WriteString("Instance{instanceId='" + in.InstanceID + "', ip='" + in.IP + "', port=" + strconv.Itoa(in.Port) +
		", weight=" + javaDoubleString(in.Weight) + ", healthy=" + strconv.FormatBool(in.Healthy) +
		", enabled=" + strconv.FormatBool(in.Enabled) + ", ephemeral=" + strconv.FormatBool(in.Ephemeral) +
		", clusterName='" + in.Cluster + "', serviceName='" + groupedService + "', metadata={")
	first := true
	for _, k := range javaOrder(withoutExtra(datumOrder), max(md.capacity, 1)) {
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(k + "=" + in.Metadata[k])
	}
	b.WriteString("}}")
	return b.String()
}

func withoutExtra(keys []string) []string {
	out := keys[:0:0]
	for _, k := range keys {
		if k != customInstanceIDKey && k != publishWeightKey && k != publishEnabledKey {
			out = append(out, k)
		}
	}
	return out
}

// sortV1 orders instances as a 1.4.x server lists them: cluster by
// cluster in the iteration order of Service.clusterMap, a HashMap keyed by
// cluster name, sized for the service's clusters (names sharing a bucket
// by name: the server keeps the order the clusters were created in);
// inside a cluster by ip and port (the server's order there is that of a
// HashSet of its Instance, not modelled).
func sortV1(ins []Instance, svc *service) {
	names := map[string]bool{}
	for _, in := range svc.instances {
		names[in.Cluster] = true
	}
	capacity := javaHashMapCapacity(len(names))
	bucket := func(name string) int { return javaBucket(javaStringHash(name), capacity) }
	sort.SliceStable(ins, func(i, j int) bool {
		a, b := &ins[i], &ins[j]
		if a.Cluster != b.Cluster {
			if ba, bb := bucket(a.Cluster), bucket(b.Cluster); ba != bb {
				return ba < bb
			}
			return a.Cluster < b.Cluster
		}
		if a.IP != b.IP {
			return a.IP < b.IP
		}
		return a.Port < b.Port
	})
}

// sortV2 orders instances as a 2.4.3 server lists and pushes them
// (ServiceStorage.getAllInstancesFromIndex): the iteration order of a
// HashSet<Instance>, hashed over Instance.toString. Instances sharing a
// bucket keep the server's client order, which depends on its connection
// ids; the mock orders those by cluster, ip and port.
func sortV2(ins []Instance, key ServiceKey) {
	sortInstances(ins)
	if len(ins) < 2 {
		return
	}
	capacity := javaHashMapCapacity(len(ins))
	grouped := key.Grouped()
	buckets := make([]int, len(ins))
	idx := make([]int, len(ins))
	for i := range ins {
		buckets[i] = javaBucket(javaStringHash(javaInstanceString(&ins[i], grouped)), capacity)
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return buckets[idx[a]] < buckets[idx[b]] })
	sorted := make([]Instance, len(ins))
	for i, j := range idx {
		sorted[i] = ins[j]
	}
	copy(ins, sorted)
}
