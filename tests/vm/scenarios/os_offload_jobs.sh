#!/usr/bin/env bash
# Block-device jobs on the real kernel (issue 13): LVs on LUNs of our lab
# target, attached through open-iscsi in the guest.
#  - `vitk odx probe` of a linear LV, a file on an LV, a thin LV, dm-crypt,
#    md and loop: the layers and, per method, the reason naming the layer;
#  - a 256 MiB LV->LV copy (token, then xcopy; 128 KiB per command) killed
#    with -9 once its job row shows progress: `odx jobs` says interrupted,
#    --resume finishes it, the clone's sha256 (on the host, from the LUN's
#    backing file) matches, the row's counters and recorded layers are right;
#    a resume after the destination LV was resized is refused;
#  - --verify of a finished 32 MiB job (--resume JOB --verify compares, copies
#    nothing) passes, then fails with the disk block after one block of the
#    clone was changed in the LUN's backing file behind the guest's back.
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:osjobs
MB=700
truncate -s ${MB}M "$W/lun0.img" "$W/lun1.img"
"$VITK" odx serve --portal 127.0.0.1:3260 --iqn $IQN \
	--lun "0=$W/lun0.img,size=${MB}M" --lun "1=$W/lun1.img,size=${MB}M" \
	--pidfile "$W/serve.pid" 2>"$W/serve.log" &
SERVE=$!
HOSTPIDS+=("$SERVE")
for _ in $(seq 100); do [ -s "$W/serve.pid" ] && break; sleep 0.1; done
[ -s "$W/serve.pid" ] || { fail "lab target did not start: $(tail -3 "$W/serve.log")"; vm_finish; exit 1; }

vm_boot osjobs || { vm_finish; exit 1; }
SH=$W/osjobs.share
head -c $((256 * 1048576)) /dev/urandom >"$SH/src.bin"
LVMC='--config=activation{udev_sync=0 udev_rules=0} devices{obtain_device_list_from_udev=0}'

gok osjobs "open-iscsi login to vitk odx serve, 2 LUNs; VG over both; src, tok, xc LVs" 180 <<G
modprobe iscsi_tcp && modprobe dm_mod && iscsid || exit 1
sleep 0.5
iscsiadm -m node -o new -T $IQN -p 10.0.2.2:3260 >/dev/null &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 2 || exit 1
A=\$(sdN VITK 0) B=\$(sdN VITK 1)
pvcreate -q "$LVMC" \$A \$B && vgcreate -q "$LVMC" vg \$A \$B || exit 1
lvcreate -q "$LVMC" -an -Zn -L 256M -n src vg \$A && lvcreate -q "$LVMC" -an -Zn -L 256M -n tok vg \$B &&
	lvcreate -q "$LVMC" -an -Zn -L 256M -n xc vg \$B && vgchange -q "$LVMC" -ay vg || exit 1
dd if=/vm/src.bin of=/dev/vg/src bs=1M oflag=direct status=none || exit 1
echo "\$(cat /sys/class/block/\${A#/dev/}/dev) \$(cat /sys/class/block/\${B#/dev/}/dev)" >/vm/devs
dmsetup table | tee /vm/tables
G
# lv_where LV: "FILE OFFSET_SECTORS SECTORS" of a one-segment LV on the host
lv_where() {
	local line devt off n
	line=$(grep "^vg-$1: " "$SH/tables") || return 1
	read -r _ _ n _ devt off <<<"$line"
	set -- $(cat "$SH/devs")
	if [ "$devt" = "$1" ]; then echo "$W/lun0.img $off $n"; elif [ "$devt" = "$2" ]; then echo "$W/lun1.img $off $n"; else return 1; fi
}
lv_sha() {
	local f off n
	read -r f off n <<<"$(lv_where "$1")" || return 1
	tail -c +$((off * 512 + 1)) "$f" | head -c $((n * 512)) | sha256sum | cut -d' ' -f1
}
want=$(sha256sum <"$SH/src.bin" | cut -d' ' -f1)
jqe() { jq -e "$2" "$1" >/dev/null; }

