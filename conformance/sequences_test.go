//go:build conformance

package conformance

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	flagSettle  = flag.Duration("settle", 3*time.Second, "how long a read of the real server may take to settle on the mock's answer")
	flagMaxFail = flag.Int("maxfail", 5, "stop a server's sequences after this many failing ones")
	flagShrink  = flag.Int("shrink", 30, "reruns a failing sequence may take to shrink")
)

var (
	countMu  sync.Mutex
	requests = map[string]int{} // requests compared, per server version
	runs     atomic.Int64
)

// tabled counts, per server version, the sequences a known difference
// ended.
var tabled = map[string]map[string]int{}

// tabled: a known difference covers the step's difference (in its answer,
// or with state in the state after it); counted.
func (p *pair) tabled(s step, real answer, state bool) bool {
	k := known(p.row.version, s, real, state)
	if k != nil {
		noteTabled(p.row.version, k)
	}
	return k != nil
}

func noteTabled(version string, k *knownDifference) {
	countMu.Lock()
	defer countMu.Unlock()
	if tabled[version] == nil {
		tabled[version] = map[string]int{}
	}
	tabled[version][k.name]++
}

func countRequest(version string, n int) {
	countMu.Lock()
	requests[version] += n
	countMu.Unlock()
}

// difference is where a run of a sequence first differs.
type difference struct {
	at         int // step index
	what       string
	real, mock any
}

// observe reads what the steps so far changed: the instance list of every
// service and the content of every config a successful step named.
func observe(sd *side, services, configs []string) map[string]answer {
	out := map[string]answer{}
	for _, k := range services {
		out["instances of "+k] = sd.do(step{Method: "GET", Path: "/v1/ns/instance/list?" + k})
	}
	for _, k := range configs {
		out["config "+k] = sd.do(step{Method: "GET", Path: "/v1/cs/configs?" + k})
	}
	return out
}

// settled calls read on both sides until they agree, at most for
// -settle: the real server's instance lists lag a change by ~0.5 s (its
// push-task cache) and a 2.4.3 config read answers 404 for ~0.5 s after a
// publish (its dump is asynchronous). Returns the last answers.
func settled[T any](read func(sd *side) T, real, mock *side) (T, T, bool) {
	r, m := read(real), read(mock)
	deadline := time.Now().Add(*flagSettle)
	for !cmp.Equal(r, m) {
		if time.Now().After(deadline) {
			return r, m, false
		}
		time.Sleep(100 * time.Millisecond)
		r, m = read(real), read(mock)
	}
	return r, m, true
}

// runSequence sends seq to both servers, comparing the answer and the
// observed state after each step. nil: no difference.
func runSequence(p *pair, seq []step) *difference {
	prefix := prefixFor(int(runs.Add(1)))
	real := &side{name: "real", url: p.realURL(), prefix: prefix}
	mock := &side{name: "mock", url: p.mockURL(), prefix: prefix}
	for _, s := range seq {
		if s.GRPCType != "" {
			var err error
			if real.grpc, err = dialGRPC(p.real.port + 1000); err != nil {
				return &difference{what: "gRPC connect", real: err.Error()}
			}
			defer real.grpc.close()
			if mock.grpc, err = dialGRPC(p.mock.GRPCPort()); err != nil {
				return &difference{what: "gRPC connect", mock: err.Error()}
			}
			defer mock.grpc.close()
			break
		}
	}
	var services, configs []string
	add := func(list []string, k string) []string {
		if k == "" {
			return list
		}
		for _, x := range list {
			if x == k {
				return list
			}
		}
		return append(list, k)
	}
	for i, s := range seq {
		s := s.withPrefix(prefix)
		ra, ma := real.do(s), mock.do(s)
		countRequest(p.row.version, 1)
		if s.Read && !cmp.Equal(ra, ma) {
			var n int
			ra, ma, _ = settled(func(sd *side) answer {
				if sd == real {
					n++
				}
				return sd.do(s)
			}, real, mock)
			countRequest(p.row.version, n)
		}
		if !cmp.Equal(ra, ma) {
			if p.tabled(s, ra, false) {
				return nil
			}
			return &difference{at: i, what: "the answer to step " + strconv.Itoa(i+1), real: ra, mock: ma}
		}
		if ra.ok() {
			services, configs = add(services, s.Service), add(configs, s.Config)
		}
		if len(services)+len(configs) == 0 {
			continue
		}
		var n int
		rs, ms, _ := settled(func(sd *side) map[string]answer {
			if sd == real {
				n += len(services) + len(configs)
			}
			return observe(sd, services, configs)
		}, real, mock)
		countRequest(p.row.version, n)
		if !cmp.Equal(rs, ms) {
			if p.tabled(s, ra, true) {
				return nil
			}
			return &difference{at: i, what: "the state after step " + strconv.Itoa(i+1), real: rs, mock: ms}
		}
	}
	return nil
}

