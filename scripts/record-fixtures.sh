#!/usr/bin/env bash
# record-fixtures.sh: record the golden fixtures (fixtures/*.jsonl): the
# Spring Cloud Alibaba sample-service of each client generation against a
# REAL Nacos server, through `mocknacos record`. `go test ./...` replays every
# fixture into the mock and compares the answers (mocknacos/golden_test.go).
#
#   NACOS_IMAGE   (required) real Nacos server images, space-separated, e.g.
#                 nacos/nacos-server:v2.4.3 where a registry is reachable, or
#                 ones built locally. Never pulled: they must be present.
#                 Each is recorded against in turn.
#   GENERATIONS   space-separated generations (default: all four; the gRPC
#                 ones are skipped against a 1.x server)
#   SCA_IMAGE     image of the apps, %s standing for the generation
#                 (default mocknacos/sca-apps:%s, see scripts/build-images.sh)
#   FIXTURES_DIR  where the recordings go (default fixtures/)
#   RUN_SECONDS   how long provider A runs alone (default 60)
#
# Per generation, against a fresh server container (host networking, auth
# off, everything on 127.0.0.1):
#   1. the server starts; the recorder starts in front of it and writes
#      fixtures/<gen>-nacos-<server version>.jsonl
#   2. gRPC generations: a consumer (the generation's sample-consumer)
#      starts and looks sample-service up, so it subscribes: the server's
#      pushes show what a client sees of everything below. Not for the HTTP
#      generation: a 1.x consumer polls every 10 s whenever it likes, and a
#      poll within 0.5 s of a change (a real 2.x server lists from a cache
#      its push task refreshes 500 ms later) or 15-20 s after a killed
#      provider's last beat (the server's beat check runs every 5 s) would
#      see a state no mock can predict (fixtures/README.md).
#      provider A starts and runs RUN_SECONDS (beats or gRPC health checks)
#   3. provider B starts (weight 2, cluster east, metadata zone=z1)
#   4. B is stopped gracefully (docker stop), A is killed (docker kill -s KILL)
#   5. the server's reaction is observed through the recorder with plain HTTP
#      reads (instance list, A's detail) at moments chosen away from the
#      server's 5 s check cadence: a 1.x-protocol (HTTP-beat) instance is
#      unhealthy 15-20 s after its last beat and removed 30-35 s after it;
#      A's last beat was 0-5 s before the kill, so reads at kill+2 s,
#      kill+22 s and kill+40 s see one state on any server. A gRPC client's
#      instance goes with its connection: reads at kill+2 s and kill+10 s.
#   6. the recorder stops, then the consumer and the server.
# The same reads are also made after A and B registered and after B left.
# Waiting for an instance to appear is done on the server directly (not
# recorded). Prints each step's duration and each fixture's size.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${NACOS_IMAGE:?set NACOS_IMAGE to a real Nacos server image (present locally)}"
GENERATIONS=${GENERATIONS:-"2.2.6.RELEASE 2021.0.5.0 2022.0.0.0 2023.0.3.4"}
SCA_IMAGE=${SCA_IMAGE:-mocknacos/sca-apps:%s}
FIXTURES_DIR=${FIXTURES_DIR:-$ROOT/fixtures}
RUN_SECONDS=${RUN_SECONDS:-60}
HTTP_GENERATIONS=" 2.2.6.RELEASE " # nacos-client 1.x: HTTP beats; the rest speak gRPC

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { printf '%d.%01ds' $(( $1 / 1000 )) $(( $1 % 1000 / 100 )); }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
T0=$(now_ms)
step_t=$T0
step() { local t; t=$(now_ms); log "  ($(secs $(( t - step_t ))) since the last step) $*"; step_t=$t; }

for image in $NACOS_IMAGE; do
  docker image inspect "$image" >/dev/null 2>&1 || { log "image $image is not present (never pulled)"; exit 1; }
done

# free PORT...: true when none of the TCP ports is listening.
free() {
  local p
  for p in "$@"; do
    ss -Htln "sport = :$p" | grep -q . && return 1
  done
  return 0
}
# pick_ports: sets Q (server: Q-1000, Q, Q+1000, Q+1001), P (proxy: P, P+1000),
# PA and PB (the two providers' HTTP ports) and PC (the consumer's), all free.
pick_ports() {
  local i
  for i in $(seq 1 50); do
    Q=$(( 21000 + RANDOM % 6000 ))
    P=$(( Q + 7 ))
    PA=$(( Q + 20 )); PB=$(( Q + 21 )); PC=$(( Q + 22 ))
    if free $((Q - 1000)) "$Q" $((Q + 1000)) $((Q + 1001)) "$P" $((P + 1000)) "$PA" "$PB" "$PC"; then return 0; fi
  done
  log "no free ports"; exit 1
}

