#!/usr/bin/env bash
# build-junit-module.sh [MVN_GOAL...]: builds javaapps/mocknacos-junit. First
# cross-compiles cmd/mocknacos (static, CGO_ENABLED=0, -trimpath) for every
# platform the jar carries into javaapps/mocknacos-junit/target/bin-resources
# (with a .sha256 beside each binary), skipped when the Go sources are
# unchanged since the last build; then runs Maven (default goal: install,
# which runs the module's own tests and puts the jar in ~/.m2), offline
# first and online only when the local repository lacks something.
#   MOCKNACOS_JUNIT_PLATFORMS  "os/arch ..." (default: the five below)
#   MVN_ARGS                   extra Maven arguments (e.g. -DskipTests)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
D=$ROOT/javaapps/mocknacos-junit
BIN=$D/target/bin-resources/io/github/mocknacos/bin
PLATFORMS=${MOCKNACOS_JUNIT_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}
GO=${GO:-go}
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
NICE=""; command -v nice >/dev/null && NICE="nice -n 10"
now_ms() { python3 -c 'import time; print(int(time.time()*1000))' 2>/dev/null || echo $(( $(date +%s) * 1000 )); }

# The stamp: a hash of every non-test Go source file of the module; each
# platform's binary is rebuilt only when its stamp differs.
stamp=$(cd "$ROOT" && git ls-files -- '*.go' go.mod go.sum 2>/dev/null | grep -v '_test.go$' |
  LC_ALL=C sort | while read -r f; do sha256 "$f"; done | sha256 | cut -c1-16)
t0=$(now_ms)
for p in $PLATFORMS; do
  os=${p%/*} arch=${p#*/}
  exe=mocknacos; [ "$os" = windows ] && exe=mocknacos.exe
  dir=$BIN/$os-$arch
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ] && [ -f "$dir/$exe.sha256" ]; then
    continue
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$ROOT" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch $NICE "$GO" build -trimpath -ldflags='-s -w' -o "$dir/$exe" ./cmd/mocknacos)
  (cd "$dir" && sha256 "$exe" | cut -d' ' -f1 >"$exe.sha256")
  echo "$stamp" >"$dir/.stamp"
  echo "built $os-$arch: $(wc -c <"$dir/$exe" | tr -d ' ') bytes"
done
echo "binaries ($stamp) ready in $(( $(now_ms) - t0 )) ms"
# Only the platforms asked for go into the jar.
for d in "$BIN"/*/; do
  [ -d "$d" ] || continue
  n=$(basename "$d"); case " $PLATFORMS " in *" ${n%-*}/${n#*-} "*) ;; *) rm -rf "$d" ;; esac
done

[ $# -gt 0 ] || set -- install
LOG=$D/target/mvn.log
# shellcheck disable=SC2086
if ! (cd "$D" && $NICE mvn -B -o ${MVN_ARGS:-} "$@" >"$LOG" 2>&1); then
  if grep -qE 'offline mode|has not been downloaded from it before' "$LOG"; then
    echo "the local Maven repository lacks something: online"
    # shellcheck disable=SC2086
    (cd "$D" && $NICE mvn -B ${MVN_ARGS:-} "$@" >"$LOG" 2>&1) || { tail -60 "$LOG"; exit 1; }
  else
    tail -60 "$LOG"; exit 1
  fi
fi
grep -E 'Tests run:|BUILD' "$LOG" | tail -15 || true
