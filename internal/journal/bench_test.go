package journal

import (
	"runtime"
	"strconv"
	"testing"
	"time"
)

// Run: go test -run '^$' -bench Journal10M -benchtime 1x ./internal/journal/
//
// What happens at 10 million events when a test never sets a limit: the
// in-process default cap (mocknacos.DefaultJournalLimit, 1,000,000) keeps
// the newest million and counts the rest as dropped, so the heap stops
// growing once the ring is full. The events are beats of 10,000 instances
// (as the HTTP layer journals them), each on the 5 s cadence.

func beatEvent(i int, at time.Time) Event {
	inst := i % 10000
	ip, port := "10.0."+strconv.Itoa(inst/250)+"."+strconv.Itoa(inst%250+1), "8080"
	svc := "DEFAULT_GROUP@@svc-" + strconv.Itoa(inst%100)
	q := "serviceName=" + svc + "&ip=" + ip + "&port=" + port
	return Event{Time: at, WallTime: at, Protocol: HTTP, Kind: Beat, Namespace: "public", Group: "DEFAULT_GROUP",
		Service: "svc-" + strconv.Itoa(inst%100), Cluster: "DEFAULT", IP: ip, Port: 8080, Remote: "127.0.0.1:4" + strconv.Itoa(inst%8),
		Request: Request{Method: "PUT", Path: "/nacos/v1/ns/instance/beat", Query: q,
			Params:  map[string][]string{"serviceName": {svc}, "ip": {ip}, "port": {port}},
			Headers: map[string]string{"User-Agent": "Nacos-Go-Client:v1.1.6"}},
		Response: Response{Status: 200, ErrorCode: 10200, Body: `{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}`}}
}

func heap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func BenchmarkJournal10M(b *testing.B) {
	const total, limit = 10_000_000, 1_000_000
	for range b.N {
		base := heap()
		j := New(limit)
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		start := time.Now()
		var atCap uint64
		for i := range total {
			j.Append(beatEvent(i, at.Add(time.Duration(i)*500*time.Microsecond)))
			if i+1 == limit {
				atCap = heap() - base
			}
		}
		elapsed := time.Since(start)
		end := heap() - base
		if j.Len() != limit || j.Dropped() != total-limit {
			b.Fatalf("len %d dropped %d", j.Len(), j.Dropped())
		}
		b.ReportMetric(float64(atCap)/(1<<20), "heapMB@1M")
		b.ReportMetric(float64(end)/(1<<20), "heapMB@10M")
		b.ReportMetric(float64(end)/limit, "heapB/kept-event")
		b.ReportMetric(float64(total)/elapsed.Seconds(), "appends/s")
		runtime.KeepAlive(j)
	}
}
