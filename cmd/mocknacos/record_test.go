package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

func TestSubcommandUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"record"}, 2, "--upstream is required"},
		{[]string{"record", "--upstream", "127.0.0.1:8848"}, 2, "--out is required"},
		{[]string{"record", "--upstream", "127.0.0.1:8848", "--listen", "127.0.0.1:8848", "--out", "x"}, 2, "same address"},
		{[]string{"record", "--upstream", "127.0.0.1:8848", "--out", "x", "extra"}, 2, "unexpected arguments"},
		{[]string{"record", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"record", "--help"}, 0, "Usage: mocknacos record"},
		{[]string{"replay", "--target", "127.0.0.1:8848"}, 2, "want exactly one recording file"},
		{[]string{"replay", "a.jsonl", "b.jsonl", "--target", "127.0.0.1:8848"}, 2, "want exactly one recording file"},
		{[]string{"replay", "a.jsonl"}, 2, "--target is required"},
		{[]string{"replay", "--speed", "fast", "--target", "127.0.0.1:8848", "a.jsonl"}, 2, "want a factor >= 0 or max"},
		{[]string{"replay", "--target", "127.0.0.1:65000", "a.jsonl"}, 1, "gRPC is port+1000"},
		{[]string{"replay", "--target", "127.0.0.1:8848", filepath.Join(t.TempDir(), "missing.jsonl")}, 1, "no such file"},
		{[]string{"replay", "--help"}, 0, "Exit status: 0 when every request got an answer"},
	} {
		var stdout, stderr bytes.Buffer
		code, ok := subcommand(context.Background(), tc.args, &stdout, &stderr)
		if !ok || code != tc.code || !strings.Contains(stderr.String(), tc.say) {
			t.Errorf("%v: ok=%v code %d, want %d; stderr:\n%s", tc.args, ok, code, tc.code, stderr.String())
		}
	}
	// Serving flags are not subcommands.
	if _, ok := subcommand(context.Background(), []string{"--port", "8848"}, io.Discard, io.Discard); ok {
		t.Error("--port taken for a subcommand")
	}
	if _, ok := subcommand(context.Background(), nil, io.Discard, io.Discard); ok {
		t.Error("no arguments taken for a subcommand")
	}
	c, err := parseReplay([]string{"--target", "127.0.0.1:8848", "f.jsonl", "--speed", "max"}, io.Discard)
	if err != nil || c.speed != 0 || c.file != "f.jsonl" {
		t.Errorf("%+v %v", c, err)
	}
	if c, err := parseReplay([]string{"--target", "h:1", "--speed", "60", "f"}, io.Discard); err != nil || c.speed != 60 {
		t.Errorf("%+v %v", c, err)
	}
}

// TestRecordThenReplayCommands runs `mocknacos record` in front of a mock,
// sends it requests, stops it as SIGINT would, then runs `mocknacos
// replay` of the file against another mock: all matched, exit status 0;
// against nothing listening: exit status 1.
func TestRecordThenReplayCommands(t *testing.T) {
	upstream := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	probe := mocknacos.Start(t)
	listen := probe.Addr()
	if err := probe.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rec.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code, _ := subcommand(ctx, []string{"record", "--listen", listen, "--upstream", upstream.Addr(), "--out", out}, &stdout, &stderr)
		done <- code
	}()
	base := "http://" + listen + "/nacos/v1/ns"
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Post(base+"/instance?serviceName=orders&ip=127.0.0.1&port=8080", "", nil)
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("PUT", base+"/instance/beat?serviceName=orders&ip=127.0.0.1&port=8080", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("record exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "4 events written") {
		t.Fatalf("record summary: %q", stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil || strings.Count(string(b), "\n") != 5 {
		t.Fatalf("recording (%v):\n%s", err, b)
	}

	target := mocknacos.Start(t, mocknacos.WithFrozenClock(time.Time{}))
	report := filepath.Join(t.TempDir(), "report.jsonl")
	stdout.Reset()
	stderr.Reset()
	code, _ := subcommand(context.Background(), []string{"replay", "--target", target.Addr(), "--speed", "max", "--report", report, out}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "sent 4, matched 4, differed 0, errors 0") {
		t.Fatalf("replay exited %d: %s %s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "replay: 4/4 events") {
		t.Fatalf("no progress line: %q", stderr.String())
	}
	if n := len(target.Instances("orders")); n != 1 {
		t.Fatalf("target holds %d instances", n)
	}

	// Nothing listens: every request is a transport error, exit status 1.
	stdout.Reset()
	stderr.Reset()
	code, _ = subcommand(context.Background(), []string{"replay", "--target", listen, "--speed", "0", out}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "errors 4") || !strings.Contains(stderr.String(), "transport errors") {
		t.Fatalf("replay against nothing exited %d: %s %s", code, stdout.String(), stderr.String())
	}
}
