#!/bin/bash
# Entry point of mocknacos/nacos-real:<version> (scripts/build-nacos-real-image.sh): starts the
# official, unmodified Nacos server assembled under /home/nacos, configured by the environment
# variables of the official nacos/nacos-server image, so that one suite runs either image:
#
#   MODE                      standalone, or cluster (the official default) with NACOS_SERVERS
#                             ("ip:port ..." written to conf/cluster.conf) and EMBEDDED_STORAGE
#   NACOS_APPLICATION_PORT    the HTTP port (default 8848; NACOS_PORT is read when it is unset).
#                             2.x/3.x also bind port+1000 (client gRPC), port+1001, port-1000.
#                             On 3.x this is nacos.server.main.port: server.port would move the
#                             console too.
#   NACOS_CONSOLE_PORT        3.x only: the console's port (default 8080, as the official image)
#   NACOS_SERVER_IP           the address the server announces (nacos.server.ip)
#   PREFER_HOST_MODE          hostname: announce the host name instead of the address
#   NACOS_AUTH_ENABLE         nacos.core.auth.enabled
#   NACOS_AUTH_TOKEN          the token secret (Base64 of at least 32 bytes)
#   NACOS_AUTH_IDENTITY_KEY, NACOS_AUTH_IDENTITY_VALUE   the server identity
#                             (3.x refuses to start without these three: exit 255, as the
#                             official image does)
#   NACOS_AUTH_CACHE_ENABLE   nacos.core.auth.caching.enabled (default false, as the official
#                             image; the release's own conf says true)
#   NACOS_AUTH_TOKEN_EXPIRE_SECONDS, NACOS_AUTH_SYSTEM_TYPE, NACOS_AUTH_USER_AGENT_AUTH_WHITE_ENABLE,
#   NACOS_AUTH_ADMIN_ENABLE, NACOS_AUTH_CONSOLE_ENABLE (3.x), NACOS_DEPLOYMENT_TYPE (3.x, default
#   merged), FUNCTION_MODE, SERVER_SERVLET_CONTEXTPATH, TOMCAT_ACCESSLOG_ENABLED (default false),
#   DB_POOL_CONNECTION_TIMEOUT (default 30000 ms, as the official image)
#   JVM_XMS, JVM_XMX, JVM_XMN, JVM_MS, JVM_MMS   heap and metaspace sizes
#   JAVA_OPT                  more JVM options; JAVA_OPT_EXT: more server arguments
#
# The official image's variables for an external MySQL are not honoured: this image runs
# with embedded storage only.
set -euo pipefail
home=${BASE_DIR:-/home/nacos}
ver=$(cat "$home/VERSION")
major=${ver%%.*}
mode=${MODE:-cluster}
port=${NACOS_APPLICATION_PORT:-${NACOS_PORT:-8848}}

if [[ $major -ge 3 ]]; then
  for v in NACOS_AUTH_TOKEN NACOS_AUTH_IDENTITY_KEY NACOS_AUTH_IDENTITY_VALUE; do
    if [[ -z ${!v:-} ]]; then
      echo "env $v must be set (Nacos $ver does not start without it)" >&2
      exit 255
    fi
  done
fi

jvm=()
[[ -n ${JVM_XMS:-} ]] && jvm+=("-Xms$JVM_XMS")
[[ -n ${JVM_XMX:-} ]] && jvm+=("-Xmx$JVM_XMX")
[[ -n ${JVM_XMN:-} ]] && jvm+=("-Xmn$JVM_XMN")
if [[ $mode == standalone ]]; then
  jvm+=(-Dnacos.standalone=true)
else
  [[ ${EMBEDDED_STORAGE:-} == embedded ]] && jvm+=(-DembeddedStorage=true)
  [[ -n ${JVM_MS:-} ]] && jvm+=("-XX:MetaspaceSize=$JVM_MS")
  [[ -n ${JVM_MMS:-} ]] && jvm+=("-XX:MaxMetaspaceSize=$JVM_MMS")
  : >"$home/conf/cluster.conf"
  for s in ${NACOS_SERVERS:-}; do echo "$s" >>"$home/conf/cluster.conf"; done
