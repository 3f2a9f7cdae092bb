package journal

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// Every field of an event comes back from the compact store as it went in.
func TestCompactStoreKeepsEveryField(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	in := []Event{
		{Protocol: HTTP, Kind: Beat, Namespace: "public", Group: "DEFAULT_GROUP", Service: "orders", Cluster: "DEFAULT",
			IP: "10.0.0.1", Port: 8080, Remote: "127.0.0.1:5555", Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
			WallTime: time.Date(2026, 1, 2, 3, 4, 5, 7, berlin),
			Request: Request{Method: "PUT", Path: "/nacos/v1/ns/instance/beat", Query: "a=1&a=2&b=",
				Params: map[string][]string{"a": {"1", "2"}, "b": {""}, "c": nil, "d": {}}, Headers: map[string]string{"User-Agent": "Nacos-Go-Client:v1.1.4"}},
			Response: Response{Status: 200, ErrorCode: 10200, Body: `{"clientBeatInterval":5000,"code":10200}`}},
		{Protocol: GRPC, Kind: HealthCheck, ConnectionID: "1_127.0.0.1_5", Rejected: true, Error: "boom", Fault: "fault 1",
			Request:  Request{Type: "HealthCheckRequest", Headers: map[string]string{}, Params: map[string][]string{}, Body: `{"requestId":"1"}`},
			Response: Response{Status: 500, ErrorCode: 300, Type: "ErrorResponse", Body: "x\x00y"}},
		{Kind: Unknown, Port: math.MaxInt32 + 1, Response: Response{Status: math.MinInt32 - 1, ErrorCode: 1 << 40}},
		{Kind: Push, Time: time.Date(1, 1, 1, 0, 0, 16, 0, time.UTC), WallTime: time.Date(3000, 1, 1, 0, 0, 0, 1, time.Local)},
	}
	j := New(0)
	for _, e := range in {
		j.Append(e)
	}
	j.Append(in[0]) // the same request again shares its parts
	got := j.Events()
	require.Len(t, got, len(in)+1)
	for i := range in {
		want := in[i]
		want.Seq = int64(i + 1)
		require.Empty(t, cmp.Diff(want, got[i]), "event %d", i)
		require.True(t, want.Time.Equal(got[i].Time) && want.Time.Location().String() == got[i].Time.Location().String())
	}
	require.Nil(t, got[0].Request.Params["c"])
	require.NotNil(t, got[0].Request.Params["d"])
	require.NotNil(t, got[1].Request.Headers)
	require.Nil(t, got[2].Request.Headers)
	require.Equal(t, got[0].Request.Params, got[len(in)].Request.Params)
}

// The ring keeps the newest events in order, with reserved sequence
// numbers in their place, across wrap-arounds and a changed cap.
func TestRingOrderAcrossWrap(t *testing.T) {
	j := New(5)
	for i := 0; i < 23; i++ {
		r := j.Reserve()
		j.Append(Event{Kind: Push, Service: strconv.Itoa(i)})
		j.Append(Event{Seq: r, Kind: Register})
	}
	ev := j.Events()
	require.Len(t, ev, 5)
	for i := 1; i < len(ev); i++ {
		require.Equal(t, ev[i-1].Seq+1, ev[i].Seq)
	}
	require.Equal(t, int64(46), ev[4].Seq)
	require.Equal(t, int64(41), j.Dropped())
	j.SetLimit(2)
	ev = j.Events()
	require.Len(t, ev, 2)
	require.Equal(t, int64(45), ev[0].Seq)
	require.Equal(t, int64(44), j.Dropped())
	j.SetLimit(0)
	for i := 0; i < 100; i++ {
		j.Append(Event{Kind: Beat})
	}
	require.Equal(t, 102, j.Len())
	require.Equal(t, 3, j.Count(func(e *Event) bool { return e.Seq%50 == 0 || e.Seq == 45 }))
	require.Len(t, j.Select(func(e *Event) bool { return e.Kind == Beat }), 100)
}
