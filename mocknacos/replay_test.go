package mocknacos_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// httpDo sends one request to srv's HTTP API and returns status and body.
func httpDo(t *testing.T, c *http.Client, method, url, form string) (int, string) {
	t.Helper()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// liveHTTPSession drives srv over HTTP as a 1.x client would: two
// instances register, one beats on while the other stops, the mock clock
// moves past both timeouts, a client lists the service.
func liveHTTPSession(t *testing.T, srv *mocknacos.Server) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	u := srv.URL() + "/v1/ns"
	for _, port := range []string{"8080", "8081"} {
		if st, body := httpDo(t, c, "POST", u+"/instance", "serviceName=orders&ip=127.0.0.1&port="+port+"&metadata=%7B%22zone%22%3A%22z1%22%7D"); st != 200 {
			t.Fatalf("register: %d %s", st, body)
		}
	}
	beat := `serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port=8080&beat=` +
		`{"ip":"127.0.0.1","port":8080,"serviceName":"DEFAULT_GROUP@@orders","cluster":"DEFAULT","weight":1,"metadata":{}}`
	for i := 0; i < 4; i++ {
		srv.Advance(5 * time.Second)
		if st, body := httpDo(t, c, "PUT", u+"/instance/beat", beat); st != 200 {
			t.Fatalf("beat: %d %s", st, body)
		}
	}
	if st, body := httpDo(t, c, "GET", u+"/instance/list?serviceName=orders", ""); st != 200 || !strings.Contains(body, `"port":8080`) {
		t.Fatalf("list: %d %s", st, body)
	}
	srv.Advance(5 * time.Second)
	// 8081 has not beaten for 25 s: unhealthy, and answers a rejected
	// request the same way on replay.
	if st, _ := httpDo(t, c, "GET", u+"/instance?serviceName=orders&ip=127.0.0.1&port=9999", ""); st == 200 {
		t.Fatal("detail of an unknown instance answered 200")
	}
	if st, body := httpDo(t, c, "PUT", u+"/instance/beat", beat); st != 200 {
		t.Fatalf("beat: %d %s", st, body)
	}
}

// recordHTTPSession runs liveHTTPSession on a mock with a frozen clock
// and returns the mock and its exported journal.
func recordHTTPSession(t *testing.T) (*mocknacos.Server, *bytes.Buffer) {
	live := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	liveHTTPSession(t, live)
	var rec bytes.Buffer
	if err := live.ExportJournal(&rec); err != nil {
		t.Fatal(err)
	}
	return live, &rec
}

// stateOf is what a registry holds, without what differs between two runs
// by construction (owners name connections; times are each mock's own).
func stateOf(srv *mocknacos.Server) string {
	var b strings.Builder
	for _, s := range srv.Services() {
		b.WriteString(s.Info.Key.String() + "\n")
		for _, in := range s.Instances {
			md, _ := json.Marshal(in.Metadata)
			fmt.Fprintf(&b, "  %s:%d %s healthy=%t enabled=%t ephemeral=%t weight=%g source=%d metadata=%s\n",
				in.IP, in.Port, in.Cluster, in.Healthy, in.Enabled, in.Ephemeral, in.Weight, in.Source, md)
		}
	}
	return b.String()
}

// TestReplayHTTPSessionIntoFreshMock: a session exported from one mock and
// replayed into another leaves the same registry and matches every answer.
func TestReplayHTTPSessionIntoFreshMock(t *testing.T) {
	live, rec := recordHTTPSession(t)
	want := stateOf(live)
	if !strings.Contains(want, "8081 DEFAULT healthy=false") || !strings.Contains(want, "8080 DEFAULT healthy=true") {
		t.Fatalf("the live run did not end as planned:\n%s", want)
	}

	fresh := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	var report bytes.Buffer
	sum, err := mocknacos.Replay(context.Background(), fresh, bytes.NewReader(rec.Bytes()), mocknacos.ReplayReport(&report))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != int64(len(live.Journal())) || sum.Matched != sum.Sent || sum.Differed != 0 || sum.Errors != 0 {
		t.Fatalf("summary %+v (journal %d events), report:\n%s", sum, len(live.Journal()), report.String())
	}
	if got := stateOf(fresh); got != want {
		t.Fatalf("after replay:\n%s\nlive run ended with:\n%s", got, want)
	}
	// The clock moved by the recorded 25 s.
	if d := fresh.Now().Sub(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)); d != 25*time.Second {
		t.Fatalf("mock clock moved %s, want 25s", d)
	}
}

// TestReplayReportsDifferentAnswers: a target that answers otherwise (a
// fault refuses beats) is reported as differing, line by line, and is not
// an error.
func TestReplayReportsDifferentAnswers(t *testing.T) {
	live, rec := recordHTTPSession(t)
	beats := live.Count(mocknacos.Query{Kind: mocknacos.KindBeat})

	other := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	other.InjectFault(mocknacos.Fault{Path: "/nacos/v1/ns/instance/beat", Status: 503, Message: "busy"})
	var report bytes.Buffer
	sum, err := mocknacos.Replay(context.Background(), other, rec, mocknacos.ReplayReport(&report))
	if err != nil {
		t.Fatal(err)
	}
	// Every beat differs, and so does the list that followed them: with its
	// beats refused, 8080 is unhealthy by then.
	if sum.Differed != int64(beats)+1 || sum.Errors != 0 || sum.Matched != sum.Sent-sum.Differed {
		t.Fatalf("summary %+v, want %d beats and one list differing", sum, beats)
	}
	sc := bufio.NewScanner(&report)
	kinds := map[string]int{}
	for sc.Scan() {
		var d struct {
			Kind     string
			Reason   string
			Recorded struct{ Status int }
			Replayed struct{ Status int }
		}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		switch {
		case d.Kind == "beat" && d.Recorded.Status == 200 && d.Replayed.Status == 503 && strings.Contains(d.Reason, "status 503"):
		case d.Kind == "list" && d.Replayed.Status == 200 && d.Reason == "body differs":
		default:
			t.Fatalf("report line %s", sc.Text())
		}
		kinds[d.Kind]++
	}
	if kinds["beat"] != beats || kinds["list"] != 1 {
		t.Fatalf("report lines by kind %v, want %d beats and 1 list", kinds, beats)
	}
}