# ---- a. probe
gok osjobs "probe /dev/vg/src (linear LV)" 60 <<'G'
$VITK -o json odx probe /dev/vg/src >/vm/probe_lv.json && $VITK odx probe /dev/vg/src
G
J=$SH/probe_lv.json
check "probe LV: layers dm-linear (LVM LV vg-src), then the disk with its sg node" -- \
	jqe "$J" '([.stacks[0].layers[].kind] | join(",")) == "dm-linear,disk" and (.stacks[0].layers[0].detail | test("LVM LV vg-src: 1 segment")) and (.stacks[0].layers[1].detail | test("sg node /dev/sg[0-9]+"))'
check "probe LV: token and xcopy possible, every layer allows them" -- \
	jqe "$J" '(.stacks[0].methods | map(.usable) == [true, true, true]) and ([.stacks[0].layers[] | .token, .xcopy] | unique == ["yes"])'
check "probe LV: the LUN's capabilities (VPD 8Fh, RCOP)" -- \
	jqe "$J" '.devices[0].populate_token and .devices[0].write_using_token and .devices[0].xcopy_lid1 and .devices[0].max_range_descriptors > 0 and .devices[0].max_segments > 0'
check "probe LV text: a line per method" -- gout_has '^/dev/vg/src: token yes$'

gok osjobs "thin, crypt, md, loop and a file on an ext4 LV set up" 180 <<G
A=\$(sdN VITK 0)
modprobe -a dm_thin_pool dm_crypt xts aes_generic raid1 loop || exit 1
lvcreate -q "$LVMC" -an -Zn -L 16M -n meta vg \$A && lvcreate -q "$LVMC" -an -Zn -L 32M -n data vg \$A &&
	lvcreate -q "$LVMC" -an -Zn -L 32M -n m1 vg \$A && lvcreate -q "$LVMC" -an -Zn -L 32M -n m2 vg \$A &&
	lvcreate -q "$LVMC" -an -Zn -L 64M -n fs vg \$A && vgchange -q "$LVMC" -ay vg || exit 1
dd if=/dev/zero of=/dev/vg/meta bs=1M count=1 oflag=direct status=none
dmsetup create pool --table "0 65536 thin-pool /dev/vg/meta /dev/vg/data 128 0" && dmsetup mknodes pool &&
	dmsetup message pool 0 "create_thin 0" && dmsetup create thin --table "0 65536 thin /dev/mapper/pool 0" &&
	dmsetup mknodes thin || exit 1
dmsetup create cr --table "0 65536 crypt aes-xts-plain64 \$(printf '%064d' 7) 0 /dev/vg/m1 0" &&
	dmsetup mknodes cr || exit 1
mdadm --create /dev/md0 --run -q --level=1 --raid-devices=2 --metadata=1.0 /dev/vg/m2 missing || exit 1
truncate -s 32M /root/loop.img && losetup /dev/loop0 /root/loop.img || exit 1
mkfs.ext4 -q /dev/vg/fs && mkdir -p /mnt/fs && mount /dev/vg/fs /mnt/fs || exit 1
head -c 8388608 /vm/src.bin >/mnt/fs/image.raw && sync
G
gok osjobs "probe thin, crypt, md, loop and a file" 60 <<'G'
$VITK -o json odx probe /dev/mapper/thin /dev/mapper/cr /dev/md0 /dev/loop0 /mnt/fs/image.raw >/vm/probe_ref.json
G
J=$SH/probe_ref.json
why() { jq -r ".stacks[$1].methods[$2].reason // \"usable\"" "$J"; }
check "probe thin: token refused by the dm-thin layer" -- eval '[[ "$(why 0 0)" =~ ^dm-[0-9]+\ \(dm-thin\):\ dm-thin ]]'
check "probe thin: the layer row says why" -- jqe "$J" '.stacks[0].layers[0].kind == "dm-thin" and (.stacks[0].layers[0].xcopy | test("^no: dm-thin"))'
check "probe crypt: xcopy refused by the dm-crypt layer" -- eval '[[ "$(why 1 1)" =~ ^dm-[0-9]+\ \(dm-crypt\):\ dm-crypt ]]'
check "probe md: refused by md0 (md)" -- eval '[[ "$(why 2 0)" =~ ^md0\ \(md\):\ md\ RAID ]]'
check "probe loop: refused by loop0 (loop)" -- eval '[[ "$(why 3 0)" =~ ^loop0\ \(loop\):\ loop\ device ]]'
check "probe: host possible for every refused device" -- jqe "$J" '[.stacks[0:4][] | .methods[2].usable] == [true, true, true, true]'
check "probe file: file, dm-linear, disk layers; offloadable; FIEMAP written" -- \
	jqe "$J" '.stacks[4].file and .stacks[4].offloadable and ([.stacks[4].layers[].kind] | join(",")) == "file,dm-linear,disk" and (.stacks[4].layers[0].detail | test("^FIEMAP: 8388608 bytes written"))'
