package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/grpc"

	"github.com/mocknacos/mocknacos/internal/grpcv2"
)

// The stateless references: what Go itself costs to answer these requests,
// with no registry, no journal, no validation. HTTP on port P (a net/http
// handler that parses the query and form and answers a beat's JSON, or
// "ok"), gRPC on P+1000 (grpc-go with the two Nacos services, answering
// every request with a canned success after decoding its JSON).

func serveReferences(port int) error {
	hl, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	gl, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+1000))
	if err != nil {
		return err
	}
	beat := []byte(`{"clientBeatInterval":5000,"code":10200,"lightBeatEnabled":true}`)
	go func() {
		_ = http.Serve(hl, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			_ = r.Form.Get("serviceName")
			if strings.HasSuffix(r.URL.Path, "/beat") {
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				_, _ = w.Write(beat)
				return
			}
			_, _ = io.WriteString(w, "ok")
		}))
	}()
	s := grpc.NewServer(grpc.ForceServerCodecV2(grpcv2.Codec()))
	s.RegisterService(&grpc.ServiceDesc{ServiceName: grpcv2.ServiceRequest, HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{MethodName: "request", Handler: refRequest}}}, struct{}{})
	s.RegisterService(&grpc.ServiceDesc{ServiceName: grpcv2.ServiceBiStream, HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{StreamName: "requestBiStream", ServerStreams: true, ClientStreams: true, Handler: refStream}}}, struct{}{})
	return s.Serve(gl)
}

func refRequest(_ any, _ context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	in := new(grpcv2.Payload)
	if err := dec(in); err != nil {
		return nil, err
	}
	var body map[string]any
	if err := json.Unmarshal(in.Body, &body); err != nil {
		return nil, err
	}
	id, _ := body["requestId"].(string)
	out := map[string]any{"resultCode": 200, "errorCode": 0, "success": true, "requestId": id}
	if in.Type == "ServerCheckRequest" {
		out["connectionId"] = "ref"
	}
	b, _ := json.Marshal(out)
	return &grpcv2.Payload{Type: strings.TrimSuffix(in.Type, "Request") + "Response", Body: b}, nil
}

// refStream reads what a client sends on the stream (its setup, its
// answers) and sends nothing.
func refStream(_ any, st grpc.ServerStream) error {
	for {
		in := new(grpcv2.Payload)
		if err := st.RecvMsg(in); err != nil {
			return nil
		}
		var body map[string]any
		_ = json.Unmarshal(in.Body, &body)
	}
}
