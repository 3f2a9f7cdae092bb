package mocknacos_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/replay"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// Run: go test -run '^$' -bench Replay -benchtime 1x ./mocknacos/

// benchRecording writes a recording of n events as the mock's journal
// exports it: 1,000 instances of 100 services registered over HTTP, then
// beating every 5 s each (one beat every 5 ms of mock time), and every
// 1,000th event one instance deregistered and registered again.
func benchRecording(b *testing.B, n int) string {
	b.Helper()
	const instances, services = 1000, 100
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// One template per instance and kind, split around a sentinel time.
	sentinel := time.Date(1999, 9, 9, 9, 9, 9, 999999999, time.UTC)
	sentinelText := []byte(sentinel.Format(time.RFC3339Nano))
	tmpl := func(e journal.Event) [][]byte {
		e.Seq, e.Time, e.WallTime = 1, sentinel, sentinel
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&e); err != nil {
			b.Fatal(err)
		}
		line := bytes.TrimPrefix(buf.Bytes(), []byte(`{"seq":1`))
		return bytes.Split(line, sentinelText)
	}
	type inst struct{ reg, beat, dereg [][]byte }
	all := make([]inst, instances)
	for i := range all {
		svc, ip, port := "svc-"+strconv.Itoa(i%services), "10.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250+1), "8080"
		grouped := "DEFAULT_GROUP@@" + svc
		ev := journal.Event{Protocol: journal.HTTP, Namespace: "public", Group: "DEFAULT_GROUP", Service: svc, Cluster: "DEFAULT",
			IP: ip, Port: 8080, Remote: "127.0.0.1:40000"}
		form := "namespaceId=public&serviceName=" + grouped + "&ip=" + ip + "&port=" + port + "&clusterName=DEFAULT"
		headers := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Nacos-Go-Client:v1.1.6"}
		params := map[string][]string{"namespaceId": {"public"}, "serviceName": {grouped}, "ip": {ip}, "port": {port}, "clusterName": {"DEFAULT"}}

		reg := ev
		reg.Kind = journal.Register
		reg.Request = journal.Request{Method: "POST", Path: "/nacos/v1/ns/instance", Params: params, Headers: headers, Body: form + "&weight=1&enable=true&healthy=true&ephemeral=true"}
		reg.Response = journal.Response{Status: 200, Body: "ok"}
		beatJSON := `{"ip":"` + ip + `","port":8080,"weight":1,"serviceName":"` + grouped + `","cluster":"DEFAULT","metadata":{},"scheduled":false}`
		beat := ev
		beat.Kind = journal.Beat
		beatParams := map[string][]string{"beat": {beatJSON}}
		for k, v := range params {
			beatParams[k] = v
		}
		beat.Request = journal.Request{Method: "PUT", Path: "/nacos/v1/ns/instance/beat", Params: beatParams, Headers: headers, Body: form + "&beat=" + beatJSON}
		beat.Response = journal.Response{Status: 200, ErrorCode: 10200, Body: `{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}`}
		dereg := ev
		dereg.Kind = journal.Deregister
		dereg.Request = journal.Request{Method: "DELETE", Path: "/nacos/v1/ns/instance", Params: params, Headers: headers, Body: form + "&ephemeral=true"}
		dereg.Response = journal.Response{Status: 200, Body: "ok"}
		all[i] = inst{tmpl(reg), tmpl(beat), tmpl(dereg)}
	}

	path := filepath.Join(b.TempDir(), "bench.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	_ = journal.WriteJSONL(w, journal.Header{Source: "BenchmarkReplay"}, nil)
	at := start
	var ts []byte
	write := func(seq int, parts [][]byte) {
		ts = at.AppendFormat(ts[:0], time.RFC3339Nano)
		w.WriteString(`{"seq":`)
		w.WriteString(strconv.Itoa(seq))
		for i, p := range parts {
			if i > 0 {
				w.Write(ts)
			}
			w.Write(p)
		}
	}
	seq := 0
	for i := 0; i < instances && seq < n; i++ {
		seq++
		write(seq, all[i].reg)
	}
	for i := 0; seq < n; i++ {
		at = at.Add(5 * time.Millisecond)
		k := i % instances
		seq++
		if seq%1000 == 0 && seq+1 < n {
			write(seq, all[k].dereg)
			seq++
			write(seq, all[k].reg)
			continue
		}
		write(seq, all[k].beat)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReplayInProcess replays 1,000,000 events into a mock on a frozen
// clock, in process, with the journal off (memory stays flat).
func BenchmarkReplayInProcess(b *testing.B) {
	benchReplay(b, 1_000_000, func(b *testing.B, path string) mocknacos.ReplaySummary {
		srv := mocknacos.Start(b, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithJournalLimit(-1))
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		sum, err := mocknacos.Replay(context.Background(), srv, f)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(srv.Instances("svc-7")); n != 10 {
			b.Fatalf("svc-7 holds %d instances after the replay, want 10", n)
		}
		return sum
	})
}

// BenchmarkReplayLoopback is the replay CLI's code path (HTTP over
// loopback, one request at a time) against a started mock: 20,000 events.
func BenchmarkReplayLoopback(b *testing.B) {
	benchReplay(b, 20_000, func(b *testing.B, path string) mocknacos.ReplaySummary {
		srv := mocknacos.Start(b, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithJournalLimit(10000))
		target, err := replay.NewNetwork(srv.Addr())
		if err != nil {
			b.Fatal(err)
		}
		defer target.Close()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		sum, err := replay.Run(context.Background(), f, target, replay.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return sum
	})
}

func benchReplay(b *testing.B, events int, once func(*testing.B, string) mocknacos.ReplaySummary) {
	path := benchRecording(b, events)
	b.ReportAllocs()
	b.ResetTimer()
	var total int64
	for i := 0; i < b.N; i++ {
		sum := once(b, path)
		if sum.Events != int64(events) || sum.Errors != 0 || sum.Differed != 0 || sum.Matched != sum.Sent {
			b.Fatalf("summary %s", sum)
		}
		total += sum.Events
	}
	b.StopTimer()
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/event")
}
