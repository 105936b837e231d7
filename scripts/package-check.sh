#!/usr/bin/env bash
# Installs the release archive as on a clean machine and checks that the
# installed app works by itself:
#
#   scripts/package-check.sh [ARCHIVE [SCREENSHOT.png]]
#
# (default: dist/relview-<version>-linux-<arch>.tar.xz from scripts/package.sh,
# docs/screenshot-installed.png).
#
# Everything happens in a temporary folder, with a fresh empty HOME, XDG dirs
# inside it, an `env -i` environment (PATH=/usr/bin:/bin, no $RELVIEW_ORT_LIB)
# and a working directory outside the source tree, so neither lib/ of the
# source tree nor a user data dir can supply ONNX Runtime:
#   1. the archive's `make install DESTDIR=<tmp>/root PREFIX=/usr/local`,
#      `make user-install` into the fresh HOME, and a plain
#      `tar --strip-components=1` into a third root;
#   2. the .desktop files' Exec and Icon name installed files;
#   3. `relview models` of each install reports the libonnxruntime.so.1 of
#      that install (<prefix>/lib/relview/, found beside bin/);
#   4. the GUI, started under Xvfb the way the .desktop file starts it (Exec
#      looked up in PATH), writes the sample library into the fresh data dir,
#      indexes it, shows neighbours in both columns for a clicked thumbnail,
#      and has the installed ONNX Runtime mapped (/proc/PID/maps); a
#      screenshot is taken.
# Needs make, Xvfb, xdotool and ImageMagick (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -nE 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' FyneApp.toml | head -1)
archive=${1:-dist/relview-$version-linux-$(go env GOARCH 2>/dev/null || echo amd64).tar.xz}
shot=${2:-docs/screenshot-installed.png}
[[ -f $archive ]] || { echo "package-check: no $archive (run scripts/package.sh)" >&2; exit 2; }
archive=$(realpath "$archive")
shot=$(realpath -m "$shot")
for tool in make Xvfb xdotool import xdpyinfo; do
  command -v "$tool" >/dev/null || { echo "package-check: $tool is missing (scripts/setup.sh installs it)" >&2; exit 2; }
done

tmp=$(mktemp -d)
tmp=$(realpath "$tmp")
xpid="" rpid=""
cleanup() {
  [[ -n $rpid ]] && kill "$rpid" 2>/dev/null || true
  [[ -n $xpid ]] && kill "$xpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "package-check: FAIL: $*" >&2
  if [[ -f $tmp/relview.log ]]; then
    echo "--- relview's stderr:" >&2
    cat "$tmp/relview.log" >&2
  fi
  exit 1
}
ok() { echo "package-check: ok: $*"; }
. scripts/lib/xwindow.sh

# The temporary folder must not be inside a relview source tree (relview
# would find lib/ there).
d=$tmp
while [[ $d != / ]]; do
  grep -qs '^module relview' "$d/go.mod" && fail "$tmp is inside a relview source tree ($d); set TMPDIR elsewhere"
  d=$(dirname "$d")
done

