# shellcheck shell=bash
# Helpers shared by the image build scripts (sourced, not run).
#
# Every image is tagged NAME:<hash of its inputs> and rebuilt only when no
# image with that tag exists (`docker image inspect`). A stable alias tag
# (e.g. mocknacos/sca-apps:2023.0.3.4) is pointed at the current hash tag so
# that tests can name an image without knowing the hash.

# Repo root (scripts/lib/.. /..).
MOCKNACOS_ROOT=${MOCKNACOS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Where built artifacts (the Nacos server jar, debootstrap trees) are cached.
MOCKNACOS_CACHE=${MOCKNACOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mocknacos}
mkdir -p "$MOCKNACOS_CACHE"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fmt_ms() { printf '%d.%03ds' $(( $1 / 1000 )) $(( $1 % 1000 )); }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# timed NAME CMD...: runs CMD, prints "<== NAME: ok|FAILED in Xs" and keeps
# the line in $MOCKNACOS_TIMINGS (a file) for the final summary.
MOCKNACOS_TIMINGS=${MOCKNACOS_TIMINGS:-$(mktemp /tmp/mocknacos-timings.XXXXXX)}
export MOCKNACOS_TIMINGS
timed() {
  local name=$1; shift
  local t rc ms
  t=$(now_ms)
  log "==> $name"
  "$@"; rc=$?
  ms=$(( $(now_ms) - t ))
  local line
  line=$(printf '%-48s %-6s %s' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAILED)" "$(fmt_ms $ms)")
  echo "$line" >>"$MOCKNACOS_TIMINGS"
  log "<== $line"
  return $rc
}

# hash_stdin: the first 12 hex digits of the sha256 of stdin.
hash_stdin() { sha256sum | cut -c1-12; }

# hash_paths PATH...: a hash of the named files and directories (contents and
# relative names; target/ and dot-files excluded), stable across machines.
hash_paths() {
  local p
  for p in "$@"; do
    if [ -d "$p" ]; then
      (cd "$p" && find . -type f ! -path '*/target/*' ! -name '.*' -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum)
    else
      sha256sum <"$p"; echo " $(basename "$p")"
    fi
  done | hash_stdin
}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

# alias_tag IMAGE ALIAS: point ALIAS at IMAGE.
alias_tag() { docker tag "$1" "$2"; }

# debian_mirror: the Debian archive URI this machine's apt uses for bookworm,
# read at run time from /etc/apt/sources.list.d/*.sources (deb822) or
# /etc/apt/sources.list. $DEBIAN_MIRROR overrides. Never written into a file.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return 0; fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822: stanzas separated by blank lines; pick one whose Types has deb
    # and whose Suites has exactly "bookworm"; print its first URI.
    uri=$(awk '
      function flush() { if (isdeb && hasbw && u != "") { print u; found=1; exit } isdeb=0; hasbw=0; u="" }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      tolower($1) == "types:"  { for (i=2;i<=NF;i++) if ($i=="deb") isdeb=1 }
      tolower($1) == "suites:" { for (i=2;i<=NF;i++) if ($i=="bookworm") hasbw=1 }
      tolower($1) == "uris:"   { u=$2 }
      END { if (!found) flush() }' "$f")
    if [ -n "$uri" ]; then echo "${uri%/}"; return 0; fi
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '
      /^[[:space:]]*deb[[:space:]]/ {
        i=2; if ($i ~ /^\[/) { while ($i !~ /\]$/ && i<NF) i++; i++ }
        if ($(i+1) == "bookworm") { print $i; exit } }' "$f")
    if [ -n "$uri" ]; then echo "${uri%/}"; return 0; fi
  done
  echo "debian_mirror: no bookworm source found in apt sources; set DEBIAN_MIRROR" >&2
  return 1
}
