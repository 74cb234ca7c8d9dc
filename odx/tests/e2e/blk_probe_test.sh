#!/usr/bin/env bash
# `vitk odx probe` of block devices and files through the CLI: device nodes
# (mknod) whose numbers lead into a fake /sys tree (VITK_SYSFS_ROOT), so the
# loop, md, NVMe and virtio refusals and a file on a virtio disk are checked
# byte for byte in text, CSV and JSON, with the exit code.  The LV, thin,
# crypt and multipath layers need libdevmapper and real tables: they are in
# tests/blk_probe_test.c (fake dm tables) and on the real-kernel tier
# (tests/vm/scenarios/os_offload_jobs.sh).
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/odx/tests/e2e/lib.sh"

S=$W/sys
N=$W/nodes
mkdir -p "$N"
# other NAME MAJ:MIN SECTORS: a non-SCSI block device in the fake tree
other() {
	mkdir -p "$S/devices/virtual/block/$1" "$S/class/block" "$S/dev/block"
	echo "$2" >"$S/devices/virtual/block/$1/dev"
	echo "$3" >"$S/devices/virtual/block/$1/size"
	ln -s "../../devices/virtual/block/$1" "$S/class/block/$1"
	ln -s "../../devices/virtual/block/$1" "$S/dev/block/$2"
	mknod "$N/$1" b "${2%:*}" "${2#*:}"
}
other loop3 7:3 2048
other md9 9:9 2048
other nvme3n1 259:3 2048
export VITK_SYSFS_ROOT=$S

V odx probe "$N/loop3" >"$W/loop.txt" 2>"$W/loop.err"
check "probe of a loop device exits 0 ($(cat "$W/loop.err"))" -- test $? = 0
cat >"$W/loop.want" <<EOT
device: $N/loop3
layer:  0
dev:    loop3
kind:   loop
detail: loop device: a file on a filesystem (copy the file instead)
token:  no: loop device: a file on a filesystem (copy the file instead)
xcopy:  no: loop device: a file on a filesystem (copy the file instead)
host:   yes
$N/loop3: token no, loop3 (loop): loop device: a file on a filesystem (copy the file instead)
$N/loop3: xcopy no, loop3 (loop): loop device: a file on a filesystem (copy the file instead)
$N/loop3: host yes
EOT
check "loop: text record and lines" -- diff -u "$W/loop.want" "$W/loop.txt"

V -o csv odx probe "$N/md9" "$N/nvme3n1" >"$W/two.csv"
check "probe of md and nvme exits 0" -- test $? = 0
cat >"$W/two.want" <<EOT
device,layer,dev,kind,detail,token,xcopy,host
$N/md9,0,md9,md,md RAID: the data is spread over member devices with parity or copies,no: md RAID: the data is spread over member devices with parity or copies,no: md RAID: the data is spread over member devices with parity or copies,yes
$N/nvme3n1,0,nvme3n1,nvme,NVMe: its own copy command is not supported yet,no: NVMe: its own copy command is not supported yet,no: NVMe: its own copy command is not supported yet,yes
EOT
tr -d '\r' <"$W/two.csv" >"$W/two.lf"
check "md + nvme: CSV rows" -- diff -u "$W/two.want" "$W/two.lf"

V odx probe "$N/md9" "$N/nvme3n1" >"$W/two.txt"
check "pair line names the md layer" -- grep -qxF "offload $N/md9 -> $N/nvme3n1: no because token: md9 (md): md RAID: the data is spread over member devices with parity or copies; xcopy: md9 (md): md RAID: the data is spread over member devices with parity or copies" "$W/two.txt"
check "text table header" -- grep -qE '^DEVICE +LAYER +DEV +KIND +DETAIL +TOKEN +XCOPY +HOST *$' "$W/two.txt"

# a regular file whose filesystem's device (its st_dev) is a virtio disk in the fake tree
head -c 65536 /dev/urandom >"$W/image.raw"
sync "$W/image.raw"
DEVT=$(stat -c '%Hd:%Ld' "$W/image.raw")
other vdq "$DEVT" 1099511627776
V -o json odx probe "$W/image.raw" >"$W/file.json"
check "probe of a file exits 0" -- test $? = 0
check "file: JSON stacks" -- python3 - "$W/file.json" "$W/image.raw" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["devices"] == [] and d["pairs"] == [], d
(s,) = d["stacks"]
why = "virtio-blk: no SCSI third-party copy"
assert s["device"] == sys.argv[2] and s["file"] is True and s["offloadable"] is False, s
assert s["reason"] == "vdq (virtio): " + why, s
assert s["methods"] == [{"method": "token", "usable": False, "reason": "vdq (virtio): " + why},
                        {"method": "xcopy", "usable": False, "reason": "vdq (virtio): " + why},
                        {"method": "host", "usable": True, "reason": None}], s["methods"]
assert s["layers"] == [
    {"layer": 0, "dev": sys.argv[2], "kind": "file", "detail": "65536 bytes on vdq",
     "token": "yes", "xcopy": "yes", "host": "yes"},
    {"layer": 1, "dev": "vdq", "kind": "virtio", "detail": why,
     "token": "no: " + why, "xcopy": "no: " + why, "host": "yes"}], s["layers"]
PY

# a name that is neither a file nor a device is still a LUN that cannot be opened
V odx probe "$W/nothing" >/dev/null 2>"$W/none.err"
check "a missing name exits 3 (not found)" -- test $? = 3
check "a missing name says so" -- grep -q "cannot open '$W/nothing'" "$W/none.err"
V odx probe --help >"$W/help.txt"
check "--help names files" -- grep -q 'DEV|FILE' "$W/help.txt"

echo "blk_probe: $checks checks, $failures failures"
[ "$failures" -eq 0 ]
