package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/mocknacos/mocknacos/internal/record"
)

// subcommand runs `mocknacos record ...` or `mocknacos replay ...`; ok is
// false for anything else (the server's own flags).
func subcommand(ctx context.Context, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	var err error
	switch args[0] {
	case "record":
		err = runRecord(ctx, args[1:], stdout, stderr)
	case "replay":
		err = runReplay(ctx, args[1:], stdout, stderr)
	default:
		return 0, false
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0, true
	case errors.Is(err, errUsage):
		return 2, true
	case err != nil:
		fmt.Fprintf(stderr, "mocknacos %s: %v\n", args[0], err)
		return 1, true
	}
	return 0, true
}

// errUsage is a command line that cannot run (already explained).
var errUsage = errors.New("usage")

// usageError prints msg and the flags, and returns errUsage.
func usageError(fs *flag.FlagSet, w io.Writer, msg string) error {
	fmt.Fprintf(w, "mocknacos %s: %s\n", fs.Name(), msg)
	fs.SetOutput(w)
	fs.Usage()
	return errUsage
}

// parseError is a flag error: the flag package has explained it already.
func parseError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

type recordConfig struct {
	listen, upstream, out string
}

func parseRecord(args []string, stderr io.Writer) (recordConfig, error) {
	var c recordConfig
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:18848", "where clients connect: HTTP on this port P, gRPC on P+1000")
	fs.StringVar(&c.upstream, "upstream", "", "the Nacos to forward to, HOST:Q (HTTP on Q, gRPC on Q+1000)")
	fs.StringVar(&c.out, "out", "", "the recording to write (JSON Lines, format mocknacos-journal)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: mocknacos record --listen 127.0.0.1:P --upstream HOST:Q --out FILE

A recording proxy in front of any Nacos: point clients at 127.0.0.1:P. HTTP on P
is forwarded to Q, gRPC on P+1000 to Q+1000 (each client connection on an
upstream connection of its own), unchanged. Every request, answer, push and
acknowledgement is written to FILE as it passes, one JSON line each, flushed at
once. Ctrl-C or SIGTERM stops it and prints how many events were written.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, parseError(err)
	}
	switch {
	case fs.NArg() > 0:
		return c, usageError(fs, stderr, "unexpected arguments: "+fmt.Sprint(fs.Args()))
	case c.upstream == "":
		return c, usageError(fs, stderr, "--upstream is required")
	case c.out == "":
		return c, usageError(fs, stderr, "--out is required")
	case c.upstream == c.listen:
		return c, usageError(fs, stderr, "--upstream and --listen are the same address")
	}
	return c, nil
}

func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseRecord(args, stderr)
	if err != nil {
		return err
	}
	f, err := os.Create(c.out)
	if err != nil {
		return err
	}
	defer f.Close()
	// Each event is one Write, flushed at once: a killed recorder loses at
	// most the line being written.
	out := bufio.NewWriterSize(f, 64<<10)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := record.Start(record.Config{Listen: c.listen, Upstream: c.upstream, Out: out, Logger: log})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "mocknacos record: clients to %s (gRPC +1000), forwarding to %s, writing %s; Ctrl-C stops\n", c.listen, c.upstream, c.out)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	err = p.Close()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	fmt.Fprintf(stdout, "mocknacos record: %d events written to %s\n", p.Events(), c.out)
	return err
}
