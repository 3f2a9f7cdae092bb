//go:build race

package mocknacos_test

// Under the race detector every request costs several times as much, and
// every gRPC registration pushes a view to every subscriber: the load tests
// then run a quarter of the clients (25 HTTP, 25 gRPC), which still
// exercises every path concurrently. `make sdk` (no -race) runs them at
// full size.
const loadScale = 4

// raceBuild: the binary the load tests start is built with -race too.
const raceBuild = true
