package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/tcmocknacos"
)

func TestFlagsAndEnvironment(t *testing.T) {
	t.Setenv("MOCKNACOS_JOURNAL_LIMIT", "7")
	c, err := parse([]string{"--port", "18848", "--frozen-clock"})
	if err != nil {
		t.Fatal(err)
	}
	if c.port != 18848 || !c.frozen || c.journalLimit != 7 || c.serverVersion != "2.4" || c.host != "127.0.0.1" {
		t.Fatalf("%+v", c)
	}
	t.Setenv("MOCKNACOS_HOST", "0.0.0.0")
	if c, err := parse(nil); err != nil || c.host != "0.0.0.0" {
		t.Fatalf("MOCKNACOS_HOST: %+v, %v", c, err)
	}
	for _, bad := range [][]string{{"--port", "65000"}, {"--server-version", "3.1"}, {"--auth-user", "nacos"}} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%v must be refused", bad)
		}
	}
	t.Setenv("MOCKNACOS_FROZEN_AT", "2026-01-02T03:04:05Z")
	if c, err := parse(nil); err != nil || !c.frozen || c.frozenAt != "2026-01-02T03:04:05Z" {
		t.Fatalf("MOCKNACOS_FROZEN_AT: %+v, %v", c, err)
	}
	if _, err := parse([]string{"--frozen-at", "yesterday"}); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("a bad --frozen-at must be refused: %v", err)
	}
	t.Setenv("MOCKNACOS_PORT", "x")
	if _, err := parse(nil); err == nil {
		t.Error("a bad environment value must be refused")
	}
}

// freePort is a port P with P and P+1000 both free just now
// (tcmocknacos.FreePortPair, which the image benchmarks use too).
func freePort(t *testing.T) int {
	t.Helper()
	p, err := tcmocknacos.FreePortPair()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunServesAndStopsOnCancel starts the binary's main loop on a free
// port pair and stops it the way SIGTERM does.
func TestRunServesAndStopsOnCancel(t *testing.T) {
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--port", strconv.Itoa(port), "--log-format", "json", "--frozen-at", "2026-01-02T03:04:05Z"}, io.Discard)
	}()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/nacos/v1/console/health/liveness"
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("liveness: %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/__mock/clock")
	if err != nil {
		t.Fatal(err)
	}
	clock, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(clock), `"now":"2026-01-02T03:04:05Z"`) || !strings.Contains(string(clock), `"frozen":true`) {
		t.Fatalf("--frozen-at: the clock says %s", clock)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

func TestLoopback(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "::1": true, "localhost": true, "127.0.0.2": true,
		"0.0.0.0": false, "::": false, "": false, "10.1.2.3": false, "example.invalid": false} {
		if got := loopback(host); got != want {
			t.Errorf("loopback(%q) = %v", host, got)
		}
	}
}

// TestWarnsWithoutAdminTokenBeyondLoopback: listening on every interface
// without --admin-token logs a warning; with one it does not, and the admin
// API then wants the token.
func TestWarnsWithoutAdminTokenBeyondLoopback(t *testing.T) {
	for _, token := range []string{"", "t0k"} {
		port := freePort(t)
		args := []string{"--host", "0.0.0.0", "--port", strconv.Itoa(port), "--log-format", "json"}
		if token != "" {
			args = append(args, "--admin-token", token)
		}
		var logs syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- run(ctx, args, &logs) }()
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(logs.String(), `"msg":"serving"`) {
			if time.Now().After(deadline) {
				t.Fatalf("not serving: %s", logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		warned := strings.Contains(logs.String(), "--admin-token")
		resp, err := http.Get(base + "/__mock/clock")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if token == "" && (!warned || resp.StatusCode != http.StatusOK) {
			t.Errorf("no token: warned %v, admin API %d; logs: %s", warned, resp.StatusCode, logs.String())
		}
		if token != "" && (warned || resp.StatusCode != http.StatusUnauthorized) {
			t.Errorf("token: warned %v, admin API %d; logs: %s", warned, resp.StatusCode, logs.String())
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// --exit-on-stdin-eof: the parent's end of the pipe closing (the parent
// exited or was killed) shuts the mock down.
func TestExitOnStdinEOF(t *testing.T) {
	port := freePort(t)
	pr, pw := io.Pipe()
	old := stdin
	stdin = pr
	t.Cleanup(func() { stdin = old })
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"--port", strconv.Itoa(port), "--exit-on-stdin-eof"}, io.Discard)
	}()
	select {
	case err := <-done:
		t.Fatalf("run returned while stdin was open: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	pw.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after stdin ended")
	}
}
