package mocknacos_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mocknacos/mocknacos/internal/replay"
)

// fieldDiffs names the fields where two JSON answers differ, after
// replay's normalisation: a field only one of them has, an array of
// another length, a value that changed. It returns nil when either is not
// JSON (the caller shows both bodies then), so that a real server's
// recording that changed shape says which field moved.
func fieldDiffs(real, mock string) []string {
	r, okR := decodeJSON(replay.NormalizeBody(real))
	m, okM := decodeJSON(replay.NormalizeBody(mock))
	if !okR || !okM {
		return nil
	}
	var out []string
	walkDiff("", r, m, &out)
	return out
}

func decodeJSON(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if s == "" || (s[0] != '{' && s[0] != '[') {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	return v, true
}

func walkDiff(path string, r, m any, out *[]string) {
	name := path
	if name == "" {
		name = "(the whole answer)"
	}
	switch rv := r.(type) {
	case map[string]any:
		mv, ok := m.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: real %s, mock %s", name, short(r), short(m)))
			return
		}
		keys := make([]string, 0, len(rv)+len(mv))
		for k := range rv {
			keys = append(keys, k)
		}
		for k := range mv {
			if _, dup := rv[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			x, inR := rv[k]
			y, inM := mv[k]
			switch {
			case !inM:
				*out = append(*out, fmt.Sprintf("%s: only in the real answer (%s)", p, short(x)))
			case !inR:
				*out = append(*out, fmt.Sprintf("%s: only in the mock's answer (%s)", p, short(y)))
			default:
				walkDiff(p, x, y, out)
			}
		}
	case []any:
		mv, ok := m.([]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: real %s, mock %s", name, short(r), short(m)))
			return
		}
		if len(rv) != len(mv) {
			*out = append(*out, fmt.Sprintf("%s: %d elements in the real answer, %d in the mock's", name, len(rv), len(mv)))
		}
		for i := 0; i < min(len(rv), len(mv)); i++ {
			walkDiff(fmt.Sprintf("%s[%d]", path, i), rv[i], mv[i], out)
		}
	default:
		if short(r) != short(m) {
			*out = append(*out, fmt.Sprintf("%s: real %s, mock %s", name, short(r), short(m)))
		}
	}
}

// short is v as compact JSON, cut at 80 characters.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

func TestFieldDiffs(t *testing.T) {
	real := `{"name":"DEFAULT_GROUP@@s","hosts":[{"ip":"127.0.0.1","port":1,"weight":1.0,"healthy":true}],"lastRefTime":1,"dom":"s"}`
	mock := `{"name":"DEFAULT_GROUP@@s","hosts":[{"ip":"127.0.0.1","port":1,"weight":2.0,"healthy":true,"extra":"x"}],"lastRefTime":2}`
	assert.Equal(t, []string{
		"dom: only in the real answer (\"s\")",
		"hosts[0].extra: only in the mock's answer (\"x\")",
		"hosts[0].weight: real 1.0, mock 2.0",
	}, fieldDiffs(real, mock), "lastRefTime is volatile; the rest is named field by field")
	assert.Equal(t, []string{"hosts: 1 elements in the real answer, 0 in the mock's"},
		fieldDiffs(`{"hosts":[{"ip":"a"}]}`, `{"hosts":[]}`))
	assert.Empty(t, fieldDiffs(`{"a":[1,2]}`, `{"a":[1,2]}`))
	assert.Nil(t, fieldDiffs("ok", `{"a":1}`), "not JSON: no field names")
}
