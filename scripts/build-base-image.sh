#!/usr/bin/env bash
# build-base-image.sh: the JRE 17 base image mocknacos/jre17:<hash>, built
# without any registry: debootstrap (minbase + openjdk-17-jre-headless +
# ca-certificates) from the Debian mirror this machine's apt already uses,
# then `docker import`. Cached: rebuilt only when its inputs change.
# Prints the image name on stdout (everything else goes to stderr).
set -euo pipefail
source "$(dirname "$0")/lib/images.sh"

SUITE=bookworm
INCLUDE=openjdk-17-jre-headless,ca-certificates
# Bump RECIPE when the steps below change in a way that changes the image.
RECIPE=3
HASH=$(printf 'suite=%s\nvariant=minbase\ninclude=%s\nrecipe=%s\n' "$SUITE" "$INCLUDE" "$RECIPE" | hash_stdin)
IMAGE=mocknacos/jre17:$HASH

if image_present "$IMAGE"; then
  log "base image $IMAGE present (cached)"
  alias_tag "$IMAGE" mocknacos/jre17:current
  echo "$IMAGE"; exit 0
fi

command -v debootstrap >/dev/null 2>&1 || timed "apt-get install debootstrap" \
  bash -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }'

MIRROR=$(debian_mirror)
DIR=$MOCKNACOS_CACHE/rootfs-jre17-$HASH
rm -rf "$DIR"
trap 'rm -rf "$DIR"' EXIT
DLOG=$MOCKNACOS_CACHE/debootstrap.log
timed "debootstrap $SUITE minbase (+JRE 17)" \
  bash -c 'debootstrap --variant=minbase --include="$1" "$2" "$3" "$4" >"$5" 2>&1' _ \
  "$INCLUDE" "$SUITE" "$DIR" "$MIRROR" "$DLOG" || { tail -30 "$DLOG" >&2; exit 1; }

# Slim down: package caches and lists are of no use in the image.
rm -rf "$DIR"/var/cache/apt/archives/*.deb "$DIR"/var/lib/apt/lists/* "$DIR"/usr/share/doc/* \
  "$DIR"/usr/share/man/* "$DIR"/tmp/* 2>/dev/null || true
# The mirror host must not end up in the image either (it is the machine's
# own, not the project's): leave an empty sources list.
: >"$DIR/etc/apt/sources.list"
rm -f "$DIR"/etc/apt/sources.list.d/* 2>/dev/null || true

timed "docker import $IMAGE" bash -c "tar -C '$DIR' -c . | docker import \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD [\"/bin/bash\"]' - '$IMAGE' >/dev/null"
alias_tag "$IMAGE" mocknacos/jre17:current
docker run --rm --network host "$IMAGE" java -version >&2
echo "$IMAGE"
