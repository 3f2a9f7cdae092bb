package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/replay"
)

// cell is one figure; text when it is not a number.
type cell struct {
	v    float64
	text string
	ok   bool
}

func num(v float64) cell { return cell{v: v, ok: true} }
func note(s string) cell { return cell{text: s} }

// column is one server's figures, by row.
type column struct {
	name string
	kind string
	rows map[string]cell
}

// The rows, in order, with how a figure is printed.
var rowOrder = []struct{ key, label, format string }{
	{"ready", "start to ready (HTTP and gRPC answer), ms", "%.0f"},
	{"hreg", "HTTP registrations/s", "%.0f"},
	{"hreg.cpu", "HTTP register: server CPU-ms per 1,000", "%.1f"},
	{"hreg.p50", "HTTP register: p50 latency, ms", "%.2f"},
	{"hreg.p99", "HTTP register: p99 latency, ms", "%.2f"},
	{"beat", "HTTP light beats/s", "%.0f"},
	{"beat.cpu", "HTTP beat: server CPU-ms per 1,000", "%.1f"},
	{"beat.p50", "HTTP beat: p50 latency, ms", "%.2f"},
	{"beat.p99", "HTTP beat: p99 latency, ms", "%.2f"},
	{"hc", "gRPC health checks/s (32 connections)", "%.0f"},
	{"hc.cpu", "gRPC health check: server CPU-ms per 1,000", "%.1f"},
	{"hc.p50", "gRPC health check: p50 latency, ms", "%.2f"},
	{"hc.p99", "gRPC health check: p99 latency, ms", "%.2f"},
	{"greg", "gRPC registrations/s (32 connections)", "%.0f"},
	{"greg.cpu", "gRPC register: server CPU-ms per 1,000", "%.1f"},
	{"greg.p50", "gRPC register: p50 latency, ms", "%.2f"},
	{"greg.p99", "gRPC register: p99 latency, ms", "%.2f"},
	{"rss.load", "resident memory after the load, MB", "%.0f"},
	{"rss.10k", "resident memory, 10,000 instances beating every 5 s, MB", "%.0f"},
	{"beats.10k", "beats sent to the 10,000 instances (fill, then 10 s at the 5 s cadence)", "%.0f"},
	{"config", "config change to listener (gRPC push), p50 ms", "%.1f"},
	{"gone", "provider's connection closed to consumer's push without it, p50 ms", "%.1f"},
	{"replay", "in-process replay, events/s (BenchmarkReplayInProcess)", "%.0f"},
}

const workers = 32

