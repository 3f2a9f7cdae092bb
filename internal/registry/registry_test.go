package registry

import (
	"errors"
	"testing"
	"time"
)

type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

type recorder struct{ views []*View }

func (r *recorder) Push(v *View) { r.views = append(r.views, v) }

func newTestRegistry(mode Mode) (*Registry, *fakeClock, *[]Changes) {
	clk := &fakeClock{now: time.Unix(1700000000, 0)}
	var got []Changes
	reg := New(Config{Mode: mode, Now: clk.Now, Notify: func(c Changes) { got = append(got, c) }})
	return reg, clk, &got
}

func httpInstance(ip string, port int, md map[string]string) Instance {
	return Instance{IP: ip, Port: port, Weight: 1, Healthy: true, Enabled: true, Ephemeral: true, Metadata: md}
}

func TestBeatTimeline(t *testing.T) {
	reg, clk, _ := newTestRegistry(ModeV2)
	key := Key("", "", "orders")
	if err := reg.Register(key, httpInstance("127.0.0.1", 8080, nil)); err != nil {
		t.Fatal(err)
	}
	step := func(d time.Duration) []Instance {
		clk.now = clk.now.Add(d)
		reg.Sweep()
		return reg.View(key, Selection{}).Hosts
	}
	if h := step(15 * time.Second); len(h) != 1 || !h[0].Healthy {
		t.Fatalf("at exactly 15 s the instance must still be healthy: %+v", h)
	}
	if h := step(time.Millisecond); len(h) != 1 || h[0].Healthy {
		t.Fatalf("just after 15 s it must be unhealthy: %+v", h)
	}
	if res, err := reg.Beat(key, "DEFAULT", "127.0.0.1", 8080, nil); err != nil || res.Code != BeatOK {
		t.Fatalf("beat: %+v %v", res, err)
	}
	if h := reg.View(key, Selection{}).Hosts; !h[0].Healthy {
		t.Fatal("a beat must make it healthy again")
	}
	if h := step(30 * time.Second); len(h) != 1 {
		t.Fatalf("at exactly 30 s it must still be listed: %+v", h)
	}
	if h := step(time.Millisecond); len(h) != 0 {
		t.Fatalf("after 30 s it must be removed: %+v", h)
	}
	res, _ := reg.Beat(key, "DEFAULT", "127.0.0.1", 8080, nil)
	if res.Code != BeatNotFound {
		t.Fatalf("light beat for a removed instance: code %d, want 20404", res.Code)
	}
	res, _ = reg.Beat(key, "DEFAULT", "127.0.0.1", 8080, &BeatInfo{IP: "127.0.0.1", Port: 8080, Cluster: "DEFAULT", Weight: 1, Ephemeral: true})
	if res.Code != BeatOK || !res.Registered || len(reg.View(key, Selection{}).Hosts) != 1 {
		t.Fatalf("full beat must re-register: %+v", res)
	}
}

func TestPreservedMetadataOverridesTimeouts(t *testing.T) {
	reg, clk, _ := newTestRegistry(ModeV2)
	key := Key("", "", "fast")
	md := map[string]string{MetaBeatInterval: "1000", MetaBeatTimeout: "3000", MetaDeleteTimeout: "6000"}
	if err := reg.Register(key, httpInstance("127.0.0.1", 1, md)); err != nil {
		t.Fatal(err)
	}
	res, _ := reg.Beat(key, "DEFAULT", "127.0.0.1", 1, nil)
	if res.Interval != 1000 {
		t.Fatalf("clientBeatInterval %d, want the instance's 1000", res.Interval)
	}
	clk.now = clk.now.Add(3001 * time.Millisecond)
	if h := reg.View(key, Selection{}).Hosts; h[0].Healthy {
		t.Fatal("unhealthy after its own 3 s timeout")
	}
	clk.now = clk.now.Add(3000 * time.Millisecond)
	if h := reg.View(key, Selection{}).Hosts; len(h) != 0 {
		t.Fatal("removed after its own 6 s delete timeout")
	}
}

func TestSubscribersArePushedEveryChange(t *testing.T) {
	reg, clk, changes := newTestRegistry(ModeV2)
	key := Key("", "", "orders")
	sub := &recorder{}
	v := reg.Subscribe(key, Subscriber{ID: "c1", Clusters: "", Pusher: sub})
	if len(v.Hosts) != 0 || v.Hosts == nil {
		t.Fatalf("initial view must have empty, non-nil hosts: %+v", v.Hosts)
	}
	_ = reg.Register(key, httpInstance("127.0.0.1", 1, nil))
	clk.now = clk.now.Add(16 * time.Second)
	reg.Sweep()
	clk.now = clk.now.Add(15 * time.Second)
	reg.Sweep()
	var pushes []*View
	for _, c := range *changes {
		for _, p := range c.Pushes {
			pushes = append(pushes, p.View)
		}
	}
	if len(pushes) != 3 {
		t.Fatalf("want 3 pushes (added, unhealthy, removed), got %d", len(pushes))
	}
	if len(pushes[0].Hosts) != 1 || !pushes[0].Hosts[0].Healthy || pushes[1].Hosts[0].Healthy || len(pushes[2].Hosts) != 0 {
		t.Fatalf("wrong push sequence: %+v", pushes)
	}
	for i := 1; i < len(pushes); i++ {
		if pushes[i].LastRefTime <= pushes[i-1].LastRefTime {
			t.Fatalf("lastRefTime must increase: %d then %d", pushes[i-1].LastRefTime, pushes[i].LastRefTime)
		}
	}
}

func TestRemoveOwnerDropsConnectionInstancesAndSubscriptions(t *testing.T) {
	reg, _, changes := newTestRegistry(ModeV2)
	key := Key("", "", "orders")
	in := httpInstance("127.0.0.1", 1, nil)
	in.Source, in.Owner = SourceGRPC, "conn-1"
	_ = reg.Register(key, in)
	other := &recorder{}
	reg.Subscribe(key, Subscriber{ID: "conn-2", Owner: "conn-2", Pusher: other})
	reg.Subscribe(key, Subscriber{ID: "conn-1", Owner: "conn-1", Pusher: &recorder{}})
	*changes = nil
	reg.RemoveOwner("conn-1")
	if n := len(reg.View(key, Selection{}).Hosts); n != 0 {
		t.Fatalf("%d instances left", n)
	}
	if len(*changes) != 1 || len((*changes)[0].Pushes) != 1 || (*changes)[0].Pushes[0].Subscriber.ID != "conn-2" {
		t.Fatalf("only the remaining subscriber is pushed: %+v", *changes)
	}
}

func TestProtectThreshold(t *testing.T) {
	for _, tc := range []struct {
		name     string
		mode     Mode
		explicit bool
		want     bool // unhealthy instance listed as healthy
	}{
		{"2.x implicit service: no protection", ModeV2, false, false},
		{"2.x service with metadata: protection", ModeV2, true, true},
		{"1.x: protection always", ModeV1, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, clk, _ := newTestRegistry(tc.mode)
			key := Key("", "", "orders")
			if tc.explicit {
				zero := 0.0
				_ = reg.CreateService(key, ServiceFields{ProtectThreshold: &zero})
				// A service created through the API is persistent in 2.x.
				in := httpInstance("127.0.0.1", 1, nil)
				in.Ephemeral, in.Healthy = false, false
				if err := reg.Register(key, in); err != nil {
					t.Fatal(err)
				}
			} else {
				_ = reg.Register(key, httpInstance("127.0.0.1", 1, nil))
				clk.now = clk.now.Add(16 * time.Second)
			}
			v := reg.View(key, Selection{})
			if len(v.Hosts) != 1 || v.Hosts[0].Healthy != tc.want || v.ReachProtectionThreshold != tc.want {
				t.Fatalf("hosts %+v reached %v, want healthy=%v", v.Hosts, v.ReachProtectionThreshold, tc.want)
			}
		})
	}
}

func TestEphemeralConflictIn2x(t *testing.T) {
	reg, _, _ := newTestRegistry(ModeV2)
	key := Key("", "", "orders")
	_ = reg.CreateService(key, ServiceFields{})
	err := reg.Register(key, httpInstance("127.0.0.1", 1, nil))
	re, ok := err.(*Error)
	if !ok || re.Status != 400 || !re.Runtime || re.Msg != "Current service DEFAULT_GROUP@@orders is persistent service, can't register ephemeral instance." {
		t.Fatalf("got %#v", err)
	}
}

func TestPage(t *testing.T) {
	names := []string{"a", "b", "c"}
	for _, tc := range []struct {
		no, size int
		want     int
	}{{1, 2, 2}, {2, 2, 1}, {3, 2, 0}, {0, 2, 2}, {1, 2147483647, 3}, {1, 0, 0}} {
		if got := Page(names, tc.no, tc.size); len(got) != tc.want {
			t.Errorf("Page(%d,%d) = %v, want %d names", tc.no, tc.size, got, tc.want)
		}
	}
}

