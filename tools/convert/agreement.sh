#!/usr/bin/env bash
# Checks assets/models/mobilenet_v2_140_224.onnx against the original TF.js
# model and (re)writes the Go test fixtures in engine/testdata/conversion/:
#   <photo>.png            224x224 RGB 8-bit inputs (resized, aspect ignored)
#   tfjs_reference.json    TF.js pooled vectors + probabilities per photo
#
# Needs: node + npm, ImageMagick `convert`, sha256sum, tar. The node packages
# (TF.js pure-JS CPU backend, onnxruntime-node, pngjs) go into a cache dir
# outside the repository ($RELVIEW_CONVERT_CACHE, default
# ${XDG_CACHE_HOME:-~/.cache}/relview/convert-node); onnxruntime-node is
# installed with --ignore-scripts (its install script only fetches CUDA bits).
#
# usage: tools/convert/agreement.sh [--keep-pngs]
#   --keep-pngs  reuse the PNGs already in engine/testdata/conversion instead
#                of regenerating them from assets/photos (ImageMagick versions
#                may resize slightly differently).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
model="$root/assets/models/mobilenet_v2_140_224.onnx"
photos="$root/assets/photos"
fixtures="$root/engine/testdata/conversion"
cache=${RELVIEW_CONVERT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/relview/convert-node}
PKG=nsfwjs@4.4.0
PKG_SHA256=585cd178f3b994337c4d10a87b080d342fc52f8b9bf0085c4d1f345a3a1c5382
NODE_PKGS=(@tensorflow/tfjs@4.22.0 onnxruntime-node@1.30.0 pngjs@7.0.0)
PHOTOS=(astronaut.png chelsea.png coffee.png motorcycle_left.png rocket.jpg
        dog.jpg eagle.jpg giraffe.jpg kite.jpg person.jpg)

keep_pngs=0
[[ "${1:-}" == "--keep-pngs" ]] && keep_pngs=1

(cd "$root/assets/models" && sha256sum --check --quiet SHA256SUMS)

# Node packages, installed once.
stamp="$cache/.installed-$(printf '%s\n' "${NODE_PKGS[@]}" | sha256sum | cut -c1-16)"
if [[ ! -e "$stamp" ]]; then
  echo "agreement: installing ${NODE_PKGS[*]} into $cache" >&2
  mkdir -p "$cache"
  [[ -e "$cache/package.json" ]] || echo '{"private": true}' > "$cache/package.json"
  (cd "$cache" && npm install --ignore-scripts --no-audit --no-fund --silent "${NODE_PKGS[@]}")
  touch "$stamp"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The original TF.js model.
tgz=$(cd "$tmp" && npm pack --silent --pack-destination "$tmp" "$PKG" | tail -n 1)
echo "$PKG_SHA256  $tmp/$tgz" | sha256sum --check --quiet -
tar -xzf "$tmp/$tgz" -C "$tmp"
node "$here/extract_nsfwjs.js" "$tmp/package" "$tmp/tfjs"

# 224x224 RGB inputs: exact resize (aspect ignored), 8-bit, no metadata or
# timestamps so the files are stable.
mkdir -p "$fixtures"
if [[ $keep_pngs == 0 ]]; then
  for f in "${PHOTOS[@]}"; do
    convert "$photos/$f" -auto-orient -colorspace sRGB -alpha off -resize '224x224!' \
      -depth 8 -strip -define png:exclude-chunks=date,time \
      "PNG24:$fixtures/${f%.*}.png" 2>/dev/null
  done
fi

NODE_PATH="$cache/node_modules" node "$here/agreement.js" \
  --tfjs "$tmp/tfjs" --onnx "$model" --images "$fixtures" \
  --out "$fixtures/tfjs_reference.json" 2> >(grep -v -e 'tfjs-node' -e '^=*$' -e 'Hi, looks like' >&2)
