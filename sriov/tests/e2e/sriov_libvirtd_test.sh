#!/usr/bin/env bash
# vitk sriov attach/detach against a real, private libvirtd: a session-mode
# daemon run as 'nobody' with its runtime/config/cache under a temp dir, so the
# system daemon is never touched.  Define a domain (not started), attach a VF
# with --config, check the domain XML, detach, stop the daemon.
set -uo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
RUNFILES=${TEST_SRCDIR:-${RUNFILES_DIR:-$0.runfiles}}
VITK=$RUNFILES/vitk/cli/vitk
export VITK_NO_PROGRESS=1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export VITK_ETC_ROOT=$RUNFILES/vitk/sriov/tests/data/etc
export VITK_DB=$TEST_TMPDIR/inv.db

for tool in /usr/sbin/libvirtd runuser virsh; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing (tools/packages/sriov.txt)"; exit 1; }
done

# the daemon user cannot enter bazel's tree under /root: use /tmp
LV=$(mktemp -d /tmp/vitk-lv.XXXXXX)
PID=
cleanup() {
	if [ -n "$PID" ]; then
		kill "$PID" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$PID" 2>/dev/null
	fi
	rm -rf "$LV"
}
trap cleanup EXIT
mkdir -p "$LV/run" "$LV/home" "$LV/cfg" "$LV/cache"
chown -R nobody:nogroup "$LV"
chmod 755 "$LV"
runuser -u nobody -- env -i PATH=/usr/sbin:/usr/bin:/bin HOME="$LV/home" XDG_RUNTIME_DIR="$LV/run" \
	XDG_CONFIG_HOME="$LV/cfg" XDG_CACHE_HOME="$LV/cache" /usr/sbin/libvirtd --timeout 300 \
	>"$LV/daemon.log" 2>&1 &
SOCK=$LV/run/libvirt/libvirt-sock
for _ in $(seq 1 300); do [ -S "$SOCK" ] && [ -s "$LV/run/libvirt/libvirtd.pid" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { echo "FAIL: libvirtd did not start"; cat "$LV/daemon.log"; exit 1; }
PID=$(cat "$LV/run/libvirt/libvirtd.pid")
URI="qemu+unix:///session?socket=$SOCK"

failures=0
checks=0
check() { if eval "$2"; then checks=$((checks + 1)); else echo "FAIL: $1"; failures=$((failures + 1)); fi; }

cat >"$TEST_TMPDIR/dom.xml" <<'XML'
<domain type='qemu'>
  <name>vitk-e2e</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices/>
</domain>
XML
virsh -q -c "$URI" define "$TEST_TMPDIR/dom.xml" >/dev/null || { echo "FAIL: define"; exit 1; }

"$VITK" sriov attach --connect "$URI" --domain vitk-e2e --vf 02:10.2 --vlan 42 --config \
	>"$TEST_TMPDIR/attach.out" 2>"$TEST_TMPDIR/attach.err"
check "attach exit 0 ($(cat "$TEST_TMPDIR/attach.err"))" '[ $? -eq 0 ]'
MAC=$(awk 'NR==2 {print $3}' "$TEST_TMPDIR/attach.out")
check "attach printed a 52:54:00 MAC ('$MAC')" '[[ "$MAC" =~ ^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$ ]]'
virsh -c "$URI" dumpxml vitk-e2e --inactive >"$TEST_TMPDIR/dom1.xml"
check "interface type=hostdev managed" 'grep -q "<interface type=.hostdev. managed=.yes.>" "$TEST_TMPDIR/dom1.xml"'
check "mac in the definition" 'grep -q "<mac address=.$MAC./>" "$TEST_TMPDIR/dom1.xml"'
check "VF source address" 'grep -q "<address type=.pci. domain=.0x0000. bus=.0x02. slot=.0x10. function=.0x2./>" "$TEST_TMPDIR/dom1.xml"'
check "vlan tag" 'grep -q "<tag id=.42./>" "$TEST_TMPDIR/dom1.xml"'
ROW=$("$VITK" -o csv inventory sql "SELECT vf, domain, mac, vlan, state FROM sriov_assignment" 2>&1 | tr -d "\r" | tail -1)
check "the inventory records the assignment ($ROW, mac $MAC)" '[ "$ROW" = "0000:02:10.2,vitk-e2e,$MAC,42,attached" ]'

"$VITK" -q sriov detach --connect "$URI" --domain vitk-e2e --vf 0000:02:10.2 --config >/dev/null
check "detach exit 0" '[ $? -eq 0 ]'
virsh -c "$URI" dumpxml vitk-e2e --inactive >"$TEST_TMPDIR/dom2.xml"
check "interface gone" '! grep -q "hostdev" "$TEST_TMPDIR/dom2.xml"'

# the MAC is stable: a second attach gets the same one
"$VITK" sriov attach --connect "$URI" --domain vitk-e2e --vf 02:10.2 --config >"$TEST_TMPDIR/attach2.out"
MAC2=$(awk 'NR==2 {print $3}' "$TEST_TMPDIR/attach2.out")
check "stable MAC ($MAC vs $MAC2)" '[ "$MAC" = "$MAC2" ]'
"$VITK" -q sriov detach --connect "$URI" --domain nosuch --vf 0000:02:10.2 --config 2>"$TEST_TMPDIR/err"
check "unknown domain exits 3" '[ $? -eq 3 ]'
check "one error line" '[ "$(cat "$TEST_TMPDIR/err")" = "vitk: sriov: cannot detach 0000:02:10.2 from '"'"'nosuch'"'"': no domain '"'"'nosuch'"'"' on '"'"'$URI'"'"'" ]'

echo "$checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