home=$tmp/home work=$tmp/work
mkdir -p "$home" "$work" "$tmp/x"
# A clean environment: nothing of this shell's but the display, if asked.
clean() { # dir cmd... : runs cmd in dir with a minimal environment
  local dir=$1
  shift
  (cd "$dir" && exec env -i PATH="${CLEAN_PATH:-/usr/bin:/bin}" HOME="$home" \
    XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
    XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$tmp/run" \
    LANG=en_US.UTF-8 ${CLEAN_EXTRA:-} "$@")
}
mkdir -m 0700 "$tmp/run"

# 1. Install.
tar -xJf "$archive" -C "$tmp/x"
top=$(find "$tmp/x" -mindepth 1 -maxdepth 1 -type d)
[[ $(wc -l <<<"$top") -eq 1 && -f $top/Makefile ]] || fail "the archive is not one folder with a Makefile"
clean "$top" make -s install DESTDIR="$tmp/root" PREFIX=/usr/local >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log" >&2; fail "make install"; }
clean "$top" make -s user-install >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log" >&2; fail "make user-install"; }
mkdir -p "$tmp/root2"
tar -xJf "$archive" -C "$tmp/root2" --strip-components=1 --exclude='*/Makefile'
sys=$tmp/root/usr/local
usr2=$tmp/root2/usr/local
[[ -d $usr2 ]] || usr2=$tmp/root2/usr
ok "installed: make install -> $sys, make user-install -> $home/.local, tar -> $usr2"
ok "installed files (make install): $(cd "$tmp/root" && find . -type f | sort | tr '\n' ' ')"
ldd "$sys/bin/relview" | grep -q "not found" && fail "missing shared libraries: $(ldd "$sys/bin/relview" | grep 'not found')"
ldd "$sys/lib/relview/libonnxruntime.so.1" | grep -q "not found" && fail "ONNX Runtime misses shared libraries"
ok "needed shared libraries: $(ldd "$sys/bin/relview" | awk '/=>/ { print $1 }' | tr '\n' ' ')"
[[ -s $sys/share/doc/relview/ONNXRUNTIME-LICENSE ]] || fail "no ONNX Runtime licence note"

# 2. The .desktop files.
desktop_check() { # file prefix-of-relative-Exec
  local f=$1 bindir=$2 exe icon
  [[ -f $f ]] || fail "no $f"
  exe=$(sed -nE 's/^Exec=([^ ]+).*/\1/p' "$f" | head -1)
  icon=$(sed -nE 's/^Icon=(.*)/\1/p' "$f" | head -1)
  [[ $exe == /* ]] || exe=$bindir/$exe
  [[ -x $exe ]] || fail "$f: Exec $exe is not an installed executable"
  local base found=""
  base=$(dirname "$(dirname "$f")") # .../share
  if [[ $icon == /* ]]; then
    [[ -f $icon ]] && found=$icon
  else
    for cand in "$base/pixmaps/$icon".{png,svg,xpm} "$base/icons/$icon".{png,svg} "$base"/icons/hicolor/*/apps/"$icon".{png,svg}; do
      [[ -f $cand ]] && { found=$cand; break; }
    done
  fi
  [[ -n $found ]] || fail "$f: Icon $icon is not installed under $base"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$f" || fail "$f: desktop-file-validate"
  fi
  ok "${f#"$tmp"/}: Exec -> ${exe#"$tmp"/}, Icon -> ${found#"$tmp"/}"
}
desktop_check "$sys/share/applications/io.relview.app.desktop" "$sys/bin"
desktop_check "$home/.local/share/applications/io.relview.app.desktop" "$home/.local/bin"
desktop_check "$usr2/share/applications/io.relview.app.desktop" "$usr2/bin"

# 3. relview models finds the ONNX Runtime of its own install.
models_check() { # prefix
  local p=$1 out got
  out=$(clean "$work" "$p/bin/relview" models 2>&1) || fail "$p/bin/relview models: $out"
  got=$(sed -n 2p <<<"$out" | sed -E 's/^[[:space:]]+//')
  [[ $(realpath -m "$got") == "$p/lib/relview/libonnxruntime.so.1" ]] ||
    fail "$p/bin/relview models found ONNX Runtime at '$got', not in its install:"$'\n'"$out"
  ok "${p#"$tmp"/}/bin/relview models: $(head -1 <<<"$out") at ${got#"$tmp"/}"
}
models_check "$sys"
models_check "$home/.local"
models_check "$usr2"
[[ ! -e $home/.local/share/relview/lib ]] || fail "something put a library into the user data dir"

# 4. The GUI under Xvfb, started like the .desktop file does (Exec in PATH).
start_xvfb 97

exec_cmd=$(sed -nE 's/^Exec=([^ ]+).*/\1/p' "$sys/share/applications/io.relview.app.desktop")
t0=$(date +%s.%N)
: >"$tmp/relview.log" # before wait_for reads it: the background job opens it later
(CLEAN_PATH=$sys/bin:/usr/bin:/bin CLEAN_EXTRA="DISPLAY=$DISPLAY RELVIEW_DEBUG=1" &&
  cd "$work" && exec env -i PATH="$CLEAN_PATH" HOME="$home" \
    XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
    XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$tmp/run" \
    LANG=en_US.UTF-8 $CLEAN_EXTRA "$exec_cmd") 2>"$tmp/relview.log" >/dev/null &
rpid=$! # env execs relview: this is relview's pid
wait_for "relview: indexed" 300
t1=$(date +%s.%N)
wait_for "relview: gallery [1-9]" 30
idx=$(grep "relview: indexed" "$tmp/relview.log" | tail -1)
grep -qE "indexed [1-9][0-9]* .*failed 0\)" <<<"$idx" || fail "indexing: $idx"
[[ -d $home/.local/share/relview ]] || fail "no sample library in the fresh data dir"
[[ $(readlink "/proc/$rpid/exe") == "$sys/bin/relview" ]] || fail "process $rpid is not $sys/bin/relview"
maps=$(grep -h "libonnxruntime" "/proc/$rpid/maps" 2>/dev/null | awk '{ print $6 }' | sort -u)
[[ $maps == "$sys/lib/relview/libonnxruntime.so.1" ]] || fail "the GUI mapped ONNX Runtime from '$maps'"
ok "GUI: ${idx#relview: } ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s from start), ONNX Runtime mapped from ${maps#"$tmp"/}"

select_cell 1
ok "GUI: ${line#relview: }"
xdotool mousemove --window "$wid" 5 790
sleep 2
mkdir -p "$(dirname "$shot")"
import -window root "$shot"
ok "screenshot $shot"
echo "package-check: PASS ($archive, $(du -h "$archive" | cut -f1))"
