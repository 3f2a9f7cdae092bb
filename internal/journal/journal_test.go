package journal

import (
	"bytes"
	"strings"
	"testing"
)

func TestCapKeepsNewestAndCountsDropped(t *testing.T) {
	j := New(3)
	for i := 0; i < 10; i++ {
		j.Append(Event{Kind: Beat})
	}
	ev := j.Events()
	if len(ev) != 3 || ev[0].Seq != 8 || ev[2].Seq != 10 {
		t.Fatalf("kept %+v", ev)
	}
	if j.Dropped() != 7 || j.Len() != 3 {
		t.Fatalf("dropped %d len %d", j.Dropped(), j.Len())
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	in := []Event{{Seq: 1, Protocol: HTTP, Kind: Register, Service: "orders", Request: Request{Method: "POST", Params: map[string][]string{"a": {"<&>"}}}}}
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, Header{Source: "test"}, in); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `{"format":"mocknacos-journal","version":1`) || !strings.Contains(buf.String(), "<&>") {
		t.Fatalf("unexpected encoding:\n%s", buf.String())
	}
	h, out, err := ReadJSONL(&buf)
	if err != nil || h.Source != "test" || len(out) != 1 || out[0].Request.Params["a"][0] != "<&>" {
		t.Fatalf("%v %+v %+v", err, h, out)
	}
	if _, _, err := ReadJSONL(strings.NewReader(`{"format":"mocknacos-journal","version":99}` + "\n")); err == nil {
		t.Fatal("a newer version must be refused")
	}
	if _, _, err := ReadJSONL(strings.NewReader("{}\n")); err == nil {
		t.Fatal("a file without the header must be refused")
	}
}

func TestReservedSeqKeepsArrivalOrder(t *testing.T) {
	j := New(0)
	req := j.Reserve()          // a request arrives
	j.Append(Event{Kind: Push}) // the push it causes is recorded first
	j.Append(Event{Seq: req, Kind: Register})
	ev := j.Events()
	if len(ev) != 2 || ev[0].Kind != Register || ev[0].Seq != 1 || ev[1].Kind != Push || ev[1].Seq != 2 {
		t.Fatalf("%+v", ev)
	}
}

// Reset lets go of the interning tables too: they hold keys and bodies of
// forgotten events (up to maxHeads heads), which a long run that resets
// between rounds would otherwise keep (about 30 MB per round of the load
// test's restarts).
func TestResetForgetsInterningTables(t *testing.T) {
	j := New(0)
	for i := 0; i < 1000; i++ {
		j.Append(Event{Protocol: GRPC, Kind: "subscribe", ConnectionID: "c" + strings.Repeat("x", i%7) + string(rune('a'+i%26)),
			Service: "svc", Request: Request{Type: "SubscribeServiceRequest", Body: strings.Repeat("b", 100+i)}})
	}
	if len(j.in.heads) == 0 {
		t.Fatal("no heads interned: the test does not exercise the tables")
	}
	j.Reset()
	if j.Len() != 0 || len(j.in.heads) != 0 || len(j.in.remotes) != 0 || j.in.strs != nil {
		t.Fatalf("after Reset: %d events, %d heads, %d remotes, strs %v", j.Len(), len(j.in.heads), len(j.in.remotes), j.in.strs != nil)
	}
	j.Append(Event{Protocol: GRPC, Kind: "subscribe", Service: "svc"})
	if evs := j.Events(); len(evs) != 1 || evs[0].Service != "svc" {
		t.Fatalf("after Reset and Append: %+v", evs)
	}
}
