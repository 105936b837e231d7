#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite: formatting, vet, and
# every package's tests against the real ONNX Runtime and the real model,
# then engine, library and ui again with -race.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export LANG=en_US.UTF-8
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n $unformatted ]]; then
  echo "test: not gofmt-formatted:" >&2; echo "$unformatted" >&2; exit 1
fi
go vet ./...
scripts/vet-cross.sh # darwin/arm64 and windows/amd64
go test -count=1 ./... "$@"
# The packages that run work in goroutines, again under the race detector
# (a cold -race build of ui takes minutes on two cores).
go test -race -count=1 -timeout 40m ./engine ./library ./ui "$@"
# The desktop app in a real X window (Xvfb), when the tools are there.
if command -v Xvfb >/dev/null && command -v xdotool >/dev/null && command -v import >/dev/null; then
  shots=$(mktemp -d)
  scripts/gui-smoke.sh "$shots/neighbours.png" "$shots/map.png"
  rm -rf "$shots"
else
  echo "test: Xvfb, xdotool or ImageMagick missing: skipping the window test (scripts/gui-smoke.sh)"
fi
# Windows: cross-built tests and the release zip under Wine (skips itself,
# with a message, when Wine or mingw-w64 is missing).
scripts/windows/check.sh
