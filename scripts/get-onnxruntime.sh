#!/usr/bin/env bash
# Fetches the ONNX Runtime 1.30.0 CPU library (MIT) into lib/ of the source
# tree, from the onnxruntime-node npm package, without running that package's
# install script (which would try to download a CUDA provider).
# Idempotent: does nothing when the right file is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
want=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
dest=lib/libonnxruntime.so.1
if [[ -f $dest ]] && [[ $(sha256sum "$dest" | cut -d' ' -f1) == "$want" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "get-onnxruntime: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "get-onnxruntime: fetching onnxruntime-node@1.30.0 ..."
(cd "$tmp" && npm pack --silent onnxruntime-node@1.30.0 >/dev/null)
mkdir -p lib
tar -xzf "$tmp/onnxruntime-node-1.30.0.tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1 package/package.json
got=$(sha256sum "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" | cut -d' ' -f1)
if [[ $got != "$want" ]]; then
  echo "get-onnxruntime: sha256 $got, expected $want" >&2
  exit 1
fi
mv "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$dest.tmp"
mv "$dest.tmp" "$dest"
cp "$tmp/package/package.json" lib/onnxruntime-node-package.json # licence: MIT (its "license" field)
echo "get-onnxruntime: $dest ready"
