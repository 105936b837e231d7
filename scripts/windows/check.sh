#!/usr/bin/env bash
# The Windows check, run under Wine (scripts/test.sh runs it when Wine and
# mingw-w64 are installed; scripts/setup.sh installs them):
#
#   scripts/windows/check.sh [SCREENSHOT.png]
#
#  1. engine, library and internal/osopen test binaries cross-built for
#     windows/amd64 (cgo with mingw-w64) and run under Wine: decoding, encoding
#     with the real onnxruntime.dll, the catalog, indexing, neighbours, the
#     writer lock (LockFileEx), snapshots, the file watcher. Left out, as Unix
#     only: TestHostileCorpus (Latin-1 file names, symlinks, chmod 000) and
#     TestKillDuringIndexing (tells a kill from a failure by the Unix signal).
#  2. the release zip (scripts/package-windows.sh) unpacked, its relview.exe
#     run by Wine: `models` finds the bundled onnxruntime.dll beside it;
#     `index` then `neighbors --json` on the sample photos give the same
#     neighbours, in the same order, as the Linux build (both decode JPEG with
#     Go's decoder, RELVIEW_JPEG=go, as Windows builds always do); without
#     the Visual C++ runtime (Wine's msvcp140 off) it fails and names it.
#  3. the GUI: relview.exe under Wine on Xvfb on the sample library, a photo
#     selected with the arrow keys, both columns filled, a screenshot
#     (default: none kept). RELVIEW_WINE_GUI=0 leaves this step out.
#
# Everything relview writes goes to a temporary folder; the Wine prefix is kept
# in ~/.cache/relview-wine (wine-env.sh). Cost on two cores: the first run
# cross-compiles Fyne's C code with mingw (scripts/package-windows.sh, several
# minutes); after that about two minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
shot=${1:-}
skip() { echo "windows-check: SKIP: $*"; exit 0; }
[[ ${RELVIEW_WINDOWS_CHECK:-1} != 0 ]] || skip "RELVIEW_WINDOWS_CHECK=0"
for tool in wine wineboot wineserver x86_64-w64-mingw32-gcc zip unzip; do
  command -v "$tool" >/dev/null || skip "$tool is missing (scripts/setup.sh installs Wine, mingw-w64 and zip when apt can)"
done

tmp=$(mktemp -d)
xpid="" rpid=""
cleanup() {
  [[ -n $rpid ]] && kill "$rpid" 2>/dev/null || true
  [[ -n $xpid ]] && kill "$xpid" 2>/dev/null || true
  [[ -n ${WINEPREFIX:-} ]] && wineserver -k 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "windows-check: FAIL: $*" >&2
  if [[ -f $tmp/relview.log ]]; then
    echo "--- relview.exe's stderr (last lines):" >&2
    grep -v "^[0-9a-f]*:fixme:" "$tmp/relview.log" | tail -20 >&2
  fi
  exit 1
}
ok() { echo "windows-check: ok: $*"; }
. scripts/windows/wine-env.sh
t0=$SECONDS
wine_prefix || fail "could not make the Wine prefix"
ok "Wine $(wine --version 2>/dev/null), prefix $WINEPREFIX"
scripts/get-onnxruntime-windows.sh

# 1. Test binaries under Wine.
overlay=$(go_overlay) || fail "no go overlay"
bins=$tmp/bin
mkdir -p "$bins"
build_test() { # package name
  GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
    go test -c -overlay "$overlay" -o "$bins/$2.test.exe" "./$1" || fail "cross-building the $1 tests"
}
run_test() { # package name args...
  local pkg=$1 name=$2 t=$SECONDS
  shift 2
  # Run from the package's folder, as go test does: testdata and the source
  # tree's lib\onnxruntime.dll are found from there.
  (cd "$pkg" && wine "$bins/$name.test.exe" -test.count=1 -test.timeout=10m "$@") >"$tmp/$name.log" 2>&1 || {
    grep -E -- "^(--- FAIL|    --- FAIL|FAIL|panic)|_test.go:[0-9]+:" "$tmp/$name.log" | head -40 >&2
    fail "the $pkg tests failed under Wine (log above)"
  }
  ok "$pkg tests under Wine: $(grep -c -- '^--- PASS' "$tmp/$name.log") passed, $(grep -c -- '^--- SKIP' "$tmp/$name.log") skipped ($((SECONDS - t)) s)"
}
t=$SECONDS
build_test engine engine
build_test library library
build_test internal/osopen osopen
ok "cross-built the test binaries ($((SECONDS - t)) s)"
run_test internal/osopen osopen -test.v
run_test engine engine -test.v \
  -test.run '^Test(ConvertedModelMatchesTFJS|Decode.*|Detect.*|CompareSelfIsOne|VisualSameObjectBeatsUnrelated|EncodeMirrorRelational|CloseWaitsForEncodes|Plugin.*|RelationalLayout|RelationProfileRoundTrip|ExplainRelationalSaysNothingItCannotKnow|RelationalVectorNeedsNoDetector|RelationLabels|SameObjectOnce|PanelLayoutsOfComposites|SketchKeepsCosines|FindRuntime.*|ShrinkMatchesAreaAverage|EncodeJPEGRoundTrip|ShrinkTo|Orientation.*|EncodeFileMatchesDecodeScaled|CaptureTime.*|SpecialFilesAreRefusedOnWindows)$'
