package mocknacos_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/replay"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// Run: go test -run '^$' -bench JournalBytes -benchtime 1x ./mocknacos/
//
// Heap per journal event (issue 16: at most 300 bytes for a beat or a
// health check) in a full journal: capped at 20,000 events and emptied
// after the set-up, it holds the 20,000 requests after them; the heap is
// read after a GC both times, so what is counted is what the journal keeps
// (its ring included) and the registry's few changes.

const journalBenchEvents = 20000

func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkJournalBytesPerBeat: 1,000 instances beat as nacos-sdk-go v1
// does (a form body with the beat JSON), 20 times each, over 8 connections.
func BenchmarkJournalBytesPerBeat(b *testing.B) {
	for range b.N {
		srv := mocknacos.Start(b, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithJournalLimit(journalBenchEvents))
		c := newBenchClient()
		beat := func(i int) (string, string) {
			ip, port := "10.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250+1), "8080"
			svc := "DEFAULT_GROUP@@svc-" + strconv.Itoa(i%100)
			form := "namespaceId=public&serviceName=" + svc + "&ip=" + ip + "&port=" + port + "&clusterName=DEFAULT"
			return form, form + `&beat={"ip":"` + ip + `","port":8080,"weight":1,"serviceName":"` + svc + `","cluster":"DEFAULT","metadata":{},"scheduled":false}`
		}
		send := func(method, path, form string) {
			req, _ := http.NewRequest(method, srv.URL()+path, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("User-Agent", "Nacos-Go-Client:v1.1.6")
			doReq(b, c, req)
		}
		for i := range 1000 {
			reg, _ := beat(i)
			send("POST", "/v1/ns/instance", reg)
		}
		srv.ResetJournal()
		before := liveHeap()
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := w; k < journalBenchEvents; k += 8 {
					_, form := beat(k % 1000)
					send("PUT", "/v1/ns/instance/beat", form)
				}
			}()
		}
		wg.Wait()
		after := liveHeap()
		if n, d := len(srv.Journal()), srv.JournalDropped(); n != journalBenchEvents || d > 100 {
			b.Fatalf("%d events, %d dropped", n, d)
		}
		b.ReportMetric(float64(after-before)/journalBenchEvents, "heapB/event")
		c.CloseIdleConnections()
	}
}

// BenchmarkJournalBytesPerHealthCheck: 32 gRPC connections (ServerCheck,
// then ConnectionSetup on the stream, as a client does) health-check.
func BenchmarkJournalBytesPerHealthCheck(b *testing.B) {
	for range b.N {
		srv := mocknacos.Start(b, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithJournalLimit(journalBenchEvents))
		conns := dialNacos(b, srv.Addr(), 32)
		srv.ResetJournal()
		before := liveHeap()
		var wg sync.WaitGroup
		for w, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := w; k < journalBenchEvents; k += len(conns) {
					p := &grpcv2.Payload{Type: "HealthCheckRequest", Headers: map[string]string{},
						Body: []byte(`{"headers":{},"requestId":"` + strconv.Itoa(k) + `","module":"internal"}`)}
					out, err := c.Request(context.Background(), p)
					if err != nil || out.Type != "HealthCheckResponse" {
						b.Error(err, out)
						return
					}
				}
			}()
		}
		wg.Wait()
		after := liveHeap()
		if n, d := len(srv.Journal()), srv.JournalDropped(); n != journalBenchEvents || d > 100 {
			b.Fatalf("%d events, %d dropped", n, d)
		}
		b.ReportMetric(float64(after-before)/journalBenchEvents, "heapB/event")
		for _, c := range conns {
			_ = c.Close()
		}
	}
}

// dialNacos opens n gRPC connections set up as a Nacos client does.
func dialNacos(b *testing.B, addr string, n int) []replay.Conn {
	nw, err := replay.NewNetwork(addr)
	if err != nil {
		b.Fatal(err)
	}
	conns := make([]replay.Conn, n)
	for i := range conns {
		c, err := nw.Open(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if _, err := c.Request(ctx, &grpcv2.Payload{Type: "ServerCheckRequest", Body: []byte(`{"headers":{},"module":"internal"}`)}); err != nil {
			b.Fatal(err)
		}
		setup := `{"clientVersion":"Nacos-Go-Client:v2.2.7","abilities":{},"tenant":"","labels":{"source":"sdk","module":"naming"},"headers":{},"module":"internal"}`
		if err := c.Stream(ctx, &grpcv2.Payload{Type: "ConnectionSetupRequest", Body: []byte(setup)}); err != nil {
			b.Fatal(err)
		}
		conns[i] = c
	}
	return conns
}

// BenchmarkHeap10kBeatingFullJournal is the binary's case in-process:
// 10,000 instances registered over HTTP in 100 services, then 100,000 light
// beats, with the binary's default journal of 100,000 events (full after
// them). It reports the live heap of the registry and of the journal.
func BenchmarkHeap10kBeatingFullJournal(b *testing.B) {
	for range b.N {
		base := liveHeap()
		srv := mocknacos.Start(b, mocknacos.WithJournalLimit(100000))
		c := newBenchClient()
		addr := func(i int) string { return "ip=10.1." + strconv.Itoa(i/250) + "." + strconv.Itoa(i%250) + "&port=8080" }
		for i := range 10000 {
			do(b, c, "POST", srv.URL()+"/v1/ns/instance?serviceName=bench-10k-"+strconv.Itoa(i%100)+"&"+addr(i))
		}
		registered := liveHeap()
		for k := range 100000 {
			i := k % 10000
			do(b, c, "PUT", srv.URL()+"/v1/ns/instance/beat?serviceName=bench-10k-"+strconv.Itoa(i%100)+"&"+addr(i))
		}
		full := liveHeap()
		if srv.JournalDropped() == 0 {
			b.Fatal("the journal is not full")
		}
		b.ReportMetric(float64(registered-base)/(1<<20), "heapMB-10k-registered")
		b.ReportMetric(float64(full-base)/(1<<20), "heapMB-10k-beating+full-journal")
		c.CloseIdleConnections()
	}
}
