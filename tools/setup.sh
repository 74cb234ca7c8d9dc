#!/usr/bin/env bash
# Install every Debian package vitk needs to build, test, demo and bench.
# Idempotent and non-interactive: runs `apt-get update` and installs only when
# something is missing.  Package lists: tools/packages/*.txt (one per line).
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t pkgs < <(cat tools/packages/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
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
# tgt's package starts a system tgtd; tests start their own on private ports.
exit 0
