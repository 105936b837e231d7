#!/usr/bin/env bash
# Screenshot of stacked variants (docs/screenshot-variants.png): a folder of
# the 20 real photos of assets/photos plus edits of two of them (crops, a
# mirror flip, a brighter copy, a small copy) is opened under Xvfb at
# 1600×1000; chelsea.png is selected with the arrow keys, so its own
# variants sit behind the "N variants" button and coffee's edits collapse
# into one "+N alike" tile. It checks the debug line says variants > 0.
#
#   scripts/screenshot-variants.sh [SCREENSHOT.png]
#
# Needs Xvfb, xdotool and ImageMagick (convert, import) and a built ./relview.
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${1:-docs/screenshot-variants.png}
for tool in Xvfb xdotool import convert; do
  command -v "$tool" >/dev/null || { echo "screenshot-variants: $tool is missing" >&2; exit 2; }
done
[[ -x ./relview ]] || go build -o relview .

tmp=$(mktemp -d)
xpid="" rpid=""
cleanup() {
  [[ -n $rpid ]] && kill "$rpid" 2>/dev/null || true
  [[ -n $xpid ]] && kill "$xpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "screenshot-variants: FAIL: $*" >&2
  cat "$tmp/relview.log" >&2 || true
  exit 1
}
. scripts/lib/xwindow.sh

photos=$tmp/photos
mkdir -p "$photos"
cp assets/photos/*.{png,jpg} "$photos/"
convert assets/photos/chelsea.png -gravity center -crop 90%x90%+0+0 +repage "$photos/chelsea-crop.jpg"
convert assets/photos/chelsea.png -flop "$photos/chelsea-flip.jpg"
convert assets/photos/chelsea.png -modulate 112 "$photos/chelsea-edit.jpg"
convert assets/photos/coffee.png -resize 33% "$photos/coffee-small.jpg"
convert assets/photos/coffee.png -gravity center -crop 90%x90%+0+0 +repage "$photos/coffee-crop.jpg"
# The gallery sorts by name (bytewise): chelsea.png's 0-based cell.
cell=$(cd "$photos" && LC_ALL=C ls | grep -n '^chelsea\.png$' | cut -d: -f1)
cell=$((cell - 1))

start_xvfb 99 1600x1000
export LANG=en_US.UTF-8 RELVIEW_DEBUG=1
export XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config RELVIEW_CACHE_DIR=$tmp/cache
: >"$tmp/relview.log"
./relview "$photos" 2>"$tmp/relview.log" &
rpid=$!
wait_for "relview: indexed" 300
wait_for "relview: calibration" 60
wid=$(xdotool search --sync --onlyvisible --name '^relview' | head -1)
[[ -n $wid ]] || fail "no relview window"
xdotool windowsize --sync "$wid" 1600 1000 || xdotool windowsize "$wid" 1600 1000
select_cell "$cell"
grep -q "query=chelsea.png .*variants=[1-9]" <<<"$line" || fail "chelsea.png shows no variants: $line"
xdotool mousemove --window "$wid" 5 990
sleep 2
mkdir -p "$(dirname "$shot")"
import -window root "$shot"
echo "screenshot-variants: ok: ${line#relview: }; screenshot $shot"