func TestSealKeepsPersistentStateAndRefusesLaterChanges(t *testing.T) {
	reg, _, _ := newTestRegistry(ModeV2)
	_ = reg.CreateService(Key("", "", "explicit"), ServiceFields{})
	p := httpInstance("127.0.0.1", 1, nil)
	p.Ephemeral = false
	_ = reg.Register(Key("", "", "explicit"), p)
	_ = reg.Register(Key("", "", "implicit"), httpInstance("127.0.0.1", 2, nil))
	reg.Subscribe(Key("", "", "explicit"), Subscriber{ID: "s", Pusher: &recorder{}})
	next := reg.Seal(Config{})
	st := next.Snapshot()
	if len(st) != 1 || st[0].Info.Key.Name != "explicit" || len(st[0].Instances) != 1 || len(st[0].Subscribers) != 0 {
		t.Fatalf("after a restart: %+v", st)
	}
	// What reaches the sealed registry afterwards (a request in flight to
	// the old server) is refused and reaches neither registry.
	late := httpInstance("127.0.0.1", 3, nil)
	late.Ephemeral = false
	if err := reg.Register(Key("", "", "explicit"), late); !errors.Is(err, ErrClosed) {
		t.Fatalf("register on a sealed registry: %v", err)
	}
	if err := reg.CreateService(Key("", "", "late"), ServiceFields{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("create service on a sealed registry: %v", err)
	}
	if _, err := reg.Beat(Key("", "", "explicit"), "", "127.0.0.1", 4, &BeatInfo{IP: "127.0.0.1", Port: 4}); !errors.Is(err, ErrClosed) {
		t.Fatalf("full beat on a sealed registry: %v", err)
	}
	if reg.Deregister(Key("", "", "explicit"), "", "127.0.0.1", 1, "") {
		t.Fatal("deregister on a sealed registry removed something")
	}
	if v := reg.View(Key("", "", "explicit"), Selection{}); v == nil || len(v.Hosts) != 1 {
		t.Fatalf("a sealed registry still answers reads: %+v", v)
	}
	if st := next.Snapshot(); len(st) != 1 || len(st[0].Instances) != 1 {
		t.Fatalf("the new registry changed: %+v", st)
	}
}

// TestEmptyServiceCleaner: in 2.x mode an empty service goes at the first
// cleaner run (start+30 s, then every 60 s) at least 60 s after its last
// change; one with instances stays; 1.x mode keeps empty services.
func TestEmptyServiceCleaner(t *testing.T) {
	reg, clk, _ := newTestRegistry(ModeV2)
	start := clk.now
	emptied := Key("", "", "emptied")
	busy := Key("", "", "busy")
	created := Key("", "", "created")
	if err := reg.Register(emptied, httpInstance("127.0.0.1", 1, nil)); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(busy, Instance{IP: "127.0.0.1", Port: 2, Weight: 1, Healthy: true, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := reg.CreateService(created, ServiceFields{}); err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) map[string]bool {
		clk.now = start.Add(d)
		reg.Sweep()
		names := map[string]bool{}
		for _, n := range reg.ServiceNames("public", "DEFAULT_GROUP") {
			names[n] = true
		}
		return names
	}
	clk.now = start.Add(40 * time.Second)
	reg.Deregister(emptied, "", "127.0.0.1", 1, "")
	// created (updated at 0) is due at the run at 90 s; emptied (updated
	// at 40 s) at the first run >= 100 s: 150 s.
	if n := at(89 * time.Second); !n["created"] || !n["emptied"] {
		t.Fatalf("before the run at 90 s: %v", n)
	}
	if n := at(90 * time.Second); n["created"] || !n["emptied"] || !n["busy"] {
		t.Fatalf("after the run at 90 s: %v", n)
	}
	if n := at(149 * time.Second); !n["emptied"] {
		t.Fatalf("before the run at 150 s: %v", n)
	}
	if n := at(150 * time.Second); n["emptied"] || !n["busy"] {
		t.Fatalf("after the run at 150 s: %v", n)
	}

	v1, clk1, _ := newTestRegistry(ModeV1)
	if err := v1.CreateService(created, ServiceFields{}); err != nil {
		t.Fatal(err)
	}
	clk1.now = clk1.now.Add(time.Hour)
	v1.Sweep()
	if _, ok := v1.Service(created); !ok {
		t.Fatal("1.x mode must keep an empty service")
	}
}
