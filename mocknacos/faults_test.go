package mocknacos_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

func call(t *testing.T, method, url, body string) (int, string, error) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestInjectedFaults(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	register := srv.URL() + "/v1/ns/instance?serviceName=orders&ip=127.0.0.1&port=8080"
	beat := srv.URL() + "/v1/ns/instance/beat?serviceName=orders&ip=127.0.0.1&port=8080"

	srv.InjectFault(mocknacos.Fault{Path: "/nacos/v1/ns/instance", Method: "POST", Status: 503, Message: "busy", Count: 1})
	if st, body, _ := call(t, "POST", register, ""); st != 503 || body != "busy" {
		t.Fatalf("first register: %d %q, want the injected 503", st, body)
	}
	if st, _, _ := call(t, "POST", register, ""); st != 200 {
		t.Fatalf("a Count 1 fault must hit once; second register: %d", st)
	}

	// Beats silently discarded: answered as success, not applied.
	id := srv.InjectFault(mocknacos.Fault{Path: "/nacos/v1/ns/instance/beat", Discard: true})
	srv.Advance(10 * time.Second)
	if st, body, _ := call(t, "PUT", beat, ""); st != 200 || !strings.Contains(body, `"code":10200`) {
		t.Fatalf("discarded beat: %d %s", st, body)
	}
	srv.Advance(6 * time.Second)
	if in := srv.Instances("orders"); len(in) != 1 || in[0].Healthy {
		t.Fatalf("a discarded beat must not refresh the instance: %+v", in)
	}
	// The answer is the one the beat would have had: the instance's own
	// interval, which the client then beats at (nacos-sdk-go v1 and the
	// Java 1.x client adopt clientBeatInterval).
	fast := mocknacos.NewInstance("127.0.0.1", 8081)
	fast.Metadata = map[string]string{"preserved.heart.beat.interval": "1000"}
	if err := srv.Register("orders", fast); err != nil {
		t.Fatal(err)
	}
	if st, body, _ := call(t, "PUT", srv.URL()+"/v1/ns/instance/beat?serviceName=orders&ip=127.0.0.1&port=8081", ""); st != 200 ||
		!strings.Contains(body, `"clientBeatInterval":1000`) || !strings.Contains(body, `"code":10200`) {
		t.Fatalf("discarded beat of a 1 s instance: %d %s", st, body)
	}
	// A light beat for an instance the server does not know is 20404,
	// applied or not.
	if st, body, _ := call(t, "PUT", srv.URL()+"/v1/ns/instance/beat?serviceName=orders&ip=127.0.0.1&port=9999", ""); st != 200 ||
		!strings.Contains(body, `"code":20404`) {
		t.Fatalf("discarded light beat of an unknown instance: %d %s", st, body)
	}
	if n := len(srv.Instances("orders")); n != 2 {
		t.Fatalf("discarded beats registered something: %d instances", n)
	}
	srv.ClearFault(id)

	// A dropped connection: the client sees a transport error.
	srv.InjectFault(mocknacos.Fault{Path: "/nacos/v1/ns/instance/beat", Drop: true, Count: 1})
	if _, _, err := call(t, "PUT", beat, ""); err == nil {
		t.Fatal("a dropped request must fail at the client")
	}

	hits := 0
	for _, e := range srv.Journal() {
		if e.Fault != "" {
			hits++
		}
	}
	if hits != 5 {
		t.Fatalf("every hit must be journaled with its fault; found %d", hits)
	}
	if len(srv.Faults()) != 0 {
		t.Fatalf("faults left: %+v", srv.Faults())
	}
}

