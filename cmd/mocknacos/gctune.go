package main

import (
	"os"
	"runtime/debug"
)

// defaultGCPercent is the collector's target for the server when GOGC is
// not set: the heap may grow to 1.5 times the live heap between
// collections instead of twice, so that a server with a full journal
// (100,000 events by default) and 10,000 beating instances stays under
// 64 MB resident. A soft memory limit (debug.SetMemoryLimit) was tried
// first: at 40 or 50 MiB the collector ran almost continuously once the
// live heap neared it (a long test's registry), and the CPU per request
// grew up to sevenfold in make bench; a lower GOGC costs in proportion to
// the heap instead. GOMEMLIMIT, when set, still applies as usual.
const defaultGCPercent = 50

// tuneGC applies defaultGCPercent unless GOGC chose one.
func tuneGC() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(defaultGCPercent)
	}
}