run_test library library -test.v -test.skip '^(TestHostileCorpus|TestKillDuringIndexing)$'

# 2. The release zip's relview.exe against the Linux build.
scripts/package-windows.sh >"$tmp/package.log" 2>&1 || { tail -30 "$tmp/package.log" >&2; fail "scripts/package-windows.sh"; }
ok "$(grep '^package-windows: dist/' "$tmp/package.log" | sed 's/^package-windows: //')"
mkdir -p "$tmp/win"
unzip -q dist/relview-windows-amd64.zip -d "$tmp/win"
app=$tmp/win/relview-windows-amd64
[[ -f $app/relview.exe && -f $app/onnxruntime.dll ]] || fail "the zip lacks relview.exe or onnxruntime.dll"
# relview.exe is run from a folder of its own, with a working folder outside
# the source tree and no RELVIEW_ORT_LIB: only the DLL beside it can serve.
winrun() { (cd "$tmp/win" && env -u RELVIEW_ORT_LIB RELVIEW_JPEG=go RELVIEW_CACHE_DIR="$(winpath "$tmp/wincache")" \
  XDG_DATA_HOME="$(winpath "$tmp/windata")" wine "$app/relview.exe" "$@"); }
models=$(winrun models 2>"$tmp/models.err") || { cat "$tmp/models.err" >&2; fail "relview.exe models"; }
dllseen=$(sed -n 2p <<<"$models" | sed -E 's/^[[:space:]]+//')
[[ ${dllseen,,} == "$(winpath "$app/onnxruntime.dll" | tr 'A-Z' 'a-z')" ]] || fail "relview.exe loaded ONNX Runtime from '$dllseen':"$'\n'"$models"
ok "relview.exe models: $(head -1 <<<"$models") from ${dllseen}"
# A Windows without the Visual C++ runtime that onnxruntime.dll imports
# (Wine's msvcp140 switched off): relview.exe fails and names what is missing.
if novc=$(WINEDLLOVERRIDES="$WINEDLLOVERRIDES;msvcp140=d" winrun models 2>&1); then
  fail "relview.exe models worked without msvcp140.dll"
fi
grep -q "Visual C++ 2015-2022 Redistributable" <<<"$novc" || fail "without msvcp140.dll relview.exe says:"$'\n'"$novc"
ok "without the Visual C++ runtime relview.exe says: $(grep -o 'relview needs[^;]*' <<<"$novc")"

