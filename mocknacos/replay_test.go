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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/replay"
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

// TestReplayGRPCAndLongPollLeavesNoGoroutine: a recording with a gRPC
// connection (server check, setup, subscribe, register, the push and its
// ack) and a config long poll still held at its end replays in process;
// the connection's instance stays (the recording leaves it open), the long
// poll is cancelled at the end, and once the mock is closed nothing it or
// the replay started is still running.
func TestReplayGRPCAndLongPollLeavesNoGoroutine(t *testing.T) {
	live := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	nt, err := replay.NewNetwork(live.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nt.Close()
	ctx := context.Background()
	c, err := nt.Open(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range []grpcv2.Payload{
		{Type: "ServerCheckRequest", Body: []byte(`{"headers":{},"requestId":"1"}`)},
		{Type: "SubscribeServiceRequest", Body: []byte(`{"headers":{},"requestId":"2","namespace":"public","serviceName":"pay","groupName":"DEFAULT_GROUP","subscribe":true,"clusters":""}`)},
		{Type: "InstanceRequest", Body: []byte(`{"headers":{},"requestId":"3","namespace":"public","serviceName":"pay","groupName":"DEFAULT_GROUP","type":"registerInstance",` +
			`"instance":{"ip":"127.0.0.1","port":9090,"weight":1,"healthy":true,"enabled":true,"ephemeral":true,"clusterName":"DEFAULT","metadata":{}}}`)},
	} {
		if p.Type == "SubscribeServiceRequest" {
			if err := c.Stream(ctx, &grpcv2.Payload{Type: "ConnectionSetupRequest", Body: []byte(`{"clientVersion":"test","labels":{},"headers":{}}`)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.Request(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := live.WaitForEvents(mocknacos.Query{Kind: mocknacos.Kind("push-ack")}, 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// A long poll the recording ends with, unanswered (it is journaled
	// when answered: wait for that).
	req, _ := http.NewRequest("POST", live.URL()+"/v1/cs/configs/listener", strings.NewReader("Listening-Configs=app.yaml%02DEFAULT_GROUP%02%01"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Long-Pulling-Timeout", "30000")
	req.Header.Set("Long-Pulling-Timeout-No-Hangup", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var rec bytes.Buffer
	if err := live.ExportJournal(&rec); err != nil {
		t.Fatal(err)
	}
	// Turn the no-hangup poll into one the target holds.
	held := strings.Replace(rec.String(), `"Long-Pulling-Timeout-No-Hangup":"true",`, "", 1)
	if held == rec.String() {
		t.Fatalf("no long poll in the recording:\n%s", rec.String())
	}

	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	fresh, err := mocknacos.New(mocknacos.WithFrozenClock(time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close() // before the leak check, when a check below fails (Close is idempotent)
	var report bytes.Buffer
	sum, err := mocknacos.Replay(ctx, fresh, strings.NewReader(held), mocknacos.ReplayReport(&report))
	if err != nil {
		t.Fatal(err)
	}
	// The target pushes twice (the view to the new subscriber, then the
	// registration); the second may still be in flight when the replay
	// closes the stream, so one or two are received.
	if sum.Cancelled != 1 || sum.Differed != 0 || sum.Errors != 0 || sum.Pushes < 1 || sum.Pushes > 2 || sum.Matched != sum.Sent-1 {
		t.Fatalf("summary %s; report:\n%s", sum, report.String())
	}
	if in := fresh.Instances("pay"); len(in) != 1 || in[0].Source != mocknacos.SourceGRPC {
		t.Fatalf("after replay: %+v", in)
	}
	if err := fresh.Close(); err != nil {
		t.Fatal(err)
	}
}

// A request the recording holds without an answer (the recorder saw it
// fail: the client cancelled it, or the recorder stopped first) is sent,
// but not judged: there is nothing to compare the target's answer with.
func TestReplayDoesNotJudgeRequestsUnansweredInTheRecording(t *testing.T) {
	rec := `{"format":"mocknacos-journal","version":1,"source":"test"}
{"seq":1,"time":"2026-12-05T03:21:03Z","protocol":"http","kind":"list","service":"orders","request":{"method":"GET","path":"/nacos/v1/ns/instance/list","params":{"serviceName":["orders"]}},"error":"upstream: context canceled"}
{"seq":2,"time":"2026-12-05T03:21:04Z","protocol":"http","kind":"list","service":"orders","request":{"method":"GET","path":"/nacos/v1/ns/instance/list","params":{"serviceName":["orders"]}},"response":{"status":500,"body":"recorded, and wrong"}}
`
	srv := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	sum, err := mocknacos.Replay(context.Background(), srv, strings.NewReader(rec))
	require.NoError(t, err)
	assert.Equal(t, int64(2), sum.Sent)
	assert.Equal(t, int64(1), sum.Unanswered, "the first has no recorded answer")
	assert.Equal(t, int64(1), sum.Differed, "the second still is judged")
	assert.Equal(t, int64(0), sum.Matched)
	assert.Equal(t, 2, srv.Count(mocknacos.Query{Kind: mocknacos.KindList}), "both were sent")
}
