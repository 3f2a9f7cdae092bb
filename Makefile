# mocknacos: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
PORT ?= 8848
# Artifacts of the console page test (console.png, console.html).
MOCKNACOS_ARTIFACTS ?= $(CURDIR)/artifacts
export MOCKNACOS_ARTIFACTS
# In `make test` a missing Docker engine or image is a failure, not a skip.
REQUIRE_DOCKER ?= 1
# The compatibility suite's real columns: these versions of the real Nacos
# server, as the images `make images` builds from ../shared/nacos
# (scripts/build-nacos-real-image.sh). NACOS_IMAGES names other images instead
# (e.g. the official nacos/nacos-server:v2.4.3 where a registry is reachable);
# NACOS_IMAGES= (empty) runs the mock's columns alone.
NACOS_REAL_VERSIONS ?= 2.4.3 1.4.8
NACOS_IMAGES ?= $(foreach v,$(NACOS_REAL_VERSIONS),mocknacos/nacos-real:$(v))
export NACOS_IMAGES

.PHONY: run build test lint browser images unit sdk compat junit fuzz bench bench-soak bench-sidebyside bench-image image run-image clean bench-micro fixtures smoke-nacos-real

## run: serve the mock on 127.0.0.1:$(PORT) (HTTP, /nacos) and $(PORT)+1000 (gRPC)
run:
	$(GO) run ./cmd/mocknacos --port $(PORT)

## build: the static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/mocknacos ./cmd/mocknacos

## test: everything CI runs: lint; Chromium; the Docker engine and every
## image (built locally); race-checked unit tests; the real-client tests (Go,
## Java, Python, Node, the console in Chromium, the image through
## testcontainers-go); the compatibility matrix; the JUnit example
test: lint browser images unit sdk compat conformance junit junit-module junit-spring

## browser: Debian's chromium for the console page test (idempotent)
browser:
	@scripts/stage.sh "install chromium" scripts/install-chromium.sh

## images: Docker engine up (installed from Debian when missing), the JRE base,
## the Spring Cloud Alibaba apps of each generation and the mock's own image;
## each cached by a hash of its inputs
images:
	@scripts/stage.sh "images (docker, JRE base, Spring apps, mock)" scripts/build-images.sh

## image: only the mock's image, FROM scratch (mocknacos/mocknacos:latest)
image:
	@scripts/stage.sh "mock image" scripts/build-mock-image.sh

## run-image: the image on 127.0.0.1:$(PORT) (gRPC $(PORT)+1000), host networking
run-image: image
	docker run --rm --network host -e MOCKNACOS_HOST=127.0.0.1 -e MOCKNACOS_PORT=$(PORT) mocknacos/mocknacos:latest

lint:
	@scripts/stage.sh "gofmt" bash -c 'out=$$(gofmt -l $$(git ls-files "*.go" 2>/dev/null || find . -name "*.go")); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi'
	@scripts/stage.sh "go vet" $(GO) vet ./...
	@scripts/stage.sh "go vet (compat)" $(GO) vet -tags compat ./compat/
	@scripts/stage.sh "go vet (conformance)" $(GO) vet -tags conformance ./conformance/
	@scripts/stage.sh "go mod tidy (no change)" $(GO) mod tidy -diff
	@scripts/stage.sh "actionlint" $(GO) run $(ACTIONLINT) -no-color

## unit: all tests under the race detector (the fuzz seed corpora run too)
unit:
	@MOCKNACOS_REQUIRE_DOCKER=$(REQUIRE_DOCKER) scripts/stage.sh "go test -race" $(GO) test -race -count=1 ./...

## sdk: the tests that drive real Nacos SDKs, which have data races of
## their own and so are built only without -race (see the files' headers)
sdk:
	@MOCKNACOS_REQUIRE_DOCKER=$(REQUIRE_DOCKER) MOCKNACOS_SKIP_BROWSER=1 scripts/stage.sh "go test (real SDKs, no -race)" $(GO) test -count=1 ./...

## compat: the compatibility matrix (Spring Cloud Alibaba apps, Python and
## Node clients against the mock and the images of NACOS_IMAGES); writes
## $(MOCKNACOS_ARTIFACTS)/MATRIX.md (compat/MATRIX.md is the committed matrix
## of a run with real servers)
COMPAT_TIMEOUT ?= 60m
compat:
	@mkdir -p $(MOCKNACOS_ARTIFACTS)
	@MOCKNACOS_REQUIRE_DOCKER=$(REQUIRE_DOCKER) scripts/stage.sh "compatibility matrix" $(GO) test -tags compat -count=1 -timeout $(COMPAT_TIMEOUT) ./compat/ -v -args -matrix $(MOCKNACOS_ARTIFACTS)/MATRIX.md

