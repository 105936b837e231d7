# Helpers for the scripts that drive relview in a real X window (Xvfb):
# scripts/gui-smoke.sh and scripts/package-check.sh. Source it after
# defining fail() and $tmp; relview's stderr (RELVIEW_DEBUG=1) must go to
# $tmp/relview.log and its pid be in $rpid.

# start_xvfb N: starts Xvfb on the first free display from :N, exports
# DISPLAY and sets xpid.
start_xvfb() {
  local n=$1
  while [[ -e /tmp/.X$n-lock || -e /tmp/.X11-unix/X$n ]]; do n=$((n + 1)); done
  export DISPLAY=:$n
  Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
  xpid=$!
  for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
  xdpyinfo >/dev/null 2>&1 || fail "Xvfb did not start on $DISPLAY"
}

# wait_for PATTERN SECONDS: waits until relview's log has PATTERN.
wait_for() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    grep -q "$1" "$tmp/relview.log" && return 0
    kill -0 "$rpid" 2>/dev/null || fail "relview exited while waiting for '$1'"
    sleep 0.1
  done
  fail "no '$1' within $2 s"
}

# click_cell INDEX: clicks gallery cell INDEX (0-based) at the position the
# app logged ("gallery-geometry"), waits for a new "neighbours" line and
# checks both columns are filled. Sets wid (the window) and line (that log
# line).
click_cell() {
  local geo x y cols cw ch sx sy col row cx cy before
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
  col=$(($1 % cols)) row=$(($1 / cols))
  cx=$((x + col * sx + cw / 2)) cy=$((y + row * sy + ch / 3))
  before=$(grep -c "relview: neighbours " "$tmp/relview.log" || true)
  xdotool mousemove --window "$wid" "$cx" "$cy" click 1
  for _ in $(seq 100); do
    [[ $(grep -c "relview: neighbours " "$tmp/relview.log" || true) -gt $before ]] && break
    sleep 0.1
  done
  line=$(grep "relview: neighbours " "$tmp/relview.log" | tail -1) || fail "the click at ($cx,$cy) showed no neighbours"
  local rel vis
  rel=$(sed -E 's/.*relational=([0-9]+).*/\1/' <<<"$line")
  vis=$(sed -E 's/.*visual=([0-9]+).*/\1/' <<<"$line")
  ((rel > 0 && vis > 0)) || fail "a column is empty: $line"
}
