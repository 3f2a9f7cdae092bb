//go:build compat

package compat

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Status of a matrix cell.
type Status string

// The statuses.
const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Skipped Status = "skipped"
	NA      Status = "n/a"
)

// Cell is one (row, column) result.
type Cell struct {
	Status   Status
	Reason   string   // why skipped or n/a
	Problems []string // own expectations that did not hold
	Obs      any      // the normalised observation, compared across columns
	Diff     string   // go-cmp diff against the reference mock column (-mock +real)
	Notes    []string // timings and how the result was reached
}

func (c *Cell) problem(format string, args ...any) {
	c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
}

// Row is a matrix row: a generation (or "cross" / "restart") and a scenario.
type Row struct{ Group, Scenario string }

// Column is one server.
type Column struct {
	ID      string // "mock", "mock-1.4", or the image reference
	Title   string
	Version string
	Ref     string // the mock column a real column is compared with
	Notes   []string
	Skip    string // the whole column was skipped, and why
}

// Matrix collects cells as the scenarios run, then renders them.
type Matrix struct {
	mu      sync.Mutex
	Started time.Time
	Header  []string
	Columns []*Column
	Rows    []Row
	Cells   map[string]*Cell // Row + Column.ID
	Timings []string
}

func newMatrix() *Matrix { return &Matrix{Started: time.Now(), Cells: map[string]*Cell{}} }

func cellKey(r Row, col string) string { return r.Group + "\x00" + r.Scenario + "\x00" + col }

// Cell returns the cell, creating it (and its row) as pass.
func (m *Matrix) Cell(r Row, col string) *Cell {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := cellKey(r, col)
	if c, ok := m.Cells[k]; ok {
		return c
	}
	found := false
	for _, x := range m.Rows {
		if x == r {
			found = true
			break
		}
	}
	if !found {
		m.Rows = append(m.Rows, r)
	}
	c := &Cell{Status: Pass}
	m.Cells[k] = c
	return c
}

func (m *Matrix) lookup(r Row, col string) *Cell {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.Cells[cellKey(r, col)]
}

// Timing records a stage's duration for the report.
func (m *Matrix) Timing(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Timings = append(m.Timings, fmt.Sprintf(format, args...))
}

// Finish settles every cell: own problems make it fail; a real column's
// observation is compared with its reference mock column's.
func (m *Matrix) Finish() {
	for _, col := range m.Columns {
		for _, r := range m.Rows {
			c := m.lookup(r, col.ID)
			if c == nil || c.Status == Skipped || c.Status == NA {
				continue
			}
			if len(c.Problems) > 0 {
				c.Status = Fail
			}
			if col.Ref == "" || c.Obs == nil {
				continue
			}
			ref := m.lookup(r, col.Ref)
			if ref == nil || ref.Obs == nil {
				c.Notes = append(c.Notes, "not compared: the "+col.Ref+" cell has no observation")
				continue
			}
			if d := cmp.Diff(ref.Obs, c.Obs); d != "" {
				c.Diff = d
				c.Status = Fail
			}
		}
	}
}

// Failed lists the failing cells as "row / column".
func (m *Matrix) Failed() []string {
	var out []string
	for _, r := range m.Rows {
		for _, col := range m.Columns {
			if c := m.lookup(r, col.ID); c != nil && c.Status == Fail {
				out = append(out, r.Group+" / "+r.Scenario+" / "+col.Title)
			}
		}
	}
	return out
}

// Markdown renders the matrix, its failures with their diffs, the timings
// and the table of ignored fields.
func (m *Matrix) Markdown() string {
	var b strings.Builder
	b.WriteString("# Compatibility matrix\n\n")
	cmd := "go test -tags compat -count=1 -timeout 60m ./compat/ -v"
	if images := strings.Join(strings.Fields(os.Getenv("NACOS_IMAGES")), " "); images != "" {
		cmd = "NACOS_IMAGES=\"" + images + "\" " + cmd
	}
	b.WriteString("Written by `" + cmd + "` (see `compat/README.md`) on " +
		m.Started.UTC().Format("2006-01-02 15:04 MST") + "; the run took " + time.Since(m.Started).Round(time.Second).String() + ".\n\n")
	for _, h := range m.Header {
		b.WriteString("- " + h + "\n")
	}
	for _, col := range m.Columns {
		for _, n := range col.Notes {
			b.WriteString("- " + col.Title + ": " + n + "\n")
		}
		if col.Skip != "" {
			b.WriteString("- " + col.Title + ": skipped: " + col.Skip + "\n")
		}
	}
	b.WriteString("\n| generation | scenario |")
	for _, col := range m.Columns {
		b.WriteString(" " + col.Title + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(m.Columns)) + "\n")
	type detail struct {
		title string
		cell  *Cell
	}
	var details []detail
	for _, r := range m.Rows {
		b.WriteString("| " + r.Group + " | " + r.Scenario + " |")
		for _, col := range m.Columns {
			c := m.lookup(r, col.ID)
			switch {
			case c == nil:
				b.WriteString(" – |")
			case c.Status == Fail:
				details = append(details, detail{r.Group + " / " + r.Scenario + " / " + col.Title, c})
				fmt.Fprintf(&b, " **fail** ([%d](#f%d)) |", len(details), len(details))
			case c.Status == Skipped || c.Status == NA:
				b.WriteString(" " + string(c.Status) + ": " + mdCell(c.Reason) + " |")
			default:
				b.WriteString(" pass" + noteSuffix(c) + " |")
			}
		}
		b.WriteString("\n")
	}
	if len(details) > 0 {
		b.WriteString("\n## Failures\n\n")
		for i, d := range details {
			fmt.Fprintf(&b, "<a id=\"f%d\"></a>**%d. %s**\n\n", i+1, i+1, d.title)
			for _, p := range d.cell.Problems {
				b.WriteString("- " + p + "\n")
			}
			if d.cell.Diff != "" {
				b.WriteString("\nmock vs real (`-` mock, `+` real):\n\n```diff\n" + d.cell.Diff + "```\n")
			}
			b.WriteString("\n")
		}
	}
	if len(m.Timings) > 0 {
		b.WriteString("\n## Timings\n\n")
		for _, t := range m.Timings {
			b.WriteString("- " + t + "\n")
		}
	}
	b.WriteString("\n## Fields the comparison ignores (compat/normalise.go)\n\n" + ignoredTable())
	return b.String()
}

func noteSuffix(c *Cell) string {
	if len(c.Notes) == 0 {
		return ""
	}
	return " (" + mdCell(strings.Join(c.Notes, "; ")) + ")"
}

func mdCell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }
