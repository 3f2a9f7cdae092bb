package main

import (
	"fmt"
	"strings"
	"time"
)

type report struct {
	started time.Time
	machine string
	dur     time.Duration
	replay  string
	notes   []string
	cols    []column
}

func (r *report) col(kind string) *column {
	for i := range r.cols {
		if r.cols[i].kind == kind {
			return &r.cols[i]
		}
	}
	return nil
}

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# `make bench`: the mock beside the real Nacos and the stateless references\n\n")
	fmt.Fprintf(&b, "Run %s (took %s) on %s.\n\n", r.started.UTC().Format("2006-01-02 15:04 UTC"),
		time.Since(r.started).Round(time.Second), r.machine)
	fmt.Fprintf(&b, "Each server runs alone, started as a plain process pinned to core 0 (`taskset -c 0`); the load "+
		"generator (`bench/`, Go) runs on core 1 with %d concurrent workers (HTTP keep-alive connections, or gRPC "+
		"connections set up as a client does: ServerCheck, then ConnectionSetup on the bi-stream). Each throughput "+
		"figure is a %s closed loop after a warm-up of a third of that with the same requests; server CPU is read from /proc/PID/stat around it. The real servers run with "+
		"`-Xms256m -Xmx512m` and embedded storage. The machine is shared, so read the ratios (taken in this one run) "+
		"rather than the absolute figures.\n\n", workers, r.dur)
	mock := r.col("mock")
	ref := r.col("ref")
	header := []string{""}
	for _, c := range r.cols {
		header = append(header, c.name)
	}
	var ratios []func(string) string
	ratio := func(a, b *column, name string) {
		if a == nil || b == nil {
			return
		}
		header = append(header, name)
		ratios = append(ratios, func(k string) string {
			x, y := a.rows[k], b.rows[k]
			if !x.ok || !y.ok || y.v == 0 {
				return ""
			}
			return fmt.Sprintf("%.2f×", x.v/y.v)
		})
	}
	ratio(mock, ref, "mock ÷ reference")
	for i := range r.cols {
		if r.cols[i].kind == "real" {
			ratio(&r.cols[i], mock, r.cols[i].name+" ÷ mock")
		}
	}
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, row := range rowOrder {
		line := []string{row.label}
		any := false
		for _, c := range r.cols {
			v, ok := c.rows[row.key]
			switch {
			case !ok:
				line = append(line, "—")
			case v.text != "":
				line = append(line, strings.ReplaceAll(v.text, "|", "/"))
				any = true
			default:
				line = append(line, fmt.Sprintf(row.format, v.v))
				any = true
			}
		}
		if !any {
			continue
		}
		for _, f := range ratios {
			line = append(line, f(row.key))
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(line, " | "))
	}
	b.WriteString("\n")
	for _, n := range r.notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	b.WriteString(`
How each figure is taken (bench/measure.go):
- HTTP: ` + "`POST /nacos/v1/ns/instance`" + ` of new instances, then light beats (` + "`PUT /nacos/v1/ns/instance/beat`" + ` without the beat JSON)
  of 1,000 registered ones. gRPC: ` + "`HealthCheckRequest`" + `, then ` + "`InstanceRequest`" + ` (registerInstance) of new instances.
- First, on the fresh server: 10,000 instances registered over HTTP, beaten as fast as the
  server takes them (at most 100,000 beats or 20 s: the mock binary's default journal of 100,000 events is full after
  it), then for 10 s at the 5 s cadence (2,000 beats/s), and VmRSS read. Then the throughput runs, and VmRSS after them.
- Config: one connection listens (` + "`ConfigBatchListenRequest`" + `), another publishes (` + "`ConfigPublishRequest`" + `): the time
  from the publish to the listener's ` + "`ConfigChangeNotifyRequest`" + `, median of 10.
- Provider gone: a consumer subscribes; a provider registers over gRPC and then closes its connection: the time to
  the consumer's push without the instance, median of 3.
- The references do not keep state, so the rows that need state are left empty for them.
`)
	return b.String()
}
