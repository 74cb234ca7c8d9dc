#!/usr/bin/env bash
# OS-level offload (issue 13): LVM volumes on LUNs of our lab target, attached
# through open-iscsi in the guest, copied by `vitk odx copy /dev/vg/a /dev/vg/b`:
# the LVs are resolved through sysfs and libdevmapper to ranges of the LUNs'
# sg nodes and copied inside the target.  Checked: sha256 of the clones (on
# the host, from the LUNs' backing files at the LVs' dm offsets; reading
# 256 MiB back through iSCSI under TCG takes minutes), the target's --stats (bytes copied inside, a small wire
# count), the source's dirty pages reaching the clone, an LV in three PV
# segments (one multi-range token; one 3-segment EXTENDED COPY), and the
# refusals that name their layer (thin, crypt, md, loop,
# a mounted destination).
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:osoffload
MB=700
truncate -s ${MB}M "$W/lun0.img" "$W/lun1.img"
"$VITK" -o json odx serve --portal 127.0.0.1:3260 --iqn $IQN \
	--lun "0=$W/lun0.img,size=${MB}M" --lun "1=$W/lun1.img,size=${MB}M" --stats \
	--pidfile "$W/serve.pid" >"$W/stats.json" 2>"$W/serve.log" &
SERVE=$!
HOSTPIDS+=("$SERVE")
for _ in $(seq 100); do [ -s "$W/serve.pid" ] && break; sleep 0.1; done
[ -s "$W/serve.pid" ] || { fail "lab target did not start: $(tail -3 "$W/serve.log")"; vm_finish; exit 1; }

vm_boot osoff || { vm_finish; exit 1; }
head -c $((256 * 1048576)) /dev/urandom >"$W/osoff.share/src.bin"
head -c $((4 * 1048576)) /dev/urandom >"$W/osoff.share/dirty.bin"
LVMC='--config=activation{udev_sync=0 udev_rules=0} devices{obtain_device_list_from_udev=0}'

gok osoff "open-iscsi login to vitk odx serve, 2 LUNs; VG over both" 120 <<G
modprobe iscsi_tcp && modprobe dm_mod && iscsid || exit 1
sleep 0.5
iscsiadm -m node -o new -T $IQN -p 10.0.2.2:3260 >/dev/null &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 2 || exit 1
A=\$(sdN VITK 0) B=\$(sdN VITK 1)
pvcreate -q "$LVMC" \$A \$B && vgcreate -q "$LVMC" vg \$A \$B || exit 1
lvcreate -q "$LVMC" -an -Zn -L 256M -n src vg \$A && lvcreate -q "$LVMC" -an -Zn -L 256M -n tok vg \$B &&
	lvcreate -q "$LVMC" -an -Zn -L 256M -n xc vg \$B && vgchange -q "$LVMC" -ay vg || exit 1
dd if=/vm/src.bin of=/dev/vg/src bs=1M oflag=direct status=none && ls -l /dev/vg/ || exit 1
echo "\$(cat /sys/class/block/\${A#/dev/}/dev) \$(cat /sys/class/block/\${B#/dev/}/dev)" >/vm/devs
dmsetup table | tee /vm/tables
G
# lv_sha LV: sha256 of a one-segment LV, read on the host from its LUN's backing file
lv_sha() {
	local line devt off n f
	line=$(grep "^vg-$1: " "$W/osoff.share/tables") || return 1
	read -r _ _ n _ devt off <<<"$line"
	set -- $(cat "$W/osoff.share/devs")
	if [ "$devt" = "$1" ]; then f=$W/lun0.img; elif [ "$devt" = "$2" ]; then f=$W/lun1.img; else return 1; fi
	tail -c +$((off * 512 + 1)) "$f" | head -c $((n * 512)) | sha256sum | cut -d' ' -f1
}
want=$(sha256sum <"$W/osoff.share/src.bin" | cut -d' ' -f1)
jqe() { jq -e "$2" "$1"; }

