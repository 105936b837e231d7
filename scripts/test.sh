#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite: formatting, vet, and
# every package's tests against the real ONNX Runtime and the real model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export LANG=en_US.UTF-8
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n $unformatted ]]; then
  echo "test: not gofmt-formatted:" >&2; echo "$unformatted" >&2; exit 1
fi
go vet ./...
go test -count=1 ./... "$@"
