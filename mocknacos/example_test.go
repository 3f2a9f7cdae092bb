package mocknacos_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/mocknacos/mocknacos/mocknacos"
)

// Outside a test (a main, a TestMain, a fixture shared by several tests),
// New starts the mock and Close stops it. With a frozen clock only Advance
// moves time, so a provider that stopped beating goes unhealthy after 15 s
// and disappears after 30 s without the program waiting for either.
func Example_beats() {
	start := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	srv, err := mocknacos.New(mocknacos.WithFrozenClock(start))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	send := func(method, path string) {
		req, _ := http.NewRequest(method, srv.URL()+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		route, _, _ := strings.Cut(path, "?")
		fmt.Printf("%s %s -> %d %s\n", method, route, resp.StatusCode, body)
	}
	show := func() {
		ins := srv.Instances("orders")
		if len(ins) == 0 {
			fmt.Printf("  at +%v: no instance\n", srv.Now().Sub(start))
		}
		for _, in := range ins {
			fmt.Printf("  at +%v: %s healthy=%v\n", srv.Now().Sub(start), in.Addr(), in.Healthy)
		}
	}

	// A provider registers, beats once 5 s later, then dies.
	send("POST", "/v1/ns/instance?serviceName=orders&ip=127.0.0.1&port=8080")
	srv.Advance(5 * time.Second)
	send("PUT", "/v1/ns/instance/beat?serviceName=orders&ip=127.0.0.1&port=8080")
	show()
	srv.Advance(16 * time.Second) // 16 s since the last beat
	show()
	srv.Advance(15 * time.Second) // 31 s since the last beat
	show()

	for _, e := range srv.Find(mocknacos.Query{Service: "orders"}) {
		fmt.Printf("journal: %s %s %s@@%s %s:%d at +%v\n", e.Protocol, e.Kind, e.Group, e.Service, e.IP, e.Port, e.Time.Sub(start))
	}
	// Output:
	// POST /v1/ns/instance -> 200 ok
	// PUT /v1/ns/instance/beat -> 200 {"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}
	//   at +5s: 127.0.0.1:8080 healthy=true
	//   at +21s: 127.0.0.1:8080 healthy=false
	//   at +36s: no instance
	// journal: http register DEFAULT_GROUP@@orders 127.0.0.1:8080 at +0s
	// journal: http beat DEFAULT_GROUP@@orders 127.0.0.1:8080 at +5s
}

// Start is the usual entry point in a test: it picks a free port pair and
// closes the mock when the test ends. Seeding an instance directly skips the
// HTTP round trip.
func ExampleServer_Register() {
	srv, err := mocknacos.New(mocknacos.WithFrozenClock(time.Time{})) // in a test: srv := mocknacos.Start(t)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	in := mocknacos.NewInstance("127.0.0.1", 8080)
	in.Cluster = "blue"
	in.Metadata = map[string]string{"version": "2"}
	if err := srv.Register("DEFAULT_GROUP@@orders", in); err != nil {
		log.Fatal(err)
	}
	for _, in := range srv.Instances("orders") {
		fmt.Println(in.InstanceID, in.Healthy, in.Metadata["version"])
	}
	srv.Advance(31 * time.Second) // seeded ephemeral instances live by beats too
	fmt.Println(len(srv.Instances("orders")), "instances left")
	// Output:
	// 127.0.0.1#8080#blue#DEFAULT_GROUP@@orders true 2
	// 0 instances left
}
