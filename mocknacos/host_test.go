package mocknacos

import (
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// readiness reports whether the HTTP API answers the readiness probe at
// host:port.
func readiness(host string, port int) error {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/nacos/v1/console/health/readiness")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &net.AddrError{Err: resp.Status, Addr: host}
	}
	return nil
}

// TestWithHostOneAddress listens on 127.0.0.2 only (any 127/8 address is
// local on Linux): clients are given that address, 127.0.0.1 is not served,
// and Restart keeps the address.
func TestWithHostOneAddress(t *testing.T) {
	srv := Start(t, WithHost("127.0.0.2"))
	if want := "127.0.0.2:" + strconv.Itoa(srv.Port()); srv.Addr() != want {
		t.Fatalf("Addr() = %q, want %q", srv.Addr(), want)
	}
	if err := readiness("127.0.0.2", srv.Port()); err != nil {
		t.Fatalf("127.0.0.2: %v", err)
	}
	if err := readiness("127.0.0.1", srv.Port()); err == nil {
		t.Fatal("127.0.0.1 answered although the mock listens on 127.0.0.2 only")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := readiness("127.0.0.2", srv.Port()); err != nil {
		t.Fatalf("after Restart: %v", err)
	}
	c, err := net.DialTimeout("tcp", srv.GRPCAddr(), time.Second)
	if err != nil {
		t.Fatalf("gRPC port after Restart: %v", err)
	}
	c.Close()
}

// TestWithHostEveryInterface listens on 0.0.0.0, as the container image
// does: every local address answers, and clients are given 127.0.0.1.
func TestWithHostEveryInterface(t *testing.T) {
	srv := Start(t, WithHost("0.0.0.0"))
	if want := "127.0.0.1:" + strconv.Itoa(srv.Port()); srv.Addr() != want {
		t.Fatalf("Addr() = %q, want %q", srv.Addr(), want)
	}
	for _, h := range []string{"127.0.0.1", "127.0.0.2"} {
		if err := readiness(h, srv.Port()); err != nil {
			t.Errorf("%s: %v", h, err)
		}
	}
}
