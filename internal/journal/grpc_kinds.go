package journal

// Kinds of the 2.x gRPC connection lifecycle (nacos-protocol.md 5.3).
const (
	Connect         Kind = "connect"          // an HTTP/2 transport opened
	Disconnect      Kind = "disconnect"       // an HTTP/2 transport closed (either side)
	ServerCheck     Kind = "server-check"     // ServerCheckRequest
	Setup           Kind = "setup"            // ConnectionSetupRequest on the stream
	SetupAck        Kind = "setup-ack"        // SetupAckRequest: the server's abilities, sent after a setup that carried a table
	PushAck         Kind = "push-ack"         // a client's response on the stream to a server push
	ClientDetection Kind = "client-detection" // ClientDetectionRequest sent to an idle connection
	ConnectReset    Kind = "connect-reset"    // ConnectResetRequest sent to a connection
)
