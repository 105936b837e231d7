#!/usr/bin/env bash
# What the Windows build's pure-Go JPEG decoding costs: indexes one folder of
# 12 MP camera-size JPEGs three times, each into a fresh cache:
#   Linux ./relview, libjpeg-turbo with DCT scaling (the Linux default)
#   Linux ./relview with RELVIEW_JPEG=go (Go's image/jpeg: what Windows does)
#   the release relview.exe (dist/relview-windows-amd64.zip) under Wine
# and prints the rates as a Markdown table (README, "Windows").
#
#   scripts/windows/bench-jpeg.sh [N]     (N photos, default 24)
#
# The photos are the sample photos (assets/photos) scaled to 4000×3000 and
# saved at quality 90 by ImageMagick, in a temporary folder. Needs a built
# ./relview, the zip (scripts/package-windows.sh), Wine and ImageMagick.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-24}
tmp=$(mktemp -d)
trap 'wineserver -k 2>/dev/null || true; rm -rf "$tmp"' EXIT
. scripts/windows/wine-env.sh
wine_prefix
[[ -f dist/relview-windows-amd64.zip ]] || { echo "bench-jpeg: no dist/relview-windows-amd64.zip (scripts/package-windows.sh)" >&2; exit 2; }
[[ -x ./relview ]] || go build -o relview .
unzip -q dist/relview-windows-amd64.zip -d "$tmp/win"
exe=$tmp/win/relview-windows-amd64/relview.exe

mkdir -p "$tmp/photos"
i=0
while ((i < n)); do
  for src in assets/photos/*.jpg assets/photos/*.png; do
    ((i < n)) || break
    convert "$src" 2>/dev/null -resize '4000x3000!' -quality 90 "$tmp/photos/$(printf 'p%03d' "$i").jpg"
    i=$((i + 1))
  done
done
echo "bench-jpeg: $n JPEGs of 4000×3000, $(du -sh "$tmp/photos" | cut -f1), $(nproc) cores"

rate() { # label cmd...: runs an index, prints a table row
  local label=$1 t0 t1 s
  shift
  t0=$(date +%s.%N)
  "$@" >"$tmp/out.log" 2>&1 || { cat "$tmp/out.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  printf '| %s | %s s | %s photos/s |\n' "$label" "$s" "$(awk -v n="$n" -v s="$s" 'BEGIN { printf "%.1f", n / s }')"
}
echo "| build, JPEG decoder | index $n photos (both spaces, thumbnails) | rate |"
echo "|---|---:|---:|"
rate "Linux, libjpeg-turbo (DCT-scaled)" env RELVIEW_CACHE_DIR="$tmp/c1" ./relview index "$tmp/photos"
rate "Linux, Go image/jpeg (RELVIEW_JPEG=go)" env RELVIEW_JPEG=go RELVIEW_CACHE_DIR="$tmp/c2" ./relview index "$tmp/photos"
rate "Windows relview.exe under Wine 8, Go image/jpeg" env RELVIEW_CACHE_DIR="$(winpath "$tmp/c3")" \
  wine "$exe" index "$(winpath "$tmp/photos")"
