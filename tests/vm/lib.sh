# Host side of the test tier, sourced by every scenario (tests/vm/scenarios/*.sh).
# The scenario runs inside its own network + mount namespace (re-exec'd under
# `unshare -mn` here, loopback up), so ports never collide and no packet
# leaves the machine; guests use QEMU user networking (host = 10.0.2.2).
#
# Inputs (exported by tests/vm/run.sh): VM_GUEST (the cache dir of
# build-guest.sh), VM_VITK (the vitk binary under test), VM_WORK (a fresh dir).
#
#   vm_boot VM [qemu args]   boot guest VM on a throwaway qcow2 overlay
#   vm_reboot VM [qemu args] power VM off and boot the same overlay again
#   g VM STEP [TIMEOUT]      run stdin as a bash script in the guest; returns its rc.
#                            $GOUT is the file with its output
#   gok VM STEP [TIMEOUT]    same, counted: passes on rc 0, else fails naming the step
#                            and showing the output and the guest console's tail
#   check DESC -- [!] CMD... counted host-side assertion (stdout/stderr dropped)
#   vm_halt VM               power off (also done at exit for every VM)
# Counts end in the line "SCENARIO: N passed, M failed".
set -uo pipefail
if [ -z "${VM_IN_NS:-}" ]; then
	VM_IN_NS=1 exec unshare -mn -- "$0" "$@"
fi
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ip link set lo up
: "${VM_GUEST:?run through tests/vm/run.sh}" "${VM_VITK:?}" "${VM_WORK:?}"
VM_NAME=$(basename "$0" .sh)
W=$VM_WORK
VITK=$VM_VITK
export VITK_NO_PROGRESS=1 VITK_DB=$W/host-inv.db
PASS=0
FAIL=0
declare -A VM_PID VM_N
HOSTPIDS=()
# Per-VM wall-clock limit; a guest command's own default limit.  Generous: on
# a busy 2-core host TCG guests run 10-15 times slower than on an idle one
# (a 5 s boot took 75 s at load average 25).
VM_TIMEOUT=${VM_TIMEOUT:-600}
GTIMEOUT=${GTIMEOUT:-120}

ok() {
	PASS=$((PASS + 1))
	echo "ok - $*"
}
fail() {
	FAIL=$((FAIL + 1))
	echo "FAIL: $*"
}
check() {
	local desc=$1
	shift
	[ "$1" = -- ] && shift
	local neg=0
	if [ "$1" = "!" ]; then neg=1; shift; fi
	"$@" >/dev/null 2>&1
	if [ $(($? == 0)) -ne $neg ]; then ok "$desc"; else fail "$desc"; fi
}
# serve_start OUT ARGS...: the lab target, `$VITK ARGS --pidfile $W/serve.pid`
# (ARGS an `odx serve` command line), in the background on the host side of
# the namespace with stdout to OUT and stderr to $W/serve.log; waits up to
# 10 s for the pidfile (written once it listens).  Sets SERVE; the scenario's
# end stops it (HOSTPIDS).  1, with the log's tail as a failure, if it did
# not start.
serve_start() {
	local out=$1
	shift
	"$VITK" "$@" --pidfile "$W/serve.pid" >"$out" 2>"$W/serve.log" &
	SERVE=$!
	HOSTPIDS+=("$SERVE")
	for _ in $(seq 100); do [ -s "$W/serve.pid" ] && return 0; sleep 0.1; done
	fail "lab target did not start: $(tail -3 "$W/serve.log")"
	return 1
}
# jget FILE FILTER: one jq value as raw text
jget() { jq -r "$2" "$1" 2>/dev/null; }

vm_console_tail() { tail -n "${2:-25}" "$W/$1.console" 2>/dev/null | sed 's/^/  console| /'; }

