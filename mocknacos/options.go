package mocknacos

import (
	"log/slog"
	"time"

	"github.com/mocknacos/mocknacos/internal/auth"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	port         int
	host         string
	frozen       bool
	frozenAt     time.Time
	logger       *slog.Logger
	journalLimit int
	version      ServerVersion
	compat       apiCompat
	sweep        time.Duration

	auth           bool
	authUser       string
	authPassword   string
	tokenTTL       time.Duration
	tokenMockClock bool

	adminToken string

	maxConnections   int
	maxSubscriptions int
	httpIdleTimeout  time.Duration
}

func defaultOptions() options {
	return options{sweep: 5 * time.Second, host: "127.0.0.1", httpIdleTimeout: DefaultHTTPIdleTimeout, journalLimit: DefaultJournalLimit, version: Nacos2, compat: apiCompat{client: true}}
}

// DefaultJournalLimit is the journal's cap when WithJournalLimit is not
// given: the newest million events (about 150-250 MB of heap at most, see
// the README's "Performance"), so that a long test's memory stays bounded;
// the older ones are counted in JournalDropped.
const DefaultJournalLimit = 1_000_000

// WithPort serves HTTP on port p and gRPC on p+1000 instead of a free pair.
func WithPort(p int) Option { return func(o *options) { o.port = p } }

// WithHost listens on host instead of 127.0.0.1: "0.0.0.0" (or "::")
// serves every interface, which a container needs for docker run -p to
// reach it. Addr and URL still name 127.0.0.1 then, the address a client on
// the same machine dials.
func WithHost(host string) Option { return func(o *options) { o.host = host } }

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

// WithJournalLimit keeps only the newest n events in the journal
// (DefaultJournalLimit when not given; 0: all, unbounded; negative: record
// nothing). Dropped events are counted.
func WithJournalLimit(n int) Option { return func(o *options) { o.journalLimit = n } }

// ServerVersion names the Nacos server generation the mock imitates.
type ServerVersion string

// Server generations.
const (
	Nacos2 ServerVersion = "2.4" // the default
	Nacos1 ServerVersion = "1.4"
	Nacos3 ServerVersion = "3.0"
)

// WithServerVersion selects the answers of a Nacos 1.4.x or 3.0.x server
// where they differ from 2.4.x. Nacos1: error statuses and bodies, list and
// metrics shapes, the protect threshold, beats matched by cluster. Nacos3:
// allIps in every service view, the legacy HTTP APIs gated (410, see
// WithAPICompatibility), the v3 client, login and state APIs, config
// namespaces mapped blank to public. Any other value means Nacos2.
func WithServerVersion(v ServerVersion) Option {
	return func(o *options) {
		switch v {
		case Nacos1, Nacos3:
			o.version = v
		default:
			o.version = Nacos2
		}
	}
}

// apiCompat holds the nacos.core.api.compatibility.* switches of a 3.x
// server.
type apiCompat struct{ client, admin, console bool }

// WithAPICompatibility sets a 3.x server's switches
// nacos.core.api.compatibility.{client,admin,console}.enabled: a legacy
// (v1, v2) API of a kind switched off answers 410 with code 40000. The real
// defaults, and the mock's, are client on, admin and console off. Only the
// 3.0 mode (WithServerVersion(Nacos3)) gates anything.
func WithAPICompatibility(client, admin, console bool) Option {
	return func(o *options) { o.compat = apiCompat{client: client, admin: admin, console: console} }
}

// mode is the registry's generation switch for the imitated version.
func (o *options) mode() registry.Mode {
	switch o.version {
	case Nacos1:
		return registry.ModeV1
	case Nacos3:
		return registry.ModeV3
	}
	return registry.ModeV2
}

// WithSweepInterval sets how often, in real-time mode, a background task
// applies overdue health transitions (5 s, as the real server's beat check
// task; requests and Advance apply them at once regardless).
func WithSweepInterval(d time.Duration) Option { return func(o *options) { o.sweep = d } }

// WithAuth turns authentication on (nacos.core.auth.enabled=true) with one
// global admin user: every naming and config request then needs a token
// from a login (or the user's name and password), and is refused with the
// real server's 403 otherwise. Login, /v1/auth/** and the health endpoints
// stay open. Tokens live 18000 s on the wall clock (see WithTokenTTL and
// WithTokenExpiryOnMockClock).
func WithAuth(user, password string) Option {
	return func(o *options) {
		o.auth, o.authUser, o.authPassword = true, user, password
	}
}

// WithTokenTTL sets how long a token lives (tokenTtl; 18000 s by default).
// Clients refresh a token when 90% of it has passed.
func WithTokenTTL(d time.Duration) Option { return func(o *options) { o.tokenTTL = d } }

// WithTokenExpiryOnMockClock makes tokens expire on the mock clock, so that
// Advance can expire them; by default they follow the wall clock, as clients
// refresh them on theirs.
func WithTokenExpiryOnMockClock() Option { return func(o *options) { o.tokenMockClock = true } }

// WithAdminToken makes the admin API (every path under /__mock/) and the
// console page require token t: the header "Authorization: Bearer t", or
// the query parameter token=t (for a browser opening the console). Without
// it they are refused with 401. Empty (the default): open to anyone who
// reaches the port, which is what a test on loopback wants. The Nacos APIs
// are not affected (see WithAuth for those).
func WithAdminToken(t string) Option { return func(o *options) { o.adminToken = t } }

// WithMaxConnections caps the gRPC connections (those past their
// ConnectionSetupRequest) at n; 0, the default, is no cap, as on a real
// server. A connection beyond it is refused as a real server over its
// connection limit refuses one: its stream and transport are closed right
// after its setup (clients retry), and the journal shows the setup
// rejected with "Connection register fail, server is over limited.".
func WithMaxConnections(n int) Option { return func(o *options) { o.maxConnections = n } }

// WithMaxSubscriptionsPerConnection caps the services one gRPC connection
// may subscribe to at n (0, the default: no cap). A subscribe beyond it is
// answered as the real server answers a request over a TPS limit:
// resultCode 500, errorCode 503, "Subscriber limit reached: ...".
func WithMaxSubscriptionsPerConnection(n int) Option {
	return func(o *options) { o.maxSubscriptions = n }
}

// DefaultHTTPIdleTimeout is how long an idle keep-alive HTTP connection is
// kept: Tomcat's keepAliveTimeout, which defaults to its connectionTimeout
// (60 s; Spring Boot and Nacos leave it).
const DefaultHTTPIdleTimeout = 60 * time.Second

// WithHTTPIdleTimeout closes idle keep-alive HTTP connections after d
// instead of DefaultHTTPIdleTimeout.
func WithHTTPIdleTimeout(d time.Duration) Option { return func(o *options) { o.httpIdleTimeout = d } }

// authConfig is the auth service's configuration; mockNow is the mock clock.
func (o *options) authConfig(mockNow func() time.Time) auth.Config {
	c := auth.Config{Enabled: o.auth, Username: o.authUser, Password: o.authPassword, TTL: o.tokenTTL, V1: o.version == Nacos1, V3: o.version == Nacos3}
	if o.tokenMockClock {
		c.Now = mockNow
	}
	return c
}