func TestAdminFaultsAndClock(t *testing.T) {
	srv := mocknacos.Start(t)
	admin := "http://" + srv.Addr() + mocknacos.AdminPrefix
	st, body, err := call(t, "POST", admin+"/faults", `{"path":"/nacos/v1/ns/instance/list","delay":"50ms","status":500,"count":1}`)
	if err != nil || st != 200 || !strings.Contains(body, `"id":1`) {
		t.Fatalf("add fault: %d %s %v", st, body, err)
	}
	start := time.Now()
	st, _, _ = call(t, "GET", srv.URL()+"/v1/ns/instance/list?serviceName=orders", "")
	if st != 500 || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("delayed error: %d after %v", st, time.Since(start))
	}
	if st, body, _ := call(t, "POST", admin+"/faults", `{"path":"x"}`); st != 400 {
		t.Fatalf("a fault that does nothing must be refused: %d %s", st, body)
	}
	if st, body, _ := call(t, "POST", admin+"/clock/advance?by=30s", ""); st != 200 || !strings.Contains(body, `"offset":"30s"`) {
		t.Fatalf("advance: %d %s", st, body)
	}
	if st, _, _ := call(t, "DELETE", admin+"/faults/99", ""); st != 404 {
		t.Fatalf("clearing an unknown fault: %d", st)
	}
}

func TestAdminRestartAndConfigs(t *testing.T) {
	srv := mocknacos.Start(t)
	admin := "http://" + srv.Addr() + mocknacos.AdminPrefix
	if st, body, err := call(t, "POST", admin+"/configs", `{"dataId":"app.yaml","content":"port: 1","type":"yaml"}`); err != nil || st != 200 || !strings.Contains(body, `"md5"`) {
		t.Fatalf("seed config: %d %s %v", st, body, err)
	}
	if st, body, _ := call(t, "GET", srv.URL()+"/v1/cs/configs?dataId=app.yaml&group=DEFAULT_GROUP", ""); st != 200 || body != "port: 1" {
		t.Fatalf("seeded config read back: %d %q", st, body)
	}
	if st, _, _ := call(t, "POST", srv.URL()+"/v1/ns/instance?serviceName=orders&ip=127.0.0.1&port=1", ""); st != 200 {
		t.Fatal("register")
	}
	st, body, err := call(t, "POST", admin+"/restart", "")
	if err != nil || st != 200 || !strings.Contains(body, `"restarted":true`) {
		t.Fatalf("restart: %d %s %v", st, body, err)
	}
	if st, _, err := call(t, "GET", srv.URL()+"/v1/console/health/readiness", ""); err != nil || st != 200 {
		t.Fatalf("the new server must answer once restart has answered: %d %v", st, err)
	}
	if n := len(srv.Instances("orders")); n != 0 {
		t.Fatalf("restart must drop ephemeral instances: %d", n)
	}
	if st, body, _ := call(t, "DELETE", admin+"/configs?dataId=app.yaml", ""); st != 200 || !strings.Contains(body, "true") {
		t.Fatalf("delete config: %d %s", st, body)
	}
}

// TestJournalLimitCountsWhatItDrops: a capped journal keeps the newest
// events and says how many it dropped: JournalDropped, the export's header
// line, and the admin API's header line and X-Mocknacos-Dropped.
func TestJournalLimitCountsWhatItDrops(t *testing.T) {
	srv := mocknacos.Start(t, mocknacos.WithJournalLimit(3))
	for port := 1; port <= 5; port++ {
		if st, body, err := call(t, "POST", fmt.Sprintf("%s/v1/ns/instance?serviceName=capped&ip=127.0.0.1&port=%d", srv.URL(), port), ""); err != nil || st != 200 {
			t.Fatalf("register %d: %d %s %v", port, st, body, err)
		}
	}
	evs := srv.Journal()
	if len(evs) != 3 || evs[0].Port != 3 || evs[2].Port != 5 || srv.JournalDropped() != 2 {
		t.Fatalf("kept %d events (first port %d), dropped %d", len(evs), evs[0].Port, srv.JournalDropped())
	}
	var b strings.Builder
	if err := srv.ExportJournal(&b); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(b.String(), "\n"); !strings.Contains(first, `"dropped":2`) {
		t.Fatalf("export header: %s", first)
	}
	resp, err := http.Get("http://" + srv.Addr() + mocknacos.AdminPrefix + "/journal")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if first, _, _ := strings.Cut(string(body), "\n"); !strings.Contains(first, `"dropped":2`) || resp.Header.Get("X-Mocknacos-Dropped") != "2" {
		t.Fatalf("admin journal: %s, X-Mocknacos-Dropped %q", first, resp.Header.Get("X-Mocknacos-Dropped"))
	}
}
