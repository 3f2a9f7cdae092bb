#!/usr/bin/env bash
# run-junit-example.sh: the JUnit example (javaapps/junit-example): builds the
# mock image if its inputs changed (scripts/build-mock-image.sh), then runs
# `mvn -B test` there against that exact image, offline first (-o) and online
# only when the local Maven repository lacks something. Prints per-stage
# durations and the test's own step timings; the Maven log goes to
# ~/.cache/mocknacos/junit-example.log.
set -uo pipefail
source "$(dirname "$0")/lib/images.sh"
S=$MOCKNACOS_ROOT/scripts
D=$MOCKNACOS_ROOT/javaapps/junit-example
MVNLOG=$MOCKNACOS_CACHE/junit-example.log
t_all=$(now_ms)

timed "docker engine up" "$S/docker-up.sh" >&2 || { log "no Docker engine"; exit 1; }
IMAGE=$(timed "mock image" "$S/build-mock-image.sh") || { log "mock image failed"; exit 1; }

# mvn_test [-o]: the test against $IMAGE; the reaper and startup checks are
# off and the Docker host is 127.0.0.1 (each would pull an image otherwise),
# as the pom also says.
mvn_test() {
  (cd "$D" && TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CHECKS_DISABLE=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 \
    MOCKNACOS_IMAGE="$IMAGE" \
    mvn -B "$@" test -Dmocknacos.image="$IMAGE") >"$MVNLOG" 2>&1
}
offline_miss() { grep -qE 'in offline mode|has not been downloaded from it before|Cannot access .* in offline mode' "$MVNLOG"; }

rc=0
timed "junit example: mvn -o test" mvn_test -o || rc=$?
if [ $rc -ne 0 ] && offline_miss; then
  log "the local Maven repository lacks something: online"
  rc=0
  timed "junit example: mvn test (online)" mvn_test || rc=$?
fi

echo
echo "== test steps (ms since the test class started)"
grep -h '^\[junit-example\]' "$MVNLOG" || true
grep -h 'Tests run:.*Time elapsed' "$MVNLOG" || true
echo "== stage durations"
cat "$MOCKNACOS_TIMINGS"
echo "run-junit-example total: $(fmt_ms $(( $(now_ms) - t_all )))  (image $IMAGE, Maven log $MVNLOG)"
if [ $rc -ne 0 ]; then
  grep -hE '^\[ERROR\]' "$MVNLOG" | head -30
  echo "FAILED"
fi
exit $rc
