#!/usr/bin/env bash
# run-sca-spring-tests.sh [GENERATION...]: the @SpringBootTest tests of the
# sample apps (javaapps/sca, profile spring-tests) against the embedded mock
# (mocknacos-junit, which must be installed: make junit-module), once per
# Spring Cloud Alibaba generation. The generations are the profile ids of
# javaapps/sca/pom.xml that start with a digit, so a new generation is a new
# profile there (SCA_GENERATIONS overrides the list). Maven runs offline
# first, online only when the local repository lacks something. Prints each
# generation's time; the Maven logs go to javaapps/sca/target/spring-tests-GEN.log.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$ROOT/javaapps/sca
if [ $# -gt 0 ]; then GENS="$*"; else
  GENS=${SCA_GENERATIONS:-$(sed -n 's:^ *<id>\([0-9][^<]*\)</id>.*:\1:p' "$D/pom.xml" | tr '\n' ' ')}
fi
NICE=""; command -v nice >/dev/null && NICE="nice -n 10"
now_ms() { python3 -c 'import time; print(int(time.time()*1000))' 2>/dev/null || echo $(( $(date +%s) * 1000 )); }
mkdir -p "$D/target"
rc=0
summary=()
for gen in $GENS; do
  log=$D/target/spring-tests-$gen.log
  t0=$(now_ms)
  run() { (cd "$D" && $NICE mvn -B "$@" -P "$gen,spring-tests" test >"$log" 2>&1); }
  if ! run -o; then
    if grep -qE 'offline mode|has not been downloaded from it before' "$log"; then
      echo "$gen: the local Maven repository lacks something: online"
      run || true
    fi
  fi
  ms=$(( $(now_ms) - t0 ))
  if grep -q 'BUILD SUCCESS' "$log"; then st=ok; else st=FAILED; rc=1; fi
  tests=$(grep -E 'Tests run:.*Time elapsed' "$log" | sed 's/^\[[A-Z]*\] //' | tr '\n' ';')
  summary+=("$gen: $st in $((ms / 1000)).$(printf %03d $((ms % 1000)))s ($tests)")
  if [ $st = FAILED ]; then
    grep -E 'ERROR|FAIL' "$log" | head -30
    for f in "$D"/*/target/"$gen"/surefire-reports/*-output.txt; do
      [ -f "$f" ] && grep -E 'Exception|ERROR' "$f" | head -10
    done
  fi
done
printf '%s\n' "${summary[@]}"
exit $rc
