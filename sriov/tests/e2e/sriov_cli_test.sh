#!/usr/bin/env bash
# vitk sriov end to end: the real CLI on a fake sysfs tree (writes through the
# test-only binary with fake sysfs/netlink ops), golden outputs, exit codes.
set -uo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
RUNFILES=${TEST_SRCDIR:-${RUNFILES_DIR:-$0.runfiles}}
R=$RUNFILES/vitk
FAKE=$R/sriov/vitk_sriov_fake
VITK=$R/cli/vitk
TREE=$R/sriov/fake_tree
DATA=$R/sriov/tests/data
GOLDEN_DIR=$DATA/golden
export VITK_NO_PROGRESS=1

failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { checks=$((checks + 1)); }

# expect_exit CODE cmd...: exit code; stdout/stderr kept
expect_exit() {
	local want=$1
	shift
	"$@" >"$TEST_TMPDIR/stdout" 2>"$TEST_TMPDIR/stderr"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		fail "'$*' exited $got, expected $want; stderr: $(cat "$TEST_TMPDIR/stderr")"
	else
		ok
	fi
}

# expect_stderr TEXT: stderr of the last expect_exit is exactly one line equal to TEXT
expect_stderr() {
	local got
	got=$(cat "$TEST_TMPDIR/stderr")
	if [ "$got" != "$1" ]; then
		fail "stderr: want '$1', got '$got'"
	else
		ok
	fi
}

normalise() { sed -e "s#$TEST_TMPDIR#<TMP>#g" -e "s#$R#<RUNFILES>#g"; }

# golden NAME cmd...: stdout must equal the golden file
golden() {
	local name=$1
	shift
	"$@" 2>"$TEST_TMPDIR/stderr.$name" | normalise >"$TEST_TMPDIR/out.$name"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$TEST_TMPDIR/out.$name" "$UPDATE_GOLDEN_DIR/$name"
	fi
	if ! diff -u "$GOLDEN_DIR/$name" "$TEST_TMPDIR/out.$name"; then
		fail "output of '$*' differs from golden $name"
	else
		ok
	fi
}

SYS=$TEST_TMPDIR/sys
"$TREE" "$SYS" sample || { echo "cannot build the fake tree"; exit 1; }
export VITK_ETC_ROOT=$DATA/etc
export VITK_DB=$TEST_TMPDIR/inv.db
V() { "$FAKE" "$@" --sysfs-root "$SYS"; }

# ---- discovery (the real binary reads the same tree the same way)
golden list.out V sriov list
golden list.out "$VITK" sriov list --sysfs-root "$SYS"
grep -q "warning: skipping '0000:04:00.0': extended capability chain loops at offset 0x100" \
	"$TEST_TMPDIR/stderr.list.out" && ok || fail "no warning for the broken device"
golden list_vfs.json V -o json sriov list --vfs
golden show_pf.out V sriov show 01:00.0
golden show_vf.json V -o json sriov show 0002:01:00.3
golden list_csv.out V -o csv sriov list 0002:01:00.0
"$TREE" "$TEST_TMPDIR/capture.txt" dump
golden dump.json "$VITK" -o json sriov list --vfs --dump "$TEST_TMPDIR/capture.txt"
expect_exit 1 "$VITK" -q sriov show 04:00.0 --dump "$TEST_TMPDIR/capture.txt"
expect_stderr "vitk: sriov: '0000:04:00.0': extended capability chain loops at offset 0x100"
expect_exit 4 "$VITK" -q sriov show 06:00.0 --dump "$TEST_TMPDIR/capture.txt"
expect_stderr "vitk: sriov: '0000:06:00.0': config space has only 256 bytes: no extended capabilities (SR-IOV)"

# ---- bad input: one clear line naming the device and the field, documented exit codes
expect_exit 3 V -q sriov show 09:00.0
expect_stderr "vitk: sriov: no PCI device '0000:09:00.0'"
expect_exit 4 V -q sriov show 03:00.0
expect_stderr "vitk: sriov: '0000:03:00.0': device has no SR-IOV capability"
expect_exit 1 V -q sriov show 04:00.0
expect_stderr "vitk: sriov: '0000:04:00.0': extended capability chain loops at offset 0x100"
expect_exit 1 V -q sriov set-vfs 01:00.0 9
expect_stderr "vitk: sriov: cannot write 'sriov_numvfs' on '0000:01:00.0': 9 is above sriov_totalvfs (8)"
expect_exit 2 V -q sriov set-vfs 01:00.0 many
expect_stderr "vitk: sriov: invalid VF count 'many'"
echo "lots" >"$SYS/bus/pci/devices/0000:01:00.1/sriov_totalvfs"
expect_exit 1 V -q sriov show 01:00.1
expect_stderr "vitk: sriov: '0000:01:00.1': sysfs attribute 'sriov_totalvfs': not a decimal number: 'lots'"
echo 8 >"$SYS/bus/pci/devices/0000:01:00.1/sriov_totalvfs"
printf 'short' >"$TEST_TMPDIR/trunc"
cp "$SYS/bus/pci/devices/0000:01:00.1/config" "$TEST_TMPDIR/config.bak"
head -c 40 "$TEST_TMPDIR/config.bak" >"$SYS/bus/pci/devices/0000:01:00.1/config"
expect_exit 1 V -q sriov show 01:00.1
expect_stderr "vitk: sriov: '0000:01:00.1': config space unreadable or truncated"
cp "$TEST_TMPDIR/config.bak" "$SYS/bus/pci/devices/0000:01:00.1/config"
mv "$SYS/bus/pci/devices/0000:01:00.1/irq" "$TEST_TMPDIR/irq"
expect_exit 3 V -q sriov show 01:00.1
expect_stderr "vitk: sriov: '0000:01:00.1': missing sysfs attribute 'irq'"
mv "$TEST_TMPDIR/irq" "$SYS/bus/pci/devices/0000:01:00.1/irq"

