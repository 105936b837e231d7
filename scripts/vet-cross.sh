#!/usr/bin/env bash
# Type-checks and vets relview for the other desktop platforms, from Linux:
#
#  - darwin/arm64: every package that builds without cgo (onnxruntime_go and
#    Fyne's drivers need cgo and a macOS SDK), found with go list. Among them
#    the macOS files of engine/internal/ortpaths (where ONNX Runtime is looked
#    for) and internal/osopen (open, show in folder).
#  - windows/amd64 with cgo through mingw-w64, when it is installed: every
#    package but the GUI ones (relview and relview/ui: they compile Fyne's C
#    code with mingw, several minutes cold; scripts/package-windows.sh builds
#    them for Windows, and scripts/windows/check.sh runs that).
#
# scripts/test.sh runs this after `go vet ./...`. A few seconds warm; the
# first run compiles the standard library for both targets (about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."

darwin=$(GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go list -e -f '{{if not .Incomplete}}{{.ImportPath}} {{join .Deps ","}}{{end}}' ./... |
  grep -v 'github.com/yalue/onnxruntime_go' | cut -d' ' -f1)
for must in relview/engine/internal/ortpaths relview/internal/osopen; do
  grep -qx "$must" <<<"$darwin" || { echo "vet-cross: $must no longer builds for darwin without cgo" >&2; exit 1; }
done
GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 go vet $darwin
echo "vet-cross: darwin/arm64: go vet of $(wc -w <<<"$darwin") packages without cgo: ok"

if command -v x86_64-w64-mingw32-gcc >/dev/null; then
  win=$(go list ./... | grep -vx -e relview -e relview/ui)
  GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc go vet $win
  echo "vet-cross: windows/amd64 (cgo, mingw-w64): go vet of $(wc -w <<<"$win") packages: ok"
else
  echo "vet-cross: x86_64-w64-mingw32-gcc missing: windows/amd64 vet left out (scripts/setup.sh installs it)"
fi
