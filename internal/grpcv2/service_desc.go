package grpcv2

import (
	"context"

	"google.golang.org/grpc"
)

// The two services of nacos_grpc_service.proto, described by hand. The
// proto has no package, so the wire names are "/Request/request" and
// "/BiRequestStream/requestBiStream" (nacos-protocol.md 5.1). The SDK's
// generated server interfaces differ between versions, so they are not
// implemented: the descriptors call the Server directly.

var requestServiceDesc = grpc.ServiceDesc{
	ServiceName: "Request",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "request",
		Handler:    requestHandler,
	}},
	Metadata: "mocknacos/grpcv2",
}

var biStreamServiceDesc = grpc.ServiceDesc{
	ServiceName: "BiRequestStream",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "requestBiStream",
		Handler:       biStreamHandler,
		ServerStreams: true,
		ClientStreams: true,
	}},
	Metadata: "mocknacos/grpcv2",
}

func requestHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(payload)
	if err := dec(in); err != nil {
		return nil, err
	}
	s := srv.(*Server)
	if interceptor == nil {
		return s.handleUnary(ctx, in), nil
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: "/Request/request"}
	return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
		return s.handleUnary(ctx, req.(*payload)), nil
	})
}

func biStreamHandler(srv any, stream grpc.ServerStream) error {
	return srv.(*Server).serveStream(stream)
}
