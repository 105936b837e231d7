#!/usr/bin/env bash
# Fetches the ONNX Runtime 1.30.0 CPU DLL for Windows x64 (MIT) into
# lib/onnxruntime.dll of the source tree, from the same onnxruntime-node npm
# package scripts/get-onnxruntime.sh takes the Linux library from (its
# package/bin/napi-v6/win32/x64/onnxruntime.dll), without running the
# package's install script. The SHA-256 is checked. lib/onnxruntime.dll is what
# the Wine test binaries load (engine.RuntimeCandidates: "project folder") and
# what scripts/package-windows.sh puts beside relview.exe.
# Idempotent: does nothing when the right file is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
want=508c362f5673483dd3a086379c392795b2e42d10d5e6f3f90ebd7ac21c97af67
member=package/bin/napi-v6/win32/x64/onnxruntime.dll
dest=lib/onnxruntime.dll
if [[ -f $dest ]] && [[ $(sha256sum "$dest" | cut -d' ' -f1) == "$want" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "get-onnxruntime-windows: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "get-onnxruntime-windows: fetching onnxruntime-node@1.30.0 ..."
(cd "$tmp" && npm pack --silent onnxruntime-node@1.30.0 >/dev/null)
mkdir -p lib
tar -xzf "$tmp/onnxruntime-node-1.30.0.tgz" -C "$tmp" "$member" package/package.json
got=$(sha256sum "$tmp/$member" | cut -d' ' -f1)
if [[ $got != "$want" ]]; then
  echo "get-onnxruntime-windows: sha256 $got, expected $want" >&2
  exit 1
fi
mv "$tmp/$member" "$dest.tmp"
mv "$dest.tmp" "$dest"
cp "$tmp/package/package.json" lib/onnxruntime-node-package.json # licence: MIT (its "license" field)
echo "get-onnxruntime-windows: $dest ready"
