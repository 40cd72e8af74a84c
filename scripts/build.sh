#!/usr/bin/env bash
# Build the parcours binary the way the image ships it: static (CGO_ENABLED=0), reproducible
# paths (-trimpath), stripped, with its version, commit and build date (see `parcours version`).
# The Dockerfile and the image-equivalent test (cmd/parcours/image_test.go) both call it.
#
#   scripts/build.sh [OUT]        default OUT: ./parcours
#
# VERSION, COMMIT and BUILD_DATE come from the environment (the Dockerfile's build arguments),
# else from git when there is one, else "dev", "inconnu" and now.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-parcours}
if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
	: "${VERSION:=$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
	: "${COMMIT:=$(git rev-parse HEAD)}"
fi
: "${VERSION:=dev}" "${COMMIT:=inconnu}" "${BUILD_DATE:=$(date -u +%Y-%m-%dT%H:%M:%SZ)}"
pkg=github.com/cloud-pi-native/parcours/internal/version
CGO_ENABLED=0 go build -trimpath \
	-ldflags "-s -w -X $pkg.Version=$VERSION -X $pkg.Commit=$COMMIT -X $pkg.Date=$BUILD_DATE" \
	-o "$out" ./cmd/parcours
