//go:build conformance

package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
)

// grpcClient is a hand-built Nacos 2.x client on the mock's own codec: it
// checks the server, opens the bi-stream, sends the connection setup and
// answers the server's pushes, as an SDK does; then it sends whatever
// request the generator made.
type grpcClient struct {
	cc     *grpc.ClientConn
	stream grpc.ClientStream
	cancel context.CancelFunc
	sendMu sync.Mutex
	done   chan struct{}
}

func dialGRPC(port int) (*grpcClient, error) {
	cc, err := grpc.NewClient("passthrough:///127.0.0.1:"+strconv.Itoa(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(grpcv2.Codec())))
	if err != nil {
		return nil, err
	}
	c := &grpcClient{cc: cc}
	p, err := c.call("ServerCheckRequest", []byte(`{"headers":{},"module":"internal"}`))
	if err != nil {
		cc.Close()
		return nil, err
	}
	if p.Type != "ServerCheckResponse" {
		cc.Close()
		return nil, errors.New("server check answered " + p.Type + " " + string(p.Body))
	}
	ctx, cancel := context.WithCancel(context.Background())
	st, err := cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, grpcv2.MethodBiStream)
	if err != nil {
		cancel()
		cc.Close()
		return nil, err
	}
	c.stream, c.cancel, c.done = st, cancel, make(chan struct{})
	go c.readLoop()
	c.push(&grpcv2.Payload{Type: "ConnectionSetupRequest",
		Body: []byte(`{"headers":{},"clientVersion":"Nacos-Java-Client:v2.4.3","tenant":"","labels":{"source":"sdk","module":"naming"},"abilityTable":{},"module":"internal"}`)})
	// A real client waits for the server to have registered the connection
	// (the SDK sleeps 100 ms); a request before that answers "unregistered".
	time.Sleep(150 * time.Millisecond)
	return c, nil
}

func (c *grpcClient) push(p *grpcv2.Payload) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	_ = c.stream.SendMsg(p)
}

// readLoop answers every server request with a success.
func (c *grpcClient) readLoop() {
	defer close(c.done)
	answers := map[string]string{
		"NotifySubscriberRequest":   "NotifySubscriberResponse",
		"ClientDetectionRequest":    "ClientDetectionResponse",
		"ConfigChangeNotifyRequest": "ConfigChangeNotifyResponse",
	}
	for {
		p := new(grpcv2.Payload)
		if err := c.stream.RecvMsg(p); err != nil {
			return
		}
		resp, ok := answers[p.Type]
		if !ok {
			continue
		}
		var r struct {
			RequestID string `json:"requestId"`
		}
		_ = json.Unmarshal(p.Body, &r)
		b, _ := json.Marshal(map[string]any{"resultCode": 200, "errorCode": 0, "requestId": r.RequestID, "success": true})
		c.push(&grpcv2.Payload{Type: resp, Body: b})
	}
}

func (c *grpcClient) call(typ string, body []byte) (*grpcv2.Payload, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := new(grpcv2.Payload)
	err := c.cc.Invoke(ctx, grpcv2.MethodRequest, &grpcv2.Payload{Type: typ, Body: body, Headers: map[string]string{"app": "conformance"}}, out)
	return out, err
}

func (c *grpcClient) close() {
	if c.cancel != nil {
		c.cancel()
		<-c.done
	}
	c.cc.Close()
}
