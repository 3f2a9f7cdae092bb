package mocknacos_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/replay"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// fixtureServer is the real server version a fixture was recorded
// against, from its name: <generation>-nacos-<version>.jsonl.
var fixtureServer = regexp.MustCompile(`-nacos-(\d+)\.[0-9.]+\.jsonl$`)

// TestGoldenFixtures replays every recording of a real client against a
// real Nacos (fixtures/*.jsonl, made by scripts/record-fixtures.sh) into
// the mock (MOCKNACOS_FIXTURES names another folder), on a frozen clock
// moved by the recorded gaps, and requires every
// answer to be the real server's after replay's normalisation
// (internal/replay/normalize.go), the views the mock pushed to each gRPC
// connection to be those the real server pushed, and the registry to end in
// the state the recording's last observations show.
func TestGoldenFixtures(t *testing.T) {
	dir := os.Getenv("MOCKNACOS_FIXTURES") // scripts/record-fixtures.sh checks what it made
	if dir == "" {
		dir = filepath.Join("..", "fixtures")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".jsonl"), func(t *testing.T) {
			t.Parallel()
			m := fixtureServer.FindStringSubmatch(name)
			if m == nil {
				t.Fatalf("%s: name does not say the server version (<generation>-nacos-<version>.jsonl)", name)
			}
			opts := []mocknacos.Option{mocknacos.WithFrozenClock(time.Time{})}
			switch m[1] {
			case "1":
				opts = append(opts, mocknacos.WithServerVersion(mocknacos.Nacos1))
			case "2":
			default:
				t.Fatalf("%s: no mock mode for Nacos %s.x", name, m[1])
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			srv := mocknacos.Start(t, opts...)
			var report bytes.Buffer
			sum, err := mocknacos.Replay(context.Background(), srv, bytes.NewReader(data), mocknacos.ReplayReport(&report))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s", name, sum)
			if sum.Differed != 0 || sum.Errors != 0 {
				t.Errorf("%d answers differ from the real server's, %d errors:\n%s", sum.Differed, sum.Errors, describeDifferences(&report))
			}
			if sum.Sent == 0 || sum.Matched != sum.Sent-sum.Cancelled-sum.Unanswered-sum.Differed-sum.Errors {
				t.Errorf("sent %d, matched %d: every request sent must be answered and judged", sum.Sent, sum.Matched)
			}
			comparePushes(t, data, srv)
			want := finalState(t, data)
			if len(want) == 0 {
				t.Fatal("the recording observes no service")
			}
			for service, hosts := range want {
				if got := mockState(srv, service); !equalHosts(got, hosts) {
					t.Errorf("%s at the end: mock has %v, the recording's last observation %v", service, got, hosts)
				}
			}
		})
	}
}

// describeDifferences renders replay's report lines for a failure message.
func describeDifferences(report *bytes.Buffer) string {
	var b strings.Builder
	dec := json.NewDecoder(report)
	for {
		var d replay.Difference
		if err := dec.Decode(&d); err != nil {
			break
		}
		fmt.Fprintf(&b, "line %d (%s %s%s%s): %s%s\n", d.Line, d.Protocol, d.Method, d.Path, d.Type, d.Reason, d.Error)
		if d.Recorded != nil && d.Replayed != nil {
			for _, f := range fieldDiffs(d.Recorded.Body, d.Replayed.Body) {
				fmt.Fprintf(&b, "  field %s\n", f)
			}
			fmt.Fprintf(&b, "  real: %d %s %s\n  mock: %d %s %s\n", d.Recorded.Status, d.Recorded.Type, d.Recorded.Body,
				d.Replayed.Status, d.Replayed.Type, d.Replayed.Body)
		}
	}
	return b.String()
}

// goldenHost is what the final-state check compares of an instance.
type goldenHost struct {
	IP      string
	Port    int
	Cluster string
	Weight  float64
	Enabled bool
	Healthy *bool // only when the recording's last word on it says (see finalState)
}