## fixtures: record every golden fixture of fixtures/ again from the real Nacos
## images (2.4.3: every generation; 1.4.8: the HTTP one), then replay them into
## the mock (TestGoldenFixtures). About 10 minutes (README, "Re-recording the golden fixtures")
NACOS_FIXTURE_VERSIONS ?= 2.4.3 1.4.8
fixtures: images
	@scripts/stage.sh "record fixtures" env NACOS_IMAGE="$(foreach v,$(NACOS_FIXTURE_VERSIONS),mocknacos/nacos-real:$(v))" scripts/record-fixtures.sh

## smoke-nacos-real: each real Nacos image starts with the suite's variables,
## answers its readiness probe and logs nacos in (1.4.8, 2.4.3, 3.0.3)
smoke-nacos-real:
	@scripts/stage.sh "nacos-real smoke" scripts/smoke-nacos-real-image.sh $(foreach v,1.4.8 2.4.3 3.0.3,mocknacos/nacos-real:$(v))

## junit: the JUnit 5 + Testcontainers example against the image
junit:
	@scripts/stage.sh "junit example" scripts/run-junit-example.sh

## fuzz: every fuzz target briefly (FUZZTIME each): the HTTP request
## parsing, and over gRPC the envelope, every request body and the bi-stream
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzRequest$$' -fuzztime $(FUZZTIME) ./internal/httpv1/
	$(GO) test -run '^$$' -fuzz '^FuzzEnvelope$$' -fuzztime $(FUZZTIME) ./internal/grpcv2/
	$(GO) test -run '^$$' -fuzz '^FuzzRequestBody$$' -fuzztime $(FUZZTIME) ./internal/grpcv2/
	$(GO) test -run '^$$' -fuzz '^FuzzBiStream$$' -fuzztime $(FUZZTIME) ./internal/grpcv2/

## bench-soak: the load test (100 HTTP clients, 100 gRPC connections) in
## rounds for SOAK (10m), logging resident memory and goroutines per round;
## SOAK_TARGET=binary runs it against the binary cmd/mocknacos
SOAK ?= 10m
SOAK_TARGET ?= in-process
bench-soak:
	MOCKNACOS_SOAK=$(SOAK) MOCKNACOS_SOAK_TARGET=$(SOAK_TARGET) $(GO) test -run '^TestLoadSoak$$' -count=1 -timeout 0 -v ./mocknacos/

## bench: the mock binary beside the real Nacos 2.4.3 and 3.0.3 (assembled
## from ../shared/nacos) and the stateless references, in one run: each
## server alone on core 0, the load generator on core 1; prints and writes
## bench/RESULTS.md (a few minutes; not part of CI)
bench: build
	$(GO) build -o bin/bench ./bench
	$(if $(shell command -v taskset),taskset -c 1 )bin/bench -mock bin/mocknacos -out bench/RESULTS.md

## bench-micro: the Go micro-benchmarks (see README, "Performance")
bench-micro:
	$(GO) test -run '^$$' -bench . -skip 'SideBySide|Journal10M' -benchmem ./mocknacos/ ./internal/...

## bench-sidebyside: mock vs a real Nacos in one run: MOCKNACOS_REAL_NACOS=host:port,
## or unset: the assembled real Nacos NACOS_BENCH_VERSION (2.4.3), started and stopped here
bench-sidebyside:
	@scripts/stage.sh "side-by-side benchmarks" scripts/bench-sidebyside.sh

## bench-image: start-to-answer of the binary and of its container
bench-image: image
	$(GO) test -run '^$$' -bench . ./cmd/mocknacos/ ./tcmocknacos/

## junit-module: javaapps/mocknacos-junit (the mock embedded in a JUnit 5 /
## Spring test dependency): cross-compiles the binary for its five platforms,
## runs the module's tests and installs it into ~/.m2
.PHONY: junit-module junit-spring
junit-module:
	@scripts/stage.sh "junit-module (cross-compile, unit tests, mvn install)" scripts/build-junit-module.sh

## junit-spring: the sample apps' @SpringBootTest tests on the embedded mock,
## for every Spring Cloud Alibaba generation (profiles of javaapps/sca/pom.xml)
junit-spring: junit-module
	@scripts/stage.sh "junit-spring (@SpringBootTest per generation)" scripts/run-sca-spring-tests.sh

clean:
	rm -rf bin

## conformance: the differential conformance suite: the hand-written
## rejection tables and SEQUENCES generated operation sequences per server
## (SEED: the generator's seed, fixed so that `make test` is repeatable;
## SEED=0 takes one from the clock; VERSIONS: e.g. 2.4.3),
## sent to real Nacos servers (assembled from ../shared/nacos, cached) and to
## the mock, answer by answer (see conformance/README.md)
SEQUENCES ?= 120
SEED ?= 12
VERSIONS ?=
.PHONY: conformance
conformance:
	@scripts/stage.sh "conformance (real Nacos vs mock)" $(GO) test -tags conformance -count=1 -timeout 30m ./conformance/ -v -run TestConformance \
		-args -sequences $(SEQUENCES) -seed $(SEED) -versions "$(VERSIONS)"
