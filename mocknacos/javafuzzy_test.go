package mocknacos_test

// Fuzzy watch with the real Java nacos-client 3.1.1 against the 3.0 mode
// (io.mocknacos.namingclient.FuzzyMain, built by the nacos3 profile). The
// same program against a real 3.0.3, with the same services and configs
// made over HTTP, printed the same lines in the same order: the init
// notifications of the existing service and config, "watched" with both
// keys, then ADD_SERVICE, ADD_CONFIG, DELETE_CONFIG and DELETE_SERVICE
// (FUZZY_WATCH_RESOURCE_CHANGED) for the ones added and removed.

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mocknacos/mocknacos/internal/clientproc"
	"github.com/mocknacos/mocknacos/mocknacos"
)

type fuzzyLine struct {
	Event      string   `json:"event"`
	Group      string   `json:"group"`
	Service    string   `json:"service"`
	DataID     string   `json:"dataId"`
	ChangeType string   `json:"changeType"`
	SyncType   string   `json:"syncType"`
	Services   []string `json:"services"`
	Configs    []string `json:"configs"`
}

func decodeFuzzy(t *testing.T, e clientproc.Event) fuzzyLine {
	t.Helper()
	var l fuzzyLine
	require.NoError(t, json.Unmarshal([]byte(e.Raw), &l), e.Raw)
	return l
}

func TestJavaFuzzyWatch(t *testing.T) {
	jar := javaClient3x.jarPath(t)
	srv := mocknacos.Start(t, mocknacos.WithServerVersion(mocknacos.Nacos3))
	dumpJournalOnFailure(t, srv)
	hreq{method: "POST", path: "/v1/ns/instance?serviceName=fz-a&groupName=FZ&ip=10.0.0.1&port=80&ephemeral=false"}.mustOK(t, srv)
	hreq{method: "POST", path: "/v1/cs/configs", form: "dataId=fz.yaml&group=FZ&content=a"}.mustOK(t, srv)

	c := startJavaProgram(t, "fuzzy-client", "-cp", jar, "io.mocknacos.namingclient.FuzzyMain", srv.Addr(), "FZ")
	w := c.Await(t, 0, "watched", func(e clientproc.Event) bool { return e.Event == "watched" || e.Event == "error" })
	watched := decodeFuzzy(t, w)
	require.Equal(t, "watched", watched.Event, w.Raw)
	assert.Equal(t, []string{"public@@FZ@@fz-a"}, watched.Services)
	assert.Equal(t, []string{"fz.yaml+FZ+public"}, watched.Configs)
	for _, kind := range []string{"naming", "config"} {
		// The watchers' callbacks run on the client's own threads: an init
		// event may be printed after "watched" (seen once for config).
		e := c.Await(t, 0, kind+" init event", func(e clientproc.Event) bool { return e.Event == kind })
		l := decodeFuzzy(t, e)
		assert.Equal(t, "FUZZY_WATCH_INIT_NOTIFY", l.SyncType, e.Raw)
		assert.Contains(t, []string{"ADD_SERVICE", "ADD_CONFIG"}, l.ChangeType, e.Raw)
	}
	// The SetupAck advertised fuzzyWatch, or the client would have thrown
	// before sending anything.
	acks := srv.Find(mocknacos.Query{Kind: mocknacos.Kind("setup-ack")})
	require.NotEmpty(t, acks)
	assert.Contains(t, acks[0].Request.Body, `"fuzzyWatch":true`)

	changed := func(kind, name, change string) func(clientproc.Event) bool {
		return func(e clientproc.Event) bool {
			if e.Event != kind {
				return false
			}
			l := decodeFuzzy(t, e)
			return (l.Service == name || l.DataID == name) && l.ChangeType == change && l.SyncType == "FUZZY_WATCH_RESOURCE_CHANGED"
		}
	}
	mark := c.Mark()
	hreq{method: "POST", path: "/v1/ns/instance?serviceName=fz-b&groupName=FZ&ip=10.0.0.2&port=80&ephemeral=false"}.mustOK(t, srv)
	c.Await(t, mark, "ADD_SERVICE fz-b", changed("naming", "fz-b", "ADD_SERVICE"))
	_, err := srv.WaitForFuzzyPush("public@@FZ@@fz-b", clientproc.StepTimeout)
	require.NoError(t, err)
	hreq{method: "POST", path: "/v1/cs/configs", form: "dataId=fz2.yaml&group=FZ&content=b"}.mustOK(t, srv)
	c.Await(t, mark, "ADD_CONFIG fz2.yaml", changed("config", "fz2.yaml", "ADD_CONFIG"))
	hreq{method: "DELETE", path: "/v1/cs/configs?dataId=fz2.yaml&group=FZ"}.mustOK(t, srv)
	c.Await(t, mark, "DELETE_CONFIG fz2.yaml", changed("config", "fz2.yaml", "DELETE_CONFIG"))
	hreq{method: "DELETE", path: "/v1/ns/instance?serviceName=fz-b&groupName=FZ&ip=10.0.0.2&port=80&ephemeral=false"}.mustOK(t, srv)
	c.Await(t, mark, "DELETE_SERVICE fz-b", changed("naming", "fz-b", "DELETE_SERVICE"))

	// Another group is not watched.
	hreq{method: "POST", path: "/v1/cs/configs", form: "dataId=other.yaml&group=OTHER&content=b"}.mustOK(t, srv)
	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	assert.NotContains(t, c.History(), "other.yaml")
	assert.Equal(t, 2, srv.Count(mocknacos.Query{Kind: mocknacos.KindNamingFuzzyWatch})+srv.Count(mocknacos.Query{Kind: mocknacos.KindConfigFuzzyWatch}))
	assert.Zero(t, srv.Count(mocknacos.Query{Kind: mocknacos.KindFuzzyPush, Rejected: ptr(true)}))
}

// TestJavaFuzzyWatchOn24: a 2.4 server advertises no fuzzyWatch, so the
// 3.x client refuses the watch itself (501 "Request Nacos server version is
// too low") and sends no fuzzy watch request.
func TestJavaFuzzyWatchOn24(t *testing.T) {
	jar := javaClient3x.jarPath(t)
	srv := mocknacos.Start(t)
	c := startJavaProgram(t, "fuzzy-client", "-cp", jar, "io.mocknacos.namingclient.FuzzyMain", srv.Addr(), "FZ")
	e := c.Await(t, 0, "the watch refused", func(e clientproc.Event) bool { return e.Event == "watched" }, "fuzzyWatch")
	require.Equal(t, "error", e.Event, e.Raw)
	assert.Contains(t, e.Error, "501")
	c.Await(t, c.Send(t, "close"), "closed", func(e clientproc.Event) bool { return e.Event == "closed" })
	assert.Zero(t, srv.Count(mocknacos.Query{Kind: mocknacos.KindNamingFuzzyWatch})+srv.Count(mocknacos.Query{Kind: mocknacos.KindConfigFuzzyWatch}))
	assert.Zero(t, srv.Count(mocknacos.Query{Kind: mocknacos.KindUnknown}))
}
