// Package replay sends a recording (the journal's JSON Lines, format
// mocknacos-journal) to a target again: the 1.x HTTP requests over HTTP, the
// 2.x gRPC requests over one connection per recorded connection, in the
// recorded order and, unless told to go as fast as possible, with the
// recorded relative timing. Every answer is compared with the recorded one
// after normalisation (normalize.go); differences are counted and can be
// written as JSON Lines.
//
// The target is the network (network.go: any Nacos, the mock binary
// included) or the mock in process (mocknacos.Replay), behind the Target
// interface.
package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
	"github.com/mocknacos/mocknacos/internal/journal"
)

// Target is where the recorded requests go.
type Target interface {
	// HTTP sends one recorded HTTP request and returns the answer. ctx
	// ends a held request (a config long poll) when the replay is over.
	HTTP(ctx context.Context, req *journal.Request, remote string) (journal.Response, error)
	// Open opens the connection that stands for one recorded gRPC
	// connection. onPush sees every message the target sends on its
	// stream (the connection acknowledges each, as a client does).
	Open(ctx context.Context, onPush func(*grpcv2.Payload)) (Conn, error)
}

// Conn is one gRPC connection of the target.
type Conn interface {
	// Request is a unary Request.request call.
	Request(ctx context.Context, p *grpcv2.Payload) (*grpcv2.Payload, error)
	// Stream sends a message on the bidirectional stream (opened by the
	// first one: the ConnectionSetupRequest).
	Stream(ctx context.Context, p *grpcv2.Payload) error
	// Close closes the connection, as a client going away does.
	Close() error
}

// Options tune a run.
type Options struct {
	// Speed divides the recorded gaps between events; 0 sends as fast as
	// possible.
	Speed float64
	// AdvanceTo, when set, is called before each event with the recorded
	// mock time elapsed since the first event, so that an in-process target
	// can move its clock (expiry then happens as recorded).
	AdvanceTo func(elapsed time.Duration)
	// Report, when set, receives one JSON line per difference or error.
	Report io.Writer
	// Progress, when set, is called about every ProgressEvery (default
	// 1 s) with the counts so far, and once at the end.
	Progress      func(Summary)
	ProgressEvery time.Duration
	// KeepOpen leaves the connections still open at the end of the
	// recording open (the in-process replay: the instances they own stay
	// registered, as the recording implies). Otherwise Run closes them.
	KeepOpen bool
}

// Summary counts what a run did.
type Summary struct {
	Events    int64 `json:"events"`    // event lines read
	Sent      int64 `json:"sent"`      // requests sent (HTTP requests, gRPC requests and stream messages)
	Matched   int64 `json:"matched"`   // answers equal to the recorded ones after normalisation
	Differed  int64 `json:"differed"`  // answers that differ
	Errors    int64 `json:"errors"`    // transport errors (no answer)
	Skipped   int64 `json:"skipped"`   // events that are not requests to send (pushes, acks, connects)
	Pushes    int64 `json:"pushes"`    // messages the target sent on streams (acknowledged)
	Cancelled int64 `json:"cancelled"` // held requests (long polls) still unanswered at the end
	// Unanswered are requests sent whose recording has no answer to judge
	// them by (the recorder saw none: the client gave up, or the recorder
	// stopped first); the target's answer is not compared.
	Unanswered int64 `json:"unanswered,omitempty"`
	// Duration is the wall time of the run.
	Duration time.Duration `json:"duration"`
}

// Rate is events read per second of wall time.
func (s Summary) Rate() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Events) / s.Duration.Seconds()
}

func (s Summary) String() string {
	out := fmt.Sprintf("%d events in %s (%.0f/s): sent %d, matched %d, differed %d, errors %d, skipped %d, pushes received %d, long polls cancelled %d",
		s.Events, s.Duration.Round(time.Millisecond), s.Rate(), s.Sent, s.Matched, s.Differed, s.Errors, s.Skipped, s.Pushes, s.Cancelled)
	if s.Unanswered > 0 {
		out += fmt.Sprintf(", unanswered in the recording %d", s.Unanswered)
	}
	return out
}

// Difference is one line of the report: a request whose answer differed
// from the recorded one, or got none (Error).
type Difference struct {
	Line         int               `json:"line"`
	Seq          int64             `json:"seq,omitempty"`
	Protocol     string            `json:"protocol"`
	Kind         journal.Kind      `json:"kind"`
	ConnectionID string            `json:"connectionId,omitempty"`
	Method       string            `json:"method,omitempty"`
	Path         string            `json:"path,omitempty"`
	Type         string            `json:"type,omitempty"`
	Reason       string            `json:"reason,omitempty"`
	Error        string            `json:"error,omitempty"`
	Recorded     *journal.Response `json:"recorded,omitempty"`
	Replayed     *journal.Response `json:"replayed,omitempty"`
}

// What replay does with an event.
type action int

const (
	actSkip   action = iota
	actHTTP          // send the HTTP request
	actHold          // send the HTTP request without waiting for it (a long poll)
	actOpen          // a gRPC connection opened
	actClose         // a gRPC connection closed
	actUnary         // a Request.request call
	actStream        // a message on the bidirectional stream
)

