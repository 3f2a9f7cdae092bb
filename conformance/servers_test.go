//go:build conformance

package conformance

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/httpcases"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// A server version is one row: the real server to start, the mock's mode,
// its hand-written rejection table and which protocols it speaks. 3.0.3 is
// one more row once the mock's 3.x mode lands.
type serverRow struct {
	version    string
	mockOpts   []mocknacos.Option
	realArgs   []string
	rejections func() []httpcases.Rejection
	grpc       bool // the 2.x gRPC API
	v1         bool // 1.x naming answers (serviceName must carry its group in the HTTP tables)
}

var servers = []serverRow{
	{version: "2.4.3", rejections: httpcases.Rejections, grpc: true},
	{version: "1.4.8", mockOpts: []mocknacos.Option{mocknacos.WithServerVersion(mocknacos.Nacos1)},
		rejections: httpcases.RejectionsNacos1, v1: true},
}

var (
	flagSequences = flag.Int("sequences", 60, "generated sequences per server")
	flagSeed      = flag.Int64("seed", 0, "the generator's seed (0: from the clock)")
	flagAttach    = flag.String("attach", "", "VERSION=PORT,...: real servers already running on 127.0.0.1 (not started nor stopped)")
	flagVersions  = flag.String("versions", "", "comma-separated server versions to run (default all rows)")
)

func selected(v string) bool {
	list := *flagVersions
	if list == "" {
		list = os.Getenv("CONFORMANCE_VERSIONS")
	}
	if list == "" {
		return true
	}
	for _, x := range strings.Split(list, ",") {
		if strings.TrimSpace(x) == v {
			return true
		}
	}
	return false
}

// pair is a real server and the mock in the matching mode.
type pair struct {
	row  serverRow
	real *realProc
	mock *mocknacos.Server
}

func (p *pair) realURL() string { return p.real.url() }
func (p *pair) mockURL() string { return p.mock.URL() }

// TestConformance runs, per server version, the hand-written rejection
// tables and the generated sequences against the real server and the mock.
func TestConformance(t *testing.T) {
	for _, row := range servers {
		if !selected(row.version) {
			continue
		}
		t.Run(row.version, func(t *testing.T) {
			start := time.Now()
			p := &pair{row: row}
			p.real = startReal(t, row.version, row.realArgs...)
			p.mock = mocknacos.Start(t, row.mockOpts...)
			t.Run("rejections", func(t *testing.T) { runRejectionTable(t, p) })
			t.Run("sequences", func(t *testing.T) { runSequences(t, p) })
			t.Logf("Nacos %s: %d requests compared in all (tables and sequences), %v in all, server start included",
				row.version, requestsOf(row.version), time.Since(start).Round(time.Millisecond))
		})
	}
}
