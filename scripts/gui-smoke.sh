#!/usr/bin/env bash
# Opens relview in a real X window (Xvfb) on the built-in sample library,
# twice:
#
# 1. on a 1600×1000 screen, the window made as large as the screen: waits
#    for indexing, selects a gallery photo with the arrow keys (xdotool),
#    checks through relview's debug lines (RELVIEW_DEBUG=1) that both
#    columns show neighbours and that at least 12 tiles per column are
#    wholly visible, and takes a screenshot;
# 2. on a 1280×720 screen at the size relview opens with: checks that the
#    window fits the screen (so its status bar, at the bottom, is on it),
#    selects a photo, checks that both columns show tiles, and takes a
#    screenshot.
#
#   scripts/gui-smoke.sh [SCREENSHOT.png [MAP.png [SMALL.png [RELATIONS.png]]]]
#
# (default docs/screenshot-neighbours.png; with MAP.png the first run also
# opens the similarity map with Ctrl+M, checks that it has points and takes
# a second screenshot; SMALL.png is the 1280×720 screenshot, default
# SCREENSHOT's name with -1280x720 (docs/screenshot-neighbours-1280x720.png
# without arguments); with RELATIONS.png the first run also opens
# Browse by relation with Ctrl+R, checks it has groups and takes a
# screenshot).
#
# Needs Xvfb, xdotool and ImageMagick (scripts/setup.sh installs them) and a
# built ./relview. Everything relview writes goes to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${1:-docs/screenshot-neighbours.png}
mapshot=${2:-}
smallshot=${3:-${shot%.png}-1280x720.png} # beside SCREENSHOT unless named
relshot=${4:-}
cell_index=${RELVIEW_SMOKE_CELL:-1} # which gallery cell to select (0-based)

for tool in Xvfb xdotool import; do
  command -v "$tool" >/dev/null || { echo "gui-smoke: $tool is missing (scripts/setup.sh installs it)" >&2; exit 2; }
done
[[ -x ./relview ]] || go build -o relview .

tmp=$(mktemp -d)
xpid="" rpid=""
stop() {
  [[ -n $rpid ]] && kill "$rpid" 2>/dev/null || true
  [[ -n $xpid ]] && kill "$xpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rpid="" xpid=""
}
cleanup() {
  stop
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "gui-smoke: FAIL: $*" >&2
  echo "--- relview's stderr:" >&2
  cat "$tmp/relview.log" >&2 || true
  exit 1
}

. scripts/lib/xwindow.sh

export LANG=en_US.UTF-8 RELVIEW_DEBUG=1
export XDG_DATA_HOME=$tmp/data RELVIEW_CACHE_DIR=$tmp/cache

# launch SCREEN CONFIG: starts Xvfb and relview on the sample library (the
# second launch finds it indexed in the shared cache).
launch() {
  start_xvfb 99 "$1"
  export XDG_CONFIG_HOME=$tmp/$2
  : >"$tmp/relview.log" # before wait_for reads it: the background job opens it later
  ./relview 2>"$tmp/relview.log" &
  rpid=$!
  wait_for "relview: indexed" 300
  wait_for "relview: gallery [1-9]" 30
}

# tiles_visible: the wholly visible tiles of the columns after the last
# query, as "REL VIS".
tiles_visible() {
  local t
  t=$(grep "relview: tiles visible" "$tmp/relview.log" | tail -1) || fail "no 'tiles visible' line"
  echo "$(sed -E 's/.*relational=([0-9]+).*/\1/' <<<"$t") $(sed -E 's/.*visual=([0-9]+).*/\1/' <<<"$t")"
}

# 1. 1600×1000, the window as large as the screen.
launch 1600x1000 config-large
wid=$(xdotool search --sync --onlyvisible --name '^relview' | head -1)
[[ -n $wid ]] || fail "no relview window"
xdotool windowsize --sync "$wid" 1600 1000 || xdotool windowsize "$wid" 1600 1000
select_cell "$cell_index"
read -r rel vis <<<"$(tiles_visible)"
((rel >= 12 && vis >= 12)) || fail "at 1600×1000 only $rel / $vis tiles per column are wholly visible (want ≥ 12)"
xdotool mousemove --window "$wid" 5 990 # no hover highlight in the picture
sleep 2 # thumbnails and the large preview
mkdir -p "$(dirname "$shot")"
import -window root "$shot"
echo "gui-smoke: ok: 1600×1000: $rel / $vis tiles per column visible; screenshot $shot"
if [[ -n $mapshot ]]; then
  xdotool key --window "$wid" ctrl+m
  for _ in $(seq 100); do grep -q "relview: map points=" "$tmp/relview.log" && break; sleep 0.1; done
  mline=$(grep "relview: map points=" "$tmp/relview.log" | tail -1) || fail "Ctrl+M showed no similarity map"
  pts=$(sed -E 's/.*points=([0-9]+).*/\1/' <<<"$mline")
  ((pts > 0)) || fail "the similarity map is empty: $mline"
  xdotool mousemove --window "$wid" 5 990
  sleep 1
  import -window root "$mapshot"
  echo "gui-smoke: ok: ${mline#relview: }; screenshot $mapshot"
fi
if [[ -n $relshot ]]; then
  xdotool key --window "$wid" ctrl+r
  for _ in $(seq 100); do grep -q "relview: relations groups=" "$tmp/relview.log" && break; sleep 0.1; done
  rline=$(grep "relview: relations groups=" "$tmp/relview.log" | tail -1) || fail "Ctrl+R showed no relations"
  groups=$(sed -E 's/.*groups=([0-9]+).*/\1/' <<<"$rline")
  ((groups > 0)) || fail "browse by relation is empty: $rline"
  xdotool mousemove --window "$wid" 5 990
  sleep 2
  import -window root "$relshot"
  echo "gui-smoke: ok: ${rline#relview: }; screenshot $relshot"
fi
echo "gui-smoke: ok: $(grep 'relview: indexed' "$tmp/relview.log" | tail -1 | sed 's/^relview: //')"
echo "gui-smoke: ok: ${line#relview: }"
stop

# 2. 1280×720, the size relview opens with (a fresh configuration).
launch 1280x720 config-small
wid=$(xdotool search --sync --onlyvisible --name '^relview' | head -1)
[[ -n $wid ]] || fail "no relview window"
geo=$(xdotool getwindowgeometry "$wid" | sed -nE 's/.*Geometry: ([0-9]+)x([0-9]+).*/\1 \2/p')
read -r ww wh <<<"$geo"
((ww <= 1280 && wh <= 720)) || fail "at 1280×720 the window is ${ww}×${wh}: its status bar is off the screen"
select_cell "$cell_index"
xdotool mousemove --window "$wid" 5 5
sleep 2
mkdir -p "$(dirname "$smallshot")"
import -window root "$smallshot"
read -r rel vis <<<"$(tiles_visible)"
((rel >= 6 && vis >= 6)) || fail "at 1280×720 only $rel / $vis tiles per column are wholly visible (want ≥ 6)"
echo "gui-smoke: ok: 1280×720: window ${ww}×${wh}, $rel / $vis tiles per column visible; screenshot $smallshot"
