#!/usr/bin/env bash
# Regenerates assets/models/mobilenet_v2_140_224.onnx (+ SHA256SUMS and the
# nsfwjs licence) from the nsfwjs@4.4.0 npm package. Deterministic: a rerun
# writes the same bytes.
#
# Needs: node + npm (to fetch the package), /usr/bin/python3 with numpy and
# onnx (Debian: python3-numpy python3-onnx), sha256sum, tar.
#
# usage: tools/convert/convert.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/assets/models"
PY=${PYTHON:-/usr/bin/python3}
PKG=nsfwjs@4.4.0
# sha256 of the npm tarball nsfwjs-4.4.0.tgz (npm also checks its own integrity
# field; this pin makes a silently changed tarball fail loudly).
PKG_SHA256=585cd178f3b994337c4d10a87b080d342fc52f8b9bf0085c4d1f345a3a1c5382

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "convert: fetching $PKG" >&2
tgz=$(cd "$tmp" && npm pack --silent --pack-destination "$tmp" "$PKG" | tail -n 1)
echo "$PKG_SHA256  $tmp/$tgz" | sha256sum --check --quiet -
tar -xzf "$tmp/$tgz" -C "$tmp"

node "$here/extract_nsfwjs.js" "$tmp/package" "$tmp/tfjs"
"$PY" "$here/tfjs_to_onnx.py" "$tmp/tfjs/model.json" "$tmp/tfjs/weights.bin" "$tmp/model.onnx" \
  --source "$PKG dist/models/mobilenet_v2_mid"

mkdir -p "$out"
install -m 0644 "$tmp/model.onnx" "$out/mobilenet_v2_140_224.onnx"
install -m 0644 "$tmp/package/LICENSE" "$out/LICENSE-nsfwjs.txt"
(cd "$out" && sha256sum mobilenet_v2_140_224.onnx > SHA256SUMS)
cat "$out/SHA256SUMS" >&2