gok osoff "resolve /dev/vg/src: dm linear on an sd disk with its sg node" <<'G'
$VITK -o json odx resolve /dev/vg/src >/vm/resolve.json
G
J=$W/osoff.share/resolve.json
check "resolve: offloadable on an sg node" -- jqe "$J" '.devices[0].offloadable and (.devices[0].sg | test("^/dev/sg[0-9]+$"))'
check "resolve: layers dm-linear (LVM LV vg-src), then the disk" -- \
	jqe "$J" '([.devices[0].layers[].kind] | join(",")) == "dm-linear,disk" and (.devices[0].layers[0].detail | test("LVM LV vg-src"))'
check "resolve: one range of 256 MiB" -- [ "$(jget "$J" '.devices[0].ranges | map(.count) | add')" = $((256 * 2048)) ]

gok osoff "copy /dev/vg/src -> /dev/vg/tok --method token" 300 <<'G'
$VITK -o json odx copy /dev/vg/src /dev/vg/tok --method token >/vm/tok.json
G
J=$W/osoff.share/tok.json
check "token: method token, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = token0 ]
check "token: sha256 of the clone == the source's" -- [ "$(lv_sha tok)" = "$want" ]
check "token: 256 MiB offloaded" -- [ "$(jget "$J" '.offload_blocks')" = $((256 * 2048)) ]
check "token: host bytes < 1 MiB per GiB" -- [ "$(jget "$J" '.host_bytes')" -lt 262144 ]

gok osoff "copy /dev/vg/src -> /dev/vg/xc --method xcopy" 300 <<'G'
$VITK -o json odx copy /dev/vg/src /dev/vg/xc --method xcopy >/vm/xc.json
G
J=$W/osoff.share/xc.json
check "xcopy: method xcopy, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = xcopy0 ]
check "xcopy: sha256 of the clone == the source's" -- [ "$(lv_sha xc)" = "$want" ]
check "xcopy: host bytes < 1 MiB per GiB" -- [ "$(jget "$J" '.host_bytes')" -lt 262144 ]

# dirty pages: write 4 MiB through the page cache (no sync), copy at once
gok osoff "dirty pages of the source reach the clone" 300 <<'G'
dd if=/vm/dirty.bin of=/dev/vg/src bs=1M seek=10 conv=notrunc status=none || exit 1
grep -E '^(Dirty|Writeback):' /proc/meminfo
$VITK -o json odx copy /dev/vg/src /dev/vg/tok --method token >/vm/dirty.json || exit 1
cmp <(dd if=/dev/vg/tok iflag=direct bs=1M skip=10 count=4 status=none) /vm/dirty.bin
G

# a source another process holds open for writing is refused, unless --force
gfail osoff "a source open for writing elsewhere is refused" <<'G'
sleep 20 3<>/dev/vg/src &
sleep 0.5
$VITK odx copy /dev/vg/src /dev/vg/tok --method token --count 2048
rc=$?
kill %1
exit $rc
G
check "writer refusal: names the process" -- gout_has 'refusing to copy from /dev/vg/src: process [0-9]+ has it open for writing'
gok osoff "... and copied with --force" <<'G'
sleep 20 3<>/dev/vg/src &
sleep 0.5
$VITK odx copy /dev/vg/src /dev/vg/tok --method token --count 2048 --force
rc=$?
kill %1
exit $rc
G

gok osoff "an LV in three PV segments, copied with one multi-range token" 300 <<G
A=\$(sdN VITK 0) B=\$(sdN VITK 1)
lvcreate -q "$LVMC" -an -Zn -L 4M -n seg vg \$A && lvcreate -q "$LVMC" -an -Zn -L 4M -n pad1 vg \$A &&
	lvextend -q "$LVMC" -L +4M vg/seg \$A && lvcreate -q "$LVMC" -an -Zn -L 4M -n pad2 vg \$A &&
	lvextend -q "$LVMC" -L +4M vg/seg \$A && lvcreate -q "$LVMC" -an -Zn -L 12M -n segc vg \$B &&
	vgchange -q "$LVMC" -ay vg || exit 1