BIN=$(mktemp -d)/mocknacos
log "building the recorder"
(cd "$ROOT" && go build -o "$BIN" ./cmd/mocknacos)

SERVER="" REC_PID="" APPS=()
cleanup() {
  local c
  for c in "${APPS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  APPS=()
  if [ -n "$REC_PID" ]; then kill -INT "$REC_PID" 2>/dev/null || true; wait "$REC_PID" 2>/dev/null || true; REC_PID=""; fi
  if [ -n "$SERVER" ]; then docker rm -f "$SERVER" >/dev/null 2>&1 || true; SERVER=""; fi
}
trap cleanup EXIT

# wait_for DESC SECONDS CMD...: retries CMD every 0.5 s.
wait_for() {
  local desc=$1 limit=$2; shift 2
  local end=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$end" ]; then
      log "timed out after ${limit}s waiting for $desc"
      local c
      for c in "${APPS[@]}" "$SERVER"; do
        [ -n "$c" ] || continue
        log "-- $c ($(docker inspect -f '{{.State.Status}}, exit {{.State.ExitCode}}' "$c" 2>/dev/null || echo gone)), its log ends:"
        docker logs --tail 15 "$c" 2>&1 | sed 's/^/   /' >&2 || true
      done
      return 1
    fi
    sleep 0.5
  done
}
ready() { curl -fsS "http://127.0.0.1:$Q/nacos/v1/console/health/readiness"; }
# registered PORT: the instance 127.0.0.1:PORT is in the server's list (read
# on the server itself, so not recorded).
registered() {
  curl -fsS "http://127.0.0.1:$Q/nacos/v1/ns/instance/list?serviceName=sample-service" |
    jq -e --argjson p "$1" '[.hosts[] | select(.port == $p)] | length > 0'
}
# consumer_sees: the consumer's view (GET /instances) lists PORTS exactly.
consumer_sees() {
  curl -fsS "http://127.0.0.1:$PC/instances" |
    jq -e --arg want "$*" '([.instances[].port] | sort | map(tostring) | join(" ")) == $want'
}
# observe: what a plain HTTP client sees, through the recorder.
observe() {
  curl -sS -o /dev/null "http://127.0.0.1:$P/nacos/v1/ns/instance/list?serviceName=sample-service" || true
  curl -sS -o /dev/null "http://127.0.0.1:$P/nacos/v1/ns/instance?serviceName=sample-service&ip=127.0.0.1&port=$PA" || true
}
app() { # app NAME PORT APP [SPRING ARGS...]
  local name=$1 port=$2 which=$3; shift 3
  APPS+=("$name")
  # shellcheck disable=SC2059
  # Not --rm: a container that exits keeps its log for wait_for to show (cleanup removes it).
  docker run -d --name "$name" --network host -e SERVER_PORT="$port" \
    -e NACOS_SERVER_ADDR="127.0.0.1:$P" -e JAVA_OPTS=-Xmx256m -e TARGET_SERVICE=sample-service \
    "$(printf "$SCA_IMAGE" "$gen")" "$which" "$@" >/dev/null
}

