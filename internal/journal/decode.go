package journal

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeEvent parses one event line. Replaying a large recording is mostly
// reading it, and encoding/json's reflection costs more than applying a
// beat, so the shapes WriteJSONL produces are read by hand; anything the
// fast reader does not expect (a null, a duplicate key, bad escapes) is
// read again with encoding/json, which stays the reference.
func decodeEvent(b []byte, e *Event) error {
	d := decoder{b: b}
	if d.event(e) {
		return nil
	}
	*e = Event{}
	return json.Unmarshal(b, e)
}

type decoder struct {
	b []byte
	i int
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// object calls field for each key of an object; field reads the value and
// reports success.
func (d *decoder) object(field func(key []byte) bool) bool {
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	for {
		d.ws()
		key, ok := d.rawKey()
		if !ok {
			return false
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.ws()
		if !field(key) {
			return false
		}
		d.ws()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// rawKey reads a key without escapes (else the line takes the slow path).
func (d *decoder) rawKey() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch d.b[j] {
		case '"':
			d.i = j + 1
			return d.b[start:j], true
		case '\\':
			return nil, false
		}
	}
	return nil, false
}

// str reads a JSON string.
func (d *decoder) str() (string, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	start := d.i + 1
	j := start
	for j < len(d.b) {
		c := d.b[j]
		if c == '"' {
			d.i = j + 1
			return string(d.b[start:j]), true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		j++
	}
	// Escapes or non-ASCII: decode rune by rune.
	out := make([]byte, 0, j-start+16)
	out = append(out, d.b[start:j]...)
	for j < len(d.b) {
		c := d.b[j]
		switch {
		case c == '"':
			d.i = j + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if j+1 >= len(d.b) {
				return "", false
			}
			j++
			switch d.b[j] {
			case '"', '\\', '/':
				out = append(out, d.b[j])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, n := d.hex4(j + 1)
				if n < 0 {
					return "", false
				}
				j += 4
				if utf16.IsSurrogate(r) {
					r2, n2 := rune(-1), -1
					if j+2 < len(d.b) && d.b[j+1] == '\\' && d.b[j+2] == 'u' {
						r2, n2 = d.hex4(j + 3)
					}
					if dec := utf16.DecodeRune(r, r2); n2 >= 0 && dec != utf8.RuneError {
						r = dec
						j += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
			j++
		case c < utf8.RuneSelf:
			out = append(out, c)
			j++
		default:
			r, size := utf8.DecodeRune(d.b[j:])
			out = utf8.AppendRune(out, r) // invalid bytes become U+FFFD, as encoding/json does
			j += size
		}
	}
	return "", false
}

func (d *decoder) hex4(at int) (rune, int) {
	if at+4 > len(d.b) {
		return 0, -1
	}
	n, err := strconv.ParseUint(string(d.b[at:at+4]), 16, 32)
	if err != nil {
		return 0, -1
	}
	return rune(n), 4
}

// integer reads a JSON integer.
func (d *decoder) integer() (int64, bool) {
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	if d.i-digits > 1 && d.b[digits] == '0' {
		return 0, false // a leading zero is not JSON
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	return n, err == nil
}

func (d *decoder) boolean() (bool, bool) {
	switch {
	case len(d.b)-d.i >= 4 && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
		return true, true
	case len(d.b)-d.i >= 5 && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

func (d *decoder) timestamp() (time.Time, bool) {
	s, ok := d.str()
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func (d *decoder) strMap() (map[string]string, bool) {
	m := make(map[string]string, 4)
	ok := d.object(func(key []byte) bool {
		v, ok := d.str()
		m[string(key)] = v
		return ok
	})
	return m, ok
}

func (d *decoder) strList() ([]string, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return nil, false
	}
	d.i++
	out := []string{}
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return out, true
	}
	for {
		d.ws()
		v, ok := d.str()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		d.ws()
		if d.i >= len(d.b) {
			return nil, false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return out, true
		default:
			return nil, false
		}
	}
}

// event reads a whole line; false sends it to encoding/json. Unknown
// fields are taken slowly too, so that what encoding/json would do with
// them stays the rule.
func (d *decoder) event(e *Event) bool {
	seen := 0
	ok := d.object(func(key []byte) bool {
		var ok bool
		bit := 0
		switch string(key) {
		case "seq":
			bit = 1
			e.Seq, ok = d.integer()
		case "time":
			bit = 2
			e.Time, ok = d.timestamp()
		case "wallTime":
			bit = 3
			e.WallTime, ok = d.timestamp()
		case "protocol":
			bit = 4
			e.Protocol, ok = d.str()
		case "kind":
			bit = 5
			var k string
			k, ok = d.str()
			e.Kind = Kind(k)
		case "namespace":
			bit = 6
			e.Namespace, ok = d.str()
		case "group":
			bit = 7
			e.Group, ok = d.str()
		case "service":
			bit = 8
			e.Service, ok = d.str()
		case "cluster":
			bit = 9
			e.Cluster, ok = d.str()
		case "ip":
			bit = 10
			e.IP, ok = d.str()
		case "port":
			bit = 11
			var n int64
			n, ok = d.integer()
			e.Port = int(n)
		case "connectionId":
			bit = 12
			e.ConnectionID, ok = d.str()
		case "remote":
			bit = 13
			e.Remote, ok = d.str()
		case "rejected":
			bit = 14
			e.Rejected, ok = d.boolean()
		case "error":
			bit = 15
			e.Error, ok = d.str()
		case "fault":
			bit = 16
			e.Fault, ok = d.str()
		case "request":
			bit = 17
			ok = d.request(&e.Request)
		case "response":
			bit = 18
			ok = d.response(&e.Response)
		default:
			return false
		}
		if seen&(1<<bit) != 0 {
			return false // a duplicate: encoding/json's rule (last wins, merged) applies
		}
		seen |= 1 << bit
		return ok
	})
	if !ok {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

func (d *decoder) request(r *Request) bool {
	return d.object(func(key []byte) bool {
		var ok bool
		switch string(key) {
		case "method":
			r.Method, ok = d.str()
		case "path":
			r.Path, ok = d.str()
		case "query":
			r.Query, ok = d.str()
		case "params":
			if r.Params != nil {
				return false
			}
			r.Params = make(map[string][]string, 8)
			ok = d.object(func(k []byte) bool {
				vs, ok := d.strList()
				r.Params[string(k)] = vs
				return ok
			})
		case "type":
			r.Type, ok = d.str()
		case "headers":
			if r.Headers != nil {
				return false
			}
			r.Headers, ok = d.strMap()
		case "body":
			r.Body, ok = d.str()
		default:
			return false
		}
		return ok
	})
}

func (d *decoder) response(r *Response) bool {
	return d.object(func(key []byte) bool {
		var ok bool
		var n int64
		switch string(key) {
		case "status":
			n, ok = d.integer()
			r.Status = int(n)
		case "errorCode":
			n, ok = d.integer()
			r.ErrorCode = int(n)
		case "type":
			r.Type, ok = d.str()
		case "body":
			r.Body, ok = d.str()
		default:
			return false
		}
		return ok
	})
}
