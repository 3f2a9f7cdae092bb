package journal

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Format and Version name the JSON Lines format on its first line.
const (
	Format  = "mocknacos-journal"
	Version = 1
)

// Header is the first line of a recording.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Source says what produced the recording (free text).
	Source string `json:"source,omitempty"`
	// Dropped is how many events the journal's cap had discarded when the
	// recording was written: a reader can tell it is not the whole story.
	Dropped int64 `json:"dropped,omitempty"`
}

// WriteJSONL writes the header line (Format and Version filled in) and one
// event per line.
func WriteJSONL(w io.Writer, h Header, events []Event) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h.Format, h.Version = Format, Version
	if err := enc.Encode(h); err != nil {
		return err
	}
	for i := range events {
		if err := enc.Encode(&events[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ReadJSONL reads a recording, checking its header.
func ReadJSONL(r io.Reader) (Header, []Event, error) {
	var h Header
	var events []Event
	err := ScanJSONL(r, func(hd Header) error { h = hd; return nil }, func(e Event) error {
		events = append(events, e)
		return nil
	})
	return h, events, err
}

// ScanJSONL reads a recording line by line, without holding it in memory.
func ScanJSONL(r io.Reader, header func(Header) error, event func(Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		if line == 1 {
			var h Header
			if err := json.Unmarshal(b, &h); err != nil || h.Format != Format {
				return fmt.Errorf("line 1: not a %s recording", Format)
			}
			if h.Version > Version {
				return fmt.Errorf("line 1: %s version %d is newer than this mocknacos reads (%d)", Format, h.Version, Version)
			}
			if err := header(h); err != nil {
				return err
			}
			continue
		}
		var e Event
		if err := decodeEvent(b, &e); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := event(e); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if line == 0 {
		return fmt.Errorf("empty recording: no %s header", Format)
	}
	return nil
}