// serverSent are the kinds of what a server sends: replay does not send
// them, and answers what the target sends by itself.
var serverSent = map[journal.Kind]bool{
	journal.Push: true, journal.ConfigPush: true, journal.ClientDetection: true, journal.ConnectReset: true,
	journal.SetupAck: true, // sent after a setup carrying an ability table
	journal.PushAck:  true, // the client's answer to one: replay answers the target's own pushes
}

func classify(e *journal.Event) action {
	if serverSent[e.Kind] {
		return actSkip
	}
	switch e.Protocol {
	case journal.HTTP:
		if e.Request.Method == "" {
			return actSkip
		}
		if e.Kind == journal.ConfigListen && e.Request.Headers["Long-Pulling-Timeout"] != "" {
			return actHold
		}
		return actHTTP
	case journal.GRPC:
		switch {
		case e.Kind == journal.Connect:
			return actOpen
		case e.Kind == journal.Disconnect:
			return actClose
		case e.Request.Type == "":
			return actSkip
		case e.Request.Type == "ConnectionSetupRequest" || strings.HasSuffix(e.Request.Type, "Response"):
			return actStream
		}
		return actUnary
	}
	return actSkip
}

// run is one replay in progress.
type run struct {
	ctx    context.Context
	target Target
	opts   Options

	start time.Time
	mu    sync.Mutex // sum and the report (held requests finish on their own goroutines)
	sum   Summary
	enc   *json.Encoder
	conns map[string]Conn
	held  sync.WaitGroup
}

