#!/usr/bin/env bash
# OS-level offload benchmark (issue 13): clone a 1 GiB LVM LV on LUNs of
# `vitk odx serve`, attached through open-iscsi in a real-kernel guest (the
# tests/vm tier), by `vitk odx copy --method token`, by `dd` (O_DIRECT, 4 MiB)
# and by `qemu-img convert -n -O raw -t none -T none` of the same LVs in the
# same run; prints the times, both ratios and the host bytes of each method
# (the host copies': sectors read and written on the LUNs' sd devices).
#   bench/osoffload/run.sh            # builds //cli:vitk
#   VITK_VM_BIN=/path/vitk bench/osoffload/run.sh
#   OSBENCH_MIB=128 bench/osoffload/run.sh   # smaller LVs (dd under TCG is slow)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/vitk-osbench.XXXXXX)
if [ -n "${VITK_VM_BIN:-}" ]; then
	cp "$VITK_VM_BIN" "$work/vitk"
else
	(cd "$root" && bazel build //cli:vitk >"$work/bazel.log" 2>&1) || { tail "$work/bazel.log"; exit 1; }
	cp "$root/bazel-bin/cli/vitk" "$work/vitk"
fi
# the guest needs the Debian packages of vitk's libraries (as tests/vm/run.sh does)
VM_EXTRA_PKGS=$(ldd "$work/vitk" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
	while read -r p; do dpkg -S "$p" 2>/dev/null || dpkg -S "$(readlink -f "$p")" 2>/dev/null ||
		dpkg -S "${p#/usr}" 2>/dev/null || dpkg -S "/usr$p" 2>/dev/null; done | sed 's/:.*//' | sort -u | tr '\n' ' ')
export VM_EXTRA_PKGS
guest=$("$root/tests/vm/build-guest.sh" 2>"$work/build-guest.log") || { cat "$work/build-guest.log"; exit 1; }
mkdir -p "$work/run"
VM_GUEST=$guest VM_VITK=$work/vitk VM_WORK=$work/run VM_VARIANT=normal VM_TIMEOUT=3600 \
	timeout -k 10 3600 "$here/bench_vm.sh" 2>&1 | tee "$work/bench.log"
find "$work" -name '*.img' -o -name '*.qcow2' | xargs -r rm -f
