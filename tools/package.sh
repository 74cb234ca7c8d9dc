#!/usr/bin/env bash
# Command three: the Debian package.  Installs what is missing, builds the
# optimized vitk (--config=opt: -O2 with debug info) with its man pages and
# completions, assembles dist/vitk_<version>_amd64.deb (debug info in
# dist/vitk-dbgsym_<version>_amd64.ddeb, Debian's layout, and as a plain
# dist/vitk_<version>_amd64.debug), and runs lintian over it (no errors).
#   tools/package.sh && apt install ./dist/vitk_*_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
bazel build --config=opt //packaging:deb >/dev/null 2>&1 || bazel build --config=opt //packaging:deb
BIN=$(bazel info --config=opt bazel-bin 2>/dev/null)/packaging
version=$(dpkg-deb -f "$BIN/vitk_amd64.deb" Version)
arch=$(dpkg-deb -f "$BIN/vitk_amd64.deb" Architecture)
mkdir -p dist
deb=dist/vitk_${version}_${arch}.deb
install -m 0644 "$BIN/vitk_amd64.deb" "$deb"
install -m 0644 "$BIN/vitk.debug" "dist/vitk_${version}_${arch}.debug"
install -m 0644 "$BIN/vitk-dbgsym_amd64.ddeb" "dist/vitk-dbgsym_${version}_${arch}.ddeb"
rc=0
out=$(lintian --fail-on error "$deb" 2>&1) || rc=$?
printf '%s\n' "$out" | grep -v 'running with root privileges' || true
[ "$rc" -eq 0 ] || { echo "package: lintian reports errors" >&2; exit 1; }
echo "$deb"
