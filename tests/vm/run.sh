#!/usr/bin/env bash
# The real-kernel test tier: boot Debian's own kernel under QEMU (TCG) and let
# vitk meet the Linux SCSI, iSCSI, LIO and SR-IOV code (see README.md,
# "Real-kernel test tier").
#
#   tests/vm/run.sh [-j N] [SCENARIO[:asan]...]
#
# Without arguments it runs every scenario in tests/vm/scenarios/ with the
# normal build and the ones in ASAN_SCENARIOS again with the ASan build.
# The vitk binaries come from $VITK_VM_BIN / $VITK_VM_ASAN_BIN, else are
# built here (bazel build //cli:vitk, then --config=asan; each copied out of
# bazel-bin right after its build because bazel-bin follows the last config).
# It ends with "vm: N passed, M failed, K skipped"; a skip counts as a failure
# and a host that cannot run the tier fails with the reason.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
jobs=2
while [ $# -gt 0 ]; do
	case $1 in
	-j) jobs=$2; shift 2 ;;
	-h | --help) sed -n '2,15p' "$0"; exit 0 ;;
	*) break ;;
	esac
done
# scenarios whose vitk also runs as the ASan + UBSan build: every sg, iSCSI,
# rtnetlink and dm-multipath status parser path.  nvme_sriov (sysfs writes
# only) and the longer os_offload* scenarios are left out of the default set
# for the time budget; `run.sh nvme_sriov:asan` (etc.) runs them.
ASAN_SCENARIOS="scsi_debug lio_loop labtarget lab_pr lio_iscsi igb_sriov os_offload_mpath"

t0=$(date +%s)
cannot() {
	echo "vm: CANNOT RUN THE REAL-KERNEL TIER: $*" >&2
	echo "vm: 0 passed, 1 failed, 0 skipped"
	exit 1
}
[ "$(id -u)" -eq 0 ] || cannot "needs root (network/mount namespaces, the debootstrap chroot)"
for t in qemu-system-x86_64 qemu-img unshare ip jq timeout debootstrap; do
	command -v $t >/dev/null || cannot "'$t' missing (run tools/setup.sh)"
done
qv=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9]*\)\..*/\1/p')
[ "${qv:-0}" -ge 8 ] || cannot "QEMU ${qv:-?} < 8: no igb SR-IOV NIC (tools/setup.sh installs QEMU from bookworm-backports)"
qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"' || cannot "this QEMU has no -device igb"
unshare -mn true 2>/dev/null || cannot "unshare -mn fails (no namespace support here)"