fi
case ${FUNCTION_MODE:-} in config | naming | microservice | ai) jvm+=("-Dnacos.functionMode=$FUNCTION_MODE") ;; esac
[[ -n ${NACOS_SERVER_IP:-} ]] && jvm+=("-Dnacos.server.ip=$NACOS_SERVER_IP")
[[ ${PREFER_HOST_MODE:-} == hostname ]] && jvm+=(-Dnacos.preferHostnameOverIp=true)
jvm+=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED)
jvm+=("-Dnacos.home=$home" "-Dnacos.deployment.type=${NACOS_DEPLOYMENT_TYPE:-merged}")

# Server arguments: Spring properties, which win over conf/application.properties.
args=("--spring.config.additional-location=file:$home/conf/" "--logging.config=$home/conf/nacos-logback.xml")
ctx=${SERVER_SERVLET_CONTEXTPATH:-/nacos}
if [[ $major -ge 3 ]]; then
  main=com.alibaba.nacos.bootstrap.NacosBootstrap
  args+=("--nacos.server.main.port=$port" "--nacos.server.contextPath=$ctx"
    "--nacos.console.port=${NACOS_CONSOLE_PORT:-8080}")
  [[ -n ${NACOS_CONSOLE_CONTEXTPATH:-} ]] && args+=("--nacos.console.contextPath=$NACOS_CONSOLE_CONTEXTPATH")
  [[ -n ${NACOS_AUTH_ADMIN_ENABLE:-} ]] && args+=("--nacos.core.auth.admin.enabled=$NACOS_AUTH_ADMIN_ENABLE")
  [[ -n ${NACOS_AUTH_CONSOLE_ENABLE:-} ]] && args+=("--nacos.core.auth.console.enabled=$NACOS_AUTH_CONSOLE_ENABLE")
else
  main=com.alibaba.nacos.Nacos
  args+=("--server.port=$port" "--server.servlet.contextPath=$ctx"
    "--server.tomcat.accesslog.enabled=${TOMCAT_ACCESSLOG_ENABLED:-false}")
  [[ -n ${NACOS_AUTH_USER_AGENT_AUTH_WHITE_ENABLE:-} ]] &&
    args+=("--nacos.core.auth.enable.userAgentAuthWhite=$NACOS_AUTH_USER_AGENT_AUTH_WHITE_ENABLE")
fi
# 1.x names the token settings "default", 2.x and 3.x "plugin.nacos".
tok=nacos.core.auth.plugin.nacos.token
[[ $major -le 1 ]] && tok=nacos.core.auth.default.token
[[ -n ${NACOS_AUTH_ENABLE:-} ]] && args+=("--nacos.core.auth.enabled=$NACOS_AUTH_ENABLE")
[[ -n ${NACOS_AUTH_TOKEN:-} ]] && args+=("--$tok.secret.key=$NACOS_AUTH_TOKEN")
[[ -n ${NACOS_AUTH_TOKEN_EXPIRE_SECONDS:-} ]] && args+=("--$tok.expire.seconds=$NACOS_AUTH_TOKEN_EXPIRE_SECONDS")
[[ -n ${NACOS_AUTH_SYSTEM_TYPE:-} ]] && args+=("--nacos.core.auth.system.type=$NACOS_AUTH_SYSTEM_TYPE")
[[ -n ${NACOS_AUTH_IDENTITY_KEY:-} ]] && args+=("--nacos.core.auth.server.identity.key=$NACOS_AUTH_IDENTITY_KEY")
[[ -n ${NACOS_AUTH_IDENTITY_VALUE:-} ]] && args+=("--nacos.core.auth.server.identity.value=$NACOS_AUTH_IDENTITY_VALUE")
args+=("--nacos.core.auth.caching.enabled=${NACOS_AUTH_CACHE_ENABLE:-false}")
# The embedded Derby database's pool: the official image's 30 s (3.x's own default is 3 s, too
# short for a first start on a loaded machine: "Login timeout exceeded").
args+=("--db.pool.config.connectionTimeout=${DB_POOL_CONNECTION_TIMEOUT:-30000}")

cp=$(sed "s#lib/#$home/lib/#g" "$home/classpath.txt")
echo "Nacos $ver ($mode) on port $port" >&2
# shellcheck disable=SC2086 # JAVA_OPT and JAVA_OPT_EXT are word lists, as in the official image
exec java ${JAVA_OPT:-} "${jvm[@]}" -cp "$cp" "$main" "${args[@]}" ${JAVA_OPT_EXT:-} "$@"
