#!/usr/bin/env bash
# Builds the Windows release of the desktop app on Linux:
#
#   scripts/package-windows.sh          -> dist/relview-windows-amd64.zip
#   scripts/package-windows.sh --head   the same, built from the last commit
#
# The zip holds one folder, relview-windows-amd64\, that a user unpacks
# anywhere and runs relview.exe from:
#   relview.exe             cross-built with cgo by Debian's mingw-w64 gcc
#                           through `fyne package --target windows --release`
#                           (icon, version info and manifest from FyneApp.toml
#                           linked in as a resource; GUI subsystem)
#   onnxruntime.dll         ONNX Runtime 1.30.0 (MIT) for win32/x64, from the
#                           onnxruntime-node npm package, SHA-256 checked
#                           (scripts/get-onnxruntime-windows.sh); relview finds
#                           it next to relview.exe (engine.RuntimeCandidates)
#   ONNXRUNTIME-LICENSE.txt where that DLL comes from, and its licence
#   README.txt              how to run it, where the cache lives, what it needs
#
# Needs gcc-mingw-w64-x86-64 (scripts/setup.sh installs it), npm, zip, and the
# fyne tool v1.7.4 (installed outside this module if missing). The first build
# compiles Fyne's GLFW/OpenGL C code with mingw: several minutes on two cores;
# after that well under a minute. scripts/windows/check.sh runs the result
# under Wine.
set -euo pipefail
cd "$(dirname "$0")/.."
from=worktree
case ${1:-} in
  "") ;;
  --head) from=HEAD ;;
  *) echo "usage: scripts/package-windows.sh [--head]" >&2; exit 2 ;;
esac
fyne_version=v1.7.4
cc=${CC_WINDOWS:-x86_64-w64-mingw32-gcc}
command -v "$cc" >/dev/null || { echo "package-windows: $cc is missing (apt-get install gcc-mingw-w64-x86-64, or scripts/setup.sh)" >&2; exit 2; }
command -v zip >/dev/null || { echo "package-windows: zip is missing (apt-get install zip)" >&2; exit 2; }

version=$(sed -nE 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' FyneApp.toml | head -1)
[[ -n $version ]] || { echo "package-windows: no Version in FyneApp.toml" >&2; exit 1; }
name=relview-windows-amd64
out=dist/$name.zip

fyne=${FYNE:-}
if [[ -z $fyne ]]; then
  gobin=$(go env GOBIN)
  [[ -n $gobin ]] || gobin=$(go env GOPATH)/bin
  fyne=$gobin/fyne
  have=$( (cd / && "$fyne" version) 2>/dev/null || true)
  if [[ $have != *"cli version: $fyne_version"* ]]; then
    echo "package-windows: installing fyne.io/tools/cmd/fyne@$fyne_version into $gobin ..."
    (cd / && GOFLAGS= go install "fyne.io/tools/cmd/fyne@$fyne_version")
  fi
fi

scripts/get-onnxruntime-windows.sh
dll=lib/onnxruntime.dll
ortpkg=lib/onnxruntime-node-package.json

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

# 1. A copy of the sources (fyne rewrites FyneApp.toml and drops fyne.syso
#    into the folder it packages), named relview/ so the program is relview.
src=$tmp/relview
mkdir -p "$src"
if [[ $from == HEAD ]]; then
  git archive --format=tar HEAD | tar -xf - -C "$src"
else
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$src"
fi

# 2. fyne package: builds relview.exe (GOOS=windows, cgo on), writes the
#    icon, version and manifest into fyne.syso and builds again with it.
echo "package-windows: fyne package --target windows --release (version $version) with $cc ..."
(cd "$src" && GOARCH=amd64 CC="$cc" "$fyne" package --target windows --release)
exe=$src/relview.exe
[[ -f $exe ]] || { echo "package-windows: fyne package made no relview.exe" >&2; ls -la "$src" >&2; exit 1; }
file "$exe" | grep -q "PE32+ executable (GUI) x86-64" || { echo "package-windows: relview.exe is not a 64-bit GUI PE: $(file "$exe")" >&2; exit 1; }
# The DLLs relview.exe imports must all be Windows system DLLs: the C code
# (GLFW, the ONNX Runtime wrapper) is linked statically with mingw's runtime,
# and onnxruntime.dll is loaded at run time, not imported.
imports=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -nE 's/^[[:space:]]*DLL Name: (.*)/\1/p' | tr 'A-Z' 'a-z' | sort -u)
for d in $imports; do
  case $d in
    kernel32.dll | user32.dll | gdi32.dll | opengl32.dll | shell32.dll | ole32.dll | advapi32.dll | winmm.dll | \
      ws2_32.dll | msvcrt.dll | imm32.dll | dwmapi.dll | ntdll.dll | shlwapi.dll | comdlg32.dll | uxtheme.dll | \
      version.dll | oleaut32.dll | crypt32.dll | bcrypt.dll | secur32.dll | userenv.dll | dnsapi.dll | iphlpapi.dll | \
      netapi32.dll | powrprof.dll | setupapi.dll | api-ms-win-*) ;;
    *) echo "package-windows: relview.exe imports $d, which Windows does not ship" >&2; exit 1 ;;
  esac
