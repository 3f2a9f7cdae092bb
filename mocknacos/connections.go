package mocknacos

import (
	"strconv"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
)

// Connection is a live gRPC connection (one HTTP/2 transport of a 2.x
// client): its id as the server gave it, the client's address, the labels
// and version it sent in its setup, and when it was last active (wall
// clock).
type Connection = grpcv2.ConnInfo

// Connections lists the live gRPC connections.
func (s *Server) Connections() []Connection { return s.cur.Load().grpc.Connections() }

// CloseConnection ends one gRPC connection from the server side: its
// transport is closed, so the client sees its stream break and reconnects;
// its ephemeral instances and subscriptions are removed and subscribers
// pushed. It reports whether the connection was live.
func (s *Server) CloseConnection(id string) bool { return s.cur.Load().grpc.CloseConnection(id) }

// CloseConnections closes every gRPC connection (see CloseConnection).
func (s *Server) CloseConnections() int {
	n := 0
	for _, c := range s.Connections() {
		if s.CloseConnection(c.ID) {
			n++
		}
	}
	return n
}

// ResetConnections sends every gRPC connection a ConnectResetRequest, as a
// server that hands its clients to another one does: each client switches
// to the server named (serverIP and its HTTP port; this mock when serverIP
// is empty) and reconnects there. A reset that names no server lets
// nacos-sdk-go v2 keep a connection that still answers its health check, so
// the mock always names one. Python v2 clients do not know the request; see
// nacos-protocol.md 5.2.
func (s *Server) ResetConnections(serverIP string, serverPort int) {
	if serverIP == "" {
		serverIP, serverPort = "127.0.0.1", s.port
	}
	port := strconv.Itoa(serverPort)
	for _, c := range s.Connections() {
		s.cur.Load().grpc.ResetConnection(c.ID, serverIP, port)
	}
}

// PauseConnections stalls every gRPC transport, established and new (in the
// style of etcd's test bridge): what clients send waits unread and nothing
// reaches them, so their requests and health checks time out. HTTP is not
// affected. ResumeConnections ends it.
func (s *Server) PauseConnections() { s.cur.Load().grpc.PauseConnections() }

// BlackholeConnections makes every gRPC transport lose what either side
// sends, until ResumeConnections; the HTTP/2 connections involved do not
// recover, so clients reconnect once their health checks fail.
func (s *Server) BlackholeConnections() { s.cur.Load().grpc.BlackholeConnections() }

// ResumeConnections ends a pause or a blackhole.
func (s *Server) ResumeConnections() { s.cur.Load().grpc.ResumeConnections() }