check "probe: 5 stacks, 20 pairs" -- jqe "$J" '(.stacks | length) == 5 and (.pairs | length) == 20'

# ---- b. resume after kill -9
# killed METHOD LV: start the copy in the background, kill -9 it once its job row shows progress
killed() {
	gok osjobs "copy src -> $2 --method $1 killed with -9 once the job shows progress" 300 <<G
\$VITK odx copy /dev/vg/src /dev/vg/$2 --method $1 --max-blocks-per-command 256 >/vm/killed.$1.out 2>&1 &
P=\$!
for i in \$(seq 1200); do
	# no jq in the guest: the running job's blocks_done from the compact JSON
	d=\$(\$VITK -o json odx jobs 2>/dev/null | tr -d ' \\n' | grep -o '"dst":"/dev/vg/$2"[^}]*' |
		grep '"result":"running"' | grep -o '"blocks_done":[0-9]*' | cut -d: -f2 | head -1)
	[ "\${d:-0}" -gt 0 ] && break
	kill -0 \$P 2>/dev/null || break
	sleep 0.1
done
kill -9 \$P || { echo "the copy ended before it could be killed"; exit 1; }
wait \$P
\$VITK -o json odx jobs >/vm/jobs.$1.json
echo "killed at block \$d"
G
	jq -r "[.[] | select(.dst == \"/dev/vg/$2\")][0].job" "$SH/jobs.$1.json" >"$SH/job.$1"
}
job_of() { cat "$SH/job.$1"; }
row() { jq -r "[.[] | select(.job == \"$(job_of "$1")\")][0]$2" "$SH/$3"; }

killed token tok
check "token job: interrupted, partly done" -- \
	eval '[ "$(row token .result jobs.token.json)" = interrupted ] && [ "$(row token .blocks_done jobs.token.json)" -gt 0 ] && [ "$(row token .blocks_done jobs.token.json)" -lt $((256 * 2048)) ]'
DONE0=$(row token .blocks_done jobs.token.json)
gok osjobs "resume the token job" 300 <<G
\$VITK -o json odx copy --resume $(job_of token) >/vm/resumed.token.json &&
	\$VITK -o json odx jobs $(job_of token) >/vm/job.token.json &&
	\$VITK -o json inventory sql "select side, idx, dev, kind, detail from odx_blk_layer where job = '$(job_of token)' order by side, idx" >/vm/layers.token.json
G
J=$SH/job.token.json
check "token resume: the clone's sha256 == the source's" -- [ "$(lv_sha tok)" = "$want" ]
RCMDS=$(jq .commands "$SH/resumed.token.json")
check "token resume: job ok, all blocks done, method token; the killed run counted too (2 runs, bytes of both, more commands than the resumed run's $RCMDS)" -- \
	jqe "$J" ".result == \"ok\" and .blocks_done == 524288 and .runs == 2 and .method == \"token\" and .bytes == 524288 * 512 and .commands > $RCMDS"
check "token resume: bytes of the resumed run == the blocks left ($DONE0 done before)" -- \
	jqe "$SH/resumed.token.json" ".bytes == (524288 - $DONE0) * 512 and .offload_blocks == 524288 - $DONE0"
