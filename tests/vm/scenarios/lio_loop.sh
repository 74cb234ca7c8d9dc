#!/usr/bin/env bash
# odx over the sg transport against LIO, the kernel's own target, exported
# through tcm_loop as local SCSI disks.  LIO's copy manager is an independent
# EXTENDED COPY implementation with RCOP limits of 2 CSCDs and 1 segment
# descriptor: vitk must offload and split to one segment per command.  LIO has
# no VPD 0x8F and no POPULATE TOKEN, so ODX must be refused with that reason.
# Peer note: LIO counts a NUL terminator in the VPD 0x80 page length
# (target_core_spc.c, spc_emulate_evpd_80), so vitk shows the serial with a
# trailing "?"; odx/tests/fake_scsi.c never sends one (reported to odx).
# Data is checked with cmp over O_DIRECT reads of /dev/sdX.  Also: a really
# mounted destination is refused and left untouched.
source "$(dirname "$0")/../lib.sh"
vm_boot lio || { vm_finish; exit 1; }
# the source's contents come from the host (urandom is slow under TCG)
head -c $((40 * 1048576)) /dev/urandom >"$W/lio.share/src.bin"
head -c $((40 * 1048576)) /dev/urandom >"$W/lio.share/dst.bin"
N=70000 # blocks: > 65535, so one segment per command means exactly 2 commands

gok lio "LIO: two fileio backstores exported through tcm_loop" <<'G'
modprobe target_core_mod && modprobe target_core_file && modprobe tcm_loop || exit 1
cp /vm/src.bin /root/a.img && cp /vm/dst.bin /root/b.img
lio_fileio a /root/a.img 6001405aaaa00001 && lio_fileio b /root/b.img 6001405bbbb00002 &&
	lio_loop naa.5001405000000011 0 a && lio_loop naa.5001405000000011 1 b || exit 1
wait_scsi LIO-ORG 2 && lsscsi -g
G

gok lio "probe: 3PC and XCOPY LID1 with LIO's limits, no ODX" <<'G'
$VITK -o json odx probe $(sgN LIO-ORG 0) $(sgN LIO-ORG 1) >/vm/probe.json
G
P=$W/lio.share/probe.json
check "probe: LIO reports 3PC" -- [ "$(jget "$P" '[.devices[] | select(.tpc)] | length')" = 2 ]
check "probe: RCOP max segments 1" -- [ "$(jget "$P" '.devices[1].max_segments')" = 1 ]
check "probe: verdict xcopy" -- [ "$(jget "$P" '.pairs[0].method')" = xcopy ]
check "probe: token refused: no VPD 0x8F / POPULATE TOKEN" -- \
	jq -e '.pairs[0].methods[] | select(.method == "token") | .reason | test("VPD page \\(0x8F\\)|POPULATE TOKEN")' "$P"

gok lio "copy --method xcopy of $N blocks: offloaded, data and neighbours checked" <<G
S=\$(sgN LIO-ORG 0) D=\$(sgN LIO-ORG 1) SD=\$(sdN LIO-ORG 0) DD=\$(sdN LIO-ORG 1)
b=\$(rd \$DD 99 1 | md5sum) a=\$(rd \$DD $((100 + N)) 1 | md5sum)
\$VITK -o json odx copy \$S \$D --src-lba 7 --dst-lba 100 --count $N --method xcopy >/vm/xcopy.json || exit 1
same \$SD 7 \$DD 100 $N || { echo "data differs"; exit 1; }
[ "\$b" = "\$(rd \$DD 99 1 | md5sum)" ] || { echo "block before the range written"; exit 1; }
[ "\$a" = "\$(rd \$DD $((100 + N)) 1 | md5sum)" ] || { echo "block after the range written"; exit 1; }
G
J=$W/lio.share/xcopy.json
check "xcopy: method xcopy (offloaded by LIO)" -- [ "$(jget "$J" .method)" = xcopy ]
check "xcopy: no fallback (LIO accepted every command)" -- [ "$(jget "$J" '.fallbacks | length')" = 0 ]
check "xcopy: split to LIO's 1 segment: 2 commands for $N blocks" -- [ "$(jget "$J" .commands)" = 2 ]
check "xcopy: host bytes < 64 KiB" -- [ "$(jget "$J" .host_bytes)" -lt 65536 ]

gok lio "copy --method auto: xcopy chosen, token rejected with the reason" <<'G'
$VITK -o json odx copy $(sgN LIO-ORG 0) $(sgN LIO-ORG 1) --count 2048 --dst-lba 30000 >/vm/auto.json &&
	same $(sdN LIO-ORG 0) 0 $(sdN LIO-ORG 1) 30000 2048
