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