mkdir -p "$FIXTURES_DIR"
SUMMARY=()
for image in $NACOS_IMAGE; do
  version="" # the server's, once known
  for gen in $GENERATIONS; do
    if [[ $version == 1.* && $HTTP_GENERATIONS != *" $gen "* ]]; then
      log "$gen speaks gRPC: no recording against Nacos $version"
      continue
    fi
    t_gen=$(now_ms); step_t=$t_gen
    pick_ports
    log "== $gen against $image (server $Q, recorder $P, providers $PA $PB)"
    SERVER=fixture-nacos-$$-$Q
    docker run -d --name "$SERVER" --network host \
      -e MODE=standalone -e NACOS_PORT="$Q" -e NACOS_APPLICATION_PORT="$Q" -e NACOS_SERVER_IP=127.0.0.1 \
      -e PREFER_HOST_MODE=ip -e NACOS_AUTH_ENABLE=false -e JVM_XMS=256m -e JVM_XMX=512m -e JVM_XMN=128m \
      -e NACOS_AUTH_TOKEN=bW9ja25hY29zLWZpeHR1cmVzLXRlc3Qtb25seS1zZWNyZXQta2V5ISE= \
      -e NACOS_AUTH_IDENTITY_KEY=fixtures -e NACOS_AUTH_IDENTITY_VALUE=fixtures \
      "$image" >/dev/null
    wait_for "the server's readiness" 600 ready
    version=$(curl -fsS "http://127.0.0.1:$Q/nacos/v1/console/server/state" | jq -r .version)
    step "server $version ready"
    if [[ $version == 1.* && $HTTP_GENERATIONS != *" $gen "* ]]; then
      log "$gen speaks gRPC: no recording against Nacos $version"
      cleanup; continue
    fi
    out=$FIXTURES_DIR/$gen-nacos-$version.jsonl
    "$BIN" record --listen "127.0.0.1:$P" --upstream "127.0.0.1:$Q" --out "$out" 2> >(grep -v '^mocknacos record: clients' >&2) &
    REC_PID=$!
    wait_for "the recorder" 20 curl -fsS "http://127.0.0.1:$P/nacos/v1/console/health/readiness"
    step "recorder on $P"

    consumer=false
    [[ $HTTP_GENERATIONS == *" $gen "* ]] || consumer=true
    if $consumer; then app "fixture-c-$$" "$PC" sample-consumer; fi
    app "fixture-a-$$" "$PA" sample-service
    wait_for "provider A" 420 registered "$PA"
    step "provider A registered"
    if $consumer; then
      wait_for "the consumer to see A" 420 consumer_sees "$PA"
      step "the consumer sees A"
    fi
    observe
    sleep "$RUN_SECONDS"
    step "provider A ran ${RUN_SECONDS}s"
    app "fixture-b-$$" "$PB" sample-service --spring.cloud.nacos.discovery.weight=2 \
      --spring.cloud.nacos.discovery.cluster-name=east --spring.cloud.nacos.discovery.metadata.zone=z1
    wait_for "provider B" 420 registered "$PB"
    step "provider B registered"
    if $consumer; then
      wait_for "the consumer to see B" 60 consumer_sees "$PA" "$PB"
      step "the consumer sees A and B"
    fi
    observe
    sleep 10
    docker stop -t 30 "fixture-b-$$" >/dev/null
    step "provider B stopped (docker stop)"
    sleep 2
    observe
    docker kill -s KILL "fixture-a-$$" >/dev/null
    step "provider A killed"
    if [[ $HTTP_GENERATIONS == *" $gen "* ]]; then marks="2 22 40"; else marks="2 10"; fi
    t_kill=$(now_ms)
    for m in $marks; do
      sleep "$(awk -v d=$(( m * 1000 - ($(now_ms) - t_kill) )) 'BEGIN { printf "%.3f", (d > 0 ? d : 0) / 1000 }')"
      observe
    done
    step "observed the server's reaction (reads at kill+${marks// /s, +}s)"
    kill -INT "$REC_PID"; wait "$REC_PID" || true; REC_PID=""
    for c in "${APPS[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
    APPS=()
    docker rm -f "$SERVER" >/dev/null; SERVER=""
    size=$(stat -c %s "$out")
    line=$(printf '%-40s %6d KB %5d events  %s' "$(basename "$out")" $(( size / 1024 )) $(( $(wc -l <"$out") - 1 )) "$(secs $(( $(now_ms) - t_gen )))")
    SUMMARY+=("$line")
    log "== $line"
    [ "$size" -le $(( 300 * 1024 )) ] || log "WARNING: $out is larger than 300 KB: shorten RUN_SECONDS"
  done
done

echo "== fixtures (file, size, events, time to make)"
printf '%s\n' "${SUMMARY[@]}"
echo "record-fixtures total: $(secs $(( $(now_ms) - T0 )))"
# The golden test on what is in FIXTURES_DIR now; a failure is reported, not
# retried: see "What the fixtures leave out" in fixtures/README.md first.
echo "== golden test (mocknacos TestGoldenFixtures) on $FIXTURES_DIR"
(cd "$ROOT" && MOCKNACOS_FIXTURES=$(cd "$FIXTURES_DIR" && pwd) go test -count=1 -run TestGoldenFixtures ./mocknacos/)
