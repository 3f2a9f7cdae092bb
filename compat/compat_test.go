//go:build compat

package compat

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/mocknacos/mocknacos/mocknacos"
)

var (
	// Not compat/MATRIX.md: that one is the committed run with real servers.
	matrixOut = flag.String("matrix", "../artifacts/MATRIX.md", "where the matrix is written as Markdown (\"\" for nowhere)")
	theMatrix = newMatrix()
	matrixRan bool
)

func TestMain(m *testing.M) {
	flag.Parse()
	// The reaper's image cannot be pulled here; every container is removed
	// by t.Cleanup instead.
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	tclog.SetDefault(tclog.NewNoopLogger())
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	if matrixRan {
		md := theMatrix.Markdown()
		fmt.Println("\n" + md)
		if *matrixOut != "" {
			_ = os.MkdirAll(filepath.Dir(*matrixOut), 0o755)
			if err := os.WriteFile(*matrixOut, []byte(md), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "compat: writing the matrix:", err)
				code = 1
			}
		}
	}
	os.Exit(code)
}

// The scenarios of each generation, in the order they run on one provider
// pair and one consumer.
const (
	scRegister = "provider registers: instance fields"
	scSecond   = "second instance: metadata, weight, cluster from Spring properties"
	scConsumer = "consumer sees both"
	scGraceful = "graceful stop (SIGTERM) deregisters"
	scCadence  = "1.x beat cadence 5 s"
	scKill     = "SIGKILL: unhealthy then removed (1.x) / removed on disconnect (gRPC)"
	scTraffic  = "traffic the server received"
	scConfig   = "config at startup, refreshed at run time, auth on"
)

var genScenarios = []string{scRegister, scSecond, scConsumer, scGraceful, scCadence, scKill, scTraffic, scConfig}

const (
	groupCross   = "cross-generation"
	groupRestart = "server restart"
)

const noRealImage = "no real Nacos image: NACOS_IMAGES unset; the server is not on Maven Central and no registry is reachable here"

// genImage is a generation with its resolved image.
type genImage struct {
	Generation
	Ref string
}

func TestMatrix(t *testing.T) {
	ctx := context.Background()
	require := os.Getenv("MOCKNACOS_REQUIRE_DOCKER") == "1"
	de, err := newDockerEnv(ctx)
	if err != nil {
		if require {
			t.Fatalf("no Docker engine (MOCKNACOS_REQUIRE_DOCKER=1): %v", err)
		}
		t.Skipf("no Docker engine (scripts/docker-up.sh starts one): %v", err)
	}
	gens, err := selectGenerations()
	if err != nil {
		t.Fatal(err)
	}
	m := theMatrix
	matrixRan = true
	imagesEnv := readImagesEnv()
	var present []genImage
	missing := map[string]string{}
	for _, g := range gens {
		ref := imageRef(g, imagesEnv)
		if de.imagePresent(ctx, ref) {
			present = append(present, genImage{g, ref})
			m.Header = append(m.Header, fmt.Sprintf("generation %s (nacos-client %s, %s): image `%s`", g.Name, g.Client, proto(g.GRPC), ref))
			continue
		}
		missing[g.Name] = fmt.Sprintf("image %s is not built (scripts/build-images.sh builds it)", ref)
		if require {
			t.Errorf("generation %s: image %s missing (MOCKNACOS_REQUIRE_DOCKER=1)", g.Name, ref)
		}
	}
	m.Header = append(m.Header,
		"mock: mocknacos in the test process (mocknacos.New, real-time clock, WithAuth(\"nacos\", \"nacos\")), answering as Nacos 2.4.x; apps reach it on 127.0.0.1 (host networking)",
		"1.x beat expiry on the mock is reached with srv.Advance(16 s) and srv.Advance(15 s), not waited for; real servers are waited for (bounded)",
		"the traffic of HTTP (1.x client) providers is recorded by a reverse proxy in the test process, for the mock and the real servers alike; gRPC traffic is read from the mock's journal only")
	images := strings.Fields(os.Getenv("NACOS_IMAGES"))
	if len(images) == 0 {
		m.Header = append(m.Header, noRealImage)
	}

	mockCol := &Column{ID: "mock", Title: "mock"}
	m.Columns = append(m.Columns, mockCol)
	runColumn(t, ctx, de, mockCol, present, func(t *testing.T) (server, error) { return startMock(t, mocknacos.Nacos2) })

	// A real server of another generation is compared with the mock in
	// that generation's mode: 1.x with mock-1.4, 3.x with mock-3.0.
	otherGens := map[mocknacos.ServerVersion]bool{}
	for _, img := range images {
		col := &Column{ID: img, Title: img, Ref: "mock"}
		m.Columns = append(m.Columns, col)
		srv := runColumn(t, ctx, de, col, present, func(t *testing.T) (server, error) {
			r, err := startReal(ctx, t, img)
			if err != nil {
				return nil, err
			}
			col.Notes = append(col.Notes, fmt.Sprintf("Nacos %s; started in %s (container start to readiness); nacos user %s; tokens honoured %s after that (the server's user and role caches)",
				r.version, r.startup.Round(100*time.Millisecond), r.admin, round(r.authorizedAfter)))
			m.Timing("%s: server startup %s (container start to /nacos/v1/console/health/readiness 200)", img, r.startup.Round(100*time.Millisecond))
			return r, nil
		})
		if srv != nil && srv.Generation() != mocknacos.Nacos2 {
			col.Ref = "mock-" + string(srv.Generation())
			otherGens[srv.Generation()] = true
		}
	}
	pos := 1 // the mock columns first
	for _, gen := range []mocknacos.ServerVersion{mocknacos.Nacos1, mocknacos.Nacos3} {
		if !otherGens[gen] {
			continue
		}
		col := &Column{ID: "mock-" + string(gen), Title: "mock (" + string(gen) + " mode)"}
		m.Columns = slices.Insert(m.Columns, pos, col)
		pos++
		runColumn(t, ctx, de, col, present, func(t *testing.T) (server, error) { return startMock(t, gen) })
	}
	for _, g := range gens {
		if why, ok := missing[g.Name]; ok {
			for _, col := range m.Columns {
				for _, sc := range genScenarios {
					c := m.Cell(Row{g.Name, sc}, col.ID)
					c.Status, c.Reason = Skipped, why
				}
			}
		}
	}
	m.Finish()
	for _, f := range m.Failed() {
		t.Errorf("fail: %s (details in the matrix)", f)
	}
}

