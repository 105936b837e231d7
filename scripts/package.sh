#!/usr/bin/env bash
# Builds the Linux release archive of the desktop app:
#
#   scripts/package.sh          -> dist/relview-<version>-linux-amd64.tar.xz
#   scripts/package.sh --head   the same, built from the last commit (git
#                               archive HEAD) instead of the working tree
#
# It runs `fyne package --target linux --release` on a copy of the working
# tree (so FyneApp.toml, whose Build the fyne tool bumps on every run, and the
# tree stay untouched), then adds to the archive fyne made:
#   usr/local/lib/relview/libonnxruntime.so.1   ONNX Runtime 1.30.0 (MIT), which
#       the installed binary finds by itself: engine.RuntimeCandidates looks in
#       <dir of the executable>/../lib/relview/ ("beside the executable's folder")
#   usr/local/share/doc/relview/                the licence note of ONNX Runtime
# and extends the archive's Makefile so that `make install` / `make
# user-install` also install those files (to $(PREFIX)/lib/relview and
# ~/.local/lib/relview, again beside the installed bin/).
#
# Needs: the fyne tool v1.7.4 (installed outside this module if missing), the
# Fyne build packages (scripts/setup.sh), npm for scripts/get-onnxruntime.sh,
# tar and xz. A cold build takes several minutes on two cores; warm, well under
# a minute. scripts/package-check.sh installs the archive and checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
from=worktree
case ${1:-} in
  "") ;;
  --head) from=HEAD ;;
  *) echo "usage: scripts/package.sh [--head]" >&2; exit 2 ;;
esac
fyne_version=v1.7.4

