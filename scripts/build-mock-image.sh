#!/usr/bin/env bash
# build-mock-image.sh: the mock as a container image, FROM scratch with the
# static binary alone (cmd/mocknacos/Dockerfile), tagged
# mocknacos/mocknacos:<hash> (+ alias mocknacos/mocknacos:latest).
#
# The hash covers what goes into the binary: the main module's non-test Go
# files and embedded files that ./cmd/mocknacos imports (go list -deps),
# go.mod, go.sum, the Dockerfile and the Go version. Editing a test, a script
# or Java code does not rebuild; editing the mock does. The binary is built on
# this machine (no Go image is pulled: no registry is reachable). Prints the
# image name on stdout.
#
#   MOCKNACOS_MOCK_IMAGE_REPO  default mocknacos/mocknacos
set -euo pipefail
source "$(dirname "$0")/lib/images.sh"
cd "$MOCKNACOS_ROOT"
REPO=${MOCKNACOS_MOCK_IMAGE_REPO:-mocknacos/mocknacos}
DOCKERFILE=cmd/mocknacos/Dockerfile
MODULE=$(go list -m)

# inputs: the module's own files the binary is built from, relative to the root.
inputs() {
  go list -deps -f '{{if .Module}}{{if eq .Module.Path "'"$MODULE"'"}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}{{end}}' ./cmd/mocknacos | sed "s#^$MOCKNACOS_ROOT/##" | LC_ALL=C sort -u
}
FILES=$(inputs)
HASH=$( { go version; echo "flags=-trimpath -s -w CGO_ENABLED=0"
          echo "$FILES" go.mod go.sum "$DOCKERFILE" | tr ' ' '\n' | grep -v '^$' | LC_ALL=C sort -u |
            while read -r f; do printf '%s  %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"; done; } | hash_stdin)
IMAGE=$REPO:$HASH
ALIAS=$REPO:latest
if image_present "$IMAGE"; then
  log "mock image $IMAGE present (cached)"
  alias_tag "$IMAGE" "$ALIAS"; echo "$IMAGE"; exit 0
fi
CTX=$(mktemp -d /tmp/mock-image-ctx.XXXXXX)
trap 'rm -rf "$CTX"' EXIT
timed "mock: go build (static)" \
  env CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$CTX/mocknacos" ./cmd/mocknacos >&2
cp "$DOCKERFILE" "$CTX/Dockerfile"
timed "mock: docker build $IMAGE" \
  env DOCKER_BUILDKIT=0 docker build -q --label "io.mocknacos.inputs=$HASH" -t "$IMAGE" "$CTX" >/dev/null
alias_tag "$IMAGE" "$ALIAS"
log "mock image $IMAGE: $(docker image inspect -f '{{.Size}}' "$IMAGE") bytes"
echo "$IMAGE"