func proto(grpc bool) string {
	if grpc {
		return "gRPC"
	}
	return "HTTP + beats"
}

// run is one column's server and the helpers its scenarios share.
type run struct {
	t   *testing.T
	ctx context.Context
	de  *dockerEnv
	m   *Matrix
	col *Column
	srv server
}

// runColumn starts a column's server, runs every generation's scenarios,
// then the cross-generation and restart scenarios, and stops the server.
func runColumn(t *testing.T, ctx context.Context, de *dockerEnv, col *Column, gens []genImage, start func(*testing.T) (server, error)) server {
	var srv server
	t.Run(slug(col.ID), func(t *testing.T) {
		t0 := time.Now()
		progress("%s: starting the server", col.Title)
		var err error
		srv, err = start(t)
		if err != nil {
			col.Skip = "the server did not start: " + firstLine(err.Error())
			t.Errorf("%s: %v", col.Title, err)
			srv = nil
			return
		}
		col.Version = srv.Version()
		if srv.Mock() == nil {
			col.Title = fmt.Sprintf("%s (%s)", col.ID, srv.Version())
		}
		r := &run{t: t, ctx: ctx, de: de, m: theMatrix, col: col, srv: srv}
		for _, g := range gens {
			t1 := time.Now()
			if !r.generation(g) {
				continue
			}
			r.m.Timing("%s / %s: scenarios took %s", col.Title, g.Name, time.Since(t1).Round(100*time.Millisecond))
		}
		t1 := time.Now()
		r.otherClients()
		r.m.Timing("%s / Python and Node clients: %s", col.Title, time.Since(t1).Round(100*time.Millisecond))
		t1 = time.Now()
		r.crossAndRestart(gens)
		r.m.Timing("%s / cross-generation and restart: %s", col.Title, time.Since(t1).Round(100*time.Millisecond))
		r.m.Timing("%s: column took %s", col.Title, time.Since(t0).Round(time.Second))
	})
	return srv
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[compat %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func (r *run) cell(group, scenario string) *Cell { return r.m.Cell(Row{group, scenario}, r.col.ID) }

func (r *run) logf(format string, args ...any) {
	progress("%s: %s", r.col.Title, fmt.Sprintf(format, args...))
}

// roles maps the run's ports to names for normalise.
func (r *run) roles(apps map[int]string) map[int]string {
	out := map[int]string{r.srv.Port(): "<nacos>", r.srv.Port() + 1000: "<nacos-grpc>"}
	for p, n := range apps {
		out[p] = n
	}
	return out
}

// app is a sample app in a container.
type app struct {
	*box
	port    int
	startup time.Duration
	proxy   *recorder // the recording proxy an HTTP provider talks through
}

// startApp runs kind (sample-service or sample-consumer) of generation g
// on port, pointed at the column's server (through a recording proxy for
// an HTTP provider), and waits until it answers HTTP.
func (r *run) startApp(g genImage, kind, role string, port int, env map[string]string, args ...string) (*app, error) {
	a := &app{port: port}
	nacosPort := r.srv.Port()
	if kind == "sample-service" && !g.GRPC {
		a.proxy = startRecorder(r.t, r.srv.Port())
		nacosPort = a.proxy.Port
	}
	e := map[string]string{
		"SERVER_PORT": itoa(port), "NACOS_SERVER_ADDR": "127.0.0.1:" + itoa(nacosPort),
		"NACOS_USERNAME": "nacos", "NACOS_PASSWORD": "nacos",
	}
	for k, v := range env {
		e[k] = v
	}
	name := fmt.Sprintf("compat-%s-%s-%s-%d", slug(r.col.ID), slug(g.Name), role, port)
	t0 := time.Now()
	b, err := runBox(r.ctx, r.t, name, g.Ref, testcontainers.WithEnv(e), testcontainers.WithCmd(append([]string{kind}, args...)...))
	a.box = b
	if err != nil {
		return a, err
	}
	if err := b.waitHTTP(r.ctx, fmt.Sprintf("http://127.0.0.1:%d/", port), 3*time.Minute); err != nil {
		return a, err
	}
	a.startup = time.Since(t0)
	r.m.Timing("%s / %s: %s (%s) up in %s", r.col.Title, g.Name, kind, role, a.startup.Round(100*time.Millisecond))
	r.logf("%s %s %s up on :%d in %s", g.Name, kind, role, port, a.startup.Round(100*time.Millisecond))
	return a, nil
}

// startProvider starts sample-service as service svc with the metadata
// compat-role=role and the extra Spring arguments.
func (r *run) startProvider(g genImage, svc, role string, port int, args ...string) (*app, error) {
	args = append([]string{"--spring.cloud.nacos.discovery.metadata.compat-role=" + role}, args...)
	return r.startApp(g, "sample-service", "provider-"+role, port, map[string]string{"APP_NAME": svc}, args...)
}

// upAndListed starts a provider and waits until the server's list of svc
// satisfies listed; a failure is a problem of c.
func (r *run) upAndListed(c *Cell, g genImage, svc, role string, port int, listed func(map[string]any) bool, args ...string) (*app, map[string]any, bool) {
	a, err := r.startProvider(g, svc, role, port, args...)
	if err != nil {
		c.problem("provider %s did not start: %v", role, err)
		return a, nil, false
	}
	l, took, err := r.waitList(svc, time.Minute, listed)
	if err != nil {
		c.problem("provider %s not registered: %v", role, err)
		return a, nil, false
	}
	c.Notes = append(c.Notes, "provider "+role+" listed "+round(took)+" after it answered HTTP")
	return a, l, true
}

// startConsumer starts sample-consumer looking for svc.
func (r *run) startConsumer(g genImage, svc, role string, port int) (*app, error) {
	return r.startApp(g, "sample-consumer", role, port, map[string]string{"APP_NAME": svc + "-consumer", "TARGET_SERVICE": svc})
}

// waitList polls the column server's instance list of svc until ok holds.
func (r *run) waitList(svc string, timeout time.Duration, ok func(map[string]any) bool) (map[string]any, time.Duration, error) {
	return waitListAPI(r.ctx, r.srv.API(), svc, timeout, ok)
}

// waitListAPI polls api's instance list of svc until ok holds.
func waitListAPI(ctx context.Context, api *nacosAPI, svc string, timeout time.Duration, ok func(map[string]any) bool) (map[string]any, time.Duration, error) {
	return pollList(func() (map[string]any, error) { return api.list(ctx, svc) }, timeout, 250*time.Millisecond, ok)
}

// pollList calls read every interval until what it read satisfies ok, or
// timeout has passed; it returns the last answer and the time taken.
func pollList(read func() (map[string]any, error), timeout, interval time.Duration, ok func(map[string]any) bool) (map[string]any, time.Duration, error) {
	t0 := time.Now()
	var last map[string]any
	var lastErr error
	for {
		l, err := read()
		if err == nil {
			last, lastErr = l, nil
			if ok(l) {
				return l, time.Since(t0), nil
			}
		} else {
			lastErr = err
		}
		if time.Since(t0) > timeout {
			if lastErr != nil {
				return last, time.Since(t0), fmt.Errorf("after %v: %v", timeout, lastErr)
			}
			b, _ := json.Marshal(last)
			return last, time.Since(t0), fmt.Errorf("not within %v; last answer %s", timeout, b)
		}
		time.Sleep(interval)
	}
}

// consumerView is GET /instances of a consumer.
func consumerView(port int) (map[string]any, error) {
	st, body, err := getBody(fmt.Sprintf("http://127.0.0.1:%d/instances", port))
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if st != 200 || json.Unmarshal(body, &v) != nil {
		return nil, fmt.Errorf("/instances: %d %s", st, body)
	}
	return v, nil
}

// waitConsumer polls a consumer until it reports n instances.
func (r *run) waitConsumer(port, n int, timeout time.Duration) (map[string]any, time.Duration, error) {
	t0 := time.Now()
	for {
		v, err := consumerView(port)
		if err == nil && count(v) == n {
			return v, time.Since(t0), nil
		}
		if time.Since(t0) > timeout {
			b, _ := json.Marshal(v)
			return v, time.Since(t0), fmt.Errorf("consumer did not report %d instances within %v (last: %s %v)", n, timeout, b, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func count(v map[string]any) int {
	n, _ := v["count"].(float64)
	return int(n)
}

// consumerInstance is the reported instance on port, or nil.
func consumerInstance(v map[string]any, port int) map[string]any {
	arr, _ := v["instances"].([]any)
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			if p, _ := m["port"].(float64); int(p) == port {
				return m
			}
		}
	}
	return nil
}

// expectInstance checks a host of the server's list against what Spring
// Cloud Alibaba registers from the properties the suite set.
func expectInstance(c *Cell, who string, h map[string]any, port int, weight float64, cluster string, meta map[string]string) {
	if h == nil {
		c.problem("%s: not in the server's instance list", who)
		return
	}
	want := map[string]any{"ip": "127.0.0.1", "port": float64(port), "weight": weight, "clusterName": cluster,
		"healthy": true, "enabled": true, "ephemeral": true}
	for k, v := range want {
		if h[k] != v {
			c.problem("%s: %s is %v, want %v", who, k, h[k], v)
		}
	}
	md, _ := h["metadata"].(map[string]any)
	meta = merged(meta, map[string]string{"preserved.register.source": "SPRING_CLOUD"})
	for k, v := range meta {
		if md[k] != v {
			c.problem("%s: metadata %s is %v, want %q", who, k, md[k], v)
		}
	}
}

// expectSeen checks an instance as a consumer reports it.
func expectSeen(c *Cell, who string, v map[string]any, svc string, port int, meta map[string]string) {
	in := consumerInstance(v, port)
	if in == nil {
		c.problem("%s: the consumer does not report port %d", who, port)
		return
	}
	if in["host"] != "127.0.0.1" || in["serviceId"] != svc {
		c.problem("%s: the consumer reports host %v, serviceId %v; want 127.0.0.1, %s", who, in["host"], in["serviceId"], svc)
	}
	md, _ := in["metadata"].(map[string]any)
	for k, want := range meta {
		if md[k] != want {
			c.problem("%s: the consumer reports metadata %s=%v, want %q", who, k, md[k], want)
		}
	}
}

// merged is a copy of a with b's entries added.
func merged[K comparable, V any](a, b map[K]V) map[K]V {
	out := map[K]V{}
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

func round(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// generation runs the scenarios of one generation against the column's
// server, in sequence, on one provider pair and one consumer; false when
// they cannot apply (n/a).
func (r *run) generation(g genImage) bool {
	if g.GRPC && r.srv.V1() {
		for _, sc := range genScenarios {
			c := r.cell(g.Name, sc)
			c.Status, c.Reason = NA, "a gRPC client needs a 2.x server"
		}
		return false
	}
	r.scenarios(g)
	return true
}

func (r *run) scenarios(g genImage) {
	skipFrom := func(sc, why string) {
		for _, s := range genScenarios[slices.Index(genScenarios, sc):] {
			c := r.cell(g.Name, s)
			if c.Status == Pass && len(c.Problems) == 0 && c.Obs == nil {
				c.Status, c.Reason = Skipped, why
			}
		}
	}
	svc := "compat-" + slug(g.Name)
	pa, pb, pc := freePort(), freePort(), freePort()
	roles := r.roles(map[int]string{pa: "<provider-a>", pb: "<provider-b>", pc: "<consumer>"})
	r.logf("%s: scenarios on service %s", g.Name, svc)

	// The provider registers with the fields Spring sets by default.
	c := r.cell(g.Name, scRegister)
	a, list, ok := r.upAndListed(c, g, svc, "a", pa, func(l map[string]any) bool { return host(l, pa) != nil })
	defer a.terminate()
	if !ok {
		skipFrom(scSecond, "provider A did not start or register")
		return
	}
	expectInstance(c, "provider A", host(list, pa), pa, 1, "DEFAULT", map[string]string{"compat-role": "a"})
	c.Obs = normalise(obsList, list, roles)

	// A second instance with metadata, weight and cluster from Spring.
	c = r.cell(g.Name, scSecond)
	b, list, ok := r.upAndListed(c, g, svc, "b", pb, func(l map[string]any) bool { return host(l, pa) != nil && host(l, pb) != nil },
		"--spring.cloud.nacos.discovery.weight=2", "--spring.cloud.nacos.discovery.cluster-name=east", "--spring.cloud.nacos.discovery.metadata.zone=z1")
	defer b.terminate()
	if !ok {
		skipFrom(scConsumer, "provider B did not start or register")
		return
	}
	expectInstance(c, "provider B", host(list, pb), pb, 2, "east", map[string]string{"compat-role": "b", "zone": "z1"})
	expectInstance(c, "provider A", host(list, pa), pa, 1, "DEFAULT", map[string]string{"compat-role": "a"})
	c.Obs = normalise(obsList, list, roles)

	// The consumer sees both.
	c = r.cell(g.Name, scConsumer)
	cons, err := r.startConsumer(g, svc, "consumer", pc)
	if err != nil {
		c.problem("consumer did not start: %v", err)
		skipFrom(scGraceful, "the consumer did not start")
		return
	}
	defer cons.terminate()
	view, _, err := r.waitConsumer(pc, 2, time.Minute)
	if err != nil {
		c.problem("%v", err)
	}
	expectSeen(c, "provider A", view, svc, pa, map[string]string{"compat-role": "a"})
	expectSeen(c, "provider B", view, svc, pb, map[string]string{"compat-role": "b", "zone": "z1"})
	c.Obs = normalise(obsConsumer, view, roles)

	// A graceful stop deregisters.
	c = r.cell(g.Name, scGraceful)
	stopTimeout := 30 * time.Second
	t0 := time.Now()
	if err := b.c.Stop(r.ctx, &stopTimeout); err != nil {
		c.problem("docker stop of provider B: %v", err)
	}
	list, _, err = r.waitList(svc, 30*time.Second, func(l map[string]any) bool { return host(l, pb) == nil })
	if err != nil {
		c.problem("provider B still listed after SIGTERM: %v", err)
	} else {
		c.Notes = append(c.Notes, "gone "+round(time.Since(t0))+" after SIGTERM")
	}
	if host(list, pa) == nil {
		c.problem("provider A disappeared with B")
	}
	view, _, err = r.waitConsumer(pc, 1, 30*time.Second)
	if err != nil {
		c.problem("%v", err)
	}
	r.expectDeregisterTraffic(c, g, svc, b)
	c.Obs = map[string]any{"list": normalise(obsList, list, roles), "consumer": normalise(obsConsumer, view, roles)}

	// The 1.x beat cadence, before A is killed.
	c = r.cell(g.Name, scCadence)
	if g.GRPC {
		c.Status, c.Reason = NA, "a gRPC client does not beat (its connection keeps the instance)"
	} else {
		r.cadence(c, a)
	}

	// SIGKILL: no deregistration; the server finds out.
	r.kill(g, svc, a, pa, pc, roles)

	// What the server received from the providers.
	r.traffic(g, svc, a, b, roles)

	// Config and auth (issue 5).
	cons.terminate()
	r.config(g, svc)
}

// expectDeregisterTraffic checks that provider b sent a deregistration: as
// the recording proxy saw it (HTTP) or in the mock's journal (gRPC).
func (r *run) expectDeregisterTraffic(c *Cell, g genImage, svc string, b *app) {
	if b.proxy != nil {
		ok := false
		for _, x := range b.proxy.find("DELETE", "/nacos/v1/ns/instance") {
			ok = ok || x.Status == 200
		}
		if !ok {
			c.problem("provider B sent no successful DELETE /nacos/v1/ns/instance")
		}
		return
	}
	if m := r.srv.Mock(); m != nil {
		if m.Count(mocknacos.Query{Kind: mocknacos.KindDeregister, Service: svc, Port: b.port}) == 0 {
			c.problem("the mock's journal has no deregistration of provider B")
		}
	}
}

// cadence measures the beat interval of an HTTP provider from the requests
// its recording proxy saw (and, on the mock, from the journal too).
func (r *run) cadence(c *Cell, a *app) {
	deadline := time.Now().Add(30 * time.Second)
	for len(a.proxy.find("PUT", "/nacos/v1/ns/instance/beat")) < 5 && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	var at []time.Time
	for _, x := range a.proxy.find("PUT", "/nacos/v1/ns/instance/beat") {
		at = append(at, x.At)
	}
	med, n := medianInterval(at)
	if n < 3 {
		c.problem("only %d beat intervals recorded", n)
		return
	}
	if med < 4*time.Second || med > 6*time.Second {
		c.problem("median beat interval %v over %d beats, want 5 s ± 1 s", med, n+1)
	}
	c.Notes = append(c.Notes, fmt.Sprintf("median %s over %d beats", round(med), n+1))
	if m := r.srv.Mock(); m != nil {
		var jat []time.Time
		for _, e := range m.Find(mocknacos.Query{Kind: mocknacos.KindBeat, Port: a.port}) {
			jat = append(jat, e.WallTime)
		}
		jmed, jn := medianInterval(jat)
		if jn+1 < len(at)-1 || jmed < 4*time.Second || jmed > 6*time.Second {
			c.problem("the journal has %d beats (median interval %v); the proxy saw %d", jn+1, jmed, len(at))
		}
	}
	c.Obs = map[string]any{"median beat interval (s, rounded)": math.Round(med.Seconds())}
}

func medianInterval(at []time.Time) (time.Duration, int) {
	if len(at) < 2 {
		return 0, 0
	}
	var d []time.Duration
	for i := 1; i < len(at); i++ {
		d = append(d, at[i].Sub(at[i-1]))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2], len(d)
}

// kill SIGKILLs provider A and follows what the server and the consumer
// make of it.
func (r *run) kill(g genImage, svc string, a *app, pa, pc int, roles map[int]string) {
	c := r.cell(g.Name, scKill)
	t0 := time.Now()
	if err := r.de.kill(r.ctx, a.c.GetContainerID()); err != nil {
		c.problem("docker kill: %v", err)
		return
	}
	for i := 0; i < 40 && a.running(r.ctx); i++ {
		time.Sleep(250 * time.Millisecond)
	}
	gone := func(l map[string]any) bool { return host(l, pa) == nil }
	mock := r.srv.Mock()
	if g.GRPC {
		list := r.awaitList(c, svc, 45*time.Second, gone, "removed", t0)
		view := r.awaitConsumer(c, pc, 0, 30*time.Second)
		c.Obs = map[string]any{"removed": normalise(obsList, list, roles), "consumer": normalise(obsConsumer, view, roles)}
		return
	}
	// On a 1.x server the list keeps showing a lone unhealthy instance as
	// healthy (protect threshold), so health is read from the detail.
	var d1 any
	if mock != nil {
		// The mock's clock skips the 15 s and 30 s.
		mock.Advance(16 * time.Second)
		d1 = r.awaitUnhealthy(c, svc, pa, 5*time.Second, time.Time{})
		c.Notes = append(c.Notes, "mock clock advanced 16 s, then 15 s")
		mock.Advance(15 * time.Second)
	} else {
		d1 = r.awaitUnhealthy(c, svc, pa, 60*time.Second, t0)
	}
	var l2 map[string]any
	if mock != nil {
		l2 = r.awaitList(c, svc, 5*time.Second, gone, "removed after Advance(15s) more", time.Time{})
	} else {
		l2 = r.awaitList(c, svc, 90*time.Second, gone, "removed", t0)
	}
	view := r.awaitConsumer(c, pc, 0, 30*time.Second)
	c.Obs = map[string]any{"unhealthy (instance detail)": normalise(obsDetail, d1, roles), "removed": normalise(obsList, l2, roles),
		"consumer": normalise(obsConsumer, view, roles)}
}

// awaitUnhealthy waits until the instance detail of port says healthy
// false; not in time, it is a problem of c.
func (r *run) awaitUnhealthy(c *Cell, svc string, port int, timeout time.Duration, since time.Time) map[string]any {
	t0 := time.Now()
	var last map[string]any
	var err error
	for time.Since(t0) < timeout {
		if last, err = r.srv.API().instance(r.ctx, svc, port); err == nil && last["healthy"] == false {
			if !since.IsZero() {
				c.Notes = append(c.Notes, "unhealthy "+round(time.Since(since))+" after SIGKILL")
			}
			return last
		}
		time.Sleep(250 * time.Millisecond)
	}
	c.problem("provider A not unhealthy within %v (instance detail %v, %v)", timeout, last, err)
	return last
}

// awaitList waits until cond holds for svc's list; not in time, it is a
// problem of c ("provider A not <what>"); in time, with since set, a note
// says how long after since it took.
func (r *run) awaitList(c *Cell, svc string, timeout time.Duration, cond func(map[string]any) bool, what string, since time.Time) map[string]any {
	l, _, err := r.waitList(svc, timeout, cond)
	if err != nil {
		c.problem("provider A not %s: %v", what, err)
	} else if !since.IsZero() {
		c.Notes = append(c.Notes, what+" "+round(time.Since(since))+" after SIGKILL")
	}
	return l
}

// awaitConsumer waits until the consumer on port reports n instances; not
// in time, it is a problem of c.
func (r *run) awaitConsumer(c *Cell, port, n int, timeout time.Duration) map[string]any {
	v, _, err := r.waitConsumer(port, n, timeout)
	if err != nil {
		c.problem("%v", err)
	}
	return v
}

// traffic summarises what the providers sent: for HTTP providers, every
// method and path with its statuses and first successful answer, as the
// recording proxies saw them; for gRPC providers on the mock, the kinds of
// the journal's events for the service.
func (r *run) traffic(g genImage, svc string, a, b *app, roles map[int]string) {
	c := r.cell(g.Name, scTraffic)
	if a.proxy == nil {
		m := r.srv.Mock()
		if m == nil {
			c.Status, c.Reason = Skipped, "a real server's gRPC traffic is not recorded (the suite has no decoding gRPC proxy); the mock column checks its journal"
			return
		}
		kinds := map[string]bool{}
		for _, e := range m.Find(mocknacos.Query{Service: svc}) {
			kinds[e.Protocol+" "+string(e.Kind)] = true
		}
		for _, k := range []string{"grpc register", "grpc deregister", "grpc subscribe"} {
			if !kinds[k] {
				c.problem("the journal has no %q event for %s", k, svc)
			}
		}
		if m.Count(mocknacos.Query{Kind: mocknacos.KindRegister, Protocol: mocknacos.ProtocolGRPC, Service: svc, Port: a.port}) == 0 {
			c.problem("the journal has no gRPC registration of provider A")
		}
		c.Notes = append(c.Notes, "journal only: "+strings.Join(sortedKeys(kinds), ", "))
		return
	}
	summary := map[string]map[string]any{}
	for _, p := range []*app{a, b} {
		for _, x := range p.proxy.all() {
			k := x.Method + " " + x.Path
			s := summary[k]
			if s == nil {
				s = map[string]any{"statuses": []any{}, "count": 0}
				summary[k] = s
			}
			st := float64(x.Status)
			if !slices.Contains(s["statuses"].([]any), any(st)) {
				s["statuses"] = append(s["statuses"].([]any), st)
			}
			s["count"] = s["count"].(int) + 1
			if _, ok := s["body"]; !ok && x.Status == 200 {
				var v any
				if json.Unmarshal(x.Body, &v) != nil {
					v = strings.TrimSpace(string(x.Body))
				}
				s["body"] = v
			}
		}
	}
	for _, k := range []string{"POST /nacos/v1/ns/instance", "PUT /nacos/v1/ns/instance/beat", "DELETE /nacos/v1/ns/instance"} {
		if s := summary[k]; s == nil || !slices.Contains(s["statuses"].([]any), any(float64(200))) {
			c.problem("no %s answered 200", k)
		}
	}
	if m := r.srv.Mock(); m != nil {
		// Every proxied beat of A is in the journal too.
		if got, sent := m.Count(mocknacos.Query{Kind: mocknacos.KindBeat, Port: a.port}), len(a.proxy.find("PUT", "/nacos/v1/ns/instance/beat")); got < sent {
			c.problem("the journal has %d beats of provider A, the proxy passed %d", got, sent)
		}
	}
	c.Obs = normalise(obsTraffic, summary, roles)
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// config: the app imports ${spring.application.name}.properties from Nacos
// config at startup (NACOS_CONFIG_ENABLED=true, auth on) and answers GET
// /config with sample.greeting, refreshed at run time.
func (r *run) config(g genImage, svc string) {
	c := r.cell(g.Name, scConfig)
	name := svc + "-config"
	dataID := name + ".properties"
	api := r.srv.API()
	if err := api.publish(r.ctx, dataID, "sample.greeting=hello-1"); err != nil {
		c.problem("publish hello-1: %v", err)
		return
	}
	port := freePort()
	a, err := r.startApp(g, "sample-service", "config", port, map[string]string{"APP_NAME": name, "NACOS_CONFIG_ENABLED": "true"},
		"--spring.cloud.nacos.discovery.metadata.compat-role=config")
	if err != nil {
		c.problem("the app did not start: %v", err)
		return
	}
	defer a.terminate()
	url := fmt.Sprintf("http://127.0.0.1:%d/config", port)
	greeting := func() (string, int, error) {
		st, body, err := getBody(url)
		if err != nil || st != 200 {
			return "", st, fmt.Errorf("GET /config: %d %s %v", st, body, err)
		}
		var v struct {
			Greeting string `json:"greeting"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return "", st, fmt.Errorf("GET /config: %v: %s", err, body)
		}
		return v.Greeting, st, nil
	}
	first, st, err := greeting()
	if st == 404 {
		c.Status, c.Reason = Skipped, "the image has no GET /config yet (javaapps/sca config support not in this build; scripts/build-images.sh rebuilds it)"
		return
	}
	if err != nil {
		c.problem("%v", err)
		return
	}
	if first != "hello-1" {
		c.problem("at startup the app read sample.greeting=%q, want hello-1", first)
	}
	t0 := time.Now()
	if err := api.publish(r.ctx, dataID, "sample.greeting=hello-2"); err != nil {
		c.problem("publish hello-2: %v", err)
		return
	}
	after := ""
	for time.Since(t0) < 45*time.Second {
		if after, _, _ = greeting(); after == "hello-2" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after != "hello-2" {
		c.problem("45 s after publishing hello-2 the app still says %q", after)
	} else {
		c.Notes = append(c.Notes, "change seen "+round(time.Since(t0))+" after the publish")
		r.m.Timing("%s / %s: config change seen by the app %s after POST /nacos/v1/cs/configs", r.col.Title, g.Name, round(time.Since(t0)))
	}
	c.Obs = map[string]any{"at startup": first, "after the change": after}
}

// crossAndRestart runs a consumer of one generation against a provider of
// another (the first HTTP and the last gRPC generation, both ways), then
// restarts the server and times how long each provider takes to be
// registered again.
func (r *run) crossAndRestart(gens []genImage) {
	var httpGen, grpcGen *genImage
	for i := range gens {
		if !gens[i].GRPC && httpGen == nil {
			httpGen = &gens[i]
		}
		if gens[i].GRPC {
			grpcGen = &gens[i]
		}
	}
	if httpGen == nil || grpcGen == nil {
		c := r.cell(groupCross, "consumer and provider of different generations")
		c.Status, c.Reason = Skipped, "needs an HTTP and a gRPC generation"
		if httpGen == nil && grpcGen == nil {
			return
		}
	}
	var sc1, sc2 string
	if httpGen != nil && grpcGen != nil {
		sc1 = fmt.Sprintf("%s consumer sees a %s provider", httpGen.Name, grpcGen.Name)
		sc2 = fmt.Sprintf("%s consumer sees a %s provider", grpcGen.Name, httpGen.Name)
	}
	grpcOK := grpcGen != nil && !r.srv.V1()
	if sc1 != "" {
		r.cell(groupCross, sc1) // the cross rows come before the restart rows
		r.cell(groupCross, sc2)
	}
	if sc1 != "" && !grpcOK {
		for _, sc := range []string{sc1, sc2} {
			c := r.cell(groupCross, sc)
			c.Status, c.Reason = NA, "a gRPC client needs a 2.x server"
		}
	}
	type prov struct {
		g     *genImage
		svc   string
		port  int
		app   *app
		row   string
		roles map[int]string
	}
	var provs []*prov
	if httpGen != nil {
		provs = append(provs, &prov{g: httpGen, svc: "compat-cross-http", row: fmt.Sprintf("HTTP provider (%s) registered again", httpGen.Name)})
	}
	if grpcGen != nil {
		p := &prov{g: grpcGen, svc: "compat-cross-grpc", row: fmt.Sprintf("gRPC provider (%s) registered again", grpcGen.Name)}
		if grpcOK {
			provs = append(provs, p)
		} else {
			c := r.cell(groupRestart, p.row)
			c.Status, c.Reason = NA, "a gRPC client needs a 2.x server"
		}
	}
	for _, p := range provs {
		p.port = freePort()
		p.roles = r.roles(map[int]string{p.port: "<provider>"})
		a, _, ok := r.upAndListed(r.cell(groupRestart, p.row), *p.g, p.svc, "cross", p.port,
			func(l map[string]any) bool { return host(l, p.port) != nil })
		defer a.terminate()
		if ok {
			p.app = a
		}
	}
	byGen := func(g *genImage) *prov {
		for _, p := range provs {
			if p.g == g && p.app != nil {
				return p
			}
		}
		return nil
	}
	if sc1 != "" && grpcOK {
		for _, pair := range []struct {
			sc   string
			cg   *genImage
			prov *prov
		}{{sc1, httpGen, byGen(grpcGen)}, {sc2, grpcGen, byGen(httpGen)}} {
			c := r.cell(groupCross, pair.sc)
			if pair.prov == nil {
				c.Status, c.Reason = Skipped, "the provider did not start"
				continue
			}
			port := freePort()
			cons, err := r.startConsumer(*pair.cg, pair.prov.svc, "cross-consumer", port)
			if err != nil {
				c.problem("consumer did not start: %v", err)
				continue
			}
			view, _, err := r.waitConsumer(port, 1, time.Minute)
			if err != nil {
				c.problem("%v", err)
			}
			expectSeen(c, "the provider", view, pair.prov.svc, pair.prov.port, map[string]string{"compat-role": "cross"})
			c.Obs = normalise(obsConsumer, view, merged(pair.prov.roles, map[int]string{port: "<consumer>"}))
			cons.terminate()
		}
	}

	// Restart the server; each provider must come back.
	var live []*prov
	before := map[*prov]any{}
	for _, p := range provs {
		if p.app != nil {
			l, err := r.srv.API().list(r.ctx, p.svc)
			if err == nil {
				before[p] = normalise(obsList, l, p.roles)
				live = append(live, p)
			}
		}
	}
	if len(live) == 0 {
		return
	}
	// A config published before the restart: does it survive it? (A real
	// server keeps it in its embedded database, in the container's file
	// system, which a container restart keeps.)
	kept := r.cell(groupRestart, "users and configs kept")
	const marker = "compat-restart-marker.properties"
	if err := r.srv.API().publish(r.ctx, marker, "kept=yes"); err != nil {
		kept.problem("publish before the restart: %v", err)
	}
	r.logf("restarting the server")
	t0 := time.Now()
	back, err := r.srv.Restart(r.ctx)
	if err != nil {
		for _, p := range live {
			r.cell(groupRestart, p.row).problem("server restart: %v", err)
		}
		return
	}
	r.m.Timing("%s: server restart took %s (stop to serving again: readiness, then a token honoured)", r.col.Title, round(back))
	// Connections kept alive across the restart are dead now.
	r.srv.API().hc.CloseIdleConnections()
	// Poll every provider in one loop, so that each one's time is its own.
	backAt := map[*prov]time.Duration{}
	lists := map[*prov]map[string]any{}
	for len(backAt) < len(live) && time.Since(t0) < back+2*time.Minute {
		for _, p := range live {
			if _, ok := backAt[p]; ok {
				continue
			}
			if l, err := r.srv.API().list(r.ctx, p.svc); err == nil {
				if h := host(l, p.port); h != nil && h["healthy"] == true {
					backAt[p], lists[p] = time.Since(t0), l
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range live {
		c := r.cell(groupRestart, p.row)
		since, ok := backAt[p]
		if !ok {
			c.problem("not registered again within %v after the server served again", 2*time.Minute)
			continue
		}
		c.Notes = append(c.Notes, fmt.Sprintf("back %s after the restart began, %s after the server served again", round(since), round(since-back)))
		r.m.Timing("%s / %s: registered again %s after the restart began, %s after the server served again", r.col.Title, p.g.Name, round(since), round(since-back))
		after := normalise(obsList, lists[p], p.roles)
		if d := cmp.Diff(before[p], after); d != "" {
			c.problem("the instance differs from before the restart (-before +after):\n%s", d)
		}
		c.Obs = after
	}
	loginOK := r.srv.API().login(r.ctx) == nil
	content, err := r.srv.API().config(r.ctx, marker)
	if !loginOK {
		kept.problem("nacos/nacos cannot log in after the restart (the user was lost)")
	}
	if err != nil || content != "kept=yes" {
		kept.problem("the config published before the restart reads %q after it (%v)", content, err)
	}
	kept.Obs = map[string]any{"nacos user logs in": loginOK, "config content": content}
}