version=$(sed -nE 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' FyneApp.toml | head -1)
[[ -n $version ]] || { echo "package: no Version in FyneApp.toml" >&2; exit 1; }
arch=$(go env GOARCH)
out=dist/relview-$version-linux-$arch.tar.xz

# The fyne tool, installed outside the module (inside, `go install` would
# upgrade the app's fyne.io/fyne/v2).
fyne=${FYNE:-}
if [[ -z $fyne ]]; then
  gobin=$(go env GOBIN)
  [[ -n $gobin ]] || gobin=$(go env GOPATH)/bin
  fyne=$gobin/fyne
  have=$( (cd / && "$fyne" version) 2>/dev/null || true)
  if [[ $have != *"cli version: $fyne_version"* ]]; then
    echo "package: installing fyne.io/tools/cmd/fyne@$fyne_version into $gobin ..."
    (cd / && GOFLAGS= go install "fyne.io/tools/cmd/fyne@$fyne_version")
  fi
fi

scripts/get-onnxruntime.sh
ortlib=lib/libonnxruntime.so.1
ortpkg=lib/onnxruntime-node-package.json

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

# 1. A copy of the working tree: tracked and untracked-but-not-ignored files
#    (not lib/, dist/, the built ./relview). Named relview/ so that the
#    executable is called relview whatever this checkout's folder is called.
src=$tmp/relview
mkdir -p "$src"
if [[ $from == HEAD ]]; then
  git archive --format=tar HEAD | tar -xf - -C "$src"
elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude=./lib --exclude=./dist --exclude=./relview --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

# 2. fyne package (release: -trimpath, -s -w, tags release,migrated_fynedo).
echo "package: fyne package --target linux --release (version $version) ..."
(cd "$src" && "$fyne" package --target linux --release)
[[ -f $src/relview.tar.xz ]] || { echo "package: fyne package made no relview.tar.xz" >&2; exit 1; }

# 3. Unpack, add ONNX Runtime and its licence note, extend the Makefile.
stage=$tmp/stage
mkdir -p "$stage"
tar -xJf "$src/relview.tar.xz" -C "$stage"
top=$(find "$stage" -mindepth 1 -maxdepth 1 -type d)
[[ $(wc -l <<<"$top") -eq 1 && -f $top/Makefile ]] || { echo "package: unexpected layout of fyne's archive" >&2; (cd "$stage" && find . | sort) >&2; exit 1; }
usr=$top/usr/local
[[ -d $usr ]] || usr=$top/usr # fyne uses usr/ when the building machine has no /usr/local
[[ -x $usr/bin/relview ]] || { echo "package: no bin/relview in fyne's archive" >&2; exit 1; }

# fyne writes Exec=relview: with %F, "Open with relview" passes the folder
# (relview FOLDER); MimeType offers relview for folders.
desk=$usr/share/applications/io.relview.app.desktop
[[ -f $desk ]] || { echo "package: no $desk in fyne's archive" >&2; exit 1; }
sed -i -E '/^Exec=/{/%[fFuU]/!s/$/ %F/}' "$desk"
grep -q '^MimeType=' "$desk" || echo 'MimeType=inode/directory;' >>"$desk"

install -Dm0644 "$ortlib" "$usr/lib/relview/libonnxruntime.so.1"
doc=$usr/share/doc/relview
mkdir -p "$doc"
ortver=$(sed -nE 's/^[[:space:]]*"version":[[:space:]]*"([^"]+)".*/\1/p' "$ortpkg" | head -1)
cat >"$doc/ONNXRUNTIME-LICENSE" <<EOF
relview $version ships lib/relview/libonnxruntime.so.1: the CPU build of
ONNX Runtime $ortver for linux x64, taken unchanged from the npm package
onnxruntime-node@$ortver (package/bin/napi-v6/linux/x64/libonnxruntime.so.1,
sha256 $(sha256sum "$ortlib" | cut -d' ' -f1)).
Source: https://github.com/microsoft/onnxruntime
ONNX Runtime is licensed under the MIT License; the components it includes
are listed in ThirdPartyNotices.txt of the ONNX Runtime repository.

$(cat scripts/lib/onnxruntime-LICENSE.txt)
EOF
chmod 0644 "$doc/ONNXRUNTIME-LICENSE"

# fyne's Makefile installs only the binary, the .desktop file and the icon;
# add the library and the note after the icon line of each target.
rel=${usr#"$top"/} # usr/local or usr
mk=$top/Makefile
awk -v rel="$rel" '
  { print }
  /^\tinstall .*share\/pixmaps.*\$\(PREFIX\)/ {
    print "\tinstall -Dm00644 " rel "/lib/relview/libonnxruntime.so.1 $(DESTDIR)$(PREFIX)/lib/relview/libonnxruntime.so.1"
    print "\tinstall -Dm00644 " rel "/share/doc/relview/ONNXRUNTIME-LICENSE $(DESTDIR)$(PREFIX)/share/doc/relview/ONNXRUNTIME-LICENSE"
    n++
  }
  /^\t-rm .*\$\(PREFIX\)\/share\/pixmaps\// {
    print "\t-rm $(DESTDIR)$(PREFIX)/lib/relview/libonnxruntime.so.1"
    print "\t-rm $(DESTDIR)$(PREFIX)/share/doc/relview/ONNXRUNTIME-LICENSE"
    print "\t-rmdir $(DESTDIR)$(PREFIX)/lib/relview $(DESTDIR)$(PREFIX)/share/doc/relview"
    n++
  }
  /^\tinstall .*share\/pixmaps.*\$\(HOME\)/ {
    print "\tinstall -Dm00644 " rel "/lib/relview/libonnxruntime.so.1 $(DESTDIR)$(HOME)/.local/lib/relview/libonnxruntime.so.1"
    print "\tinstall -Dm00644 " rel "/share/doc/relview/ONNXRUNTIME-LICENSE $(DESTDIR)$(HOME)/.local/share/doc/relview/ONNXRUNTIME-LICENSE"
    n++
  }
  /^\t-rm .*\$\(HOME\)\/\.local\/share\/icons\// {
    print "\t-rm $(DESTDIR)$(HOME)/.local/lib/relview/libonnxruntime.so.1"
    print "\t-rm $(DESTDIR)$(HOME)/.local/share/doc/relview/ONNXRUNTIME-LICENSE"
    print "\t-rmdir $(DESTDIR)$(HOME)/.local/lib/relview $(DESTDIR)$(HOME)/.local/share/doc/relview"
    n++
  }
  END { if (n != 4) { print "package: patched " n " of 4 Makefile targets" > "/dev/stderr"; exit 1 } }
' "$mk" >"$mk.new"
mv "$mk.new" "$mk"

# 4. Re-compress, reproducibly (sorted names, root owner, one timestamp).
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
mkdir -p dist
rm -f "$out"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
  -C "$stage" -cf - "$(basename "$top")" | xz -6 -T0 >"$out.tmp"
mv "$out.tmp" "$out"

echo "package: $out ($(du -h "$out" | cut -f1), $(($(date +%s) - start)) s):"
tar -tvJf "$out" | awk '{ printf "  %10s  %s\n", $3, $6 }'
