#!/usr/bin/env bash
# Install every Debian package vitk needs to build, test, demo and bench.
# Idempotent and non-interactive: runs `apt-get update` and installs only when
# something is missing.  Package lists: tools/packages/*.txt (one per line).
set -euo pipefail
cd "$(dirname "$0")/.."

lst() { sed 's/#.*//' "$@" | tr -s ' \t' '\n' | sed '/^$/d' | sort -u; }
mapfile -t bpo < <(lst tools/packages/backports.txt)
lists=()
for f in tools/packages/*.txt; do [ "$f" = tools/packages/backports.txt ] || lists+=("$f"); done
mapfile -t pkgs < <(lst "${lists[@]}")
missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if ((${#missing[@]})); then
	echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}" >&2
	sudo_cmd=()
	if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo_cmd[@]}" apt-get update -q
	"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Packages from bookworm-backports (tools/packages/backports.txt): add the
# suite once, on the mirror the host already uses for bookworm, then install
# unless the installed version already comes from backports (~bpo).
src=/etc/apt/sources.list.d/vitk-backports.sources
if ((${#bpo[@]})); then
	need=()
	for p in "${bpo[@]}"; do
		v=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
		case $v in "install ok installed "*~bpo*) ;; *) need+=("$p") ;; esac
	done
	if ((${#need[@]})); then
		sudo_cmd=()
		if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
		export DEBIAN_FRONTEND=noninteractive
		if ! apt-get indextargets --format '$(RELEASE)' | grep -qx bookworm-backports; then
			mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' |
				awk '$2 == "bookworm" { print $1; exit }')
			[ -n "$mirror" ] || { echo "setup: no bookworm source configured; cannot add bookworm-backports" >&2; exit 1; }
			printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$mirror" | "${sudo_cmd[@]}" tee "$src" >/dev/null
		fi
		"${sudo_cmd[@]}" apt-get update -q
		echo "setup: installing from bookworm-backports: ${need[*]}" >&2
		"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends -t bookworm-backports "${need[@]}"
	fi
fi
# tgt's package starts a system tgtd; tests start their own on private ports.
exit 0
