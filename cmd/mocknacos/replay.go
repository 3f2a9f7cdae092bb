package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mocknacos/mocknacos/internal/replay"
)

type replayConfig struct {
	target string
	speed  float64
	report string
	file   string
}

// speedFlag is --speed: a factor, or "max" (0) for as fast as possible.
type speedFlag struct{ v *float64 }

func (s speedFlag) String() string {
	if s.v == nil || *s.v == 0 {
		return "max"
	}
	return strconv.FormatFloat(*s.v, 'g', -1, 64)
}

func (s speedFlag) Set(v string) error {
	if v == "max" {
		*s.v = 0
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return fmt.Errorf("want a factor >= 0 or max")
	}
	*s.v = f
	return nil
}

func parseReplay(args []string, stderr io.Writer) (replayConfig, error) {
	c := replayConfig{speed: 1}
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.target, "target", "", "the Nacos to send to, HOST:PORT (HTTP on PORT, gRPC on PORT+1000)")
	fs.Var(speedFlag{&c.speed}, "speed", "divide the recorded gaps by this factor; 0 or max: as fast as possible")
	fs.StringVar(&c.report, "report", "", "write every difference and error to this file, one JSON line each")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: mocknacos replay --target HOST:PORT [--speed N] [--report FILE] RECORDING

Sends a recording (from mocknacos record, or the mock's journal export) to a
Nacos: HTTP requests over HTTP, gRPC requests over gRPC with one connection per
recorded connection (server check, setup on the stream, then its requests;
pushes the target sends are acknowledged). The recorded timing is kept, divided
by --speed. Each answer is compared with the recorded one, volatile fields
(times, tokens, ids, checksums) left out; the summary counts sent, matched,
differed and errors.

Exit status: 0 when every request got an answer, even if answers differed
(differences are reported, not fatal); 1 on transport errors (a request got no
answer) or an unreadable recording; 2 on a bad command line.

`)
		fs.PrintDefaults()
	}
	// Flags may follow the file too.
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return c, parseError(err)
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(rest) != 1:
		return c, usageError(fs, stderr, "want exactly one recording file")
	case c.target == "":
		return c, usageError(fs, stderr, "--target is required")
	}
	c.file = rest[0]
	return c, nil
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseReplay(args, stderr)
	if err != nil {
		return err
	}
	target, err := replay.NewNetwork(c.target)
	if err != nil {
		return fmt.Errorf("--target %s: %v", c.target, err)
	}
	defer target.Close()
	total, err := countEvents(c.file)
	if err != nil {
		return err
	}
	f, err := os.Open(c.file)
	if err != nil {
		return err
	}
	defer f.Close()
	opts := replay.Options{Speed: c.speed}
	if c.report != "" {
		rf, err := os.Create(c.report)
		if err != nil {
			return err
		}
		defer rf.Close()
		bw := bufio.NewWriter(rf)
		defer bw.Flush()
		opts.Report = bw
	}
	term := false
	if f, ok := stderr.(*os.File); ok {
		term = isTerminal(f)
	}
	opts.Progress, opts.ProgressEvery = progressPrinter(stderr, term, total)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := replay.Run(ctx, f, target, opts)
	fmt.Fprintf(stdout, "mocknacos replay: %s\n", sum)
	if err != nil {
		return err
	}
	if sum.Errors > 0 {
		return fmt.Errorf("%d requests got no answer (transport errors)", sum.Errors)
	}
	return nil
}

// countEvents counts a recording's event lines, for the progress bar.
func countEvents(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var n int64
	buf := make([]byte, 256<<10)
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	return max(n-1, 0), nil // the header
}

// progressPrinter draws a bar on a terminal (redrawn in place every
// 200 ms), and prints a plain line every 5 s otherwise.
func progressPrinter(w io.Writer, term bool, total int64) (func(replay.Summary), time.Duration) {
	if !term {
		return func(s replay.Summary) {
			fmt.Fprintf(w, "replay: %d/%d events, sent %d, matched %d, differed %d, errors %d\n",
				s.Events, total, s.Sent, s.Matched, s.Differed, s.Errors)
		}, 5 * time.Second
	}
	return func(s replay.Summary) {
		const width = 30
		frac := 1.0
		if total > 0 {
			frac = min(float64(s.Events)/float64(total), 1)
		}
		done := int(frac * width)
		fmt.Fprintf(w, "\r[%s%s] %3.0f%% %d/%d events  matched %d  differed %d  errors %d  %.0f/s ",
			strings.Repeat("#", done), strings.Repeat(".", width-done), frac*100, s.Events, total,
			s.Matched, s.Differed, s.Errors, s.Rate())
		if s.Events >= total {
			fmt.Fprintln(w)
		}
	}, 200 * time.Millisecond
}
