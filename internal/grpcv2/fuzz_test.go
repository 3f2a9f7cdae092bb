package grpcv2

// Fuzz targets for everything a client can send over gRPC, through the real
// entry points over a real socket: the raw bytes of a Payload (Metadata,
// headers, Any) on /Request/request; the JSON body of every request type
// the server handles; and raw messages on /BiRequestStream/requestBiStream.
// The seed corpora (the golden fixtures' recorded gRPC traffic and hand
// seeds) run in go test; `make fuzz` fuzzes each target briefly.
//
// What must hold: no panic (the server runs in the test process), an answer
// within a bounded time, every refusal answered as the real server does (a
// Response of the handler's class or an ErrorResponse, with a known code),
// and no connection or goroutine left behind.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"

	"github.com/mocknacos/mocknacos/internal/config"
	"github.com/mocknacos/mocknacos/internal/registry"
)

// rawCodec sends []byte messages as they are and reads answers as
// payloads: a client that may send any bytes at all.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch m := v.(type) {
	case []byte:
		return mem.BufferSlice{mem.SliceBuffer(m)}, nil
	case *payload:
		return codec{}.Marshal(m)
	}
	return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error { return codec{}.Unmarshal(data, v) }

// fuzzServer is one server and one registered client connection, shared by
// the inputs of a fuzz run and replaced every fuzzRotate inputs (so that
// what inputs register or publish does not pile up, and so that each
// replacement checks that the closed connections were all let go).
type fuzzServer struct {
	srv    *Server
	served chan error
	cc     *grpc.ClientConn
	n      int
}

const fuzzRotate = 500

var fuzzState struct {
	sync.Mutex
	s *fuzzServer
}