photos=${RELVIEW_WINDOWS_PHOTOS:-assets/photos}
photos=$(realpath "$photos")
[[ -x ./relview ]] || go build -o relview .
linrun() { env RELVIEW_JPEG=go RELVIEW_CACHE_DIR="$tmp/lincache" ./relview "$@"; }
t=$SECONDS
linrun index "$photos" >"$tmp/lin-index.log" 2>&1 || { cat "$tmp/lin-index.log" >&2; fail "Linux relview index"; }
lt=$((SECONDS - t)) t=$SECONDS
winrun index "$(winpath "$photos")" >"$tmp/win-index.log" 2>&1 || { cat "$tmp/win-index.log" >&2; fail "relview.exe index"; }
wt=$((SECONDS - t))
n=$(find "$photos" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | wc -l)
ok "indexed $n photos of $photos: Linux ${lt} s, relview.exe under Wine ${wt} s"
# Neighbours of every photo, both spaces: the same paths in the same order.
# Two neighbours whose scores are within 1e-3 may trade places (the two builds'
# float rounding differs in the last bits); scores must agree within 1e-3.
flatten() { # JSON of neighbors -> "space rank path score" lines
  sed -E 's/\],"visual":\[/\nvisual /; s/^\{"relational":\[/relational /' |
    awk '{ sp = $1; sub(/^[a-z]+ /, ""); n = split($0, items, /\},\{|\{|\}/); r = 0
      for (i = 1; i <= n; i++) if (match(items[i], /"path":"[^"]*","score":[-0-9.e]+/)) {
        s = substr(items[i], RSTART, RLENGTH); p = s; sub(/^"path":"/, "", p); sub(/","score":.*/, "", p)
        v = s; sub(/.*"score":/, "", v); print sp, r++, p, v } }'
}
compared=0
while IFS= read -r -d '' f; do
  rel=${f#"$photos"/}
  linrun neighbors "$photos" "$f" --json -k 8 2>"$tmp/lin.err" | flatten >"$tmp/lin.txt" || { cat "$tmp/lin.err" >&2; fail "Linux neighbors $rel"; }
  winrun neighbors "$(winpath "$photos")" "$(winpath "$f")" --json -k 8 2>"$tmp/win.err" | tr -d '\r' | flatten | sed 's|\\\\|/|g' >"$tmp/win.txt" ||
    { cat "$tmp/win.err" >&2; fail "relview.exe neighbors $rel"; }
  [[ -s $tmp/lin.txt ]] || fail "Linux neighbors of $rel: nothing"
  awk -v q="$rel" 'NR == FNR { lp[$1, $2] = $3; ls[$1, $2] = $4; ln[$1]++; next }
    { wp[$1, $2] = $3; ws[$1, $3] = $4; wn[$1]++ }
    END {
      bad = 0
      for (k in ln) {
        if (wn[k] != ln[k]) { printf "%s %s: %d neighbours on Linux, %d on Windows\n", q, k, ln[k], wn[k]; bad = 1; continue }
        for (i = 0; i < ln[k]; i++) {
          p = lp[k, i]
          if (!((k, p) in ws)) { printf "%s %s: %s (Linux #%d) is not among the Windows neighbours\n", q, k, p, i + 1; bad = 1; continue }
          d = ws[k, p] - ls[k, i]; if (d < 0) d = -d
          if (d > 1e-3) { printf "%s %s: %s scores %s on Linux, %s on Windows\n", q, k, p, ls[k, i], ws[k, p]; bad = 1 }
          if (wp[k, i] != p) {
            # a swap with a neighbour of (nearly) the same score is rounding
            j = -1; for (m = 0; m < ln[k]; m++) if (lp[k, m] == wp[k, i]) j = m
            e = (j < 0) ? 1 : ls[k, j] - ls[k, i]; if (e < 0) e = -e
            if (e > 1e-3) { printf "%s %s: #%d is %s on Linux, %s on Windows\n", q, k, i + 1, p, wp[k, i]; bad = 1 }
          }
        }
      }
      exit bad
    }' "$tmp/lin.txt" "$tmp/win.txt" || fail "relview.exe's neighbours differ from the Linux build's"
  compared=$((compared + 1))
done < <(find "$photos" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -print0 | sort -z)
((compared > 0)) || fail "no photos compared"
ok "neighbours (relational and visual, k=8) of all $compared photos: the same as the Linux build's"

# 3. The GUI under Wine + Xvfb.
if [[ ${RELVIEW_WINE_GUI:-1} == 0 ]]; then
  echo "windows-check: GUI step left out (RELVIEW_WINE_GUI=0)"
elif ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null || ! command -v import >/dev/null; then
  echo "windows-check: Xvfb, xdotool or ImageMagick missing: GUI step left out"
else
  . scripts/lib/xwindow.sh
  start_xvfb 95
  # Wine's desktop process, started by the command-line runs above without a
  # display, would serve this one too: end that Wine session first.
  wineserver -k 2>/dev/null || true
  wineserver -w
  : >"$tmp/relview.log"
  (cd "$tmp/win" && exec env -u RELVIEW_ORT_LIB RELVIEW_DEBUG=1 RELVIEW_CACHE_DIR="$(winpath "$tmp/guicache")" \
    XDG_DATA_HOME="$(winpath "$tmp/guidata")" wine "$app/relview.exe") >/dev/null 2>"$tmp/relview.log" &
  rpid=$!
  wait_for "relview: indexed" 300
  wait_for "relview: gallery [1-9]" 60
  sleep 1
  idx=$(grep "relview: indexed" "$tmp/relview.log" | tail -1)
  grep -qE "indexed [1-9][0-9]* .*failed 0\)" <<<"$idx" || fail "GUI indexing: $idx"
  select_cell 1
  ok "GUI under Wine: ${idx#relview: }; ${line#relview: }"
  if [[ -n $shot ]]; then
    xdotool mousemove --window "$wid" 5 790
    sleep 2
    mkdir -p "$(dirname "$shot")"
    import -window root "$shot"
    ok "screenshot $shot"
  fi
fi
echo "windows-check: PASS ($((SECONDS - t0)) s)"
