package tcmocknacos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/mocknacos"
)

// The helpers below call the mock's admin API (/__mock/, see the README):
// the same operations as the in-process mocknacos.Server's methods.

// Journal returns the events q selects, oldest first, parsed from
// GET /__mock/journal. The zero Query selects every event.
func (c *Container) Journal(ctx context.Context, q mocknacos.Query) ([]mocknacos.Event, error) {
	v := url.Values{}
	for k, s := range map[string]string{"kind": string(q.Kind), "protocol": q.Protocol, "service": q.Service,
		"namespace": q.Namespace, "ip": q.IP} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Port != 0 {
		v.Set("port", strconv.Itoa(q.Port))
	}
	var events []mocknacos.Event
	err := c.call(ctx, http.MethodGet, "/journal?"+v.Encode(), nil, func(r io.Reader) error {
		// The admin API filters on everything but Rejected; Match applies
		// the whole query again, which costs nothing and covers it.
		return journal.ScanJSONL(r, func(journal.Header) error { return nil }, func(e mocknacos.Event) error {
			if q.Match(&e) {
				events = append(events, e)
			}
			return nil
		})
	})
	return events, err
}

// WaitForEvents polls the journal until at least n events match q, and
// returns them; it fails when ctx ends first.
func (c *Container) WaitForEvents(ctx context.Context, q mocknacos.Query, n int) ([]mocknacos.Event, error) {
	for {
		events, err := c.Journal(ctx, q)
		if err == nil && len(events) >= n {
			return events, nil
		}
		select {
		case <-ctx.Done():
			return events, fmt.Errorf("tcmocknacos: %d of %d events matching %+v: %w", len(events), n, q, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Clock is the mock clock's state.
type Clock struct {
	Now    time.Time
	Offset time.Duration // from the wall clock
	Frozen bool
}

func parseClock(r io.Reader) (Clock, error) {
	var raw struct {
		Now    time.Time `json:"now"`
		Offset string    `json:"offset"`
		Frozen bool      `json:"frozen"`
	}
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return Clock{}, err
	}
	off, err := time.ParseDuration(raw.Offset)
	return Clock{Now: raw.Now, Offset: off, Frozen: raw.Frozen}, err
}

// Advance moves the mock clock by d; every health transition and every
// push it causes has happened when it returns.
func (c *Container) Advance(ctx context.Context, d time.Duration) error {
	return c.call(ctx, http.MethodPost, "/clock/advance?by="+url.QueryEscape(d.String()), nil, nil)
}

// Clock reads the mock clock.
func (c *Container) Clock(ctx context.Context) (Clock, error) {
	var clk Clock
	err := c.call(ctx, http.MethodGet, "/clock", nil, func(r io.Reader) (err error) {
		clk, err = parseClock(r)
		return err
	})
	return clk, err
}

// Reset forgets every service, instance, config and journal event.
func (c *Container) Reset(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/reset", nil, nil)
}

// Restart restarts the mock on the same ports, as a Nacos server restart
// does (ephemeral instances, subscriptions and connections are lost), and
// returns once the new server answers. The container keeps running.
func (c *Container) Restart(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/restart", nil, nil)
}

// ConfigOption sets a field of a config SetConfig publishes.
type ConfigOption func(*configBody)

type configBody struct {
	DataID  string `json:"dataId"`
	Group   string `json:"group"`
	Content string `json:"content"`
	Type    string `json:"type,omitempty"`
	Tenant  string `json:"tenant,omitempty"`
}

// ConfigType sets the config's type ("yaml", "properties", ...).
func ConfigType(t string) ConfigOption { return func(b *configBody) { b.Type = t } }

// ConfigTenant puts the config in a namespace other than public.
func ConfigTenant(ns string) ConfigOption { return func(b *configBody) { b.Tenant = ns } }

// SetConfig publishes a config; listening clients are notified.
func (c *Container) SetConfig(ctx context.Context, dataID, group, content string, opts ...ConfigOption) error {
	b := configBody{DataID: dataID, Group: group, Content: content}
	for _, o := range opts {
		o(&b)
	}
	return c.call(ctx, http.MethodPost, "/configs", b, nil)
}

// Services returns every service with its instances (health included)
// and subscribers.
func (c *Container) Services(ctx context.Context) ([]mocknacos.AdminService, error) {
	var out []mocknacos.AdminService
	err := c.call(ctx, http.MethodGet, "/services", nil, func(r io.Reader) error { return json.NewDecoder(r).Decode(&out) })
	return out, err
}

// InjectFault adds a fault (see mocknacos.Fault) and returns its id.
func (c *Container) InjectFault(ctx context.Context, f mocknacos.Fault) (int, error) {
	// The admin API sets the id and the hit count itself.
	f.ID, f.Hits = 0, 0
	var out struct {
		ID int `json:"id"`
	}
	err := c.call(ctx, http.MethodPost, "/faults", f, func(r io.Reader) error { return json.NewDecoder(r).Decode(&out) })
	return out.ID, err
}

// ClearFaults removes every fault.
func (c *Container) ClearFaults(ctx context.Context) error {
	return c.call(ctx, http.MethodDelete, "/faults", nil, nil)
}

// call sends one admin request; body, when not nil, goes as JSON; read,
// when not nil, reads a 200 answer.
func (c *Container) call(ctx context.Context, method, path string, body any, read func(io.Reader) error) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.AdminURL()+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.adminToken)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("tcmocknacos: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("tcmocknacos: %s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}
	if read == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := read(resp.Body); err != nil {
		return fmt.Errorf("tcmocknacos: %s %s: %w", method, path, err)
	}
	return nil
}
