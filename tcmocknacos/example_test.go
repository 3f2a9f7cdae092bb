package tcmocknacos_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/mocknacos/mocknacos/mocknacos"
	"github.com/mocknacos/mocknacos/tcmocknacos"
)

// Start the mock image, point a Nacos client at it, move its clock and read
// what the client did from the journal. (Not run by go test: it needs the
// image; the tests in this package do the same with real clients.)
func ExampleRun() {
	ctx := context.Background()
	ctr, err := tcmocknacos.Run(ctx, tcmocknacos.DefaultImage, tcmocknacos.WithFrozenClock())
	defer func() {
		if err := testcontainers.TerminateContainer(ctr); err != nil {
			log.Print(err)
		}
	}()
	if err != nil {
		log.Fatal(err)
	}

	addr, err := ctr.ServerAddr(ctx) // "127.0.0.1:P"; gRPC on P+1000
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("give this to the client:", addr)
	// ... a client registers "orders" and beats; then it stops beating ...

	if err := ctr.Advance(ctx, 16*time.Second); err != nil { // no beat for 16 s: unhealthy
		log.Fatal(err)
	}
	regs, err := ctr.Journal(ctx, mocknacos.Query{Kind: mocknacos.KindRegister, Service: "orders"})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range regs {
		fmt.Println(e.Protocol, e.IP, e.Port)
	}
}
