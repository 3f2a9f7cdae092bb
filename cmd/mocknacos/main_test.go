package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
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

// TestRunServesAndStopsOnCancel starts the binary's main loop on a free
// port pair and stops it the way SIGTERM does.
func TestRunServesAndStopsOnCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if port+1000 > 65535 {
		t.Skip("no room for P+1000")
	}
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
