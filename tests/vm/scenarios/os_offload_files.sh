#!/usr/bin/env bash
# OS-level offload of files (issue 13): ext4 on an LV of a lab-target LUN
# (open-iscsi in the guest) holds a 100 MiB image with a hole and an unwritten
# extent.  vitk maps it with FIEMAP (after fsync) onto the LUN and:
#   file -> LV:            data by token, the hole and the unwritten extent as zeros;
#   file -> existing file: in place, right after the page cache is dropped;
#   file -> new file:      refused for offload with the reason, copied by host.
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:osfiles
MB=600
truncate -s ${MB}M "$W/lun0.img" "$W/lun1.img"
serve_start "$W/stats.json" -o json odx serve --portal 127.0.0.1:3260 --iqn $IQN \
	--lun "0=$W/lun0.img,size=${MB}M" --lun "1=$W/lun1.img,size=${MB}M" --stats || { vm_finish; exit 1; }

vm_boot osf || { vm_finish; exit 1; }
S=$W/osf.share
head -c $((200 * 1048576)) /dev/urandom >"$S/src.bin"
# what the image reads as: the first 100 MiB with zeros at [10,15) and [30,35) MiB
head -c $((100 * 1048576)) "$S/src.bin" >"$W/want.bin"
dd if=/dev/zero of="$W/want.bin" bs=1M seek=10 count=5 conv=notrunc status=none
dd if=/dev/zero of="$W/want.bin" bs=1M seek=30 count=5 conv=notrunc status=none
want=$(md5sum <"$W/want.bin" | cut -d' ' -f1)
LVMC='--config=activation{udev_sync=0 udev_rules=0} devices{obtain_device_list_from_udev=0}'

gok osf "login, VG, ext4 on an LV, a 100 MiB image with a hole and an unwritten extent" 180 <<G
modprobe iscsi_tcp && modprobe dm_mod && iscsid || exit 1
sleep 0.5
iscsiadm -m node -o new -T $IQN -p 10.0.2.2:3260 >/dev/null &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 2 || exit 1
A=\$(sdN VITK 0) B=\$(sdN VITK 1)
pvcreate -q "$LVMC" \$A \$B && vgcreate -q "$LVMC" vg \$A \$B || exit 1
lvcreate -q "$LVMC" -an -Zn -L 400M -n fsv vg \$A && lvcreate -q "$LVMC" -an -Zn -L 100M -n img vg \$B &&
	vgchange -q "$LVMC" -ay vg || exit 1
mkfs.ext4 -q /dev/vg/fsv && mkdir -p /mnt/img && mount /dev/vg/fsv /mnt/img || exit 1
dd if=/vm/src.bin of=/mnt/img/a.img bs=1M count=100 conv=fsync status=none &&
	fallocate -p -o 10MiB -l 5MiB /mnt/img/a.img &&
	fallocate -p -o 30MiB -l 5MiB /mnt/img/a.img && fallocate -o 30MiB -l 5MiB /mnt/img/a.img || exit 1
# the LV and the existing file start with other data, so zeros must really be written
dd if=/vm/src.bin of=/dev/vg/img bs=1M skip=100 count=100 oflag=direct status=none &&
	dd if=/vm/src.bin of=/mnt/img/b.img bs=1M skip=100 count=100 conv=fsync status=none || exit 1
filefrag -v /mnt/img/a.img | head -20
G

gok osf "file -> LV by token" 300 <<'G'
$VITK -o json odx copy /mnt/img/a.img /dev/vg/img --method token >/vm/f2lv.json || exit 1
sum /dev/vg/img >/vm/f2lv.md5
G
J=$S/f2lv.json
check "file->LV: method token, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = token0 ]
check "file->LV: content right, zeros where the hole and the unwritten extent were" -- [ "$(cat "$S/f2lv.md5")" = "$want" ]
check "file->LV: host bytes < 1 MiB" -- [ "$(jget "$J" '.host_bytes')" -lt 1048576 ]

gok osf "file -> existing file by token, then the page cache dropped" 300 <<'G'
cat /mnt/img/b.img >/dev/null # the old contents in the page cache
$VITK -o json odx copy /mnt/img/a.img /mnt/img/b.img --method token >/vm/f2f.json || exit 1
echo 3 >/proc/sys/vm/drop_caches
md5sum </mnt/img/b.img | cut -d' ' -f1 >/vm/f2f.md5
G
J=$S/f2f.json
check "file->file: method token, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = token0 ]
check "file->file: content right after the cache is dropped" -- [ "$(cat "$S/f2f.md5")" = "$want" ]

gok osf "file -> new file: falls back to host with the reason" 300 <<'G'
$VITK -o json odx copy /mnt/img/a.img /mnt/img/c.img >/vm/f2new.json || exit 1
md5sum </mnt/img/c.img | cut -d' ' -f1 >/vm/f2new.md5
G
J=$S/f2new.json
check "file->new file: method host" -- [ "$(jget "$J" .method)" = host ]
check "file->new file: token rejected because of the new file's unwritten extents" -- \
	jq -e '.rejected[] | select(.method == "token") | .reason | test("new file.*cannot mark")' "$J"
check "file->new file: content right" -- [ "$(cat "$S/f2new.md5")" = "$want" ]
gfail osf "file -> new file with --method token is refused" <<'G'
$VITK odx copy /mnt/img/a.img /mnt/img/d.img --method token
G
check "file->new file --method token: the reason" -- gout_has 'new file'
vm_halt osf
kill -TERM $SERVE
wait $SERVE
vm_finish