func newFuzzServer(t testing.TB) *fuzzServer {
	reg := registry.New(registry.Config{Notify: deliverPushes})
	srv := New(Config{Registry: reg, Configs: config.New(nil, nil), PushTimeout: 200 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := &fuzzServer{srv: srv, served: make(chan error, 1)}
	go func() { fs.served <- srv.Serve(ln) }()
	fs.cc = fuzzDial(t, ln.Addr().String())
	return fs
}

func fuzzDial(t testing.TB, addr string) *grpc.ClientConn {
	cc, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(rawCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	// Register the connection, as every client does first.
	a := fuzzInvoke(t, cc, appendPayload(nil, &payload{Type: typeServerCheckRequest, Body: []byte(`{"headers":{},"module":"internal"}`)}))
	if a.Type != typeServerCheckResponse {
		t.Fatalf("server check: %s %s", a.Type, a.Body)
	}
	return cc
}

// stop closes the client, waits until the server has let go of every
// connection, and stops the server.
func (fs *fuzzServer) stop(t testing.TB) {
	fs.cc.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		fs.srv.mu.Lock()
		conns, raw := len(fs.srv.conns), len(fs.srv.raw)
		fs.srv.mu.Unlock()
		if conns == 0 && raw == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("connections left after every client closed: %d registered, %d sockets", conns, raw)
		}
		time.Sleep(5 * time.Millisecond)
	}
	fs.srv.Stop()
	if err := <-fs.served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// withFuzzServer runs f with the shared server, replacing it when due, and
// registers (once per fuzz target) the final stop and the leak check.
func withFuzzServer(t testing.TB, f func(fs *fuzzServer)) {
	fuzzState.Lock()
	defer fuzzState.Unlock()
	if fuzzState.s != nil && fuzzState.s.n >= fuzzRotate {
		fuzzState.s.stop(t)
		fuzzState.s = nil
	}
	if fuzzState.s == nil {
		fuzzState.s = newFuzzServer(t)
	}
	fuzzState.s.n++
	f(fuzzState.s)
}

// fuzzSetup is called by each fuzz target before f.Fuzz: the server of the
// previous target is stopped and, at the end, no goroutine may be left.
func fuzzSetup(f *testing.F) {
	fuzzState.Lock()
	if fuzzState.s != nil {
		fuzzState.s.stop(f)
		fuzzState.s = nil
	}
	fuzzState.Unlock()
	ignore := goleak.IgnoreCurrent()
	f.Cleanup(func() {
		fuzzState.Lock()
		if fuzzState.s != nil {
			fuzzState.s.stop(f)
			fuzzState.s = nil
		}
		fuzzState.Unlock()
		goleak.VerifyNone(f, ignore)
	})
}

// fuzzInvoke sends raw bytes to /Request/request and returns the answer;
// a transport-level refusal is returned as a payload with an empty type.
func fuzzInvoke(t testing.TB, cc *grpc.ClientConn, msg []byte) *payload {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := new(payload)
	err := cc.Invoke(ctx, MethodRequest, msg, out)
	if err == nil {
		return out
	}
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.Internal:
		// The Payload did not parse (grpc-java answers a message its
		// marshaller cannot parse with INTERNAL too).
		return &payload{}
	case codes.ResourceExhausted:
		return &payload{} // over the maximum message size
	}
	t.Fatalf("Request/request: %v", err)
	return nil
}

// knownErrorCodes are the errorCodes a real 2.4.3 answers requests with
// (ResponseCode, NacosException, ConfigQueryRequestHandler).
var knownErrorCodes = map[int]bool{0: true, 300: true, 301: true, 302: true, 400: true, 403: true, 500: true, 502: true}

// checkAnswer asserts the shape of a server answer to a request of type
// reqType: the handler's response class or ErrorResponse, a JSON body whose
// success agrees with its resultCode, and known codes.
func checkAnswer(t testing.TB, reqType string, p *payload) {
	if p.Type == "" {
		return // refused by the transport
	}
	want := typeErrorResponse
	if reqType == typeServerCheckRequest {
		want = typeServerCheckResponse
	}
	if h, ok := handlers[reqType]; ok && p.Type != typeErrorResponse && p.Type != h.respType {
		t.Fatalf("answer to %q is a %s, want %s or ErrorResponse", reqType, p.Type, h.respType)
	} else if !ok && p.Type != want && p.Type != typeErrorResponse {
		t.Fatalf("answer to %q is a %s", reqType, p.Type)
	}
	var a struct {
		ResultCode *int   `json:"resultCode"`
		ErrorCode  *int   `json:"errorCode"`
		Success    *bool  `json:"success"`
		Message    string `json:"message"`
	}
	if err := json.Unmarshal(p.Body, &a); err != nil {
		t.Fatalf("answer to %q is not JSON: %v: %q", reqType, err, p.Body)
	}
	if a.ResultCode == nil || a.ErrorCode == nil || a.Success == nil {
		t.Fatalf("answer to %q lacks resultCode, errorCode or success: %s", reqType, p.Body)
	}
	if *a.Success != (*a.ResultCode == codeSuccess) {
		t.Fatalf("answer to %q: success %v with resultCode %d", reqType, *a.Success, *a.ResultCode)
	}
	if *a.ResultCode != codeSuccess && !knownErrorCodes[*a.ResultCode] {
		t.Fatalf("answer to %q: resultCode %d: %s", reqType, *a.ResultCode, p.Body)
	}
	if !knownErrorCodes[*a.ErrorCode] {
		t.Fatalf("answer to %q: errorCode %d: %s", reqType, *a.ErrorCode, p.Body)
	}
	// Without a message only where the real handler fails on a null
	// (an NPE has no message: ErrorResponse 500 without one).
	if *a.ResultCode != codeSuccess && a.Message == "" && !(p.Type == typeErrorResponse && *a.ErrorCode == codeFail) {
		t.Fatalf("a refusal of %q without a message: %s", reqType, p.Body)
	}
}

// requestTypes are the request types the server handles, ServerCheck
// first, in a fixed order (FuzzRequestBody picks one by index).
func requestTypes() []string {
	out := []string{typeServerCheckRequest}
	var rest []string
	for k := range handlers {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// grpcSeed is one request recorded in the golden fixtures.
type grpcSeed struct {
	Type    string
	Headers map[string]string
	Body    string
}

// fixtureSeeds reads the gRPC requests the fixtures recorded from real
// clients (fixtures/*.jsonl), unary and on the stream.
func fixtureSeeds(t testing.TB) []grpcSeed {
	files, err := filepath.Glob(filepath.Join("..", "..", "fixtures", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out []grpcSeed
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 4<<20)
		for sc.Scan() {
			var e struct {
				Protocol string `json:"protocol"`
				Request  struct {
					Type    string            `json:"type"`
					Headers map[string]string `json:"headers"`
					Body    string            `json:"body"`
				} `json:"request"`
			}
			if json.Unmarshal(sc.Bytes(), &e) != nil || e.Protocol != "grpc" || e.Request.Type == "" {
				continue
			}
			out = append(out, grpcSeed{Type: e.Request.Type, Headers: e.Request.Headers, Body: e.Request.Body})
		}
		f.Close()
	}
	if len(out) == 0 {
		t.Fatal("the fixtures hold no gRPC request")
	}
	return out
}

// handSeeds cover the request types the fixtures do not (configs, batch,
// persistent instances, queries, lists) and the bodies a client gets
// wrong.
var handSeeds = []grpcSeed{
	{typeConfigPublishRequest, nil, `{"headers":{},"dataId":"a.yaml","group":"DEFAULT_GROUP","tenant":"","content":"k: v","casMd5":"","additionMap":{"type":"yaml","config_tags":"a,b"},"module":"config"}`},
	{typeConfigQueryRequest, nil, `{"headers":{},"dataId":"a.yaml","group":"DEFAULT_GROUP","tenant":"","tag":"","module":"config"}`},
	{typeConfigRemoveRequest, nil, `{"headers":{},"dataId":"a.yaml","group":"DEFAULT_GROUP","tenant":"","tag":"","module":"config"}`},
	{typeConfigBatchListenRequest, nil, `{"headers":{},"listen":true,"configListenContexts":[{"group":"DEFAULT_GROUP","md5":"","dataId":"a.yaml","tenant":""}],"module":"config"}`},
	{typeBatchInstanceRequest, nil, `{"headers":{},"namespace":"public","serviceName":"b","groupName":"DEFAULT_GROUP","type":"batchRegisterInstance","instances":[{"ip":"10.0.0.1","port":1,"weight":1.0,"healthy":true,"enabled":true,"ephemeral":true,"clusterName":"DEFAULT","metadata":{}}],"module":"naming"}`},
	{typePersistentInstanceReq, nil, `{"headers":{},"namespace":"public","serviceName":"p","groupName":"DEFAULT_GROUP","type":"registerInstance","instance":{"ip":"10.0.0.2","port":2,"ephemeral":false},"module":"naming"}`},
	{typeServiceQueryRequest, nil, `{"headers":{},"namespace":"public","serviceName":"b","groupName":"DEFAULT_GROUP","cluster":"","healthyOnly":false,"udpPort":0,"module":"naming"}`},
	{typeServiceListRequest, nil, `{"headers":{},"namespace":"public","groupName":"DEFAULT_GROUP","pageNo":1,"pageSize":10,"selector":"","module":"naming"}`},
	{typeInstanceRequest, map[string]string{"accessToken": "x"}, `{"headers":{},"namespace":"public","serviceName":"s","groupName":"G","type":"deregisterInstance","instance":{"ip":"1.2.3.4","port":80}}`},
	{typeInstanceRequest, nil, `{"type":"registerInstance","instance":{"ip":"","port":-1,"weight":1e309}}`},
	{typeSubscribeServiceRequest, nil, `{"namespace":"../x","serviceName":"@@","groupName":"","subscribe":true,"clusters":"a,b"}`},
	{typeHealthCheckRequest, nil, `null`},
	{typeHealthCheckRequest, nil, ``},
	{"NoSuchRequest", nil, `{}`},
	{typeConnectionSetupRequest, nil, `{"headers":{},"clientVersion":"Nacos-Go-Client:v2","tenant":"","labels":{"source":"sdk","module":"naming"},"abilityTable":{"a":true},"module":"internal"}`},
	{"NotifySubscriberResponse", nil, `{"resultCode":200,"errorCode":0,"requestId":"1","success":true}`},
	{"ClientDetectionResponse", nil, `{"resultCode":200,"errorCode":0,"requestId":"999","success":true}`},
	{"ConfigChangeNotifyResponse", nil, `{"resultCode":200,"errorCode":0,"requestId":"x","success":true}`},
}

// allSeeds are the fixtures' requests, each distinct one once, and the hand
// seeds.
func allSeeds(t testing.TB) []grpcSeed {
	seen := map[string]bool{}
	var out []grpcSeed
	for _, s := range append(fixtureSeeds(t), handSeeds...) {
		if k := s.Type + "\x00" + s.Body; !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// FuzzEnvelope sends any bytes as a Payload on /Request/request.
func FuzzEnvelope(f *testing.F) {
	for _, s := range allSeeds(f) {
		f.Add(appendPayload(nil, &payload{Type: s.Type, Headers: s.Headers, Body: []byte(s.Body), ClientIP: "127.0.0.1"}))
	}
	f.Add(appendPayload(nil, &payload{Type: typeHealthCheckRequest, TypeURL: "type.googleapis.com/x", Body: []byte(`{}`)}))
	f.Add([]byte{})
	f.Add([]byte{0x12, 0x00, 0x1a, 0x00})
	f.Add([]byte{0x12, 0xff, 0xff, 0xff, 0xff, 0x0f})
	fuzzSetup(f)
	f.Fuzz(func(t *testing.T, msg []byte) {
		withFuzzServer(t, func(fs *fuzzServer) {
			var in payload
			parsed := parsePayload(msg, &in) == nil
			out := fuzzInvoke(t, fs.cc, msg)
			if parsed && out.Type == "" {
				t.Fatalf("a Payload that parses was refused by the transport: %q", msg)
			}
			if !parsed && out.Type != "" {
				t.Fatalf("bytes that do not parse were answered with %s", out.Type)
			}
			checkAnswer(t, in.Type, out)
		})
	})
}

// FuzzRequestBody sends a well-formed Payload of each handled request type
// with any JSON body and one header.
func FuzzRequestBody(f *testing.F) {
	types := requestTypes()
	index := map[string]uint8{}
	for i, typ := range types {
		index[typ] = uint8(i)
	}
	for _, s := range allSeeds(f) {
		if i, ok := index[s.Type]; ok {
			f.Add(i, s.Body, "app", "unknown")
		}
	}
	f.Add(uint8(0), `{}`, "accessToken", "")
	fuzzSetup(f)
	f.Fuzz(func(t *testing.T, i uint8, body, hk, hv string) {
		typ := types[int(i)%len(types)]
		withFuzzServer(t, func(fs *fuzzServer) {
			out := fuzzInvoke(t, fs.cc, appendPayload(nil, &payload{Type: typ, Headers: map[string]string{hk: hv}, Body: []byte(body)}))
			if out.Type == "" {
				t.Fatalf("a well-formed %s was refused by the transport", typ)
			}
			checkAnswer(t, typ, out)
		})
	})
}

// FuzzBiStream opens a bi-stream on a new registered connection, sends two
// messages of any bytes (a setup, answers to pushes, or garbage), closes
// it, and closes the connection. The server must end the stream (it may
// answer a setup with a SetupAckRequest) and let go of the connection.
func FuzzBiStream(f *testing.F) {
	setup := ""
	for _, s := range allSeeds(f) {
		if s.Type == typeConnectionSetupRequest {
			setup = s.Body
		}
	}
	enc := func(typ, body string) []byte {
		return appendPayload(nil, &payload{Type: typ, Body: []byte(body)})
	}
	for _, s := range allSeeds(f) {
		f.Add(enc(typeConnectionSetupRequest, setup), enc(s.Type, s.Body))
		f.Add(enc(s.Type, s.Body), []byte{})
	}
	f.Add([]byte{0xff}, []byte{0x12})
	fuzzSetup(f)
	f.Fuzz(func(t *testing.T, first, second []byte) {
		withFuzzServer(t, func(fs *fuzzServer) {
			// Its own connection: a stream's end ends the connection's
			// registration, as on the real server.
			cc := fuzzDial(t, fs.cc.Target()[len("passthrough:///"):])
			defer cc.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st, err := cc.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, MethodBiStream)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range [][]byte{first, second} {
				if st.SendMsg(m) != nil {
					break
				}
			}
			_ = st.CloseSend()
			for {
				p := new(payload)
				err := st.RecvMsg(p)
				if err == nil {
					if p.Type != typeSetupAckRequest && p.Type != typeClientDetectionRequest && p.Type != typeConnectResetRequest {
						t.Fatalf("the server sent a %s on the stream", p.Type)
					}
					continue
				}
				if ctx.Err() != nil {
					t.Fatal("the stream did not end within 10 s after the client closed its side")
				}
				break
			}
		})
	})
}
