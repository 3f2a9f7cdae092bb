//go:build !race

package mocknacos_test

// The load tests at full size: 100 HTTP clients and 100 gRPC connections
// (see load_race_test.go).
const loadScale = 1

// raceBuild: the binary the load tests start is built with -race too.
const raceBuild = false
