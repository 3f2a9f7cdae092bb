#!/usr/bin/env bash
# install-chromium.sh: make Debian's headless-capable `chromium` available,
# idempotently, for the console page test (mocknacos/console_test.go).
#
#   - does nothing (but say so) when `chromium` is already on PATH;
#   - otherwise runs `apt-get update` and `apt-get install -y chromium`
#     (non-interactive, no recommended packages); must run as root, or
#     with sudo available;
#   - prints how long it took.
#
# The test itself never installs anything: without `chromium` it fails and
# points here (or skips with MOCKNACOS_SKIP_BROWSER=1).
set -euo pipefail

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fmt() { printf '%d.%03ds' $(( $1 / 1000 )) $(( $1 % 1000 )); }
t0=$(now_ms)

if command -v chromium >/dev/null 2>&1; then
  echo "install-chromium: already installed: $(chromium --version 2>/dev/null || echo chromium) ($(fmt $(( $(now_ms) - t0 ))))"
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-chromium: must run as root (or with sudo) to apt-get install chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core

echo "install-chromium: installed $(chromium --version 2>/dev/null || echo chromium) in $(fmt $(( $(now_ms) - t0 )))"