G
J=$W/lio.share/auto.json
check "auto: xcopy" -- [ "$(jget "$J" .method)" = xcopy ]
check "auto: token rejected for no VPD 0x8F / POPULATE TOKEN" -- \
	jq -e '.rejected[] | select(.method == "token") | .reason | test("VPD page \\(0x8F\\)|POPULATE TOKEN")' "$J"

gok lio "copy --method xcopy on /dev/sdX paths: offloaded, data checked" <<'G'
$VITK -o json odx copy $(sdN LIO-ORG 0) $(sdN LIO-ORG 1) --src-lba 5000 --dst-lba 40000 --count 3000 \
	--method xcopy >/vm/xcopy-sd.json && same $(sdN LIO-ORG 0) 5000 $(sdN LIO-ORG 1) 40000 3000
G
check "xcopy on sd: method xcopy, no fallback" -- \
	[ "$(jget "$W/lio.share/xcopy-sd.json" '.method + (.fallbacks | length | tostring)')" = xcopy0 ]

# zeroing: LIO has no block device zero ROD token, so WRITE SAME(16) it is
gok lio "zero 1000 blocks: WRITE SAME on LIO, zeros read back, neighbours intact" <<'G'
D=$(sdN LIO-ORG 1)
b=$(rd $D 59999 1 | md5sum) a=$(rd $D 61000 1 | md5sum)
$VITK -o json odx zero $(sgN LIO-ORG 1) --lba 60000 --count 1000 >/vm/zero.json &&
	cmp <(rd $D 60000 1000) <(head -c $((1000 * 512)) /dev/zero) &&
	[ "$b" = "$(rd $D 59999 1 | md5sum)" ] && [ "$a" = "$(rd $D 61000 1 | md5sum)" ]
G
check "zero: method write_same" -- [ "$(jget "$W/lio.share/zero.json" .method)" = write_same ]
check "zero: no host writes of data" -- [ "$(jget "$W/lio.share/zero.json" .host_bytes)" -lt 65536 ]

gfail lio "copy --method token is refused" <<'G'
$VITK odx copy $(sgN LIO-ORG 0) $(sgN LIO-ORG 1) --count 2048 --method token
G
check "token refusal names the reason" -- gout_has 'VPD page \(0x8F\)|POPULATE TOKEN'

# held: a device-mapper target on top makes the disk a holder's slave
# (/sys/block/sdX/holders/dm-0), as LVM or multipath would
gok lio "dmsetup: a linear dm device on the destination" <<'G'
modprobe dm_mod && D=$(sdN LIO-ORG 1) &&
	dmsetup create vmheld --table "0 $(blockdev --getsz $D) linear $D 0" && ls /sys/block/${D#/dev/}/holders
G
gfail lio "copy onto the held destination is refused" <<'G'
D=$(sdN LIO-ORG 1); s=$(sum $D)
$VITK odx copy $(sgN LIO-ORG 0) $(sgN LIO-ORG 1) --count 2048; rc=$?
[ "$s" = "$(sum $D)" ] || echo "HELD DESTINATION CHANGED"
exit $rc
G
check "held refusal names the holder" -- gout_has 'held by'
check "held destination untouched" -- ! gout_has 'CHANGED'
gok lio "dmsetup remove" <<'G'
dmsetup remove vmheld
G

gok lio "mkfs + mount the destination disk" <<'G'
# no lazy init thread, and frozen: nothing but vitk could change the disk now
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 $(sdN LIO-ORG 1) && mkdir -p /mnt/d &&
	mount $(sdN LIO-ORG 1) /mnt/d && echo hello >/mnt/d/f && sync && fsfreeze -f /mnt/d &&
	sum $(sdN LIO-ORG 1) >/root/mounted.sum
G
for kind in sg sd; do
	gfail lio "copy onto the mounted destination via /dev/$kind is refused" <<G
\$VITK odx copy \$(${kind}N LIO-ORG 0) \$(${kind}N LIO-ORG 1) --count 2048 --dst-lba 0; rc=\$?
[ "\$(sum \$(sdN LIO-ORG 1))" = "\$(cat /root/mounted.sum)" ] || echo "MOUNTED DESTINATION CHANGED"
exit \$rc
G
	check "mounted refusal via $kind names the mount" -- gout_has 'mounted'
	check "mounted destination via $kind untouched" -- ! gout_has 'CHANGED'
done
gok lio "filesystem intact after the refusals" <<'G'
fsfreeze -u /mnt/d && [ "$(cat /mnt/d/f)" = hello ] && umount /mnt/d && fsck.ext4 -n $(sdN LIO-ORG 1)
G

vm_finish
