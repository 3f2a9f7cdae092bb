package mocknacos

import (
	"log/slog"
	"time"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	port         int
	frozen       bool
	frozenAt     time.Time
	logger       *slog.Logger
	journalLimit int
	v1           bool
	sweep        time.Duration
}

func defaultOptions() options {
	return options{sweep: 5 * time.Second}
}

// WithPort serves HTTP on port p and gRPC on p+1000 instead of a free pair.
func WithPort(p int) Option { return func(o *options) { o.port = p } }

// WithFrozenClock stops the mock clock at the given instant (the current
// time when zero): only Advance moves it.
func WithFrozenClock(at time.Time) Option {
	return func(o *options) {
		o.frozen = true
		o.frozenAt = at
	}
}

// WithLogger sends the mock's logs to l (discarded by default).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithJournalLimit keeps only the newest n events in the journal (0: all,
// the default; negative: record nothing). Dropped events are counted.
func WithJournalLimit(n int) Option { return func(o *options) { o.journalLimit = n } }

// ServerVersion names the Nacos server generation the mock imitates.
type ServerVersion string

// Server generations.
const (
	Nacos2 ServerVersion = "2.4" // the default
	Nacos1 ServerVersion = "1.4"
)

// WithServerVersion selects the answers of a Nacos 1.4.x server where they
// differ from 2.4.x (error statuses and bodies, list and metrics shapes, the
// protect threshold, beats matched by cluster).
func WithServerVersion(v ServerVersion) Option { return func(o *options) { o.v1 = v == Nacos1 } }

// WithSweepInterval sets how often, in real-time mode, a background task
// applies overdue health transitions (5 s, as the real server's beat check
// task; requests and Advance apply them at once regardless).
func WithSweepInterval(d time.Duration) Option { return func(o *options) { o.sweep = d } }
