#!/usr/bin/env bash
# build-images.sh: every image the compatibility suite runs, built locally
# (no registry is reachable), each tagged with a hash of its inputs and
# rebuilt only when those change:
#
#   mocknacos/jre17:<hash>                     JRE 17 base (debootstrap + docker import)
#   mocknacos/sca-apps:<sca-version>-<hash>    sample-service + sample-consumer, per generation
#   mocknacos/nacos-real:<version>-<hash>      real Nacos servers (build-nacos-real-image.sh)
#   mocknacos/mocknacos:<hash>                 the mock itself, FROM scratch (build-mock-image.sh)
#
# Stable aliases without the hash (mocknacos/sca-apps:2023.0.3.4, ...) point at
# the current builds, and the names are written to $MOCKNACOS_IMAGES_ENV
# (default ~/.cache/mocknacos/images.env) for the suite to source.
#
#   SCA_GENERATIONS  default "2.2.6.RELEASE 2021.0.5.0 2022.0.0.0 2023.0.3.4"
#   NACOS_REAL_BUILD default "1.4.8 2.4.3 3.0.3" (real servers; NACOS_SHARED: where
#                    assemble.sh is, default ../shared/nacos beside the repository);
#                    "none" where the official images are pulled instead
#
# Prints per-stage durations. Exit status: 0 when everything was built, 1 when
# some stage failed (the others are still attempted; the summary says which).
set -uo pipefail
source "$(dirname "$0")/lib/images.sh"
SCA_GENERATIONS=${SCA_GENERATIONS:-2.2.6.RELEASE 2021.0.5.0 2022.0.0.0 2023.0.3.4}
NACOS_REAL_BUILD=${NACOS_REAL_BUILD:-1.4.8 2.4.3 3.0.3}
ENVFILE=${MOCKNACOS_IMAGES_ENV:-$MOCKNACOS_CACHE/images.env}
S=$MOCKNACOS_ROOT/scripts
t_all=$(now_ms)
failed=()

timed "docker engine up" "$S/docker-up.sh" >&2 || { log "no Docker engine: nothing to build"; exit 1; }

# BASE_IMAGE, when set, names a JRE 17 image to build on instead (e.g.
# eclipse-temurin:17-jre where a registry is reachable, as on GitHub Actions).
if [ -n "${BASE_IMAGE:-}" ]; then
  BASE=$BASE_IMAGE
  log "base image: $BASE (BASE_IMAGE)"
else
  BASE=$(timed "base image" "$S/build-base-image.sh") || { log "base image failed"; exit 1; }
fi
export BASE_IMAGE=$BASE
{
  echo "# written by scripts/build-images.sh on $(date -u +%FT%TZ)"
  echo "MOCKNACOS_IMAGE_JRE17=$BASE"
} >"$ENVFILE.tmp"

# The real Nacos servers (1.4.8, 2.4.3, 3.0.3), assembled from ../shared/nacos
# (build-nacos-real-image.sh): the compatibility suite's real columns and the
# servers the fixtures are recorded from. Where a registry is reachable the
# official images can be named instead (NACOS_IMAGES).
if [ "$NACOS_REAL_BUILD" = none ]; then
  log "nacos-real images: not built (NACOS_REAL_BUILD=none)"
elif out=$(timed "nacos-real images ($NACOS_REAL_BUILD)" "$S/build-nacos-real-image.sh" $NACOS_REAL_BUILD); then
  while read -r ver img; do
    echo "MOCKNACOS_IMAGE_NACOS_REAL_${ver//[^0-9A-Za-z]/_}=$img" >>"$ENVFILE.tmp"
  done <<<"$out"
else
  failed+=("nacos-real images")
fi

for g in $SCA_GENERATIONS; do
  if img=$(timed "sca-apps $g image" "$S/build-app-image.sh" "$g"); then
    echo "MOCKNACOS_IMAGE_SCA_${g//[^0-9A-Za-z]/_}=$img" >>"$ENVFILE.tmp"
  else
    failed+=("sca-apps $g")
  fi
done
if img=$(timed "mock image" "$S/build-mock-image.sh"); then
  echo "MOCKNACOS_IMAGE_MOCK=$img" >>"$ENVFILE.tmp"
else
  failed+=("mock image")
fi
mv "$ENVFILE.tmp" "$ENVFILE"

echo
echo "== stage durations"
cat "$MOCKNACOS_TIMINGS"
echo "== images (also in $ENVFILE)"
grep -v '^#' "$ENVFILE"
echo "build-images total: $(fmt_ms $(( $(now_ms) - t_all )))"
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
