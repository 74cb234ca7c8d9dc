#!/usr/bin/env bash
# vitk sriov against a real kernel: QEMU's NVMe controller with SR-IOV
# (sriov_max_vfs) behind a PCIe root port, an emulated IOMMU (intel-iommu)
# for vfio-pci; then the same guest booted without an IOMMU.
source "$(dirname "$0")/../lib.sh"
# shellcheck disable=SC2054 # the commas are QEMU option syntax
NVME=(-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=nqn.2026-01.lab.vitk:nvme
	-device nvme,serial=vitk0001,id=nvme0,bus=rp0,subsys=subsys0,sriov_max_vfs=4,sriov_vq_flexible=8,sriov_vi_flexible=4,max_ioqpairs=10,msix_qsize=5)
VM_APPEND="intel_iommu=on" vm_boot nv -device intel-iommu "${NVME[@]}" || { vm_finish; exit 1; }

gok nv "nvme PF present with sriov_totalvfs" <<'G'
modprobe nvme && modprobe vfio-pci || exit 1
pf=$(grep -l 0x0010 /sys/bus/pci/devices/*/device | xargs -n1 dirname | while read d; do
	[ -e $d/sriov_totalvfs ] && basename $d; done | head -1)
[ -n "$pf" ] && echo $pf >/vm/pf && cat /sys/bus/pci/devices/$pf/sriov_totalvfs
G
PF=$(cat "$W/nv.share/pf" 2>/dev/null)

gok nv "vitk sriov list / show decode the real capability" <<G
\$VITK -o json sriov list --vfs >/vm/list0.json && \$VITK -o json sriov show $PF >/vm/show.json
G
check "list: PF found with 4 total VFs" -- [ "$(jget "$W/nv.share/list0.json" ".[] | select(.addr == \"$PF\") | .total_vfs")" = 4 ]
check "show: capability total_vfs 4, num_vfs 0" -- \
	[ "$(jget "$W/nv.share/show.json" '"\(.capability.total_vfs) \(.capability.num_vfs)"')" = "4 0" ]
check "show: driver nvme" -- [ "$(jget "$W/nv.share/show.json" .driver)" = nvme ]
check "show: capability and sysfs agree (no mismatch)" -- \
	[ "$(jget "$W/nv.share/show.json" '.mismatch | if . == null or . == false or . == "" or . == [] then "none" else . end')" = none ]

gok nv "set-vfs 0 -> 2: two virtfn links" <<G
\$VITK sriov set-vfs $PF 2 && [ "\$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = 2 ] &&
	[ -e /sys/bus/pci/devices/$PF/virtfn1 ] && [ ! -e /sys/bus/pci/devices/$PF/virtfn2 ]
G
gfail nv "the kernel's rule: 2 -> 3 directly is EBUSY (what vitk must avoid)" <<G
/bin/echo 3 >/sys/bus/pci/devices/$PF/sriov_numvfs 2>/vm/ebusy.txt; rc=\$?; cat /vm/ebusy.txt; exit \$rc
G
check "kernel: direct N -> M write fails with EBUSY" -- grep -q 'Device or resource busy' "$W/nv.share/ebusy.txt"
gok nv "set-vfs 2 -> 3 goes through 0" <<G
\$VITK sriov set-vfs $PF 3 && [ "\$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = 3 ] &&
	lspci -D -vvv >/vm/lspci3.txt && \$VITK -o json sriov list --vfs >/vm/list3.json
G
lspci_vf_check "$W/nv.share/lspci3.txt" "$W/nv.share/list3.json" "$PF" "nvme 3 VFs"
gok nv "set-vfs 3 -> 0" <<G
\$VITK sriov set-vfs $PF 0 && [ "\$(cat /sys/bus/pci/devices/$PF/sriov_numvfs)" = 0 ] &&
	[ ! -e /sys/bus/pci/devices/$PF/virtfn0 ]
G

gok nv "set-vfs --no-autoprobe: 2 VFs, unbound" <<G
\$VITK sriov set-vfs $PF 2 --no-autoprobe || exit 1
[ "\$(cat /sys/bus/pci/devices/$PF/sriov_drivers_autoprobe)" = 0 ] || exit 1
vf=\$(basename \$(readlink /sys/bus/pci/devices/$PF/virtfn0)); echo \$vf >/vm/vf
[ ! -e /sys/bus/pci/devices/\$vf/driver ]
G
VF=$(cat "$W/nv.share/vf" 2>/dev/null)
gok nv "bind VF to vfio-pci (intel-iommu): own IOMMU group, /dev/vfio node" <<G
\$VITK sriov bind $VF vfio-pci || exit 1
[ "\$(basename \$(readlink /sys/bus/pci/devices/$VF/driver))" = vfio-pci ] || exit 1
grp=\$(basename \$(readlink /sys/bus/pci/devices/$VF/iommu_group)) && ls -l /dev/vfio/\$grp
G
gok nv "bind VF back to the host" <<G
\$VITK sriov bind $VF host || exit 1
[ "\$(basename \$(readlink /sys/bus/pci/devices/$VF/driver 2>/dev/null))" != vfio-pci ] &&
	[ -z "\$(cat /sys/bus/pci/devices/$VF/driver_override | sed 's/(null)//')" ]
G

# the same guest, no IOMMU: vfio-pci's probe fails (-EINVAL, "probe ... failed
# with error -22" in dmesg) while the write to drivers_probe still succeeds and
# the VF stays unbound; vitk must say why.
# Peer note: sriov/tests/fake/fake_sysfs.c binds vfio-pci on drivers_probe
# whether or not the device has an IOMMU group.
vm_halt nv
VM_APPEND="" vm_boot nv "${NVME[@]}" || { vm_finish; exit 1; }
gfail nv "no IOMMU: bind to vfio-pci fails" <<G
modprobe nvme && modprobe vfio-pci && \$VITK sriov set-vfs $PF 1 --no-autoprobe || exit 99
vf=\$(basename \$(readlink /sys/bus/pci/devices/$PF/virtfn0))
\$VITK sriov bind \$vf vfio-pci
G
check "no IOMMU: the error names the missing IOMMU" -- gout_has 'IOMMU|iommu'

# the kernel's other refusals of sriov_numvfs, as vitk reports them
gfail nv "set-vfs above TotalVFs is refused" <<G
\$VITK sriov set-vfs $PF 5
G
check "set-vfs 5: the error names sriov_totalvfs (4)" -- gout_has 'above sriov_totalvfs \(4\)'
gfail nv "set-vfs on a PF without a driver is refused" <<G
\$VITK sriov set-vfs $PF 0 && echo $PF >/sys/bus/pci/drivers/nvme/unbind || exit 99
\$VITK sriov set-vfs $PF 2
G
check "set-vfs without PF driver: the error says no driver is bound" -- gout_has 'none bound'
vm_finish