// shrink removes steps while the sequence still differs somewhere, within
// -shrink reruns: the result is the shortest sequence found that differs.
func shrink(p *pair, seq []step, d *difference) ([]step, *difference) {
	seq = seq[:d.at+1]
	budget := *flagShrink
	for changed := true; changed && budget > 0; {
		changed = false
		for i := 0; i < len(seq) && budget > 0; i++ {
			try := append(append([]step(nil), seq[:i]...), seq[i+1:]...)
			if len(try) == 0 {
				continue
			}
			budget--
			if nd := runSequence(p, try); nd != nil {
				seq, d, changed = try[:nd.at+1], nd, true
				i--
			}
		}
	}
	return seq, d
}

func runSequences(t *testing.T, p *pair) {
	seed := *flagSeed
	if seed == 0 {
		seed = time.Now().UnixNano() % 1_000_000_000
	}
	n := *flagSequences
	t.Logf("Nacos %s: %d sequences, seed %d", p.row.version, n, seed)
	start := time.Now()
	before := requestsOf(p.row.version)
	failed := 0
	for i := 0; i < n && failed < *flagMaxFail; i++ {
		g := &gen{r: rand.New(rand.NewSource(seed + int64(i)))}
		seq := g.sequence(p.row, 3+g.r.Intn(8))
		d := runSequence(p, seq)
		if d == nil {
			continue
		}
		failed++
		short, sd := shrink(p, seq, d)
		t.Errorf("Nacos %s: sequence %d of seed %d differs (rerun: make conformance SEED=%d SEQUENCES=%d VERSIONS=%s)\n%s",
			p.row.version, i, seed, seed, i+1, p.row.version, report(short, sd))
	}
	t.Logf("Nacos %s: %d requests compared in %d sequences in %v", p.row.version, requestsOf(p.row.version)-before, n, time.Since(start).Round(time.Millisecond))
	countMu.Lock()
	for name, k := range tabled[p.row.version] {
		t.Logf("Nacos %s: %d sequences ended at a known difference: %s", p.row.version, k, name)
	}
	countMu.Unlock()
}

func requestsOf(v string) int {
	countMu.Lock()
	defer countMu.Unlock()
	return requests[v]
}

// report is the shortest sequence, then both answers side by side and the
// go-cmp difference.
func report(seq []step, d *difference) string {
	var b strings.Builder
	fmt.Fprintf(&b, "shortest sequence that differs (%d steps; %s differs):\n", len(seq), d.what)
	for i, s := range seq {
		fmt.Fprintf(&b, "  %d. %s: %s\n", i+1, s.Name, s)
	}
	b.WriteString(sideBySide(pretty(d.real), pretty(d.mock), 78))
	fmt.Fprintf(&b, "diff (-real +mock):\n%s", cmp.Diff(d.real, d.mock))
	return b.String()
}

func pretty(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// sideBySide prints two texts in columns of width w, long lines wrapped.
func sideBySide(left, right string, w int) string {
	wrap := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			r := []rune(l)
			for len(r) > w {
				out = append(out, string(r[:w]))
				r = r[w:]
			}
			out = append(out, string(r))
		}
		return out
	}
	l, r := wrap(left), wrap(right)
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s | %s\n%s\n", w, "REAL", "MOCK", strings.Repeat("-", 2*w+3))
	for i := 0; i < len(l) || i < len(r); i++ {
		var a, c string
		if i < len(l) {
			a = l[i]
		}
		if i < len(r) {
			c = r[i]
		}
		pad := w - len([]rune(a))
		if pad < 0 {
			pad = 0
		}
		fmt.Fprintf(&b, "%s%s | %s\n", a, strings.Repeat(" ", pad), c)
	}
	return b.String()
}
