#!/usr/bin/env bash
# SR-IOV view of a bundled sample host: a fake sysfs tree built from real
# register values (two Intel 82576 ports, a Cavium ThunderX, an I210 without
# SR-IOV, a device with a broken capability chain).  Read-only: discovery,
# the planner, a dry-run apply, the systemd unit, and the ESXi commands.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${VITK:?}" "${DEMO_DIR:?}"
bazel build //sriov:fake_tree >/dev/null 2>&1 || bazel build //sriov:fake_tree
SYS=$DEMO_DIR/sriov-sys
rm -rf "$SYS"
bazel-bin/sriov/fake_tree "$SYS" sample
export VITK_SYSFS_ROOT=$SYS

echo "-- SR-IOV PFs (libpci over the sample tree; the broken device is reported and skipped)"
"$VITK" sriov list
echo
echo "-- VFs with their PF-side settings"
"$VITK" sriov list --vfs
echo
echo "-- one PF: capability decoded from config space, cross-checked with sysfs"
"$VITK" sriov show 0000:01:00.0
echo
echo "-- two VFs for vm1 on different PFs and adapters (recorded as a reservation)"
"$VITK" sriov plan --vm vm1 --count 2 --vlan 42
echo
echo "-- desired state: what 'apply' would change (dry run)"
"$VITK" sriov apply --import sriov/tests/data/desired/host.json --dry-run
echo
echo "-- the boot-time unit (written under $DEMO_DIR/root)"
"$VITK" -q sriov persist --root "$DEMO_DIR/root" --vitk "$VITK" >/dev/null
grep -E '^(Before|Wants|ExecStart)=' "$DEMO_DIR/root/etc/systemd/system/vitk-sriov.service"
echo
echo "-- ESXi: max_vfs per driver in PCI order, and a vSphere 5.1 .vmx stanza"
"$VITK" sriov esxi --host-json sriov/tests/data/esxi/host.json --vmx vmnic4:0