check "token resume: the recorded layers (src: dm-linear, disk, map; dst likewise)" -- \
	jqe "$SH/layers.token.json" '([.[] | .side + ":" + .kind] | join(",")) == "dst:dm-linear,dst:disk,dst:map,src:dm-linear,src:disk,src:map" and ([.[] | select(.kind == "map") | .detail | test("^268435456 bytes, 512-byte blocks on /dev/sg[0-9]+, 1 range")] == [true, true])'

killed xcopy xc
check "xcopy job: interrupted" -- eval '[ "$(row xcopy .result jobs.xcopy.json)" = interrupted ]'
gfail osjobs "resume refused after the destination LV was resized" 120 <<G
lvextend -q "$LVMC" -L +4M vg/xc && dmsetup table vg-xc
\$VITK odx copy --resume $(job_of xcopy)
G
check "resize: the reason names the changed layer" -- gout_has "the destination's device stack changed since the job started: layer [0-9]+ was"
gok osjobs "resized back, the xcopy job resumes" 300 <<G
lvreduce -q -f "$LVMC" -L 256M vg/xc && dmsetup table vg-xc &&
	\$VITK -o json odx copy --resume $(job_of xcopy) >/vm/resumed.xcopy.json &&
	\$VITK -o json odx jobs $(job_of xcopy) >/vm/job.xcopy.json
G
check "xcopy resume: the clone's sha256 == the source's" -- [ "$(lv_sha xc)" = "$want" ]
check "xcopy resume: job ok, all blocks done, method xcopy" -- \
	jqe "$SH/job.xcopy.json" '.result == "ok" and .blocks_done == 524288 and .method == "xcopy"'

# ---- c. verify (a 32 MiB job: --verify reads both sides through iSCSI, slow under TCG)
gok osjobs "a 32 MiB token job between two new LVs" 120 <<G
A=\$(sdN VITK 0) B=\$(sdN VITK 1)
lvcreate -q "$LVMC" -an -Zn -L 32M -n vsrc vg \$A && lvcreate -q "$LVMC" -an -Zn -L 32M -n vdst vg \$B &&
	vgchange -q "$LVMC" -ay vg || exit 1
head -c 33554432 /vm/src.bin | dd of=/dev/vg/vsrc bs=1M oflag=direct status=none || exit 1
\$VITK -o json odx copy /dev/vg/vsrc /dev/vg/vdst --method token >/vm/vcopy.json || exit 1
dmsetup table | tee /vm/tables
G
VJOB=$(jq -r .job "$SH/vcopy.json")
gok osjobs "--verify of the finished job" 120 <<G
\$VITK -o json odx copy --resume $VJOB --verify >/vm/verify1.json
G
check "verify: clean copy verified, nothing copied" -- jqe "$SH/verify1.json" '.verified == true and .bytes == 0 and .commands == 0'
read -r F OFF N <<<"$(lv_where vdst)"
BLK=50000
check "verify: vdst is 32 MiB on the host" -- [ "$N" = 65536 ]
printf 'vitk was here' | dd of="$F" bs=1 seek=$(((OFF + BLK) * 512 + 7)) conv=notrunc status=none
gfail osjobs "--verify after a block of the clone changed behind the array's back" 120 <<G
\$VITK odx copy --resume $VJOB --verify
G
check "verify: the mismatch names the destination's disk block $((OFF + BLK))" -- gout_has "verify: '/dev/sg[0-9]+' block $((OFF + BLK)) differs from '/dev/sg[0-9]+' block [0-9]+"
gok osjobs "the job row says failed, with the mismatch" 60 <<G
\$VITK -o json odx jobs $VJOB >/vm/vjob.json
G
check "verify: job failed, error names block $((OFF + BLK)), not verified" -- \
	jqe "$SH/vjob.json" ".result == \"failed\" and (.error | test(\"block $((OFF + BLK)) differs\")) and .verified == false and .runs == 3"

vm_halt osjobs
kill -TERM $SERVE
wait $SERVE
vm_finish
