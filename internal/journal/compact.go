package journal

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
	"time"
)

// How events are held. An Event is ~330 bytes of struct plus a map per
// parameter list and per header set; a mock that runs for a whole suite
// (the binary's 100,000-event journal, a long Start(t)) would spend most of
// its heap on them. So the journal keeps a record instead:
//
//   - the fields that repeat from one request to the next of the same
//     client (protocol, kind, the service's names, address, connection,
//     method, path, types, headers, time zones) as one shared, immutable
//     head, interned;
//   - the parameters and headers encoded as one string each, decoded on
//     read;
//   - the query, the parameters and both bodies through a small
//     direct-mapped cache of recent strings, so that the hundredth beat of
//     an instance shares the first one's bytes;
//   - the clocks as seconds and nanoseconds.
//
// Events() rebuilds the Events; every field keeps its value (the clocks
// lose only their monotonic reading, which a stored time has no use for).

// record is one stored event.
type record struct {
	seq        int64
	tSec, wSec int64
	tNsec      int32
	wNsec      int32
	port       int32
	status     int32
	errCode    int32
	flags      uint8
	head       *head
	extra      *extra
	tail       *tail
	remote     *string // interned: a connection's requests share it
}

// tail is the rest of an event: shared by the events of a head that carry
// the same (a beat and the next), allocated once otherwise.
type tail struct {
	query  string
	params string // encodeParams; "" when Params is nil
	// bodies is the request's body followed by the answer's: one
	// allocation for both.
	bodies string
	split  int
}

func (t *tail) reqBody() string  { return t.bodies[:t.split] }
func (t *tail) respBody() string { return t.bodies[t.split:] }

const (
	flagRejected uint8 = 1 << iota
)

// extra holds what most events do not have.
type extra struct {
	err, fault              string
	port, status, errorCode int // when they do not fit in 32 bits
	wide                    bool
}

// head is the shared part of events; its key is every field it holds.
type head struct {
	key     headKey
	decoded map[string]string // headers, decoded once (shared, as an Event's maps always were)
	// The last tails of events with this head: the next beat of an
	// instance shares one when it carries the same.
	tails [4]*tail
	next  int
}

type headKey struct {
	protocol, kind, namespace, group, service, cluster, ip string
	connectionID, method, path, reqType, respType          string
	headers                                                string // encodeHeaders; "" when nil
	tLoc, wLoc                                             *time.Location
}

// interner holds the tables that make records share.
type interner struct {
	heads   map[uint64]*head // by maphash of the key: the key is held once, in the head
	remotes map[string]*string
	strs    *[4096]string // allocated with the first event: Start+Close stays cheap
	seed    maphash.Seed
	scratch []byte
	keys    []string
	// params decoded on read, by encoded string (read-only maps shared by
	// the events that carry the same parameters).
	decoded *[1024]decodedParams
}

type decodedParams struct {
	enc string
	m   map[string][]string
}

// maxHeads bounds the head and remote tables: past it the table starts afresh (the
// heads stay shared by the records that hold them).
const maxHeads = 1 << 16

func (in *interner) init() {
	if in.heads == nil {
		in.heads = make(map[uint64]*head)
		in.remotes = make(map[string]*string)
		in.strs = new([4096]string)
		in.decoded = new([1024]decodedParams)
		in.seed = maphash.MakeSeed()
	}
}

// str returns s, or an equal string seen recently.
func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	i := maphash.String(in.seed, s) & uint64(len(in.strs)-1)
	if c := in.strs[i]; c == s {
		return c
	}
	in.strs[i] = s
	return s
}

// bytes is str for scratch bytes: they are copied only when not seen.
func (in *interner) bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	i := maphash.Bytes(in.seed, b) & uint64(len(in.strs)-1)
	if c := in.strs[i]; c == string(b) {
		return c
	}
	s := string(b)
	in.strs[i] = s
	return s
}

func (in *interner) head(k headKey) *head {
	sum := maphash.Comparable(in.seed, k)
	if h, ok := in.heads[sum]; ok && h.key == k {
		return h
	}
	if len(in.heads) >= maxHeads {
		in.heads = make(map[uint64]*head)
	}
	// A new head, or one whose hash collides with another's: the newer
	// takes the slot (the older stays with the records that hold it).
	h := &head{key: k}
	in.heads[sum] = h
	return h
}

func fits32(n int) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }

// pack turns an event into a record.
func (in *interner) pack(e *Event) record {
	in.init()
	r := record{seq: e.Seq, tSec: e.Time.Unix(), tNsec: int32(e.Time.Nanosecond()),
		wSec: e.WallTime.Unix(), wNsec: int32(e.WallTime.Nanosecond())}
	if e.Rejected {
		r.flags |= flagRejected
	}
	if fits32(e.Port) && fits32(e.Response.Status) && fits32(e.Response.ErrorCode) {
		r.port, r.status, r.errCode = int32(e.Port), int32(e.Response.Status), int32(e.Response.ErrorCode)
	} else {
		r.extra = &extra{port: e.Port, status: e.Response.Status, errorCode: e.Response.ErrorCode, wide: true}
	}
	if e.Error != "" || e.Fault != "" {
		if r.extra == nil {
			r.extra = &extra{}
		}
		r.extra.err, r.extra.fault = in.str(e.Error), e.Fault
	}
	k := headKey{protocol: e.Protocol, kind: string(e.Kind), namespace: e.Namespace, group: e.Group,
		service: e.Service, cluster: e.Cluster, ip: e.IP, connectionID: e.ConnectionID,
		method: e.Request.Method, path: e.Request.Path, reqType: e.Request.Type, respType: e.Response.Type,
		tLoc: e.Time.Location(), wLoc: e.WallTime.Location()}
	if e.Request.Headers != nil {
		in.scratch = in.encodeHeaders(in.scratch[:0], e.Request.Headers)
		k.headers = in.bytes(in.scratch)
	}
	r.head = in.head(k)
	r.tail = in.tail(r.head, e)
	r.remote = in.remote(e.Remote)
	return r
}