# ---- control
golden set_vfs.out V sriov set-vfs 01:00.0 4
grep -q '^bus/pci/devices/0000:01:00.0/sriov_numvfs 4$' "$SYS/.fake/writes.log" && ok || fail "no numvfs write"
# the fake PF is igb: it takes a maximum rate but no minimum rate and no link state (below)
golden vf_set.out V sriov vf set 01:00.0 1 --mac 52:54:00:12:34:56 --vlan 100 --qos 3 --proto 802.1ad \
	--spoofchk off --trust on --max-rate 1000
golden bind.out V sriov bind 02:10.4 vfio-pci
golden list_vfs_after.out V sriov list --vfs 01:00.0
golden bind_host.out V sriov bind 02:10.4 host
# what igb refuses is named per setting; the MAC of the same call is still set
expect_exit 4 V -q sriov vf set 01:00.0 2 --mac 52:54:00:12:34:57 --state enable --min-rate 100
expect_stderr "vitk: sriov: cannot set VF 2 rate min_tx_rate 100 max_tx_rate 0 (Mbit/s) on 'enp1s0f0' (0000:01:00.0, driver 'igb'): Invalid argument; cannot set VF 2 link_state enable on 'enp1s0f0' (0000:01:00.0, driver 'igb'): Operation not supported"
V -o json sriov list --vfs 01:00.0 | grep -q '"mac": *"52:54:00:12:34:57"' && ok || fail "MAC of the refused vf set not applied"
# vfio-pci without an IOMMU group: refused with the reason, nothing written
mv "$SYS/bus/pci/devices/0000:02:10.4/iommu_group" "$TEST_TMPDIR/iommu_group"
expect_exit 4 V -q sriov bind 02:10.4 vfio-pci
expect_stderr "vitk: sriov: '0000:02:10.4': cannot bind to vfio-pci: the device has no IOMMU group (no iommu_group link; enable the IOMMU, e.g. intel_iommu=on or amd_iommu=on)"
mv "$TEST_TMPDIR/iommu_group" "$SYS/bus/pci/devices/0000:02:10.4/iommu_group"
expect_exit 2 V -q sriov vf set 01:00.0 1 --spoofchk maybe
expect_stderr "vitk: sriov: option '--spoofchk' needs one of on, off, not 'maybe'"

# N -> M goes through 0, and --no-autoprobe leaves the new VFs unbound
: >"$SYS/.fake/writes.log"
golden set_vfs_noauto.out V sriov set-vfs 01:00.0 3 --no-autoprobe
golden writes_noauto.log cat "$SYS/.fake/writes.log"
[ ! -e "$SYS/bus/pci/devices/0000:02:10.4/driver" ] && ok || fail "VF bound despite --no-autoprobe"
V -q sriov set-vfs 01:00.0 0 >/dev/null && echo 1 >"$SYS/bus/pci/devices/0000:01:00.0/sriov_drivers_autoprobe"
V -q sriov set-vfs 01:00.0 4 >/dev/null || fail "set-vfs back to 4"
V -q sriov vf set 01:00.0 1 --mac 52:54:00:12:34:56 --vlan 100 --qos 3 --trust on >/dev/null || fail "vf set again"
expect_exit 1 V -q --db "$TEST_TMPDIR/my db.db" sriov persist --root "$TEST_TMPDIR/root2"
expect_stderr "vitk: sriov: paths in the unit must be absolute and free of spaces, quotes and '%'"