func measure(t *target, d time.Duration) column {
	col := column{name: t.name, kind: t.kind, rows: map[string]cell{}}
	set := func(k string, c cell) { col.rows[k] = c }
	// Each throughput window follows an unmeasured warm-up of a third of
	// it with the same requests (a JVM compiles its hot paths first).
	measureRun := func(op func(int, int64) error) result {
		run(t.pid(), workers, d/3, op)
		return run(t.pid(), workers, d, op)
	}
	throughput := func(k string, r result) {
		fmt.Printf("  %-6s %8.0f/s  cpu %6.1f ms/1000  p50 %.2f ms  p99 %.2f ms  errors %d\n", k, r.perSecond(), r.cpuPer1000(),
			ms(r.p50), ms(r.p99), r.errors)
		set(k, num(r.perSecond()))
		set(k+".cpu", num(r.cpuPer1000()))
		set(k+".p50", num(ms(r.p50)))
		set(k+".p99", num(ms(r.p99)))
		if r.errors > 0 {
			set(k, cell{v: r.perSecond(), ok: true, text: fmt.Sprintf("%.0f (%d errors)", r.perSecond(), r.errors)})
		}
	}
	limit := 20 * time.Second
	if t.kind == "real" {
		limit = 180 * time.Second
	}
	defer t.cleanup()
	// Up to three tries, each from ports 10 higher (start picks free ones).
	var ready time.Duration
	var err error
	for try := 0; try < 3; try++ {
		if try > 0 {
			t.setPort(t.port + 10)
		}
		if err = t.start(); err == nil {
			fmt.Printf("  on HTTP %d, gRPC %d\n", t.port, t.port+1000)
			if ready, err = t.waitReady(limit); err == nil {
				break
			}
			t.stop()
		}
		fmt.Println("  ", err)
	}
	if err != nil {
		set("ready", note(err.Error()))
		return col
	}
	defer t.stop()
	set("ready", num(ms(ready)))
	fmt.Printf("  ready in %v\n", ready.Round(time.Millisecond))
	if t.kind == "real" {
		time.Sleep(3 * time.Second) // let the JVM finish its start-up work before timing it
	}
	pid := t.pid()

	h := newHTTPLoad(t.port, workers)
	// First, on the fresh server, 10,000 instances beating: registered, then beaten as fast as the
	// server takes (at most 100,000 beats or 20 s: the mock's default
	// journal is full after it), then 10 s at the 5 s cadence (2,000/s).
	var next atomic.Int64
	regOne := func(_ int, _ int64) error {
		i := next.Add(1)
		if i > 10000 {
			return errDone
		}
		return h.do("POST", registerPath("bench-10k-"+strconv.FormatInt(i%100, 10), 100000+i), nil)
	}
	runUntilDone(workers, regOne)
	var sent atomic.Int64
	beatOne := func(_ int, _ int64) error {
		i := sent.Add(1)
		if i > 100000 {
			return errDone
		}
		k := i % 10000
		return h.do("PUT", lightBeatPath("bench-10k-"+strconv.FormatInt(k%100, 10), 100000+k), okBeat)
	}
	runFor(workers, 20*time.Second, beatOne)
	paced := paceBeats(h, 10*time.Second, 2000)
	set("beats.10k", num(float64(min(sent.Load(), 100000)+paced)))
	set("rss.10k", num(rssMB(pid)))
	fmt.Printf("  rss with 10k beating %.0f MB\n", col.rows["rss.10k"].v)

	// HTTP: registrations of new instances, then light beats of the first
	// 1,000 of them.
	throughput("hreg", measureRun(func(_ int, i int64) error { return h.do("POST", registerPath("bench-http", i), nil) }))
	for i := int64(1); i <= 1000; i++ {
		_ = h.do("POST", registerPath("bench-http", i), nil)
	}
	throughput("beat", measureRun(func(_ int, i int64) error {
		return h.do("PUT", lightBeatPath("bench-http", i%1000+1), okBeat)
	}))

	// gRPC on 32 connections.
	conns, err := grpcConns(t.port, workers, nil)
	if err != nil {
		set("hc", note(err.Error()))
	} else {
		throughput("hc", measureRun(func(w int, _ int64) error {
			_, err := call(conns[w], payload("HealthCheckRequest", map[string]any{}))
			return err
		}))
		throughput("greg", measureRun(func(w int, i int64) error {
			_, err := call(conns[w], grpcRegister("bench-grpc", i))
			return err
		}))
		closeAll(conns)
	}
	set("rss.load", num(rssMB(pid)))
	fmt.Printf("  rss after the load %.0f MB\n", col.rows["rss.load"].v)

	if t.kind != "ref" {
		set("config", latencyCell(configLatency(t.port)))
		set("gone", latencyCell(goneLatency(t.port)))
	}

	if t.kind == "mock" {
		if rate, err := replayRate(); err == nil {
			set("replay", num(rate))
		} else {
			set("replay", note(err.Error()))
		}
	}
	return col
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func latencyCell(ds []time.Duration, err error) cell {
	if err != nil {
		return note(err.Error())
	}
	slices.Sort(ds)
	return num(ms(ds[len(ds)/2]))
}

type doneError struct{}

func (doneError) Error() string { return "done" }

var errDone = doneError{}

// runUntilDone calls op from workers goroutines until it says errDone.
func runUntilDone(workers int, op func(int, int64) error) { runFor(workers, time.Hour, op) }

func runFor(workers int, d time.Duration, op func(int, int64) error) {
	stop := time.Now().Add(d)
	done := make(chan struct{}, workers)
	for w := range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for time.Now().Before(stop) {
				if err := op(w, 0); err == errDone {
					return
				}
			}
		}()
	}
	for range workers {
		<-done
	}
}

// paceBeats beats the 10,000 instances at rate per second for d; it
// returns how many beats were sent.
func paceBeats(h *httpLoad, d time.Duration, rate int) int64 {
	const pacers = 20
	var sent atomic.Int64
	start := time.Now()
	done := make(chan struct{}, pacers)
	for w := range pacers {
		go func() {
			defer func() { done <- struct{}{} }()
			every := time.Second * pacers / time.Duration(rate)
			for k := int64(w); ; k += pacers {
				due := start.Add(time.Duration(k/pacers) * every)
				if due.Sub(start) >= d {
					return
				}
				time.Sleep(time.Until(due))
				i := k % 10000
				if h.do("PUT", lightBeatPath("bench-10k-"+strconv.FormatInt(i%100, 10), 100000+i), okBeat) == nil {
					sent.Add(1)
				}
			}
		}()
	}
	for range pacers {
		<-done
	}
	return sent.Load()
}