# vm_boot VM [extra qemu args]: QEMU q35 under TCG, PVH-booted vmlinux, 512 MiB,
# root on a qcow2 overlay of the cached image, /vm = $W/VM.share over 9p.
# no_timer_check: on a busy host the TCG vCPU can be too slow for the kernel's
# IO-APIC timer check ("IO-APIC + timer doesn't work!" panic).
# Extra args may replace the NIC with "-netdev user,id=n0,..." (see VM_NET).
vm_boot() {
	local vm=$1
	shift
	local share=$W/$vm.share
	mkdir -p "$share/bin"
	rm -f "$share"/ready "$share"/halt "$share"/cmd.* "$share"/rc.* "$share"/out.*
	cp "$VITK" "$share/bin/vitk"
	cp "$VM_DIR/guest-lib.sh" "$share/guest-lib.sh"
	if [ ! -e "$W/$vm.qcow2" ]; then
		qemu-img create -q -f qcow2 -F raw -b "$VM_GUEST/rootfs.img" "$W/$vm.qcow2" ||
			{ fail "$vm: qemu-img create overlay"; return 1; }
	fi
	local net=${VM_NET:-user,id=n0}
	timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -M q35 -accel tcg,thread=multi,tb-size=64 -cpu max \
		-m "${VM_MEM:-512}" -smp 1 -nodefaults -display none -no-reboot \
		-kernel "$VM_GUEST/vmlinux" -initrd "$VM_GUEST/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet loglevel=4 no_timer_check ${VM_APPEND:-}" \
		-serial "file:$W/$vm.console" \
		-drive "file=$W/$vm.qcow2,if=virtio,format=qcow2,cache=unsafe" \
		-virtfs "local,path=$share,mount_tag=vm,security_model=none,id=vm" \
		-netdev "$net" -device virtio-net-pci,netdev=n0 \
		"$@" </dev/null >"$W/$vm.qemu.log" 2>&1 &
	VM_PID[$vm]=$!
	VM_N[$vm]=0
	local i t0=$SECONDS
	for ((i = 0; i < 2400; i++)); do
		if [ -e "$share/ready" ]; then
			echo "  ($vm: up after $((SECONDS - t0)) s)"
			return 0
		fi
		kill -0 "${VM_PID[$vm]}" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "${VM_PID[$vm]}" 2>/dev/null; then
		fail "$vm: boot (guest agent not up after 240 s)"
	else
		fail "$vm: boot (QEMU exited before the guest agent came up)"
	fi
	sed 's/^/  qemu| /' "$W/$vm.qemu.log" | tail -5
	vm_console_tail "$vm" 40
	return 1
}

vm_halt() {
	local vm=$1 pid=${VM_PID[$1]:-}
	[ -n "$pid" ] || return 0
	touch "$W/$vm.share/halt"
	local i t0=$SECONDS
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "  ($vm: off after $((SECONDS - t0)) s)"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	VM_PID[$vm]=
}

vm_reboot() {
	local vm=$1
	shift
	vm_halt "$vm"
	vm_boot "$vm" "$@"
}

# g VM STEP [TIMEOUT] <<'EOF' ... EOF
g() {
	local vm=$1 step=$2 t=${3:-$GTIMEOUT}
	local share=$W/$vm.share n=${VM_N[$vm]}
	VM_N[$vm]=$((n + 1))
	GOUT=$share/out.$n
	{
		echo "#timeout=$t"
		echo "# step: $step"
		echo "export VITK=/vm/bin/vitk VITK_NO_PROGRESS=1 VITK_DB=/root/vitk.db"
		echo "set -o pipefail"
		echo "source /vm/guest-lib.sh"
		cat
	} >"$share/.cmd.$n"
	mv "$share/.cmd.$n" "$share/cmd.$n"
	local i limit=$(((t + 15) * 10))
	for ((i = 0; i < limit; i++)); do
		if [ -e "$share/rc.$n" ]; then
			GRC=$(cat "$share/rc.$n")
			[ "$GRC" = 124 ] && echo "  ($vm: step '$step' hit its ${t}s timeout)"
			return "$GRC"
		fi
		if ! kill -0 "${VM_PID[$vm]:-0}" 2>/dev/null; then
			echo "  ($vm: guest died during step '$step')"
			break
		fi
		sleep 0.1
	done
	GRC=255
	return 255
}

