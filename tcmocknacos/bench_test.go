package tcmocknacos_test

import (
	"context"
	"testing"

	"github.com/mocknacos/mocknacos/tcmocknacos"
)

// BenchmarkRunToReady: tcmocknacos.Run until it returns ready; Terminate is
// not timed. What a test pays to start the container. (The binary's own
// start and `docker run` are measured in cmd/mocknacos.)
func BenchmarkRunToReady(b *testing.B) {
	img := testImage(b)
	ctx := context.Background()
	for b.Loop() {
		c, err := tcmocknacos.Run(ctx, img)
		b.StopTimer()
		if c != nil {
			if terr := c.Terminate(ctx); terr != nil {
				b.Fatal(terr)
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