dmsetup table vg-seg
[ "\$(dmsetup table vg-seg | wc -l)" = 3 ] || exit 1
head -c 12582912 /vm/src.bin | dd of=/dev/vg/seg bs=1M oflag=direct status=none
\$VITK -o json odx copy /dev/vg/seg /dev/vg/segc --method token >/vm/seg.json || exit 1
cmp <(dd if=/dev/vg/segc iflag=direct bs=1M status=none) <(head -c 12582912 /vm/src.bin)
G
J=$W/osoff.share/seg.json
check "segments: method token, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = token0 ]
check "segments: all 12 MiB offloaded" -- [ "$(jget "$J" '.offload_blocks')" = $((12 * 2048)) ]
# one multi-range token: POPULATE TOKEN (3 ranges), RRTI, WRITE USING TOKEN, RRTI
check "segments: one multi-range token (4 commands)" -- [ "$(jget "$J" '.commands')" = 4 ]

# the same LV by xcopy (issue 13): its three pieces in ONE EXTENDED COPY of three
# segments.  The clone is on the source's LUN (LUN 0), where the only other
# THIRD PARTY COPY OUT commands are POPULATE TOKENs, so the target's stats
# give LUN 0's EXTENDED COPY count as its 83h commands minus its tokens created.
gok osoff "the LV in three PV segments, cloned by xcopy" 300 <<G
A=\$(sdN VITK 0)
lvcreate -q "$LVMC" -an -Zn -L 12M -n segx vg \$A && vgchange -q "$LVMC" -ay vg || exit 1
[ "\$(dmsetup table vg-segx | wc -l)" = 1 ] || exit 1
dmsetup table vg-segx | sed 's/^/vg-segx: /' >>/vm/tables
\$VITK -o json odx copy /dev/vg/seg /dev/vg/segx --method xcopy >/vm/segx.json || exit 1
\$VITK -o json odx copy /dev/vg/seg /dev/vg/segx --method xcopy --dry-run >/vm/segx-plan.json
G
J=$W/osoff.share/segx.json
check "segments by xcopy: method xcopy, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = xcopy0 ]
check "segments by xcopy: all 12 MiB offloaded" -- [ "$(jget "$J" '.offload_blocks')" = $((12 * 2048)) ]
check "segments by xcopy: sha256 of the clone == the source's first 12 MiB" -- \
	[ "$(lv_sha segx)" = "$(head -c 12582912 "$W/osoff.share/src.bin" | sha256sum | cut -d' ' -f1)" ]
check "segments by xcopy: the initiator sent one command" -- [ "$(jget "$J" '.commands')" = 1 ]
check "segments by xcopy: the plan says 1 EXTENDED COPY command" -- \
	jqe "$W/osoff.share/segx-plan.json" '.commands == 1 and (.note | test("3 pieces .*: 1 EXTENDED COPY command of up to"))'
echo "segments by xcopy: $(jget "$J" '.commands') commands, $(jget "$J" '.duration_ms') ms"

# ---- refusals, each naming its layer
gok osoff "thin, crypt, md, loop and a mounted LV set up" 180 <<G
A=\$(sdN VITK 0)
modprobe -a dm_thin_pool dm_crypt xts aes_generic raid1 loop || exit 1
lvcreate -q "$LVMC" -an -Zn -L 16M -n meta vg \$A && lvcreate -q "$LVMC" -an -Zn -L 32M -n data vg \$A &&
	lvcreate -q "$LVMC" -an -Zn -L 32M -n dst vg \$A && lvcreate -q "$LVMC" -an -Zn -L 32M -n m1 vg \$A &&
	lvcreate -q "$LVMC" -an -Zn -L 32M -n m2 vg \$A && lvcreate -q "$LVMC" -an -Zn -L 32M -n fs vg \$A &&
	vgchange -q "$LVMC" -ay vg || exit 1
