// Command mocknacos runs the mock Nacos server outside Go tests: HTTP (the
// 1.x API, context path /nacos) on 8848 and gRPC on 9848 by default.
//
// Every flag can also be set by an environment variable: --port is
// MOCKNACOS_PORT, --journal-limit is MOCKNACOS_JOURNAL_LIMIT, and so on.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// stdin is what --exit-on-stdin-eof watches (a pipe in tests).
var stdin io.Reader = os.Stdin

func main() {
	if code, ok := subcommand(context.Background(), os.Args[1:], os.Stdout, os.Stderr); ok {
		os.Exit(code) // mocknacos record ... / mocknacos replay ... (record.go, replay.go)
	}
	tuneGC()
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mocknacos:", err)
		os.Exit(1)
	}
}

type config struct {
	host           string
	port           int
	frozen         bool
	frozenAt       string
	journalLimit   int
	serverVersion  string
	logLevel       string
	logFormat      string
	sweep          time.Duration
	authUser       string
	authPassword   string
	tokenTTL       time.Duration
	tokenMockClock bool
	adminToken     string
	maxConns       int
	maxSubs        int
	stdinEOF       bool
}

// envName maps a flag to its environment variable: journal-limit ->
// MOCKNACOS_JOURNAL_LIMIT.
func envName(flagName string) string {
	return "MOCKNACOS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("mocknacos", flag.ContinueOnError)
	fs.StringVar(&c.host, "host", "127.0.0.1", "address to listen on; 0.0.0.0 for every interface (the container image's default, so that docker run -p reaches it)")
	fs.IntVar(&c.port, "port", 8848, "HTTP port P; gRPC is served on P+1000")
	fs.BoolVar(&c.frozen, "frozen-clock", false, "freeze the mock clock: only POST /__mock/clock/advance moves it")
	fs.StringVar(&c.frozenAt, "frozen-at", "", "freeze the mock clock at this instant (RFC 3339, e.g. 2026-01-01T00:00:00Z); implies --frozen-clock")
	fs.IntVar(&c.journalLimit, "journal-limit", 100000, "keep the newest N journal events (0: all)")
	fs.StringVar(&c.serverVersion, "server-version", "2.4", "Nacos server generation to imitate: 2.4, 1.4 or 3.0")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "auto", "text, json, or auto (text on a terminal)")
	fs.DurationVar(&c.sweep, "sweep-interval", 5*time.Second, "how often overdue beats are applied in real-time mode")
	fs.StringVar(&c.authUser, "auth-user", "", "turn authentication on with this user (needs --auth-password)")
	fs.StringVar(&c.authPassword, "auth-password", "", "the password of --auth-user")
	fs.DurationVar(&c.tokenTTL, "token-ttl", 18000*time.Second, "how long a login token lives")
	fs.BoolVar(&c.tokenMockClock, "token-expiry-mock-clock", false, "tokens expire on the mock clock instead of the wall clock")
	fs.StringVar(&c.adminToken, "admin-token", "", "require this token (Authorization: Bearer T, or ?token=T) on the admin API /__mock/ and the console page")
	fs.IntVar(&c.maxConns, "max-connections", 0, "refuse gRPC connections beyond N (closed after their setup, as a real server over its limit does); 0: no cap")
	fs.IntVar(&c.maxSubs, "max-subscriptions-per-connection", 0, "refuse a gRPC connection's subscriptions beyond N (errorCode 503); 0: no cap")
	fs.BoolVar(&c.stdinEOF, "exit-on-stdin-eof", false, "shut down when standard input ends: a parent that starts the mock with a pipe there (the JUnit extension) leaves no orphan even when it is killed")
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := os.LookupEnv(envName(f.Name)); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.serverVersion != "2.4" && c.serverVersion != "1.4" && c.serverVersion != "3.0" {
		return c, fmt.Errorf("--server-version must be 2.4, 1.4 or 3.0, not %q", c.serverVersion)
	}
	if (c.authUser == "") != (c.authPassword == "") {
		return c, fmt.Errorf("--auth-user and --auth-password go together")
	}
	if c.frozenAt != "" {
		if _, err := time.Parse(time.RFC3339Nano, c.frozenAt); err != nil {
			return c, fmt.Errorf("--frozen-at: want an RFC 3339 time such as 2026-01-01T00:00:00Z: %v", err)
		}
		c.frozen = true
	}
	if c.port < 1 || c.port+mocknacos.GRPCPortOffset > 65535 {
		return c, fmt.Errorf("--port %d: need 1 <= P and P+1000 <= 65535", c.port)
	}
	return c, nil
}

// loopback reports whether host only listens on this machine's loopback.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func logger(c config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %v", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	format := c.logFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && isTerminal(f) {
			format = "text"
		}
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text, json or auto, not %q", c.logFormat)
}

func run(ctx context.Context, args []string, logw io.Writer) error {
	c, err := parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := logger(c, logw)
	if err != nil {
		return err
	}
	opts := []mocknacos.Option{
		mocknacos.WithHost(c.host), mocknacos.WithPort(c.port), mocknacos.WithLogger(log), mocknacos.WithJournalLimit(c.journalLimit),
		mocknacos.WithSweepInterval(c.sweep), mocknacos.WithServerVersion(mocknacos.ServerVersion(c.serverVersion)),
		mocknacos.WithMaxConnections(c.maxConns), mocknacos.WithMaxSubscriptionsPerConnection(c.maxSubs),
	}
	if c.frozen {
		at, _ := time.Parse(time.RFC3339Nano, c.frozenAt) // checked by parse; zero (now) when unset
		opts = append(opts, mocknacos.WithFrozenClock(at))
	}
	if c.authUser != "" {
		opts = append(opts, mocknacos.WithAuth(c.authUser, c.authPassword))
	}
	opts = append(opts, mocknacos.WithTokenTTL(c.tokenTTL))
	if c.adminToken != "" {
		opts = append(opts, mocknacos.WithAdminToken(c.adminToken))
	} else if !loopback(c.host) {
		log.Warn("the admin API (/__mock/: reset, restart, faults, ...) answers anyone who reaches this address; give --admin-token (MOCKNACOS_ADMIN_TOKEN) to require a token", "listen", c.host)
	}
	if c.tokenMockClock {
		opts = append(opts, mocknacos.WithTokenExpiryOnMockClock())
	}
	// Before serving: a SIGTERM that follows the first answer closely (a
	// test that is done at once, docker stop) must shut down cleanly too.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.stdinEOF {
		var eof context.CancelFunc
		ctx, eof = context.WithCancel(ctx)
		defer eof()
		// The reader stays blocked if stdin never ends; the process exits
		// with run's return anyway.
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			eof()
		}()
	}
	start := time.Now()
	srv, err := mocknacos.New(opts...)
	if err != nil {
		return err
	}
	log.Info("serving", "listen", c.host, "http", "http://"+srv.Addr()+"/nacos", "grpc", srv.GRPCAddr(),
		"server_version", c.serverVersion, "startup", time.Since(start).String())
	<-ctx.Done()
	log.Info("shutting down", "journal_events", len(srv.Journal()), "journal_dropped", srv.JournalDropped())
	return srv.Close()
}
