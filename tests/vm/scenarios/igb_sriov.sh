#!/usr/bin/env bash
# vitk sriov against a real NIC driver: QEMU's igb (Intel 82576, QEMU >= 8)
# with the guest kernel's igb PF driver and igbvf VFs.  VF settings go
# through the real driver's ndo_set_vf_* ops and are read back with
# `ip -d link show` and with vitk; apply must be idempotent; persist must
# make a second boot of the same guest image converge.
source "$(dirname "$0")/../lib.sh"
# shellcheck disable=SC2054 # the commas are QEMU option syntax
IGB=(-device pcie-root-port,id=rp1,chassis=2,slot=2
	-netdev user,id=n1,restrict=on -device igb,netdev=n1,bus=rp1)
vm_boot igb "${IGB[@]}" || { vm_finish; exit 1; }

gok igb "igb PF driver bound, PF netdev up" <<'G'
modprobe igb && modprobe igbvf || exit 1
for n in /sys/class/net/*; do
	[ "$(basename "$(readlink -f $n/device/driver)")" = igb ] || continue
	basename $n >/vm/pfdev; basename $(readlink -f $n/device) >/vm/pf
done
ip link set $(cat /vm/pfdev) up && cat /vm/pf /vm/pfdev
G
PF=$(cat "$W/igb.share/pf" 2>/dev/null) PFDEV=$(cat "$W/igb.share/pfdev" 2>/dev/null)

gok igb "set-vfs 2 creates two igbvf netdevs" <<G
\$VITK sriov set-vfs $PF 2 || exit 1
for i in \$(seq 50); do
	[ "\$(for n in /sys/class/net/*; do readlink -f \$n/device/driver; done | grep -c '/igbvf$')" = 2 ] && exit 0
	sleep 0.1
done
echo "igbvf netdevs: \$(ls /sys/class/net)"; exit 1
G
gok igb "lspci -vvv and vitk sriov list --vfs" <<'G'
lspci -D -vvv >/vm/lspci.txt && $VITK -o json sriov list --vfs >/vm/list.json
G
lspci_vf_check "$W/igb.share/lspci.txt" "$W/igb.share/list.json" "$PF" "igb 2 VFs"

MAC0=52:54:00:5a:00:10
gok igb "vf set 0: MAC, VLAN 10 + QoS 3, spoofchk off, trust on" <<G
\$VITK sriov vf set $PF 0 --mac $MAC0 --vlan 10 --qos 3 --spoofchk off --trust on &&
	ip -d link show $PFDEV >/vm/ip0.txt && \$VITK -o json sriov list --vfs >/vm/vf0.json
G
L=$(grep -E '^ +vf 0 ' "$W/igb.share/ip0.txt")
echo "  ip: $L"
check "ip -d link: vf 0 MAC" -- grep -q "link/ether $MAC0" <<<"$L"
check "ip -d link: vf 0 vlan 10, qos 3" -- grep -q "vlan 10, qos 3" <<<"$L"
check "ip -d link: vf 0 spoof checking off" -- grep -q "spoof checking off" <<<"$L"
check "ip -d link: vf 0 trust on" -- grep -q "trust on" <<<"$L"
V0=".[] | select(.addr == \"$PF\") | .vfs[0]"
check "vitk reads back vf 0: mac vlan qos spoofchk trust" -- \
	[ "$(jget "$W/igb.share/vf0.json" "$V0 | \"\(.mac) \(.vlan) \(.qos) \(.spoofchk) \(.trust)\"")" = "$MAC0 10 3 false true" ]

# Settings the real driver refuses must come back as a clear per-setting
# error.  igb implements no ndo_set_vf_link_state (EOPNOTSUPP) and no
# minimum tx rate (igb_ndo_set_vf_bw: -EINVAL for min_tx_rate); the MAC given
# in the same call must still be applied.
# Peer note: sriov/tests/fake accepts link state for every driver.
MAC1=52:54:00:5a:00:11
g igb "vf set 1 --mac --state disable (igb has no link-state op)" <<G
\$VITK sriov vf set $PF 1 --mac $MAC1 --state disable 2>/vm/ls.err; echo "rc=\$?"; cat /vm/ls.err
ip -d link show $PFDEV | grep -E '^ +vf 1 '
G
check "link state: vitk fails" -- ! gout_has '^rc=0$'
check "link state: the error names the setting" -- grep -qE '[Ll]ink.?state' "$W/igb.share/ls.err"
check "link state: the MAC of the same call was applied" -- gout_has "link/ether $MAC1"
check "link state: left at auto" -- gout_has 'link-state auto'
MAC2=52:54:00:5a:00:12
g igb "vf set 1 --mac --min-rate 10 (igb has no minimum rate)" <<G
\$VITK sriov vf set $PF 1 --mac $MAC2 --min-rate 10 2>/vm/mr.err; echo "rc=\$?"; cat /vm/mr.err
ip -d link show $PFDEV | grep -E '^ +vf 1 '
G
check "min rate: vitk fails" -- ! gout_has '^rc=0$'
check "min rate: the error names the setting" -- grep -qE '[Mm]in.?(tx.?)?rate' "$W/igb.share/mr.err"
check "min rate: the MAC of the same call was applied" -- gout_has "link/ether $MAC2"

cat >"$W/igb.share/desired.json" <<J
{"version": 1,
 "pfs": [{"pf": "$PF", "num_vfs": 3,
          "vfs": [{"index": 1, "mac": "52:54:00:5a:01:01", "vlan": 20, "qos": 1, "trust": false, "spoofchk": true},
                  {"index": 2, "mac": "52:54:00:5a:01:02", "vlan": 0, "trust": true, "spoofchk": false}]}]}
J
gok igb "apply: converge to the desired state" <<'G'
$VITK -o json sriov apply --import /vm/desired.json >/vm/apply1.json
G
check "apply: 3 changes (VF count, vf 1, vf 2)" -- [ "$(jget "$W/igb.share/apply1.json" .changed)" = 3 ]
check "apply: every change ok" -- [ "$(jget "$W/igb.share/apply1.json" '[.changes[] | select(.ok | not)] | length')" = 0 ]
gok igb "apply again: no change (idempotent)" <<G
\$VITK -o json sriov apply >/vm/apply2.json && ip -d link show $PFDEV >/vm/ip-apply.txt &&
	[ "\$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = 3 ]
G
check "apply again: changed 0" -- [ "$(jget "$W/igb.share/apply2.json" .changed)" = 0 ]
check "apply again: no changes listed" -- [ "$(jget "$W/igb.share/apply2.json" '.changes | length')" = 0 ]
check "apply: vf 1 reads back (ip)" -- grep -qE 'vf 1 .*link/ether 52:54:00:5a:01:01.*vlan 20, qos 1' "$W/igb.share/ip-apply.txt"
check "apply: vf 2 reads back (ip)" -- grep -qE 'vf 2 .*link/ether 52:54:00:5a:01:02.*spoof checking off.*trust on' "$W/igb.share/ip-apply.txt"

gok igb "persist: unit written and enabled; PF driver listed for modules-load" <<G
\$VITK sriov persist --vitk /vm/bin/vitk && cat /etc/systemd/system/vitk-sriov.service &&
	[ -L /etc/systemd/system/multi-user.target.wants/vitk-sriov.service ] &&
	mkdir -p /etc/modules-load.d && printf 'igb\nigbvf\n' >/etc/modules-load.d/vmtier.conf && sync
G
check "persist: the unit runs vitk sriov apply" -- gout_has '^ExecStart=/vm/bin/vitk .*sriov apply'

# second boot of the same image: the unit runs at boot and converges
vm_reboot igb "${IGB[@]}" || { vm_finish; exit 1; }
check "second boot: the unit ran and succeeded" -- grep -q 'vitk-sriov.service: rc=0' "$W/igb.share/units.log"
gok igb "second boot: VFs and settings converged" <<G
[ "\$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = 3 ] || { echo "numvfs \$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)"; exit 1; }
ip -d link show $PFDEV | tee /dev/stderr | grep -qE 'vf 1 .*link/ether 52:54:00:5a:01:01.*vlan 20, qos 1' &&
	\$VITK -o json sriov apply --dry-run | tee /vm/apply3.json
G
check "second boot: apply finds nothing to change" -- [ "$(jget "$W/igb.share/apply3.json" .changed)" = 0 ]
vm_finish
