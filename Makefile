# mocknacos: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
PORT ?= 8848
# Artifacts of the console page test (console.png, console.html).
MOCKNACOS_ARTIFACTS ?= $(CURDIR)/artifacts
export MOCKNACOS_ARTIFACTS

.PHONY: run build test lint browser unit sdk fuzz bench clean

## run: serve the mock on 127.0.0.1:$(PORT) (HTTP, /nacos) and $(PORT)+1000 (gRPC)
run:
	$(GO) run ./cmd/mocknacos --port $(PORT)

## build: the static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/mocknacos ./cmd/mocknacos

## test: everything CI runs (lint, race-checked unit tests, real-SDK and
## real-client tests: Go, Java and Python clients, the console in Chromium)
test: lint browser unit sdk

## browser: Debian's chromium for the console page test (idempotent)
browser:
	@scripts/stage.sh "install chromium" scripts/install-chromium.sh

lint:
	@scripts/stage.sh "gofmt" bash -c 'out=$$(gofmt -l $$(git ls-files "*.go" 2>/dev/null || find . -name "*.go")); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi'
	@scripts/stage.sh "go vet" $(GO) vet ./...
	@scripts/stage.sh "actionlint" $(GO) run $(ACTIONLINT) -no-color

## unit: all tests under the race detector (the fuzz seed corpora run too)
unit:
	@scripts/stage.sh "go test -race" $(GO) test -race -count=1 ./...

## sdk: the tests that drive real Nacos SDKs, which have data races of
## their own and so are built only without -race (see the files' headers)
sdk:
	@MOCKNACOS_SKIP_BROWSER=1 scripts/stage.sh "go test (real SDKs, no -race)" $(GO) test -count=1 ./...

## fuzz: a minute of fuzzing the HTTP request parsing
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzRequest -fuzztime 60s ./internal/httpv1/

## bench: the micro-benchmarks (see README, "Performance")
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./mocknacos/ ./internal/...

clean:
	rm -rf bin
