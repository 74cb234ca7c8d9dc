#!/usr/bin/env bash
# Build, once, the minimal Debian chroot that //packaging:deb_install_test
# installs the package into: debootstrap --variant=minbase bookworm with
# chroot-packages.txt.  Cached under $VITK_PKG_CHROOT_CACHE
# (/var/cache/vitk/pkg-chroot)/<key>, the key hashing the suite and the
# package list; `current` points at the one in use.  Needs root and, the first
# time only, the Debian mirror (like tools/setup.sh).  Prints the directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${VITK_PKG_CHROOT_CACHE:-/var/cache/vitk/pkg-chroot}
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mapfile -t pkgs < <(sed 's/#.*//' "$here/chroot-packages.txt" | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
key=$(printf '%s\n' "$suite" "${pkgs[@]}" | sha256sum | cut -c1-16)
out=$cache/$key
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if ! [ -e "$out/.complete" ]; then
	command -v debootstrap >/dev/null || { echo "make_chroot: debootstrap missing (tools/setup.sh)" >&2; exit 1; }
	tmp=$(mktemp -d "$cache/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "make_chroot: debootstrap $suite with ${#pkgs[@]} packages into $out (once)" >&2
	if ! debootstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" "$suite" "$tmp/root" \
		"$mirror" >"$tmp/log" 2>&1; then
		tail -20 "$tmp/log" >&2
		exit 1
	fi
	rm -f "$tmp/root/var/cache/apt/archives/"*.deb
	mv "$tmp/root" "$out"
	touch "$out/.complete"
fi
ln -sfn "$key" "$cache/current"
# chroots for older package lists are not used again
for d in "$cache"/*/; do
	d=${d%/}
	[ "$(basename "$d")" = "$key" ] || [ "$(basename "$d")" = current ] || rm -rf "$d"
done
echo "$out"