done

# 3. The folder the zip holds.
stage=$tmp/stage/$name
mkdir -p "$stage"
install -m0755 "$exe" "$stage/relview.exe"
install -m0644 "$dll" "$stage/onnxruntime.dll"
ortver=$(sed -nE 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$ortpkg" | head -1)
crlf() { sed 's/$/\r/'; } # Notepad-friendly line ends
crlf >"$stage/ONNXRUNTIME-LICENSE.txt" <<EOF2
relview $version ships onnxruntime.dll: the CPU build of ONNX Runtime $ortver
for Windows x64, taken unchanged from the npm package onnxruntime-node@$ortver
(package/bin/napi-v6/win32/x64/onnxruntime.dll,
sha256 $(sha256sum "$dll" | cut -d' ' -f1)).
Source: https://github.com/microsoft/onnxruntime
ONNX Runtime is licensed under the MIT License; the components it includes
are listed in ThirdPartyNotices.txt of the ONNX Runtime repository.

$(cat scripts/lib/onnxruntime-LICENSE.txt)
EOF2
crlf >"$stage/README.txt" <<EOF2
relview $version for Windows (64-bit)

Relationally and visually similar photos from your own folder, side by side.

Run:   double-click relview.exe (the first start writes a small sample library
       and indexes it), or open a folder: relview.exe C:\Users\you\Pictures
Command line (Command Prompt or PowerShell, in this folder):
       relview.exe index C:\Users\you\Pictures
       relview.exe neighbors C:\Users\you\Pictures C:\Users\you\Pictures\cat.jpg
       relview.exe --help

Keep onnxruntime.dll next to relview.exe: relview loads it from there.
It needs the Microsoft Visual C++ 2015-2022 Redistributable (x64), which most
Windows installations already have; if relview says "The specified module
could not be found" for onnxruntime.dll, install it from Microsoft
(vc_redist.x64.exe).

relview never writes to your photo folders. Its catalog and thumbnails live in
%LOCALAPPDATA%\relview\ (one folder per photo library; delete it to start
over), or in the folder that the environment variable RELVIEW_CACHE_DIR names.

Windows builds decode JPEG with Go's own decoder; indexing a folder of camera
photos is slower than on Linux (see the project README, "Windows").
EOF2

# 4. The zip, reproducible: sorted names, one timestamp, no extra attributes.
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
find "$tmp/stage" -exec touch -h -d "@$mtime" {} +
mkdir -p dist
rm -f "$out" "$out.tmp"
(cd "$tmp/stage" && find "$name" -type f | LC_ALL=C sort | TZ=UTC zip -q -X -9 -@ "$OLDPWD/$out.tmp")
mv "$out.tmp" "$out"
echo "package-windows: $out ($(du -h "$out" | cut -f1), $(($(date +%s) - start)) s):"
unzip -l "$out" | sed 's/^/  /'
