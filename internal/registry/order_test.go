package registry

import "testing"

func TestJavaStringHash(t *testing.T) {
	for s, want := range map[string]int32{
		"":        0,
		"hello":   99162322, // the JDK's documented example value
		"DEFAULT": -2032180703,
		"east":    3105789,
		"€":       8364,    // one UTF-16 unit
		"😀":       1772899, // a surrogate pair: 0xD83D*31 + 0xDE00
	} {
		if got := javaStringHash(s); got != want {
			t.Errorf("%q: %d, want %d", s, got, want)
		}
	}
	if c := javaHashMapCapacity(12); c != 16 {
		t.Errorf("12 keys: capacity %d", c)
	}
	if c := javaHashMapCapacity(13); c != 32 {
		t.Errorf("13 keys: capacity %d", c)
	}
}

// TestV1ListsClustersInHashMapOrder: a real 1.4.8 listed an instance of
// cluster east before one of DEFAULT (fixtures/2.2.6.RELEASE-nacos-1.4.8.jsonl):
// "east" falls in bucket 2 of a 16-slot HashMap, "DEFAULT" in 14.
func TestV1ListsClustersInHashMapOrder(t *testing.T) {
	for _, tc := range []struct {
		mode Mode
		want []int
	}{{ModeV1, []int{8082, 8080, 8081}}} {
		reg, _, _ := newTestRegistry(tc.mode)
		key := Key("", "", "orders")
		for _, in := range []Instance{httpInstance("127.0.0.1", 8081, nil), httpInstance("127.0.0.1", 8080, nil), httpInstance("127.0.0.1", 8082, nil)} {
			in.Cluster = "DEFAULT"
			if in.Port == 8082 {
				in.Cluster = "east"
			}
			if err := reg.Register(key, in); err != nil {
				t.Fatal(err)
			}
		}
		var got []int
		for _, h := range reg.View(key, Selection{}).Hosts {
			got = append(got, h.Port)
		}
		if len(got) != 3 || got[0] != tc.want[0] || got[1] != tc.want[1] || got[2] != tc.want[2] {
			t.Errorf("mode %v: ports %v, want %v (8082 is in cluster east)", tc.mode, got, tc.want)
		}
	}
}

func TestJavaMapSizes(t *testing.T) {
	m := newJavaMap(1) // extendDatum: HashMap(1), putAll of 3, two puts
	m.putAll(3)
	m.put()
	m.put()
	if m.capacity != 8 {
		t.Errorf("HashMap(1) + putAll(3) + 2: capacity %d, want 8", m.capacity)
	}
	m = newJavaMap(1) // no metadata: 1, 2, 4 as keys come
	m.put()
	if m.capacity != 2 {
		t.Errorf("HashMap(1) + 1: capacity %d, want 2", m.capacity)
	}
	m = newJavaMap(6)
	for i := 0; i < 4; i++ {
		m.put()
	}
	if m.capacity != 8 {
		t.Errorf("HashMap(6) + 4: capacity %d, want 8", m.capacity)
	}
	for f, want := range map[float64]string{1: "1.0", 2: "2.0", 0.5: "0.5", 0: "0.0", 10000: "10000.0", 0.0001: "1.0E-4"} {
		if got := javaDoubleString(f); got != want {
			t.Errorf("%v: %q, want %q", f, got, want)
		}
	}
}

// fixtureInstance is an instance as the fixtures' sample-service registers
// it (provider B: weight 2, cluster east, metadata zone=z1).
func fixtureInstance(port int, cluster string, weight float64, gen string, zone bool) Instance {
	md := map[string]string{"app": "sample-service", "preserved.register.source": "SPRING_CLOUD", "sca-version": gen}
	if zone {
		md["zone"] = "z1"
	}
	in := httpInstance("127.0.0.1", port, md)
	in.Cluster, in.Weight = cluster, weight
	in.InstanceID = SimpleInstanceID(in.IP, port, cluster, "DEFAULT_GROUP@@sample-service")
	return in
}

// TestV2InstanceString: Instance.toString as a 2.4.3 server hashes it; the
// metadata order is the one the real server answered for provider B
// (fixtures/2.2.6.RELEASE-nacos-2.4.3.jsonl: app, preserved.register.source,
// zone, sca-version), which the server serialises from the same map.
func TestV2InstanceString(t *testing.T) {
	in := fixtureInstance(25565, "east", 2, "2.2.6.RELEASE", true)
	want := "Instance{instanceId='127.0.0.1#25565#east#DEFAULT_GROUP@@sample-service', ip='127.0.0.1', port=25565, " +
		"weight=2.0, healthy=true, enabled=true, ephemeral=true, clusterName='east', serviceName='DEFAULT_GROUP@@sample-service', " +
		"metadata={app=sample-service, preserved.register.source=SPRING_CLOUD, zone=z1, sca-version=2.2.6.RELEASE}}"
	if got := javaInstanceString(&in, "DEFAULT_GROUP@@sample-service"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestV2ListsInHashSetOrder: the orders a real 2.4.3 listed providers A
// (DEFAULT) and B (east, weight 2, zone) in, from two fixtures.
func TestV2ListsInHashSetOrder(t *testing.T) {
	for _, tc := range []struct {
		fixture  string
		gen      string
		pa, pb   int
		wantLead int
	}{
		{"2.2.6.RELEASE-nacos-2.4.3", "2.2.6.RELEASE", 25564, 25565, 25565},
		{"2021.0.5.0-nacos-2.4.3", "2021.0.5.0", 23958, 23959, 23958},
	} {
		reg, _, _ := newTestRegistry(ModeV2)
		key := Key("", "DEFAULT_GROUP", "sample-service")
		for _, in := range []Instance{fixtureInstance(tc.pa, "DEFAULT", 1, tc.gen, false), fixtureInstance(tc.pb, "east", 2, tc.gen, true)} {
			if err := reg.Register(key, in); err != nil {
				t.Fatal(err)
			}
		}
		hosts := reg.View(key, Selection{}).Hosts
		if len(hosts) != 2 || hosts[0].Port != tc.wantLead {
			t.Errorf("%s: first %d, the real server listed %d first", tc.fixture, hosts[0].Port, tc.wantLead)
		}
	}
}
