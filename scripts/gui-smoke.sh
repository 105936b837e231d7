#!/usr/bin/env bash
# Opens relview in a real X window (Xvfb) on the built-in sample library,
# waits for indexing, selects a gallery photo with the arrow keys (xdotool),
# takes a screenshot, and checks through relview's debug lines
# (RELVIEW_DEBUG=1) that both columns show neighbours.
#
#   scripts/gui-smoke.sh [SCREENSHOT.png [MAP.png]]
#
# (default docs/screenshot-neighbours.png; with MAP.png it also opens the
# similarity map with Ctrl+M, checks that it has points and takes a second
# screenshot).
#
# Needs Xvfb, xdotool and ImageMagick (scripts/setup.sh installs them) and a
# built ./relview. Everything relview writes goes to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
shot=${1:-docs/screenshot-neighbours.png}
mapshot=${2:-}
cell_index=${RELVIEW_SMOKE_CELL:-1} # which gallery cell to select (0-based)

for tool in Xvfb xdotool import; do
  command -v "$tool" >/dev/null || { echo "gui-smoke: $tool is missing (scripts/setup.sh installs it)" >&2; exit 2; }
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
  echo "gui-smoke: FAIL: $*" >&2
  echo "--- relview's stderr:" >&2
  cat "$tmp/relview.log" >&2 || true
  exit 1
}

. scripts/lib/xwindow.sh
start_xvfb 99

export LANG=en_US.UTF-8 RELVIEW_DEBUG=1
export XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config RELVIEW_CACHE_DIR=$tmp/cache
: >"$tmp/relview.log" # before wait_for reads it: the background job opens it later
./relview 2>"$tmp/relview.log" &
rpid=$!

wait_for "relview: indexed" 300
wait_for "relview: gallery [1-9]" 30

select_cell "$cell_index"
xdotool mousemove --window "$wid" 5 790 # no hover highlight in the picture
sleep 2 # thumbnails and the large preview
mkdir -p "$(dirname "$shot")"
import -window root "$shot"
if [[ -n $mapshot ]]; then
  xdotool key --window "$wid" ctrl+m
  for _ in $(seq 100); do grep -q "relview: map points=" "$tmp/relview.log" && break; sleep 0.1; done
  mline=$(grep "relview: map points=" "$tmp/relview.log" | tail -1) || fail "Ctrl+M showed no similarity map"
  pts=$(sed -E 's/.*points=([0-9]+).*/\1/' <<<"$mline")
  ((pts > 0)) || fail "the similarity map is empty: $mline"
  xdotool mousemove --window "$wid" 5 790
  sleep 1
  import -window root "$mapshot"
  echo "gui-smoke: ok: ${mline#relview: }; screenshot $mapshot"
fi
echo "gui-smoke: ok: $(grep 'relview: indexed' "$tmp/relview.log" | tail -1 | sed 's/^relview: //')"
echo "gui-smoke: ok: ${line#relview: }"
echo "gui-smoke: screenshot $shot"
