#!/usr/bin/env bash
# docker-up.sh: make a Docker engine answer on this machine, idempotently.
#
#   - installs Debian's docker.io with apt-get when `dockerd` is missing
#     (/usr/local/bin/docker on these machines is a client only);
#   - starts `dockerd --iptables=false --storage-driver=overlay2` in the
#     background (log: $DOCKERD_LOG, default /tmp/dockerd.log) when
#     `docker info` fails;
#   - waits, bounded ($DOCKER_UP_TIMEOUT seconds, default 60), for it;
#   - prints how long each step took.
#
# Must run as root (as on the project's machines and CI). No image is ever
# pulled: no container registry is reachable; images are built locally
# (scripts/build-images.sh).
#
# Exit status: 0 when `docker info` answers, 1 otherwise (the compat suite
# then falls back to local processes and says so).
set -uo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
TIMEOUT=${DOCKER_UP_TIMEOUT:-60}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fmt() { printf '%d.%03ds' $(( $1 / 1000 )) $(( $1 % 1000 )); }
t_all=$(now_ms)

if docker info >/dev/null 2>&1; then
  echo "docker-up: engine already answering ($(fmt $(( $(now_ms) - t_all ))))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "docker-up: not root and no engine answering; cannot install/start dockerd" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  t=$(now_ms)
  echo "docker-up: dockerd missing; installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io >/tmp/docker-io-install.log 2>&1; }; then
    echo "docker-up: apt-get install docker.io failed (see /tmp/docker-io-install.log)" >&2
    tail -20 /tmp/docker-io-install.log >&2 || true
    exit 1
  fi
  echo "docker-up: docker.io installed in $(fmt $(( $(now_ms) - t )))"
fi
# Prefer Debian's dockerd explicitly; keep whatever client is on PATH.
DOCKERD=$(command -v dockerd || echo /usr/sbin/dockerd)

# The package's postinst may try to start the service (no systemd here); a
# dockerd already running but not answering yet is waited for, not doubled.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  t=$(now_ms)
  # A stale pid file from a killed daemon makes dockerd refuse to start.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid 2>/dev/null)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  echo "docker-up: starting $DOCKERD (log: $DOCKERD_LOG)"
  nohup "$DOCKERD" --iptables=false --storage-driver=overlay2 >>"$DOCKERD_LOG" 2>&1 </dev/null &
  disown || true
else
  t=$(now_ms)
  echo "docker-up: dockerd process present, waiting for it to answer"
fi

deadline=$(( $(date +%s) + TIMEOUT ))
until docker info >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "docker-up: engine did not answer within ${TIMEOUT}s; last log lines:" >&2
    tail -20 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  sleep 0.2
done
echo "docker-up: dockerd answering after $(fmt $(( $(now_ms) - t )))"
echo "docker-up: total $(fmt $(( $(now_ms) - t_all )))"
