package mocknacos_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// Run: go test -run '^$' -bench . -benchmem ./mocknacos/ ./internal/...

func BenchmarkStartClose(b *testing.B) {
	for i := 0; i < b.N; i++ {
		srv, err := mocknacos.New(mocknacos.WithFrozenClock(time.Time{}))
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func newBenchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
}

func do(b *testing.B, c *http.Client, method, url string) {
	req, _ := http.NewRequest(method, url, nil)
	doReq(b, c, req)
}

// doReq sends req and fails unless the answer is 200.
func doReq(b *testing.B, c *http.Client, req *http.Request) {
	method, url := req.Method, req.URL.String()
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

// BenchmarkRegister is one HTTP register round trip over loopback.
func BenchmarkRegister(b *testing.B) {
	srv := mocknacos.Start(b, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithJournalLimit(10000))
	c := newBenchClient()
	defer c.CloseIdleConnections()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		do(b, c, "POST", srv.URL()+"/v1/ns/instance?serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port="+strconv.Itoa(i%60000+1))
	}
}

// BenchmarkBeatParallel is full beats from parallel clients over loopback.
func BenchmarkBeatParallel(b *testing.B) {
	srv := mocknacos.Start(b, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithJournalLimit(10000))
	c := newBenchClient()
	defer c.CloseIdleConnections()
	for p := 1; p <= 64; p++ {
		do(b, c, "POST", srv.URL()+"/v1/ns/instance?serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port="+strconv.Itoa(p))
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			do(b, c, "PUT", srv.URL()+"/v1/ns/instance/beat?serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port="+strconv.Itoa(i%64+1))
		}
	})
}

// BenchmarkList1000 lists a service of 1,000 instances over loopback.
func BenchmarkList1000(b *testing.B) {
	srv := mocknacos.Start(b, mocknacos.WithFrozenClock(time.Time{}), mocknacos.WithJournalLimit(1000))
	for p := 1; p <= 1000; p++ {
		in := mocknacos.NewInstance("127.0.0.1", p)
		in.Metadata = map[string]string{"zone": fmt.Sprint(p % 3)}
		if err := srv.Register("orders", in); err != nil {
			b.Fatal(err)
		}
	}
	c := newBenchClient()
	defer c.CloseIdleConnections()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		do(b, c, "GET", srv.URL()+"/v1/ns/instance/list?serviceName=DEFAULT_GROUP@@orders")
	}
}
