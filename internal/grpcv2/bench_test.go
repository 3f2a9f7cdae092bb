package grpcv2

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
)

// Benchmarks of issue 3: register and health-check throughput with 100
// concurrent connections, and heap per connection and per instance at
// 10,000 instances. The journal is a counter here: what the public layer's
// journal costs is measured there.

const benchConns = 100

func benchServer(b *testing.B) *testEnv {
	var n atomic.Int64
	return startServer(b, nil, func(cfg *Config) { cfg.Record = func(journal.Event) { n.Add(1) } })
}

func benchClients(b *testing.B, addr string, n int) []*testClient {
	cs := make([]*testClient, n)
	for i := range cs {
		cs[i] = dial(b, addr)
		cs[i].connect()
	}
	return cs
}

// runSpread runs b.N calls spread over the clients, one goroutine each.
func runSpread(b *testing.B, cs []*testClient, op func(c *testClient, i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := op(c, i); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

func BenchmarkRegister100Conns(b *testing.B) {
	env := benchServer(b)
	cs := benchClients(b, env.addr, benchConns)
	bodies := make([]string, 64)
	for i := range bodies {
		bodies[i] = registerBody("svc"+strconv.Itoa(i), "10.0.0.1", 8080, "")
	}
	runSpread(b, cs, func(c *testClient, i int) error {
		p, err := c.call(typeInstanceRequest, bodies[i%len(bodies)])
		if err == nil && p.Type != typeInstanceResponse {
			err = fmt.Errorf("answer %s %s", p.Type, p.Body)
		}
		return err
	})
}

func BenchmarkHealthCheck100Conns(b *testing.B) {
	env := benchServer(b)
	cs := benchClients(b, env.addr, benchConns)
	runSpread(b, cs, func(c *testClient, i int) error {
		p, err := c.call(typeHealthCheckRequest, `{"headers":{},"module":"internal"}`)
		if err == nil && p.Type != typeHealthCheckResponse {
			err = fmt.Errorf("answer %s %s", p.Type, p.Body)
		}
		return err
	})
}

// BenchmarkMemory10kInstances measures the server's heap: 100 connections,
// then 100 services registered by each (10,000 instances). The clients run
// in a child process so that only the server's memory is counted.
func BenchmarkMemory10kInstances(b *testing.B) {
	env := benchServer(b)
	for i := 0; i < b.N; i++ {
		base := heapNow()
		child := exec.Command(os.Args[0], "-test.run=^TestBenchClientProcess$", "-test.v")
		child.Env = append(os.Environ(), "GRPCV2_BENCH_ADDR="+env.addr, "GRPCV2_BENCH_CONNS="+strconv.Itoa(benchConns))
		stdin, _ := child.StdinPipe()
		stdout, _ := child.StdoutPipe()
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			b.Fatal(err)
		}
		out := bufio.NewScanner(stdout)
		await := func() {
			for out.Scan() {
				if strings.HasPrefix(out.Text(), "READY") {
					return
				}
			}
			b.Fatalf("client process ended: %v", out.Err())
		}
		await()
		waitFor(b, "connections", func() bool { return len(env.srv.Connections()) == benchConns })
		conns := heapNow()
		fmt.Fprintln(stdin, "register 100")
		await()
		instances := heapNow()
		if n := instanceCount(env.reg); n != benchConns*100 {
			b.Fatalf("%d instances", n)
		}
		stdin.Close()
		go io.Copy(io.Discard, stdout)
		_ = child.Wait()
		waitFor(b, "clean up", func() bool { return instanceCount(env.reg) == 0 })
		b.ReportMetric(float64(conns-base)/benchConns, "heapB/conn")
		b.ReportMetric(float64(instances-conns)/float64(benchConns*100), "heapB/instance")
		b.ReportMetric(float64(instances-base)/(1<<20), "heapMB/10k-instances+100-conns")
	}
}

func heapNow() int64 {
	var m runtime.MemStats
	for i := 0; i < 2; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestBenchClientProcess is the client side of BenchmarkMemory10kInstances,
// run as a child process; it is skipped otherwise.
func TestBenchClientProcess(t *testing.T) {
	addr := os.Getenv("GRPCV2_BENCH_ADDR")
	if addr == "" {
		t.Skip("client process of BenchmarkMemory10kInstances")
	}
	n, _ := strconv.Atoi(os.Getenv("GRPCV2_BENCH_CONNS"))
	cs := make([]*testClient, n)
	for i := range cs {
		cs[i] = dial(t, addr)
		cs[i].connect()
	}
	fmt.Println("READY")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var k int
		if _, err := fmt.Sscanf(in.Text(), "register %d", &k); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for ci, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for s := 0; s < k; s++ {
					body := registerBody("svc"+strconv.Itoa(s), "10.2."+strconv.Itoa(ci/250)+"."+strconv.Itoa(ci%250), 8000+s, "")
					if _, err := c.call(typeInstanceRequest, body); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		fmt.Println("READY")
	}
}