gshow() {
	sed 's/^/  out| /' "$GOUT" 2>/dev/null | tail -n "${2:-30}"
	vm_console_tail "$1" 15
}

gok() {
	local vm=$1 step=$2 t0=$SECONDS
	if g "$@"; then
		ok "$vm: $step ($((SECONDS - t0)) s)"
	else
		fail "$vm: $step (rc $GRC)"
		gshow "$vm"
		return 1
	fi
}

# gfail VM STEP [TIMEOUT]: the guest script must FAIL (rc != 0, not a timeout)
gfail() {
	local vm=$1 step=$2
	g "$@"
	if [ "$GRC" != 0 ] && [ "$GRC" != 124 ] && [ "$GRC" != 255 ]; then
		ok "$vm: $step"
	else
		fail "$vm: $step (rc $GRC, expected a failure)"
		gshow "$vm"
		return 1
	fi
}

# gout_has PATTERN: the last guest step's output matches an extended regex
gout_has() { grep -qE -- "$1" "$GOUT"; }

vm_finish() {
	local vm pid
	for vm in "${!VM_PID[@]}"; do vm_halt "$vm"; done
	for pid in "${HOSTPIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	echo "$VM_NAME: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# lspci_vf_check LSPCI_VVV_FILE VITK_LIST_JSON PF: `lspci -D -vvv` (in the guest)
# and `vitk sriov list --vfs -o json` agree on the PF's TotalVFs, VF offset,
# stride and every VF address; the VF addresses follow from offset and stride
# (PCIe SR-IOV: routing ID = PF's + offset + i * stride) and lspci lists each.
lspci_vf_check() {
	local lf=$1 jf=$2 pf=$3 tag=${4:-$3}
	local blk tot off str
	blk=$(awk -v pf="$pf" '/^[0-9a-f]+:[0-9a-f]+:/ { on = ($1 == pf) } on' "$lf")
	tot=$(echo "$blk" | sed -n 's/.*Total VFs: \([0-9]*\).*/\1/p')
	off=$(echo "$blk" | sed -n 's/.*VF offset: \([0-9]*\), stride: \([0-9]*\).*/\1/p')
	str=$(echo "$blk" | sed -n 's/.*VF offset: \([0-9]*\), stride: \([0-9]*\).*/\2/p')
	local pj=".[] | select(.addr == \"$pf\")"
	check "$tag: lspci and vitk agree on TotalVFs ($tot)" -- [ -n "$tot" ] && [ "$(jget "$jf" "$pj | .total_vfs")" = "$tot" ]
	check "$tag: lspci and vitk agree on VF offset ($off)" -- [ -n "$off" ] && [ "$(jget "$jf" "$pj | .capability.vf_offset")" = "$off" ]
	check "$tag: lspci and vitk agree on VF stride ($str)" -- [ -n "$str" ] && [ "$(jget "$jf" "$pj | .capability.vf_stride")" = "$str" ]
	local dom=${pf%%:*} b d f rid i n va want
	IFS=':.' read -r _ b d f <<<"$pf"
	rid=$(((16#$b << 8) | (16#$d << 3) | 16#$f))
	n=$(jget "$jf" "$pj | .vfs | length")
	local bad=0
	for ((i = 0; i < n; i++)); do
		va=$(jget "$jf" "$pj | .vfs[$i].addr")
		local r=$((rid + off + i * str))
		want=$(printf '%s:%02x:%02x.%x' "$dom" $((r >> 8)) $(((r >> 3) & 31)) $((r & 7)))
		if [ "$va" != "$want" ] || ! grep -q "^$want " "$lf"; then
			echo "  VF $i: vitk says $va, offset/stride give $want, lspci: $(grep -c "^$want " "$lf")"
			bad=1
		fi
	done
	check "$tag: all $n VF addresses agree (vitk, offset/stride, lspci)" -- [ "$bad" = 0 ] && [ "$n" -gt 0 ]
}
