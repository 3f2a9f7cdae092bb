// Command bench is `make bench`: the mock binary beside the real Nacos
// 2.4.3 and 3.0.3 and the stateless references, in one run on one machine.
// Each server runs alone, pinned to core 0; this load generator runs on
// core 1 (the Makefile pins it). It prints the results and writes
// bench/RESULTS.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-serve-reference" {
		p, _ := strconv.Atoi(os.Args[2])
		if err := serveReferences(p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	out := flag.String("out", "bench/RESULTS.md", "where to write the results")
	mockBin := flag.String("mock", "bin/mocknacos", "the mock binary")
	versions := flag.String("real", "2.4.3 3.0.3", "real Nacos versions to run (assembled under ~/.cache/mocknacos/nacos-real); empty: none")
	dur := flag.Duration("d", 3*time.Second, "how long each throughput measurement runs")
	base := flag.Int("port", 42500, "first HTTP port; each server takes port+100*i (gRPC +1000)")
	replayRate := flag.String("replay", "", "in-process replay events/s (from BenchmarkReplayInProcess), to print beside")
	flag.Parse()

	self, err := os.Executable()
	if err != nil {
		fail(err)
	}
	rep := &report{started: time.Now(), machine: machine(), dur: *dur, replay: *replayRate}
	targets := []*target{refTarget(self, *base), mockTarget(*mockBin, *base+100)}
	for i, v := range strings.Fields(*versions) {
		startSh, err := assemble(v)
		if err != nil {
			fmt.Println("skipping real", v+":", err)
			rep.notes = append(rep.notes, "real "+v+" not run: "+err.Error())
			continue
		}
		t, err := realTarget(v, startSh, *base+200+100*i)
		if err != nil {
			fail(err)
		}
		targets = append(targets, t)
	}
	// An interrupted run stops the server it started.
	var current atomic.Pointer[target]
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		if t := current.Load(); t != nil {
			t.stop()
		}
		for _, t := range targets {
			t.cleanup()
		}
		os.Exit(2)
	}()
	for _, t := range targets {
		current.Store(t)
		fmt.Printf("== %s (HTTP %d, gRPC %d)\n", t.name, t.port, t.port+1000)
		col := measure(t, *dur)
		rep.cols = append(rep.cols, col)
	}
	text := rep.markdown()
	fmt.Println()
	fmt.Print(text)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err == nil {
		if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
			fail(err)
		}
		fmt.Println("written to", *out)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// assemble returns the start.sh of a real Nacos, assembling it from
// ../shared/nacos when it is not cached.
func assemble(version string) (string, error) {
	home, _ := os.UserHomeDir()
	dest := filepath.Join(home, ".cache", "mocknacos", "nacos-real", version)
	startSh := filepath.Join(dest, "start.sh")
	if _, err := os.Stat(startSh); err == nil {
		return startSh, nil
	}
	script, _ := filepath.Abs(filepath.Join("..", "shared", "nacos", "assemble.sh"))
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("no %s and no %s", startSh, script)
	}
	cmd := exec.Command(script, version, dest)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", err
	}
	return startSh, nil
}
