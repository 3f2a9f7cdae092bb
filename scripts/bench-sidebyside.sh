#!/usr/bin/env bash
# bench-sidebyside.sh [go test args...]: the side-by-side benchmarks (mocknacos/bench_sidebyside_test.go),
# mock vs a real Nacos. With MOCKNACOS_REAL_NACOS=host:port set, that server is used. Unset, this
# script starts one itself: the real Nacos $NACOS_BENCH_VERSION (default 2.4.3) assembled under
# $MOCKNACOS_CACHE/nacos-real/<version> (from $NACOS_SHARED/assemble.sh when missing; default
# ../shared/nacos beside the repository), as a plain process, standalone, auth off, embedded
# storage in a temporary folder, on free ports of 127.0.0.1; and stops it afterwards.
set -euo pipefail
source "$(dirname "$0")/lib/images.sh"
VERSION=${NACOS_BENCH_VERSION:-2.4.3}
NACOS_SHARED=${NACOS_SHARED:-$MOCKNACOS_ROOT/../shared/nacos}
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(-run '^$' -bench SideBySide -benchtime 30x ./mocknacos/)
cd "$MOCKNACOS_ROOT"
if [ -n "${MOCKNACOS_REAL_NACOS:-}" ]; then
  log "real Nacos: $MOCKNACOS_REAL_NACOS (MOCKNACOS_REAL_NACOS)"
  exec go test "${ARGS[@]}"
fi

dest=$MOCKNACOS_CACHE/nacos-real/$VERSION
if [ ! -f "$dest/.complete" ]; then
  [ -x "$NACOS_SHARED/assemble.sh" ] || { log "no $NACOS_SHARED/assemble.sh: set NACOS_SHARED"; exit 1; }
  timed "assemble Nacos $VERSION" "$NACOS_SHARED/assemble.sh" "$VERSION" "$dest" >/dev/null
fi
listening() { ss -Htln "sport = :$1" | grep -q .; }
P=""
for _ in $(seq 1 50); do
  q=$(( 21000 + RANDOM % 8000 ))
  if ! listening $((q - 1000)) && ! listening "$q" && ! listening $((q + 1000)) && ! listening $((q + 1001)) &&
    ! listening $((q + 7)); then P=$q; break; fi
done
[ -n "$P" ] || { log "no free port spread"; exit 1; }
HOME_DIR=$(mktemp -d /tmp/nacos-bench.XXXXXX)
PID=""
stop() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$HOME_DIR"
}
trap stop EXIT
args=(--nacos.inetutils.ip-address=127.0.0.1)
case $VERSION in
  3.*) args+=("--nacos.server.main.port=$P" "--nacos.console.port=$((P + 7))"
         "--nacos.core.auth.plugin.nacos.token.secret.key=$(printf 'mocknacos-bench-sidebyside-test-only-secret' | base64 -w0)"
         --nacos.core.auth.server.identity.key=bench --nacos.core.auth.server.identity.value=bench)
       ready=/nacos/v3/admin/core/state/readiness ;;
  *) args+=("--server.port=$P"); ready=/nacos/v1/console/health/readiness ;;
esac
log "starting the real Nacos $VERSION on 127.0.0.1:$P (gRPC $((P + 1000))), log $HOME_DIR/server.out"
t0=$(now_ms)
NACOS_HOME=$HOME_DIR JAVA_OPTS="-Xms256m -Xmx512m" "$dest/start.sh" "${args[@]}" >"$HOME_DIR/server.out" 2>&1 &
PID=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$P$ready" 2>/dev/null; do
  kill -0 "$PID" 2>/dev/null || { log "the server exited:"; tail -20 "$HOME_DIR/server.out" >&2; exit 1; }
  if [ $(( $(now_ms) - t0 )) -gt 600000 ]; then log "not ready within 600 s"; tail -20 "$HOME_DIR/server.out" >&2; exit 1; fi
  sleep 0.25
done
log "ready in $(fmt_ms $(( $(now_ms) - t0 )))"
MOCKNACOS_REAL_NACOS=127.0.0.1:$P go test "${ARGS[@]}"