dd if=/dev/zero of=/dev/vg/meta bs=1M count=1 oflag=direct status=none
# no udev in the guest: dmsetup mknodes makes the /dev/mapper nodes
dmsetup create pool --table "0 65536 thin-pool /dev/vg/meta /dev/vg/data 128 0" && dmsetup mknodes pool &&
	dmsetup message pool 0 "create_thin 0" && dmsetup create thin --table "0 65536 thin /dev/mapper/pool 0" &&
	dmsetup mknodes thin || exit 1
dmsetup create cr --table "0 65536 crypt aes-xts-plain64 \$(printf '%064d' 7) 0 /dev/vg/m1 0" &&
	dmsetup mknodes cr || exit 1
mdadm --create /dev/md0 --run -q --level=1 --raid-devices=2 --metadata=1.0 /dev/vg/m2 missing || exit 1
truncate -s 32M /root/loop.img && losetup /dev/loop0 /root/loop.img || exit 1
mkfs.ext4 -q /dev/vg/fs && mkdir -p /mnt/fs && mount /dev/vg/fs /mnt/fs || exit 1
ls -l /dev/mapper
G
refusal() { # NAME SRC DST PATTERN: --method token is refused and says PATTERN
	gfail osoff "refused: $1" 120 <<G
\$VITK odx copy $2 $3 --method token --count 2048
G
	check "refused: $1: the reason names the layer ($4)" -- gout_has "$4"
}
gok osoff "resolve explains the thin device per layer" <<'G'
$VITK odx resolve /dev/mapper/thin
G
check "resolve thin: the dm-thin layer and its reason" -- gout_has 'not offloadable: dm-[0-9]+ \(dm-thin\)'
refusal thin /dev/mapper/thin /dev/vg/dst 'dm-[0-9]+ \(dm-thin\): dm-thin'
refusal crypt /dev/mapper/cr /dev/vg/dst 'dm-[0-9]+ \(dm-crypt\): dm-crypt'
refusal md /dev/md0 /dev/vg/dst 'md0 \(md\): md RAID'
refusal loop /dev/loop0 /dev/vg/dst 'loop0 \(loop\): loop device'
refusal "mounted destination" /dev/vg/src /dev/vg/fs 'vg/fs: cannot open exclusively'
gok osoff "auto falls back to a host copy through the block devices (crypt source)" 120 <<'G'
dd if=/vm/src.bin of=/dev/mapper/cr bs=1M count=8 oflag=direct status=none
$VITK -o json odx copy /dev/mapper/cr /dev/vg/dst --count 16384 >/vm/host.json || exit 1
cmp <(dd if=/dev/vg/dst iflag=direct bs=1M count=8 status=none) <(head -c 8388608 /vm/src.bin)
G
J=$W/osoff.share/host.json
check "auto: method host, token rejected naming dm-crypt" -- \
	jqe "$J" '.method == "host" and ([.rejected[] | select(.method == "token") | .reason | test("dm-crypt")] == [true])'
vm_halt osoff
kill -TERM $SERVE
wait $SERVE
S=$W/stats.json
stat() { jq "[.[] | .$1] | add" "$S"; }
check "stats: the target copied the clones inside (>= 3 x 256 MiB)" -- [ "$(stat bytes_copied_internal)" -ge $((3 * 268435456)) ]
echo "stats: copied inside $(stat bytes_copied_internal), wire read $(stat bytes_read_wire), wire written $(stat bytes_written_wire)"
xc0=$(jq '[.[] | select(.lun == 0) | ((.opcodes["0x83"] // 0) - .tokens_created)] | add' "$S")
check "stats: exactly one EXTENDED COPY on LUN 0 (the 3-segment clone by xcopy)" -- [ "$xc0" = 1 ]
echo "stats: LUN 0 EXTENDED COPY commands $xc0"
vm_finish
