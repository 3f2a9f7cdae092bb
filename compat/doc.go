// Package compat is the compatibility suite: Spring Cloud Alibaba sample apps
// of several client generations run in containers against the mock (in the
// test process) and against real Nacos servers (images named in
// NACOS_IMAGES), scenario by scenario, and the observations of every real
// server are compared with the mock's. Everything runs on 127.0.0.1 with
// host networking.
//
// The suite is behind the build tag compat, so `go test ./...` does not run
// it:
//
//	go test -tags compat -count=1 -timeout 60m ./compat/ -v
//
// It prints the matrix and writes it to artifacts/MATRIX.md (compat/MATRIX.md
// is a committed run against real servers). See README.md.
package compat
