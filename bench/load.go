package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/replay"
)

// The load generators: closed loops of HTTP requests, or of gRPC requests
// on connections set up as a Nacos client sets them up (ServerCheck, then
// ConnectionSetup on the bi-stream).

// result is one throughput run.
type result struct {
	n        int64
	errors   int64
	elapsed  time.Duration
	cpu      time.Duration // the server's
	p50, p99 time.Duration
}

func (r result) perSecond() float64 { return float64(r.n) / r.elapsed.Seconds() }

// cpuPer1000 is the server's CPU milliseconds per 1,000 requests.
func (r result) cpuPer1000() float64 {
	if r.n == 0 {
		return 0
	}
	return float64(r.cpu.Milliseconds()) * 1000 / float64(r.n)
}

// run calls op from workers goroutines for d, timing each call, and reads
// the server's CPU time around the run.
func run(pid, workers int, d time.Duration, op func(worker int, i int64) error) result {
	var n, errs atomic.Int64
	lat := make([][]time.Duration, workers)
	stop := time.Now().Add(d)
	cpu0, t0 := cpuTime(pid), time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				i := n.Add(1)
				s := time.Now()
				if err := op(w, i); err != nil {
					if errs.Add(1) == 1 {
						fmt.Println("  first error:", err)
					}
					continue
				}
				lat[w] = append(lat[w], time.Since(s))
			}
		}()
	}
	wg.Wait()
	r := result{elapsed: time.Since(t0), cpu: cpuTime(pid) - cpu0, errors: errs.Load()}
	all := slices.Concat(lat...)
	r.n = int64(len(all))
	slices.Sort(all)
	if len(all) > 0 {
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}

// httpLoad is an HTTP client with a connection per worker.
type httpLoad struct {
	base string
	c    *http.Client
}

func newHTTPLoad(port, workers int) *httpLoad {
	return &httpLoad{base: "http://127.0.0.1:" + strconv.Itoa(port),
		c: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers, DisableCompression: true}}}
}

func (h *httpLoad) do(method, pathQuery string, want func(int, []byte) bool) error {
	req, err := http.NewRequest(method, h.base+pathQuery, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "Nacos-Go-Client:v1.1.6")
	resp, err := h.c.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if want != nil && !want(resp.StatusCode, b) || want == nil && resp.StatusCode != 200 {
		return fmt.Errorf("%s %s: %d %.200s", method, pathQuery, resp.StatusCode, b)
	}
	return nil
}

// instanceAddr spreads instance i over addresses: 10.x.y.z:8080.
func instanceAddr(i int64) (string, int) {
	return "10." + strconv.FormatInt(i/65536%256, 10) + "." + strconv.FormatInt(i/256%256, 10) + "." + strconv.FormatInt(i%256, 10), 8080
}

func registerPath(service string, i int64) string {
	ip, port := instanceAddr(i)
	return "/nacos/v1/ns/instance?serviceName=" + service + "&ip=" + ip + "&port=" + strconv.Itoa(port) + "&ephemeral=true"
}

// lightBeatPath is a beat without its beat JSON (a light beat, as 1.4+
// clients send once the server said lightBeatEnabled).
func lightBeatPath(service string, i int64) string {
	ip, port := instanceAddr(i)
	return "/nacos/v1/ns/instance/beat?serviceName=" + service + "&ip=" + ip + "&port=" + strconv.Itoa(port)
}

// okBeat accepts a beat's answer: 200 with code 10200 (or the reference's).
func okBeat(status int, b []byte) bool { return status == 200 && strings.Contains(string(b), "10200") }

// grpcConns opens n connections set up as a client does.
func grpcConns(port, n int, onPush func(int, *grpcv2.Payload)) ([]replay.Conn, error) {
	nw, err := replay.NewNetwork("127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		return nil, err
	}
	conns := make([]replay.Conn, n)
	for i := range conns {
		c, err := nw.Open(context.Background(), func(p *grpcv2.Payload) {
			if onPush != nil {
				onPush(i, p)
			}
		})
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = c.Request(ctx, payload("ServerCheckRequest", map[string]any{}))
		if err == nil {
			err = c.Stream(ctx, payload("ConnectionSetupRequest", map[string]any{"clientVersion": "Nacos-Go-Client:v2.2.7",
				"abilities": map[string]any{}, "tenant": "", "labels": map[string]string{"source": "sdk", "module": "naming"}}))
		}
		cancel()
		if err != nil {
			return nil, err
		}
		conns[i] = c
	}
	return conns, nil
}

func closeAll(conns []replay.Conn) {
	for _, c := range conns {
		_ = c.Close()
	}
}

var requestIDs atomic.Int64

// payload is a request with the envelope's usual fields.
func payload(typ string, body map[string]any) *grpcv2.Payload {
	body["headers"] = map[string]string{}
	body["requestId"] = strconv.FormatInt(requestIDs.Add(1), 10)
	if _, ok := body["module"]; !ok {
		body["module"] = "internal"
	}
	b, _ := json.Marshal(body)
	return &grpcv2.Payload{Type: typ, ClientIP: "127.0.0.1", Headers: map[string]string{}, Body: b}
}

// call sends p and checks the answer's resultCode.
func call(c replay.Conn, p *grpcv2.Payload) (*grpcv2.Payload, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := c.Request(ctx, p)
	if err != nil {
		return nil, err
	}
	if r := grpcv2.ResponseOf(out); r.Status != 200 {
		return out, fmt.Errorf("%s: %d %d %.200s", p.Type, r.Status, r.ErrorCode, out.Body)
	}
	return out, nil
}

func grpcRegister(service string, i int64) *grpcv2.Payload {
	ip, port := instanceAddr(i)
	return payload("InstanceRequest", map[string]any{"namespace": "public", "serviceName": service, "groupName": "DEFAULT_GROUP",
		"module": "naming", "type": "registerInstance", "instance": map[string]any{"ip": ip, "port": port, "weight": 1.0,
			"healthy": true, "enabled": true, "ephemeral": true, "clusterName": "DEFAULT", "metadata": map[string]string{}}})
}
