#!/usr/bin/env bash
# smoke-nacos-real-image.sh IMAGE...: starts each real Nacos image as the compatibility suite
# does (host networking, MODE=standalone, auth on, the official image's variables, on a free
# port), and requires its readiness probe, the nacos user (created with the admin API on 2.4+
# and 3.x, built in on 1.x) and a login that returns a token. Prints the times; removes the
# container. Exit status 1 when an image fails.
set -uo pipefail
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { printf '%d.%01ds' $(( $1 / 1000 )) $(( $1 % 1000 / 100 )); }
free() { local p; for p in "$@"; do ss -Htln "sport = :$p" | grep -q . && return 1; done; return 0; }
SECRET=$(printf 'mocknacos-compat-suite-token-secret-not-for-production' | base64 -w0)
rc=0
for image in "$@"; do
  for _ in $(seq 1 50); do
    P=$(( 21000 + RANDOM % 8000 )); C=$(( P + 7 ))
    free $((P - 1000)) "$P" $((P + 1000)) $((P + 1001)) "$C" && break
  done
  name=nacos-real-smoke-$$-$P
  t0=$(now_ms)
  docker run -d --name "$name" --network host \
    -e MODE=standalone -e NACOS_APPLICATION_PORT="$P" -e NACOS_PORT="$P" -e NACOS_CONSOLE_PORT="$C" \
    -e NACOS_SERVER_IP=127.0.0.1 -e PREFER_HOST_MODE=ip -e NACOS_AUTH_ENABLE=true \
    -e NACOS_AUTH_TOKEN="$SECRET" -e NACOS_AUTH_IDENTITY_KEY=compat-identity \
    -e NACOS_AUTH_IDENTITY_VALUE=compat-identity-value -e JVM_XMS=256m -e JVM_XMX=512m -e JVM_XMN=128m \
    "$image" >/dev/null || { echo "FAIL $image: docker run"; rc=1; continue; }
  B=http://127.0.0.1:$P/nacos
  ready=""
  for _ in $(seq 1 720); do
    for path in /v1/console/health/readiness /v3/admin/core/state/readiness; do
      if curl -fsS -o /dev/null "$B$path" 2>/dev/null; then ready=$path; break 2; fi
    done
    docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null | grep -q true || break
    sleep 0.25
  done
  t_ready=$(now_ms)
  if [ -z "$ready" ]; then
    echo "FAIL $image: no readiness within 180 s; its log ends:"; docker logs "$name" 2>&1 | tail -20
    docker rm -f "$name" >/dev/null 2>&1; rc=1; continue
  fi
  # 2.4+ and 3.x have no default user: create nacos/nacos (a 1.x server answers 404 or 405, and
  # has it built in).
  admin=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$B/v1/auth/users/admin" -d password=nacos)
  [[ $admin == 404 || $admin == 405 || $admin == 410 ]] &&
    admin="$admin (v1), v3: $(curl -sS -o /dev/null -w '%{http_code}' -X POST "$B/v3/auth/user/admin" -d password=nacos)"
  token=""
  for _ in $(seq 1 120); do
    token=$(curl -sS -X POST "$B/v1/auth/users/login" -d username=nacos -d password=nacos 2>/dev/null | jq -r '.accessToken // empty' 2>/dev/null)
    [ -n "$token" ] && break
    sleep 0.25
  done
  t_login=$(now_ms)
  version=$(curl -sS "$B/v1/console/server/state" 2>/dev/null | jq -r '.version // empty' 2>/dev/null)
  [ -n "$version" ] || version=$(curl -sS "$B/v3/admin/core/state" 2>/dev/null | jq -r '.data.version // empty' 2>/dev/null)
  if [ -z "$token" ]; then
    echo "FAIL $image: no login within 30 s after readiness (admin: $admin)"; rc=1
  else
    echo "ok   $image: Nacos ${version:-?} ready on $ready in $(secs $(( t_ready - t0 ))) after docker run; admin: $admin; login (token of ${#token} chars) $(secs $(( t_login - t_ready ))) after readiness"
  fi
  docker rm -f "$name" >/dev/null 2>&1
done
exit $rc
