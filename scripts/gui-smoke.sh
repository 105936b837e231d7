#!/usr/bin/env bash
# Opens relview in a real X window (Xvfb) on the built-in sample library,
# waits for indexing, clicks a gallery thumbnail with xdotool, takes a
# screenshot, and checks through relview's debug lines (RELVIEW_DEBUG=1)
# that both columns show neighbours.
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
cell_index=${RELVIEW_SMOKE_CELL:-1} # which gallery cell to click (0-based)

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

# A free display number.
n=99
while [[ -e /tmp/.X$n-lock || -e /tmp/.X11-unix/X$n ]]; do n=$((n + 1)); done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xpid=$!
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
xdpyinfo >/dev/null 2>&1 || fail "Xvfb did not start on $DISPLAY"

export LANG=en_US.UTF-8 RELVIEW_DEBUG=1
export XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config RELVIEW_CACHE_DIR=$tmp/cache
./relview 2>"$tmp/relview.log" &
rpid=$!

wait_for() { # pattern seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    grep -q "$1" "$tmp/relview.log" && return 0
    kill -0 "$rpid" 2>/dev/null || fail "relview exited while waiting for '$1'"
    sleep 0.1
  done
  fail "no '$1' within $2 s"
}
wait_for "relview: indexed" 300
wait_for "gallery-geometry" 30
sleep 1 # the last gallery refresh

wid=$(xdotool search --sync --onlyvisible --name '^relview' | head -1)
[[ -n $wid ]] || fail "no relview window"
geo=$(grep "gallery-geometry" "$tmp/relview.log" | tail -1)
num() { sed -E "s/.* $1=([0-9]+).*/\1/" <<<"$geo"; }
x=$(num x) y=$(num y) cols=$(num columns)
cw=$(sed -E 's/.* cell=([0-9]+)x([0-9]+).*/\1/' <<<"$geo")
ch=$(sed -E 's/.* cell=([0-9]+)x([0-9]+).*/\2/' <<<"$geo")
sx=$(sed -E 's/.* step=([0-9]+)x([0-9]+).*/\1/' <<<"$geo")
sy=$(sed -E 's/.* step=([0-9]+)x([0-9]+).*/\2/' <<<"$geo")
((cols > 0)) || cols=1
col=$((cell_index % cols)) row=$((cell_index / cols))
cx=$((x + col * sx + cw / 2)) cy=$((y + row * sy + ch / 3))
before=$(grep -c "relview: neighbours " "$tmp/relview.log" || true)
xdotool mousemove --window "$wid" "$cx" "$cy" click 1
for _ in $(seq 100); do
  [[ $(grep -c "relview: neighbours " "$tmp/relview.log" || true) -gt $before ]] && break
  sleep 0.1
done
line=$(grep "relview: neighbours " "$tmp/relview.log" | tail -1) || fail "the click at ($cx,$cy) showed no neighbours"
rel=$(sed -E 's/.*relational=([0-9]+).*/\1/' <<<"$line")
vis=$(sed -E 's/.*visual=([0-9]+).*/\1/' <<<"$line")
((rel > 0 && vis > 0)) || fail "a column is empty: $line"
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
