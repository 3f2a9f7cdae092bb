package mocknacos_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// TestCloseLeavesNoGoroutine starts mocks in both clock modes, drives them
// (including a UDP subscription, which starts the push path), closes them,
// and checks that nothing they started is still running.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for _, opts := range [][]mocknacos.Option{nil, {mocknacos.WithFrozenClock(time.Time{})}, {mocknacos.WithServerVersion(mocknacos.Nacos1)}} {
		srv, err := mocknacos.New(opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range []struct{ method, path string }{
			{"POST", "/v1/ns/instance?serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port=8080"},
			{"GET", "/v1/ns/instance/list?serviceName=DEFAULT_GROUP@@orders&udpPort=9&clientIP=127.0.0.1"},
			{"PUT", "/v1/ns/instance/beat?serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port=8080"},
			{"DELETE", "/v1/ns/instance?serviceName=DEFAULT_GROUP@@orders&ip=127.0.0.1&port=8080"},
		} {
			r, _ := http.NewRequest(req.method, srv.URL()+req.path, nil)
			r.Header.Set("User-Agent", "Nacos-Java-Client:v1.4.2")
			resp, err := client.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d", req.method, req.path, resp.StatusCode)
			}
		}
		srv.Advance(time.Minute)
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Fatal("second Close:", err)
		}
	}
	client.CloseIdleConnections()
}
