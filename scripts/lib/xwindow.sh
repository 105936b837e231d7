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

# select_cell INDEX: makes gallery cell INDEX (0-based) the query the way a
# user does from the keyboard: with nothing selected, Right selects the
# first photo and each further Right the next one. It waits for the
# "neighbours" line of each step and checks that both columns of the last
# are filled. Sets wid (the window) and line (that log line). No pixel
# positions: the gallery's layout is the app's business.
select_cell() {
  local i before rel vis
  wid=$(xdotool search --sync --onlyvisible --name '^relview' | head -1)
  [[ -n $wid ]] || fail "no relview window"
  for ((i = 0; i <= $1; i++)); do
    before=$(grep -c "relview: neighbours " "$tmp/relview.log" || true)
    xdotool key --window "$wid" Right
    for _ in $(seq 100); do
      [[ $(grep -c "relview: neighbours " "$tmp/relview.log" || true) -gt $before ]] && break
      sleep 0.1
    done
    [[ $(grep -c "relview: neighbours " "$tmp/relview.log" || true) -gt $before ]] ||
      fail "the Right key (step $((i + 1)) of $(($1 + 1))) showed no neighbours"
  done
  line=$(grep "relview: neighbours " "$tmp/relview.log" | tail -1)
  rel=$(sed -E 's/.*relational=([0-9]+).*/\1/' <<<"$line")
  vis=$(sed -E 's/.*visual=([0-9]+).*/\1/' <<<"$line")
  ((rel > 0 && vis > 0)) || fail "a column is empty: $line"
}