var noRemote = new(string)

// remote interns a client address.
func (in *interner) remote(s string) *string {
	if s == "" {
		return noRemote
	}
	if p, ok := in.remotes[s]; ok {
		return p
	}
	if len(in.remotes) >= maxHeads {
		in.remotes = make(map[string]*string)
	}
	p := &s
	in.remotes[s] = p
	return p
}

// tail finds the tail of e among the head's recent ones, or makes it.
func (in *interner) tail(h *head, e *Event) *tail {
	in.scratch = in.scratch[:0]
	if e.Request.Params != nil {
		in.scratch = in.encodeParams(in.scratch, e.Request.Params)
	}
	req, resp := e.Request.Body, e.Response.Body
	for _, t := range h.tails {
		if t != nil && t.split == len(req) && t.query == e.Request.Query &&
			t.params == string(in.scratch) && t.bodies[:t.split] == req && t.bodies[t.split:] == resp {
			return t
		}
	}
	t := &tail{query: in.str(e.Request.Query), params: in.bytes(in.scratch), split: len(req)}
	switch {
	case req == "":
		t.bodies = in.str(resp)
	case resp == "":
		t.bodies = in.str(req)
	default:
		t.bodies = req + resp
	}
	h.tails[h.next] = t
	h.next = (h.next + 1) % len(h.tails)
	return t
}

// unpack rebuilds the event of r; params says whether to decode the
// parameters (a query that only filters does not need them).
func (in *interner) unpack(r *record, e *Event, params bool) {
	h, t := r.head, r.tail
	k := &h.key
	*e = Event{Seq: r.seq,
		Time:     time.Unix(r.tSec, int64(r.tNsec)).In(k.tLoc),
		WallTime: time.Unix(r.wSec, int64(r.wNsec)).In(k.wLoc),
		Protocol: k.protocol, Kind: Kind(k.kind), Namespace: k.namespace, Group: k.group,
		Service: k.service, Cluster: k.cluster, IP: k.ip, Port: int(r.port),
		ConnectionID: k.connectionID, Remote: *r.remote, Rejected: r.flags&flagRejected != 0,
		Request:  Request{Method: k.method, Path: k.path, Query: t.query, Type: k.reqType, Body: t.reqBody()},
		Response: Response{Status: int(r.status), ErrorCode: int(r.errCode), Type: k.respType, Body: t.respBody()}}
	if x := r.extra; x != nil {
		e.Error, e.Fault = x.err, x.fault
		if x.wide {
			e.Port, e.Response.Status, e.Response.ErrorCode = x.port, x.status, x.errorCode
		}
	}
	if k.headers != "" {
		if h.decoded == nil {
			h.decoded = decodeHeaders(k.headers)
		}
		e.Request.Headers = h.decoded
	}
	if params && t.params != "" {
		e.Request.Params = in.params(t.params)
	}
}

func (in *interner) params(enc string) map[string][]string {
	i := maphash.String(in.seed, enc) & uint64(len(in.decoded)-1)
	c := &in.decoded[i]
	if c.m == nil || c.enc != enc {
		c.enc, c.m = enc, decodeParams(enc)
	}
	return c.m
}

// The encodings: a count, then length-prefixed strings, keys sorted so that
// equal maps encode equally. A list's count is n+1 (0: a nil list).

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// sortedKeys returns m's keys, sorted, in the interner's scratch slice.
func sortedKeys[V any](in *interner, m map[string]V) []string {
	keys := in.keys[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	in.keys = keys
	return keys
}

func (in *interner) encodeParams(b []byte, m map[string][]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for _, k := range sortedKeys(in, m) {
		b = appendStr(b, k)
		vs := m[k]
		if vs == nil {
			b = binary.AppendUvarint(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(vs))+1)
		for _, v := range vs {
			b = appendStr(b, v)
		}
	}
	return b
}

func (in *interner) encodeHeaders(b []byte, m map[string]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for _, k := range sortedKeys(in, m) {
		b = appendStr(b, k)
		b = appendStr(b, m[k])
	}
	return b
}

// reader walks an encoding (which this package wrote, so it is trusted).
type reader struct {
	s string
	i int
}

func (r *reader) uvarint() int {
	var n uint64
	var shift uint
	for {
		c := r.s[r.i]
		r.i++
		n |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int(n)
		}
		shift += 7
	}
}

func (r *reader) str() string {
	n := r.uvarint()
	s := r.s[r.i : r.i+n]
	r.i += n
	return s
}

func decodeParams(enc string) map[string][]string {
	r := reader{s: enc}
	n := r.uvarint()
	m := make(map[string][]string, n)
	for ; n > 0; n-- {
		k := r.str()
		c := r.uvarint()
		if c == 0 {
			m[k] = nil
			continue
		}
		vs := make([]string, c-1)
		for i := range vs {
			vs[i] = r.str()
		}
		m[k] = vs
	}
	return m
}

func decodeHeaders(enc string) map[string]string {
	r := reader{s: enc}
	n := r.uvarint()
	m := make(map[string]string, n)
	for ; n > 0; n-- {
		k := r.str()
		m[k] = r.str()
	}
	return m
}
