#!/usr/bin/env bash
# build-app-image.sh SCA_VERSION: builds javaapps/sca (sample-service and
# sample-consumer) with Maven for one Spring Cloud Alibaba generation (the
# Maven profile of the same name) and packs both jars into
# mocknacos/sca-apps:SCA_VERSION-<hash> (+ alias mocknacos/sca-apps:SCA_VERSION).
# Rebuilt only when the sources, the poms or the base image change. Prints the
# image name on stdout.
set -euo pipefail
source "$(dirname "$0")/lib/images.sh"
GEN=${1:?usage: build-app-image.sh SCA_VERSION (a profile id of javaapps/sca/pom.xml)}
D=$MOCKNACOS_ROOT/javaapps/sca
BASE=${BASE_IMAGE:-$("$MOCKNACOS_ROOT/scripts/build-base-image.sh")}
HASH=$( { echo "base=$BASE"; echo "gen=$GEN"; hash_paths "$D"; } | hash_stdin)
IMAGE=mocknacos/sca-apps:$GEN-$HASH
ALIAS=mocknacos/sca-apps:$GEN
if image_present "$IMAGE"; then
  log "app image $IMAGE present (cached)"
  alias_tag "$IMAGE" "$ALIAS"; echo "$IMAGE"; exit 0
fi
MVNLOG=$MOCKNACOS_CACHE/sca-build-$GEN.log
# -o (offline) first when the cache may be warm; fall back to online.
timed "apps $GEN: mvn package" bash -c '
  cd "$1" && { mvn -B -q -o -DskipTests -P "$2" clean package >"$3" 2>&1 ||
               mvn -B -q -DskipTests -P "$2" clean package >"$3" 2>&1; }' _ "$D" "$GEN" "$MVNLOG" ||
  { tail -30 "$MVNLOG" >&2; exit 1; }
CTX=$(mktemp -d /tmp/sca-image-ctx.XXXXXX)
trap 'rm -rf "$CTX"' EXIT
cp "$D/sample-service/target/$GEN/sample-service.jar" "$D/sample-consumer/target/$GEN/sample-consumer.jar" \
   "$D/run-app.sh" "$D/Dockerfile" "$CTX/"
timed "apps $GEN: docker build $IMAGE" \
  env DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$BASE" --build-arg "SCA_VERSION=$GEN" -t "$IMAGE" "$CTX" >/dev/null
alias_tag "$IMAGE" "$ALIAS"
echo "$IMAGE"