# ---- desired state: apply converges, the second run changes nothing
golden apply1.out V sriov apply --import "$DATA/desired/host.json"
golden apply2.out V sriov apply
golden apply2.json V -o json sriov apply
golden export.json V sriov apply --export
golden persist.out V sriov persist --root "$TEST_TMPDIR/root" --vitk /usr/local/bin/vitk
normalise <"$TEST_TMPDIR/root/etc/systemd/system/vitk-sriov.service" >"$TEST_TMPDIR/unit"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$TEST_TMPDIR/unit" "$UPDATE_GOLDEN_DIR/vitk-sriov.service"; fi
diff -u "$GOLDEN_DIR/vitk-sriov.service" "$TEST_TMPDIR/unit" && ok || fail "unit differs"
# a refused change fails the run with the first failure's code, 4 for a driver
# refusal (the unit must not report success); the rest is applied
V -q sriov vf set 01:00.0 0 --vlan 7 --trust off >/dev/null || fail "vf set before the refused apply"
echo 1 >"$SYS/.fake/nl_fail" # the next RTM_SETLINK (VF 0's VLAN) fails with EPERM
expect_exit 4 V -q sriov apply
expect_stderr "vitk: sriov: 0000:02:10.0: cannot set VF 0 vlan 10 qos 0 on 'enp1s0f0' (0000:01:00.0, driver 'igb'): Operation not permitted"
V -o json sriov list --vfs 01:00.0 | grep -q '"trust": *true' && ok || fail "trust not applied after the refused VLAN"
expect_exit 0 V -q sriov apply
[ "$(readlink "$TEST_TMPDIR/root/etc/systemd/system/multi-user.target.wants/vitk-sriov.service")" = \
	"../vitk-sriov.service" ] && ok || fail "unit not enabled"

# ---- planner, reservations, libvirt attach (test:/// driver: --config redefines)
golden plan.out V sriov plan --vm vm1 --count 2 --vlan 42
golden plan2.json V -o json sriov plan --vm vm2 --count 2 --numa 1 --policy required
URI="test://$DATA/libvirt/node.xml"
golden attach.out V sriov attach --domain vm1 --plan vm1 --connect "$URI" --config
expect_exit 4 V -q sriov set-vfs 01:00.0 2
expect_stderr "vitk: sriov: '0000:01:00.0': VF 0 (0000:02:10.0) is in use by a domain; detach it first or use --force"
expect_exit 4 V -q sriov set-vfs 01:00.1 1 --connect "$URI"
expect_stderr "vitk: sriov: '0000:01:00.1': VF 1 (0000:02:10.3) is in use by a domain; detach it first or use --force"
golden list_vfs_domain.out V sriov list --vfs 01:00.0
golden nodedev.out V sriov list --connect "$URI"
golden plan3.out V sriov plan --vm vm3 --count 2 --numa 0 --policy required --no-reserve --connect "$URI"
golden inventory.out "$VITK" inventory sql \
	"SELECT event, subject, detail FROM sriov_history WHERE event IN ('set-vfs','bind','attached','reserved','vf-config','set-num-vfs') ORDER BY id"
expect_exit 3 V -q sriov attach --domain nosuch --vf 02:10.2 --connect "$URI" --config
expect_stderr "vitk: sriov: cannot attach 0000:02:10.2 to 'nosuch': no domain 'nosuch' on '$URI'"

# ---- ESXi
golden esxi.out "$VITK" sriov esxi --host-json "$DATA/esxi/host.json" --set vmnic3=12 --vmx vmnic4:0
grep -q "warning: max_vfs is positional" "$TEST_TMPDIR/stderr.esxi.out" && ok || fail "no max_vfs warning"
golden esxi.json "$VITK" -o json sriov esxi --sriovnic-list "$DATA/esxi/sriovnic_list.txt" \
	--set vmnic2=4 --set vmnic3=4 --set vmnic4=16
golden esxi55.out "$VITK" sriov esxi --host-json "$DATA/esxi/host.json" --vmx vmnic4:2 --form 5.5 \
	--network "SR-IOV PG" --slot 1
golden esxi_lspci.out "$VITK" sriov esxi --sriovnic-list "$DATA/esxi/sriovnic_list_05.txt" \
	--lspci "$TEST_TMPDIR/capture.txt" --system-uuid 4c4c4544-0047-3010-8031-b4c04f4e5931 \
	--set vmnic0=7 --set vmnic1=64 --vmx vmnic0:1
expect_exit 1 "$VITK" -q sriov esxi --sriovnic-list "$DATA/esxi/sriovnic_list_05.txt" --vmx vmnic0:1
expect_stderr "vitk: sriov: port vmnic0: the VF address needs 'vf_offset' and 'vf_stride'"
# the host recorded by --host-json (esx01) comes back from the inventory (with --set vmnic3=12)
golden esxi.out "$VITK" sriov esxi --host esx01 --set vmnic3=12 --vmx vmnic4:0
expect_exit 3 "$VITK" -q sriov esxi --host kvm1
expect_stderr "vitk: sriov: host 'kvm1' is not an ESXi host in the inventory"
expect_exit 3 "$VITK" -q sriov esxi --host-json "$DATA/esxi/host.json" --set vmnic9=2
expect_stderr "vitk: sriov: no port 'vmnic9' on the ESXi host"

echo "$checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