// configLatency: a connection listens to a config; another publishes a
// new content; the time until the listener is pushed the change. Ten
// rounds.
func configLatency(port int) ([]time.Duration, error) {
	pushed := make(chan struct{}, 16)
	conns, err := grpcConns(port, 2, func(i int, p *grpcv2.Payload) {
		if i == 0 && p.Type == "ConfigChangeNotifyRequest" {
			pushed <- struct{}{}
		}
	})
	if err != nil {
		return nil, err
	}
	defer closeAll(conns)
	listen := payload("ConfigBatchListenRequest", map[string]any{"module": "config", "listen": true,
		"configListenContexts": []map[string]string{{"dataId": "bench-cfg", "group": "DEFAULT_GROUP", "tenant": "", "md5": ""}}})
	if err := callRetry(conns[0], func() *grpcv2.Payload { return listen }); err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := range 10 {
		drain(pushed)
		start := time.Now()
		pub := payload("ConfigPublishRequest", map[string]any{"module": "config", "dataId": "bench-cfg", "group": "DEFAULT_GROUP",
			"tenant": "", "content": "round=" + strconv.Itoa(i), "casMd5": "", "additionMap": map[string]string{}})
		if _, err := call(conns[1], pub); err != nil {
			return nil, err
		}
		select {
		case <-pushed:
			out = append(out, time.Since(start))
		case <-time.After(5 * time.Second):
			return nil, fmt.Errorf("no push within 5 s")
		}
	}
	return out, nil
}

func drain(ch chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// goneLatency: a consumer subscribes; a provider registers over gRPC and
// the consumer sees it; the provider's connection closes; the time until
// the consumer is pushed the service without it. Three rounds.
func goneLatency(port int) ([]time.Duration, error) {
	hosts := make(chan int, 64)
	consumer, err := grpcConns(port, 1, func(_ int, p *grpcv2.Payload) {
		if p.Type != "NotifySubscriberRequest" {
			return
		}
		var m struct {
			ServiceInfo struct {
				Hosts []json.RawMessage `json:"hosts"`
			} `json:"serviceInfo"`
		}
		if json.Unmarshal(p.Body, &m) == nil {
			hosts <- len(m.ServiceInfo.Hosts)
		}
	})
	if err != nil {
		return nil, err
	}
	defer closeAll(consumer)
	sub := payload("SubscribeServiceRequest", map[string]any{"module": "naming", "namespace": "public", "serviceName": "bench-gone",
		"groupName": "DEFAULT_GROUP", "subscribe": true, "clusters": ""})
	if err := callRetry(consumer[0], func() *grpcv2.Payload { return sub }); err != nil {
		return nil, err
	}
	await := func(want func(int) bool) error {
		deadline := time.After(10 * time.Second)
		for {
			select {
			case n := <-hosts:
				if want(n) {
					return nil
				}
			case <-deadline:
				return fmt.Errorf("no push within 10 s")
			}
		}
	}
	var out []time.Duration
	for i := range 3 {
		provider, err := grpcConns(port, 1, nil)
		if err != nil {
			return nil, err
		}
		if err := callRetry(provider[0], func() *grpcv2.Payload { return grpcRegister("bench-gone", int64(500+i)) }); err != nil {
			closeAll(provider)
			return nil, err
		}
		if err := await(func(n int) bool { return n > 0 }); err != nil {
			closeAll(provider)
			return nil, err
		}
		start := time.Now()
		closeAll(provider)
		if err := await(func(n int) bool { return n == 0 }); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

// replayRate runs BenchmarkReplayInProcess (pinned to core 0) and reads
// its events/s.
func replayRate() (float64, error) {
	argv := pin([]string{"go", "test", "-run", "^$", "-bench", "^BenchmarkReplayInProcess$", "-benchtime", "1x", "./mocknacos/"})
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	m := regexp.MustCompile(`([0-9.e+]+) events/s`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no events/s in: %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// callRetry sends a request until it is accepted, for up to 3 s: a real
// server refuses one sent right after the setup (the connection is not
// registered yet), and its clients retry.
func callRetry(c replay.Conn, p func() *grpcv2.Payload) error {
	var err error
	for try := 0; try < 30; try++ {
		if _, err = call(c, p()); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
