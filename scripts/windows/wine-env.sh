# Sourced by scripts/windows/check.sh: a Wine prefix that runs Go programs,
# and the go build overlay the cross-built test binaries need under Wine.
#
# Two gaps of Debian 12's Wine 8.0 stop Go 1.26 programs, and this file closes
# them for the tests only (neither touches what scripts/package-windows.sh
# ships):
#  - the Go runtime loads ProcessPrng from System32\bcryptprimitives.dll at
#    start-up (Windows 10 and later have it; Wine 8.0 does not): every Go
#    program dies with "bcryptprimitives.dll not found". wine_prefix builds
#    scripts/windows/bcryptprimitives.c with mingw into the test prefix.
#  - os.RemoveAll deletes with NtSetInformationFile(FileDispositionInformationEx)
#    and falls back to the older call only for the status codes Windows
#    returns; Wine 8.0 answers STATUS_NOT_IMPLEMENTED ("Invalid function"), so
#    every t.TempDir cleanup fails its test. go_overlay writes a copy of the
#    toolchain's internal/syscall/windows/at_windows.go that also falls back
#    on Wine's codes, for `go test -c -overlay` of the test binaries.
#    relview.exe itself is built unchanged: under Wine it may leave a
#    temporary folder behind, on Windows it deletes as usual.

# wine_prefix: exports WINEPREFIX (created on first use, about 10 s and 0.7 GB,
# under ~/.cache/relview-wine unless $RELVIEW_WINEPREFIX says where) with the
# ProcessPrng DLL in its System32, and the Wine settings the checks use.
wine_prefix() {
  export WINEPREFIX=${RELVIEW_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/relview-wine}
  export WINEDEBUG=${WINEDEBUG:--all}
  # No Mono or Gecko installer dialogs when the prefix is made.
  export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
  if [[ ! -f $WINEPREFIX/system.reg || ! -d $WINEPREFIX/drive_c/windows/system32 ]]; then
    rm -rf "$WINEPREFIX"
    mkdir -p "$(dirname "$WINEPREFIX")"
    local t0=$SECONDS
    DISPLAY= wineboot -i >"$tmp/wineboot.log" 2>&1 || { cat "$tmp/wineboot.log" >&2; return 1; }
    wineserver -w
    echo "windows-check: made the Wine prefix $WINEPREFIX ($((SECONDS - t0)) s)"
  fi
  local dll=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
  local src=scripts/windows/bcryptprimitives.c
  if [[ ! -f $dll || $src -nt $dll ]]; then
    x86_64-w64-mingw32-gcc -shared -O2 -s -o "$dll" "$src" scripts/windows/bcryptprimitives.def -lbcrypt
  fi
}

# go_overlay: prints the path of an overlay file for `go test -c -overlay`.
go_overlay() {
  local orig out=$tmp/overlay
  orig=$(go env GOROOT)/src/internal/syscall/windows/at_windows.go
  mkdir -p "$out"
  if ! grep -q $'^\tcase STATUS_INVALID_INFO_CLASS, ' "$orig"; then
    echo "windows-check: $orig has changed; check whether Go still needs the Wine fallback" >&2
    return 1
  fi
  sed $'s|^\tcase STATUS_INVALID_INFO_CLASS, |\tcase NTStatus(0xC0000002), NTStatus(0xC0000010): // Wine 8: STATUS_NOT_IMPLEMENTED, STATUS_INVALID_DEVICE_REQUEST\\n\t\treturn deleteatFallback(h)\\n\tcase STATUS_INVALID_INFO_CLASS, |' \
    "$orig" >"$out/at_windows.go"
  printf '{"Replace":{"%s":"%s"}}\n' "$orig" "$out/at_windows.go" >"$out/overlay.json"
  echo "$out/overlay.json"
}

# winpath PATH: the Windows form of a Unix path for relview.exe: Wine maps
# drive Z: to / (what winepath -w says, without starting Wine each time).
winpath() {
  local p
  p=$(realpath -m "$1")
  printf 'Z:%s\n' "${p//\//\\}"
}
