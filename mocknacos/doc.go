// Package mocknacos is an in-process mock of the Alibaba Nacos server for
// tests: real Nacos clients talk to it over the real wire protocols (the 1.x
// HTTP naming API with heartbeats, and the 2.x gRPC API), it records every
// request in a journal, and the test controls its clock.
//
//	srv := mocknacos.Start(t)            // HTTP on 127.0.0.1:P, gRPC on P+1000
//	client := newNacosClient(srv.Addr()) // any Nacos client
//	...
//	srv.Advance(16 * time.Second)        // the instance that stopped beating is now unhealthy
//	beats := srv.Find(mocknacos.Query{Kind: mocknacos.KindBeat, Service: "orders"})
//
// By default the mock answers as a Nacos 2.4.x server does; WithServerVersion
// selects the 1.4.x answers where the two generations differ.
package mocknacos