bins=$(mktemp -d /tmp/vitk-vm-bin.XXXXXX)
work=$(mktemp -d /tmp/vitk-vm.XXXXXX)
trap 'rm -rf "$bins"' EXIT
build_bin() { # CONFIG-ARGS... -> copies bazel-bin/cli/vitk to $bins/vitk.$name
	local name=$1
	shift
	(cd "$root" && bazel build "$@" //cli:vitk >"$work/bazel-$name.log" 2>&1) ||
		{ tail -20 "$work/bazel-$name.log" >&2; cannot "bazel build $* //cli:vitk failed"; }
	cp "$root/bazel-bin/cli/vitk" "$bins/vitk.$name"
}
if [ -n "${VITK_VM_BIN:-}" ]; then cp "$VITK_VM_BIN" "$bins/vitk.normal"; else build_bin normal; fi
if [ -n "${VITK_VM_ASAN_BIN:-}" ]; then cp "$VITK_VM_ASAN_BIN" "$bins/vitk.asan"; else build_bin asan --config=asan; fi
t_bin=$(date +%s)

# the Debian packages that own every library the binaries load, for the guest
rt_pkgs() {
	local pats p
	pats=$(mktemp)
	# each library under both spellings (usrmerge: /lib = /usr/lib)
	for b in "$@"; do ldd "$b"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
		while read -r p; do
			echo "$p"
			case $p in /usr/*) echo "${p#/usr}" ;; *) echo "/usr$p" ;; esac
		done >"$pats"
	# dpkg's file lists, read directly: `dpkg -S` takes seconds per call
	grep -lxF -f "$pats" /var/lib/dpkg/info/*.list | sed 's,.*/,,; s/\.list$//; s/:.*//' | sort -u
	rm -f "$pats"
}
VM_EXTRA_PKGS=$(rt_pkgs "$bins/vitk.normal" "$bins/vitk.asan" | tr '\n' ' ')
export VM_EXTRA_PKGS
echo "vm: vitk's runtime packages: $VM_EXTRA_PKGS" >"$work/runtime-packages.txt"
guest=$("$here/build-guest.sh" 2>"$work/build-guest.log") ||
	{ cat "$work/build-guest.log" >&2; cannot "guest build failed (a cold build needs root and the Debian mirror)"; }
cat "$work/build-guest.log" >&2
t_guest=$(date +%s)
echo "vm: guest $guest ($(sed -n 's/^kernel=//p' "$guest/manifest")); build/cache $((t_guest - t_bin)) s" >&2

runs=()
if [ $# -eq 0 ]; then
	for s in "$here"/scenarios/*.sh; do runs+=("$(basename "$s" .sh)"); done
	for s in $ASAN_SCENARIOS; do runs+=("$s:asan"); done
else
	runs=("$@")
fi

# run_one NAME[:asan]: one scenario in its own work dir; its log ends with the counts
run_one() {
	local spec=$1 name=${1%%:*} variant=normal
	[ "$spec" != "$name" ] && variant=${spec#*:}
	local wd=$work/$name-$variant s
	s=$(date +%s)
	mkdir -p "$wd"
	if [ ! -x "$here/scenarios/$name.sh" ]; then
		echo "SKIP: no scenario '$name'" >"$wd.log"
	else
		VM_GUEST=$guest VM_VITK=$bins/vitk.$variant VM_WORK=$wd VM_VARIANT=$variant \
			timeout -k 10 900 "$here/scenarios/$name.sh" >"$wd.log" 2>&1
		echo "exit=$?" >>"$wd.log"
	fi
	echo "took=$(($(date +%s) - s))" >>"$wd.log"
}
for r in "${runs[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	echo "vm: start $r" >&2
	run_one "$r" &
done
wait

pass=0 fail=0 skip=0
echo
for r in "${runs[@]}"; do
	name=${r%%:*} variant=normal
	[ "$r" != "$name" ] && variant=${r#*:}
	log=$work/$name-$variant.log
	line=$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
	sk=$(grep -c '^SKIP' "$log")
	ex=$(sed -n 's/^exit=//p' "$log")
	took=$(sed -n 's/^took=//p' "$log")
	if [ -z "$line" ]; then
		# no closing line: the scenario crashed or timed out
		f=$((${f:-0} + 1))
		echo "vm: $r: no result line (exit ${ex:-?}); log: $log"
	elif [ "${ex:-1}" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	p=${p:-0}
	pass=$((pass + p))
	fail=$((fail + f + sk))
	skip=$((skip + sk))
	printf 'vm: %-20s %3d passed, %d failed, %d skipped (%s s)\n' "$r" "$p" "$f" "$sk" "${took:-?}"
	if [ "$f" != 0 ] || [ "$sk" != 0 ]; then
		grep -E '^(FAIL|SKIP|  )' "$log" | head -60 | sed "s/^/  $r| /"
	fi
done
# keep the logs and the small JSON results, not the disks and data files
find "$work" \( -name '*.qcow2' -o -name '*.img' -o -name '*.bin' -o -name '*.before' \) -delete 2>/dev/null
rm -rf "$work"/*/*.share/bin
echo "vm: logs in $work; binaries $((t_bin - t0)) s, guest $((t_guest - t_bin)) s, scenarios $(($(date +%s) - t_guest)) s"
echo "vm: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
