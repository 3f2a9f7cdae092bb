package tcmocknacos_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/testcontainers/testcontainers-go"

	"github.com/mocknacos/mocknacos/tcmocknacos"
)

// TestMain turns testcontainers' reaper (Ryuk) off unless told otherwise:
// its image would have to be pulled, and no registry is reachable where this
// suite runs. Every test terminates its own container instead.
func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	os.Exit(m.Run())
}

// testImage is the image under test: $MOCKNACOS_IMAGE, or the one
// scripts/build-mock-image.sh tagged last. Without it (or without Docker) the
// test is skipped, or fails when MOCKNACOS_REQUIRE_DOCKER=1 (CI).
func testImage(tb testing.TB) string {
	tb.Helper()
	img := os.Getenv("MOCKNACOS_IMAGE")
	if img == "" {
		img = tcmocknacos.DefaultImage
	}
	out, err := exec.Command("docker", "image", "inspect", "-f", "{{.Id}}", img).CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("image %s not available (build it with scripts/build-mock-image.sh): %v: %s",
			img, err, bytes.TrimSpace(out))
		if os.Getenv("MOCKNACOS_REQUIRE_DOCKER") == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return img
}

// runMock starts the image and terminates it when the test ends.
func runMock(tb testing.TB, opts ...testcontainers.ContainerCustomizer) *tcmocknacos.Container {
	tb.Helper()
	c, err := tcmocknacos.Run(context.Background(), testImage(tb), opts...)
	testcontainers.CleanupContainer(tb, c)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