func (h goldenHost) String() string {
	s := fmt.Sprintf("%s:%d/%s w%g", h.IP, h.Port, h.Cluster, h.Weight)
	if !h.Enabled {
		s += " disabled"
	}
	if h.Healthy != nil {
		s += fmt.Sprintf(" healthy=%v", *h.Healthy)
	}
	return s
}

// finalState reads what the recording last observed of each service: the
// hosts of the last instance list (HTTP list or subscribe, gRPC subscribe,
// query or push), and, for an instance whose detail (GET
// /nacos/v1/ns/instance) was read after that list, its health from the
// detail: a 1.x server's list shows a lone unhealthy instance as healthy
// (protect threshold), its detail does not.
func finalState(t *testing.T, data []byte) map[string][]goldenHost {
	t.Helper()
	type view struct {
		Hosts []struct {
			IP          string  `json:"ip"`
			Port        int     `json:"port"`
			ClusterName string  `json:"clusterName"`
			Weight      float64 `json:"weight"`
			Enabled     bool    `json:"enabled"`
			Healthy     bool    `json:"healthy"`
		} `json:"hosts"`
	}
	lists := map[string][]goldenHost{}
	details := map[string]map[string]*bool{} // service -> ip:port -> health (nil: gone)
	err := journal.ScanJSONL(bytes.NewReader(data), func(journal.Header) error { return nil }, func(e journal.Event) error {
		service := e.Group + "@@" + e.Service
		var v view
		switch {
		case e.Protocol == journal.HTTP && (e.Kind == journal.List || e.Kind == journal.Subscribe) && e.Response.Status == 200:
			if json.Unmarshal([]byte(e.Response.Body), &v) != nil {
				return fmt.Errorf("seq %d: list answer is not JSON", e.Seq)
			}
		case e.Protocol == journal.HTTP && e.Kind == journal.Instance:
			if details[service] == nil {
				details[service] = map[string]*bool{}
			}
			addr := fmt.Sprintf("%s:%d", e.IP, e.Port)
			var d struct {
				Healthy bool `json:"healthy"`
			}
			if e.Response.Status == 200 && json.Unmarshal([]byte(e.Response.Body), &d) == nil {
				details[service][addr] = &d.Healthy
			} else {
				details[service][addr] = nil
			}
			return nil
		case e.Protocol == journal.GRPC && e.Response.Type == "SubscribeServiceResponse" || e.Protocol == journal.GRPC && e.Response.Type == "QueryServiceResponse":
			var r struct {
				ServiceInfo view `json:"serviceInfo"`
			}
			if json.Unmarshal([]byte(e.Response.Body), &r) != nil {
				return nil
			}
			v = r.ServiceInfo
		case e.Protocol == journal.GRPC && e.Kind == journal.Push:
			var r struct {
				ServiceInfo view `json:"serviceInfo"`
			}
			if json.Unmarshal([]byte(e.Request.Body), &r) != nil {
				return nil
			}
			v = r.ServiceInfo
		default:
			return nil
		}
		hosts := []goldenHost{}
		for _, h := range v.Hosts {
			hosts = append(hosts, goldenHost{IP: h.IP, Port: h.Port, Cluster: h.ClusterName, Weight: h.Weight, Enabled: h.Enabled})
		}
		lists[service] = hosts
		delete(details, service) // details read before this list say less than it
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for service, hosts := range lists {
		for i := range hosts {
			if h, ok := details[service][fmt.Sprintf("%s:%d", hosts[i].IP, hosts[i].Port)]; ok {
				if h == nil {
					t.Fatalf("%s: the recording lists %s but its later detail read found nothing", service, hosts[i])
				}
				hosts[i].Healthy = h
			}
		}
		sortHosts(hosts)
	}
	return lists
}

// mockState is the mock's registry view of service, in the same terms.
func mockState(srv *mocknacos.Server, service string) []goldenHost {
	out := []goldenHost{}
	for _, in := range srv.Instances(service) {
		healthy := in.Healthy
		out = append(out, goldenHost{IP: in.IP, Port: in.Port, Cluster: in.Cluster, Weight: in.Weight, Enabled: in.Enabled, Healthy: &healthy})
	}
	sortHosts(out)
	return out
}

func sortHosts(h []goldenHost) {
	key := func(x goldenHost) string { return fmt.Sprintf("%s:%d/%s", x.IP, x.Port, x.Cluster) }
	sort.Slice(h, func(i, j int) bool { return key(h[i]) < key(h[j]) })
}

// equalHosts compares the mock's hosts with the recording's; health only
// where the recording says it.
func equalHosts(mock, rec []goldenHost) bool {
	if len(mock) != len(rec) {
		return false
	}
	for i := range rec {
		m, r := mock[i], rec[i]
		if m.IP != r.IP || m.Port != r.Port || m.Cluster != r.Cluster || m.Weight != r.Weight || m.Enabled != r.Enabled {
			return false
		}
		if r.Healthy != nil && *m.Healthy != *r.Healthy {
			return false
		}
	}
	return true
}

// comparePushes requires the service views the mock pushed on each gRPC
// connection (NotifySubscriberRequest) to be the ones the real server
// pushed on the recorded connection, in order, after the same
// normalisation as answers. Replay opens one connection per recorded one,
// in the order they first appear, so the mock's connections (journaled at
// connect) pair with the recording's in that order.
func comparePushes(t *testing.T, data []byte, srv *mocknacos.Server) {
	t.Helper()
	const notify = "NotifySubscriberRequest"
	var recOrder []string
	rec := map[string][]string{}
	err := journal.ScanJSONL(bytes.NewReader(data), func(journal.Header) error { return nil }, func(e journal.Event) error {
		if e.Protocol != journal.GRPC || e.ConnectionID == "" {
			return nil
		}
		if _, seen := rec[e.ConnectionID]; !seen {
			recOrder = append(recOrder, e.ConnectionID)
			rec[e.ConnectionID] = []string{}
		}
		if e.Kind == journal.Push && e.Request.Type == notify {
			rec[e.ConnectionID] = append(rec[e.ConnectionID], e.Request.Body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var mockOrder []string
	got := map[string][]string{}
	for _, e := range srv.Journal() {
		if e.Protocol != journal.GRPC {
			continue
		}
		switch {
		case e.Kind == journal.Connect:
			mockOrder = append(mockOrder, e.ConnectionID)
		case e.Kind == journal.Push && e.Request.Type == notify && !e.Rejected:
			got[e.ConnectionID] = append(got[e.ConnectionID], e.Request.Body)
		}
	}
	if len(mockOrder) != len(recOrder) {
		t.Fatalf("the mock saw %d gRPC connections, the recording has %d", len(mockOrder), len(recOrder))
	}
	for i, id := range recOrder {
		r, g := rec[id], got[mockOrder[i]]
		n := max(len(r), len(g))
		for j := 0; j < n; j++ {
			switch {
			case j >= len(g):
				t.Errorf("connection %s: the real server pushed (push %d)\n  %s\nthe mock nothing", id, j+1, r[j])
			case j >= len(r):
				t.Errorf("connection %s: the mock pushed (push %d)\n  %s\nthe real server nothing", id, j+1, g[j])
			case replay.NormalizeBody(r[j]) != replay.NormalizeBody(g[j]):
				var fields strings.Builder
				for _, f := range fieldDiffs(r[j], g[j]) {
					fields.WriteString("  field " + f + "\n")
				}
				t.Errorf("connection %s, push %d differs:\n%s  real: %s\n  mock: %s", id, j+1, fields.String(), r[j], g[j])
			}
		}
	}
}