// Run replays the recording read from r into target.
func Run(ctx context.Context, r io.Reader, target Target, opts Options) (Summary, error) {
	start := time.Now()
	rn := &run{ctx: ctx, target: target, opts: opts, conns: make(map[string]Conn), start: start}
	if opts.Report != nil {
		rn.enc = json.NewEncoder(opts.Report)
		rn.enc.SetEscapeHTML(false)
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	heldCtx, cancelHeld := context.WithCancel(ctx)
	defer cancelHeld()

	var first, latest time.Time
	lastProgress := start
	line := 1 // the header
	events := 0
	step := func(e *journal.Event) error {
		line++
		events++
		if err := ctx.Err(); err != nil {
			return err
		}
		rn.count(func(s *Summary) { s.Events++ })
		at := e.Time
		if at.IsZero() {
			at = e.WallTime
		}
		if !at.IsZero() {
			if first.IsZero() {
				first, latest = at, at
			}
			if at.After(latest) {
				latest = at // lines of a proxy's recording are in answer order: never wait backwards
			}
			elapsed := latest.Sub(first)
			if opts.Speed > 0 {
				due := start.Add(time.Duration(float64(elapsed) / opts.Speed))
				if err := rn.sleepUntil(due, &lastProgress, every); err != nil {
					return err
				}
			}
			if opts.AdvanceTo != nil {
				opts.AdvanceTo(elapsed)
			}
		}
		rn.apply(heldCtx, line, e)
		if opts.Progress != nil && events%256 == 0 {
			if now := time.Now(); now.Sub(lastProgress) >= every {
				lastProgress = now
				opts.Progress(rn.snapshot())
			}
		}
		return nil
	}
	err := eachEvent(r, step)
	cancelHeld()
	rn.held.Wait()
	if !opts.KeepOpen {
		for id, c := range rn.conns {
			_ = c.Close()
			delete(rn.conns, id)
		}
	}
	sum := rn.snapshot()
	if opts.Progress != nil {
		opts.Progress(sum)
	}
	return sum, err
}

func (rn *run) snapshot() Summary {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	s := rn.sum
	s.Duration = time.Since(rn.start)
	return s
}

func (rn *run) count(f func(*Summary)) {
	rn.mu.Lock()
	f(&rn.sum)
	rn.mu.Unlock()
}

// sleepUntil waits for due, reporting progress while it waits.
func (rn *run) sleepUntil(due time.Time, lastProgress *time.Time, every time.Duration) error {
	for {
		d := time.Until(due)
		if d <= 0 {
			return nil
		}
		if rn.opts.Progress != nil && d > every {
			d = every
		}
		t := time.NewTimer(d)
		select {
		case <-rn.ctx.Done():
			t.Stop()
			return rn.ctx.Err()
		case <-t.C:
		}
		if rn.opts.Progress != nil && time.Since(*lastProgress) >= every {
			*lastProgress = time.Now()
			rn.opts.Progress(rn.snapshot())
		}
	}
}

func (rn *run) apply(heldCtx context.Context, line int, e *journal.Event) {
	switch classify(e) {
	case actSkip:
		rn.count(func(s *Summary) { s.Skipped++ })
	case actHTTP:
		rn.count(func(s *Summary) { s.Sent++ })
		got, err := rn.target.HTTP(rn.ctx, &e.Request, e.Remote)
		rn.judge(line, e, got, err)
	case actHold:
		rn.count(func(s *Summary) { s.Sent++ })
		rn.held.Add(1)
		ev := *e
		go func() {
			defer rn.held.Done()
			got, err := rn.target.HTTP(heldCtx, &ev.Request, ev.Remote)
			if heldCtx.Err() != nil {
				rn.count(func(s *Summary) { s.Cancelled++ })
				return
			}
			rn.judge(line, &ev, got, err)
		}()
	case actOpen:
		rn.count(func(s *Summary) { s.Skipped++ })
		_, _ = rn.conn(line, e)
	case actClose:
		rn.count(func(s *Summary) { s.Skipped++ })
		if c := rn.conns[e.ConnectionID]; c != nil {
			delete(rn.conns, e.ConnectionID)
			if err := c.Close(); err != nil {
				rn.fail(line, e, err)
			}
		}
	case actUnary:
		rn.count(func(s *Summary) { s.Sent++ })
		c, err := rn.conn(line, e)
		if err != nil {
			return
		}
		out, err := c.Request(rn.ctx, &grpcv2.Payload{Type: e.Request.Type, Headers: e.Request.Headers, Body: []byte(e.Request.Body)})
		var got journal.Response
		if err == nil {
			got = grpcv2.ResponseOf(out)
		}
		rn.judge(line, e, got, err)
	case actStream:
		rn.count(func(s *Summary) { s.Sent++ })
		c, err := rn.conn(line, e)
		if err != nil {
			return
		}
		if err := c.Stream(rn.ctx, &grpcv2.Payload{Type: e.Request.Type, Headers: e.Request.Headers, Body: []byte(e.Request.Body)}); err != nil {
			rn.fail(line, e, err)
			return
		}
		// A stream message has no answer of its own: nothing to compare.
		rn.count(func(s *Summary) { s.Matched++ })
	}
}

// conn is the target's connection for the event's recorded connection,
// opened on first use.
func (rn *run) conn(line int, e *journal.Event) (Conn, error) {
	if c := rn.conns[e.ConnectionID]; c != nil {
		return c, nil
	}
	c, err := rn.target.Open(rn.ctx, func(*grpcv2.Payload) { rn.count(func(s *Summary) { s.Pushes++ }) })
	if err != nil {
		rn.fail(line, e, err)
		return nil, err
	}
	rn.conns[e.ConnectionID] = c
	return c, nil
}

func (rn *run) judge(line int, e *journal.Event, got journal.Response, err error) {
	if err != nil {
		rn.fail(line, e, err)
		return
	}
	if e.Error != "" && e.Response.Status == 0 && e.Response.Type == "" && e.Response.Body == "" {
		// The recording has no answer to compare with: the recorder saw the
		// request fail (the client cancelled it, or the recorder stopped).
		rn.count(func(s *Summary) { s.Unanswered++ })
		return
	}
	if reason := Compare(e.Protocol, &e.Response, &got); reason != "" {
		rn.count(func(s *Summary) { s.Differed++ })
		rec := e.Response
		rn.report(Difference{Line: line, Seq: e.Seq, Protocol: e.Protocol, Kind: e.Kind, ConnectionID: e.ConnectionID,
			Method: e.Request.Method, Path: e.Request.Path, Type: e.Request.Type, Reason: reason, Recorded: &rec, Replayed: &got})
		return
	}
	rn.count(func(s *Summary) { s.Matched++ })
}

func (rn *run) fail(line int, e *journal.Event, err error) {
	if errors.Is(err, context.Canceled) && rn.ctx.Err() != nil {
		return // the run was stopped; Run returns ctx's error
	}
	rn.count(func(s *Summary) { s.Errors++ })
	rn.report(Difference{Line: line, Seq: e.Seq, Protocol: e.Protocol, Kind: e.Kind, ConnectionID: e.ConnectionID,
		Method: e.Request.Method, Path: e.Request.Path, Type: e.Request.Type, Error: err.Error()})
}

func (rn *run) report(d Difference) {
	if rn.enc == nil {
		return
	}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	_ = rn.enc.Encode(d)
}

// eachEvent reads the recording on a goroutine of its own, in batches, and
// calls step for each event in order on the caller's: decoding a line
// costs about as much as applying it in process, so the two overlap.
func eachEvent(r io.Reader, step func(*journal.Event) error) error {
	const batchSize = 256
	batches := make(chan []journal.Event, 8)
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		batch := make([]journal.Event, 0, batchSize)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([]journal.Event, 0, batchSize)
				return true
			case <-stop:
				return false
			}
		}
		err := journal.ScanJSONL(r, func(journal.Header) error { return nil }, func(e journal.Event) error {
			batch = append(batch, e)
			if len(batch) == batchSize && !send() {
				return errStopped
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			send()
		}
		readErr <- err
	}()
	var stepErr error
	for batch := range batches {
		for i := range batch {
			if stepErr = step(&batch[i]); stepErr != nil {
				break
			}
		}
		if stepErr != nil {
			close(stop)
			for range batches {
			}
			break
		}
	}
	err := <-readErr
	if stepErr != nil {
		return stepErr
	}
	return err
}

var errStopped = errors.New("replay stopped")
