package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/tcmocknacos"
)

// BenchmarkStartToAnswer: from starting the binary (built as the image
// builds it: static, -trimpath, -s -w) to the first 200 of the readiness
// probe; the target is under 50 ms. Stopping it (SIGTERM) is not timed.
func BenchmarkStartToAnswer(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "mocknacos")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	startToAnswer(b, func(port int) func() {
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--log-format", "json")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		return func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				b.Fatalf("mocknacos after SIGTERM: %v", err)
			}
		}
	})
}

// BenchmarkDockerRunToAnswer: from `docker run` (the CLI, detached, host
// networking) of the image ($MOCKNACOS_IMAGE, default
// mocknacos/mocknacos:latest) to the first 200 of the readiness probe.
// Removing the container is not timed.
func BenchmarkDockerRunToAnswer(b *testing.B) {
	img := os.Getenv("MOCKNACOS_IMAGE")
	if img == "" {
		img = tcmocknacos.DefaultImage
	}
	if out, err := exec.Command("docker", "image", "inspect", img).CombinedOutput(); err != nil {
		b.Skipf("image %s not available (scripts/build-mock-image.sh builds it): %v %.200s", img, err, out)
	}
	startToAnswer(b, func(port int) func() {
		out, err := exec.Command("docker", "run", "-d", "--rm", "--network", "host",
			"-e", "MOCKNACOS_HOST=127.0.0.1", "-e", "MOCKNACOS_PORT="+strconv.Itoa(port), img).Output()
		if err != nil {
			b.Fatalf("docker run: %v", err)
		}
		id := strings.TrimSpace(string(out))
		return func() {
			if out, err := exec.Command("docker", "rm", "-f", id).CombinedOutput(); err != nil {
				b.Fatalf("docker rm: %v %s", err, out)
			}
		}
	})
}

// startToAnswer times start(port) up to the first 200 of
// /nacos/v1/console/health/readiness on that port, polled every 200 µs;
// start returns how to stop what it started (not timed).
func startToAnswer(b *testing.B, start func(port int) (stop func())) {
	client := &http.Client{Timeout: time.Second}
	for b.Loop() {
		b.StopTimer()
		port, err := tcmocknacos.FreePortPair()
		if err != nil {
			b.Fatal(err)
		}
		url := "http://127.0.0.1:" + strconv.Itoa(port) + tcmocknacos.ReadinessPath
		b.StartTimer()
		stop := start(port)
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := client.Get(url)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				stop()
				b.Fatalf("no answer on %s: %v", url, err)
			}
			time.Sleep(200 * time.Microsecond)
		}
		b.StopTimer()
		stop()
		b.StartTimer()
	}
}
