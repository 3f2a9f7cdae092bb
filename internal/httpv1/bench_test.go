package httpv1

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mocknacos/mocknacos/internal/journal"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// BenchmarkBeatHandler is the server time of one full beat (as
// nacos-sdk-go v1 sends it) with 10,000 registered instances: parsing,
// registry update, journal event and answer, without the network.
func BenchmarkBeatHandler(b *testing.B) {
	now := time.Unix(1700000000, 0)
	reg := registry.New(registry.Config{Now: func() time.Time { return now }})
	j := journal.New(10000)
	s, err := New(Config{Registry: reg, Record: func(e journal.Event) { j.Append(e) }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	key := registry.Key("", "", "orders")
	for p := 1; p <= 10000; p++ {
		if err := reg.Register(key, registry.Instance{IP: "127.0.0.1", Port: p, Weight: 1, Healthy: true, Enabled: true, Ephemeral: true}); err != nil {
			b.Fatal(err)
		}
	}
	h := s.Handler()
	body := `beat={"ip":"127.0.0.1","port":%d,"weight":1,"serviceName":"DEFAULT_GROUP@@orders","cluster":"DEFAULT","metadata":{},"scheduled":false}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		port := strconv.Itoa(i%10000 + 1)
		form := "namespaceId=public&serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port=" + port + "&clusterName=DEFAULT&" +
			strings.Replace(body, "%d", port, 1)
		req := httptest.NewRequest(http.MethodPut, "/nacos/v1/ns/instance/beat", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
