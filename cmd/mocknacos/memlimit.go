package main

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the Go runtime's soft memory limit for the server
// when GOMEMLIMIT is not set: the garbage collector works harder as the
// heap nears it, so that a server with a full journal (100,000 events by
// default, ~20 MB) and 10,000 beating instances stays under 64 MB
// resident instead of letting the heap double between collections. It is
// soft: a larger journal (--journal-limit) still gets the memory it needs.
const defaultMemoryLimit = 50 << 20

// setMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT chose one.
func setMemoryLimit() {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
