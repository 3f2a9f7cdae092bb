#!/usr/bin/env bash
# build-nacos-real-image.sh [VERSION...]: the real Nacos servers as local images,
# mocknacos/nacos-real:<version>-<hash> (+ alias mocknacos/nacos-real:<version>), FROM the JRE 17
# base (BASE_IMAGE, or scripts/build-base-image.sh). Default versions: $NACOS_REAL_VERSIONS, else
# "1.4.8 2.4.3 3.0.3".
#
# Each server is the official release, assembled from its own modules by
# $NACOS_SHARED/assemble.sh (default: ../shared/nacos beside the repository) into
# $MOCKNACOS_CACHE/nacos-real/<version> (assembled there first when missing; that needs Java 17
# and Maven). The entry point (scripts/nacos-real/entrypoint.sh) honours the official
# nacos/nacos-server image's variables, so the compatibility suite runs these images and the
# official ones alike. Rebuilt only when the base, the assembled server (its jar names and
# sizes, conf, classpath) or the entry point change.
#
# Prints one line per version on stdout: "<version> <image>"; everything else goes to stderr.
set -euo pipefail
source "$(dirname "$0")/lib/images.sh"
VERSIONS=${*:-${NACOS_REAL_VERSIONS:-1.4.8 2.4.3 3.0.3}}
NACOS_SHARED=${NACOS_SHARED:-$MOCKNACOS_ROOT/../shared/nacos}
D=$MOCKNACOS_ROOT/scripts/nacos-real
BASE=${BASE_IMAGE:-$("$MOCKNACOS_ROOT/scripts/build-base-image.sh")}

# assembled VERSION: the folder of the assembled server, assembling it when it is missing.
assembled() {
  local dest=$MOCKNACOS_CACHE/nacos-real/$1
  if [ ! -f "$dest/.complete" ]; then
    [ -x "$NACOS_SHARED/assemble.sh" ] ||
      { log "no $NACOS_SHARED/assemble.sh: set NACOS_SHARED to the shared/nacos folder"; return 1; }
    timed "nacos-real $1: assemble (Maven)" "$NACOS_SHARED/assemble.sh" "$1" "$dest" >/dev/null || return 1
  fi
  echo "$dest"
}

for ver in $VERSIONS; do
  src=$(assembled "$ver")
  HASH=$( {
    echo "base=$BASE"; echo "version=$ver"
    (cd "$src" && find lib -type f -printf '%p %s\n' | LC_ALL=C sort)
    hash_paths "$src/conf" "$src/classpath.txt" "$D"
  } | hash_stdin)
  IMAGE=mocknacos/nacos-real:$ver-$HASH
  ALIAS=mocknacos/nacos-real:$ver
  if image_present "$IMAGE"; then
    log "nacos-real image $IMAGE present (cached)"
  else
    CTX=$(mktemp -d /tmp/nacos-real-ctx.XXXXXX)
    mkdir -p "$CTX/nacos"
    cp -r "$src/lib" "$src/conf" "$src/classpath.txt" "$CTX/nacos/"
    chmod -R u+w "$CTX/nacos/conf"
    echo "$ver" >"$CTX/nacos/VERSION"
    cp "$D/entrypoint.sh" "$D/Dockerfile" "$CTX/"
    if ! timed "nacos-real $ver: docker build $IMAGE" \
      env DOCKER_BUILDKIT=0 docker build -q --build-arg "BASE=$BASE" -t "$IMAGE" "$CTX" >/dev/null; then
      rm -rf "$CTX"; exit 1
    fi
    rm -rf "$CTX"
  fi
  alias_tag "$IMAGE" "$ALIAS"
  echo "$ver $IMAGE"
done
