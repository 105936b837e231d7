#!/usr/bin/env bash
# Sets up everything relview needs on a Debian/Ubuntu machine and builds it:
# system packages (cgo toolchain, Fyne's GL/X11 headers, Xvfb and tools for the
# window tests), the ONNX Runtime library (lib/), Go modules, ./relview.
# Idempotent: a second run only checks and rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev libturbojpeg0-dev xvfb xauth locales xdotool imagemagick x11-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Fyne logs a locale error without a UTF-8 locale.
if ! locale -a 2>/dev/null | grep -qi '^en_US.utf8$'; then
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
  $sudo locale-gen >/dev/null
fi

# Optional: mingw-w64, Wine and zip for the Windows build and its check under
# Wine (scripts/package-windows.sh, scripts/windows/check.sh, which
# scripts/test.sh skips with a message when they are missing). A machine whose
# apt cannot install them still sets up; RELVIEW_NO_WINE=1 does not try.
if [[ ${RELVIEW_NO_WINE:-} != 1 ]]; then
  winpkgs=()
  for p in gcc-mingw-w64-x86-64 wine wine64 zip unzip; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || winpkgs+=("$p")
  done
  if ((${#winpkgs[@]})); then
    echo "setup: installing ${winpkgs[*]} (Windows build and Wine check)"
    sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
    winapt() { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${winpkgs[@]}" >/dev/null 2>&1; }
    winapt || { $sudo apt-get update -qq >/dev/null 2>&1 && winapt; } ||
      echo "setup: could not install ${winpkgs[*]}: the Windows check will be skipped"
  fi
fi

command -v go >/dev/null || { echo "setup: Go 1.26 or later is needed (https://go.dev/doc/install)" >&2; exit 1; }

scripts/get-onnxruntime.sh
go mod download
go build -o relview .
echo "setup: ./relview built ($(go version | cut -d' ' -f3)), ONNX Runtime in lib/"
