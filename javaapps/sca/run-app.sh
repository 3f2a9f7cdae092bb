#!/usr/bin/env bash
# run-app.sh APP [ARGS...]: run one of the sample apps (sample-service or
# sample-consumer) with the suite's JVM flags. Container entrypoint of the
# mocknacos/sca-apps images; also usable on the host with APP_DIR pointing at
# a directory holding APP.jar.
#
#   SERVER_PORT        the app's HTTP port (sample-service 18080, consumer 18090)
#   NACOS_SERVER_ADDR  host:port of Nacos (default 127.0.0.1:8848)
#   NACOS_USERNAME / NACOS_PASSWORD (nacos/nacos), NACOS_NAMESPACE, NACOS_GROUP
#   NACOS_CONFIG_ENABLED  true: import the config dataId
#                      ${spring.application.name}.properties (DEFAULT_GROUP) from
#                      Nacos at startup and follow its changes (GET /config shows
#                      sample.greeting); false or unset: no config client at all
#   APP_NAME           spring.application.name (sample-service / sample-consumer)
#   JAVA_OPTS          extra JVM options (appended)
set -euo pipefail
APP=${1:-${APP:-sample-service}}
[ $# -gt 0 ] && shift
APP_DIR=${APP_DIR:-/app}
exec java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -Dcom.alibaba.nacos.client.naming.local.ip=127.0.0.1 \
  -DJM.LOG.PATH="${NACOS_CLIENT_LOG_DIR:-/tmp/nacos-client-logs}" \
  ${JAVA_OPTS:-} -jar "$APP_DIR/$APP.jar" "$@"
