#!/usr/bin/env bash
# OS-level offload of LVs that span two LUNs (issue 13): a VG over both LUNs
# of our lab target, an LV whose first half lies on LUN 0 and second half on
# LUN 1 (lvcreate, then lvextend on the other PV), cloned to LVs that span
# the other way round (first half on LUN 1): every piece pairs a disk with
# the other one.  By token (one token per run of pieces on one pair of
# disks), by xcopy (CSCDs for both disks), and a killed token job resumed.
# Checked: the resolve document lists both disks, sha256 of each clone (on
# the host, from the LUNs' backing files along the clone's dm table), no
# fallback, few host bytes, and the target's --stats (bytes copied inside).
# Then an LV across two targets (a second `vitk odx serve`): the piece that
# would need a copy between the targets falls back to the host, with the copy
# manager's reason; the rest is offloaded.
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:osspan
MB=400
truncate -s ${MB}M "$W/lun0.img" "$W/lun1.img"
"$VITK" -o json odx serve --portal 127.0.0.1:3260 --iqn $IQN \
	--lun "0=$W/lun0.img,size=${MB}M" --lun "1=$W/lun1.img,size=${MB}M" --stats \
	--pidfile "$W/serve.pid" >"$W/stats.json" 2>"$W/serve.log" &
SERVE=$!
HOSTPIDS+=("$SERVE")
# a second target (another copy manager) with one LUN, for an LV across targets
IQN2=iqn.2026-01.lab.vitk:osspan2
truncate -s 100M "$W/lun2.img"
"$VITK" -o json odx serve --portal 127.0.0.1:3262 --iqn $IQN2 --lun "0=$W/lun2.img,size=100M" \
	--stats --pidfile "$W/serve2.pid" >"$W/stats2.json" 2>"$W/serve2.log" &
SERVE2=$!
HOSTPIDS+=("$SERVE2")
for _ in $(seq 100); do [ -s "$W/serve.pid" ] && [ -s "$W/serve2.pid" ] && break; sleep 0.1; done
[ -s "$W/serve.pid" ] && [ -s "$W/serve2.pid" ] ||
	{ fail "lab targets did not start: $(tail -3 "$W/serve.log" "$W/serve2.log")"; vm_finish; exit 1; }

vm_boot osspan || { vm_finish; exit 1; }
head -c $((128 * 1048576)) /dev/urandom >"$W/osspan.share/src.bin"
LVMC='--config=activation{udev_sync=0 udev_rules=0} devices{obtain_device_list_from_udev=0}'
SH=$W/osspan.share

# span NAME FIRST SECOND MIB: an LV of MIB MiB, its first half on PV FIRST, the second on SECOND
gok osspan "open-iscsi login, VG over both LUNs, LVs that span them" 180 <<G
modprobe iscsi_tcp && modprobe dm_mod && iscsid || exit 1
sleep 0.5
iscsiadm -m node -o new -T $IQN -p 10.0.2.2:3260 >/dev/null &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 2 || exit 1
A=\$(sdN VITK 0) B=\$(sdN VITK 1)
pvcreate -q "$LVMC" \$A \$B && vgcreate -q "$LVMC" vg \$A \$B || exit 1
span() { lvcreate -q "$LVMC" -an -Zn -L \$(( \$4 / 2 ))M -n \$1 vg \$2 &&
	lvextend -q "$LVMC" -L +\$(( \$4 / 2 ))M vg/\$1 \$3; }
# a pad on LUN 1 first: the halves of src lie at different offsets of their LUNs, so a
# token that mixed the disks' ranges would copy other blocks (not just be refused)
lvcreate -q "$LVMC" -an -Zn -L 40M -n pad vg \$B || exit 1
span src \$A \$B 64 && span tok \$B \$A 64 && span xc \$B \$A 64 &&
	span big \$A \$B 128 && span bigc \$B \$A 128 && vgchange -q "$LVMC" -ay vg || exit 1
dd if=/vm/src.bin of=/dev/vg/src bs=1M count=64 oflag=direct status=none &&
	dd if=/vm/src.bin of=/dev/vg/big bs=1M oflag=direct status=none || exit 1
echo "\$(cat /sys/class/block/\${A#/dev/}/dev) \$(cat /sys/class/block/\${B#/dev/}/dev)" >/vm/devs
dmsetup table | tee /vm/tables
G
# lv_sha LV: sha256 of an LV, read on the host from the LUNs' backing files along its dm table
lv_sha() {
	local a b
	read -r a b <"$SH/devs"
	grep "^vg-$1: " "$SH/tables" | while read -r _ _ n _ devt off; do
		if [ "$devt" = "$a" ]; then f=$W/lun0.img; elif [ "$devt" = "$b" ]; then f=$W/lun1.img; else echo "?"; continue; fi
		tail -c +$((off * 512 + 1)) "$f" | head -c $((n * 512))
	done | sha256sum | cut -d' ' -f1
}
# segs LV: "MAJ:MIN MAJ:MIN": the disks of its segments, in order
segs() { grep "^vg-$1: " "$SH/tables" | awk '{print $5}' | tr '\n' ' ' | sed 's/ $//'; }
jqe() { jq -e "$2" "$1" >/dev/null; }
read -r DA DB <"$SH/devs"
want=$(head -c $((64 * 1048576)) "$SH/src.bin" | sha256sum | cut -d' ' -f1)
wantbig=$(sha256sum <"$SH/src.bin" | cut -d' ' -f1)
check "setup: src spans LUN 0 then LUN 1, tok LUN 1 then LUN 0" -- \
	eval '[ "$(segs src)" = "$DA $DB" ] && [ "$(segs tok)" = "$DB $DA" ] && [ "$(segs big)" = "$DA $DB" ]'
check "setup: the halves of src lie at different offsets" -- \
	eval '[ "$(grep "^vg-src: " "$SH/tables" | awk "{print \$6}" | sort -u | wc -l)" = 2 ]'

gok osspan "resolve /dev/vg/src: two disks" 60 <<'G'
$VITK -o json odx resolve /dev/vg/src >/vm/resolve.json && $VITK odx resolve /dev/vg/src
G
J=$SH/resolve.json
check "resolve: offloadable, two disks with their sg nodes" -- \
	jqe "$J" '.devices[0].offloadable and (.devices[0].disks | length) == 2 and ([.devices[0].disks[].sg | test("^/dev/sg[0-9]+$")] == [true, true]) and .devices[0].disks[0].sg != .devices[0].disks[1].sg'
check "resolve: layers dm-linear, then a disk layer per LUN" -- \
	jqe "$J" '([.devices[0].layers[].kind] | join(",")) == "dm-linear,disk,disk"'
check "resolve: two ranges of 32 MiB, one on each disk" -- \
	jqe "$J" '(.devices[0].ranges | map(.count)) == [65536, 65536] and .devices[0].ranges[0].sg == .devices[0].disks[0].sg and .devices[0].ranges[1].sg == .devices[0].disks[1].sg'
check "resolve text: offloadable on both sg nodes" -- gout_has '^/dev/vg/src: offloadable on /dev/sg[0-9]+ \+ /dev/sg[0-9]+, 2 ranges of 512-byte blocks$'

gok osspan "copy /dev/vg/src -> /dev/vg/tok --method token" 300 <<'G'
$VITK -o json odx copy /dev/vg/src /dev/vg/tok --method token >/vm/tok.json
G
J=$SH/tok.json
check "token: method token, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = token0 ]
check "token: sha256 of the clone == the source's" -- [ "$(lv_sha tok)" = "$want" ]
check "token: 64 MiB offloaded" -- [ "$(jget "$J" '.offload_blocks')" = $((64 * 2048)) ]
check "token: host bytes < 64 KiB" -- [ "$(jget "$J" '.host_bytes')" -lt 65536 ]
# the pieces are on two disk pairs (LUN 0 -> 1, LUN 1 -> 0): a token each, no multi-range
# token across disks: 2 x (POPULATE TOKEN, RRTI, WRITE USING TOKEN, RRTI)
check "token: one token per disk pair (8 commands)" -- [ "$(jget "$J" '.commands')" = 8 ]
echo "token: $(jget "$J" '.commands') commands, $(jget "$J" '.host_bytes') host bytes"

gok osspan "copy /dev/vg/src -> /dev/vg/xc --method xcopy (and the plan)" 300 <<'G'
$VITK -o json odx copy /dev/vg/src /dev/vg/xc --method xcopy --dry-run >/vm/xc-plan.json &&
	$VITK -o json odx copy /dev/vg/src /dev/vg/xc --method xcopy >/vm/xc.json
G
J=$SH/xc.json
check "xcopy: method xcopy, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = xcopy0 ]
check "xcopy: sha256 of the clone == the source's" -- [ "$(lv_sha xc)" = "$want" ]
check "xcopy: host bytes < 64 KiB" -- [ "$(jget "$J" '.host_bytes')" -lt 65536 ]
check "xcopy: both pieces in one EXTENDED COPY (4 CSCDs, 2 segments)" -- [ "$(jget "$J" '.commands')" = 1 ]
check "xcopy: the plan packs the 2 pieces (4 disks' CSCDs) into EXTENDED COPY commands" -- \
	jqe "$SH/xc-plan.json" '.note | test("^2 pieces .*: [0-9]+ EXTENDED COPY commands? of up to")'
echo "xcopy: $(jget "$J" '.commands') commands; plan: $(jget "$SH/xc-plan.json" .note)"

# ---- a token job over both disks, killed with -9 once it shows progress, then resumed
gok osspan "copy big -> bigc by token killed with -9 once the job shows progress" 300 <<'G'
$VITK odx copy /dev/vg/big /dev/vg/bigc --method token --max-blocks-per-command 256 >/vm/killed.out 2>&1 &
P=$!
for i in $(seq 1200); do
	d=$($VITK -o json odx jobs 2>/dev/null | tr -d ' \n' | grep -o '"dst":"/dev/vg/bigc"[^}]*' |
		grep '"result":"running"' | grep -o '"blocks_done":[0-9]*' | cut -d: -f2 | head -1)
	[ "${d:-0}" -gt 0 ] && break
	kill -0 $P 2>/dev/null || break
	sleep 0.1
done
kill -9 $P || { echo "the copy ended before it could be killed"; exit 1; }
wait $P
$VITK -o json odx jobs >/vm/jobs.json
echo "killed at block $d"
G
JOB=$(jq -r '[.[] | select(.dst == "/dev/vg/bigc")][0].job' "$SH/jobs.json")
DONE0=$(jq -r '[.[] | select(.dst == "/dev/vg/bigc")][0].blocks_done' "$SH/jobs.json")
check "killed: interrupted, partly done ($DONE0 blocks)" -- \
	eval '[ "$(jq -r "[.[] | select(.job == \"$JOB\")][0].result" "$SH/jobs.json")" = interrupted ] && [ "$DONE0" -gt 0 ] && [ "$DONE0" -lt $((128 * 2048)) ]'
gok osspan "resume the killed job" 300 <<G
\$VITK -o json odx copy --resume $JOB >/vm/resumed.json &&
	\$VITK -o json odx jobs $JOB >/vm/job.json &&
	\$VITK -o json inventory sql "select side, idx, dev, kind, detail from odx_blk_layer where job = '$JOB' order by side, idx" >/vm/layers.json
G
check "resume: the clone's sha256 == the source's" -- [ "$(lv_sha bigc)" = "$wantbig" ]
check "resume: job ok, all blocks done by token, no fallback, 2 runs" -- \
	jqe "$SH/job.json" '.result == "ok" and .blocks_done == 262144 and .method == "token" and .runs == 2'
check "resume: the resumed run copied the rest, offloaded, no fallback" -- \
	jqe "$SH/resumed.json" ".offload_blocks == 262144 - $DONE0 and (.fallbacks | length) == 0"
check "resume: the recorded layers list both disks of each side" -- \
	jqe "$SH/layers.json" '([.[] | .side + ":" + .kind] | join(",")) == "dst:dm-linear,dst:disk,dst:disk,dst:map,src:dm-linear,src:disk,src:disk,src:map" and ([.[] | select(.kind == "map") | .detail | test("512-byte blocks on /dev/sg[0-9]+ \\+ /dev/sg[0-9]+, 2 ranges")] == [true, true])'

# ---- an LV across two targets: the pieces on the second target's LUN cannot be
# offloaded to the first's (its copy manager refuses the other target's token and
# cannot reach its LU): they fall back to the host, the rest is offloaded
gok osspan "a second target's LUN in the VG; LV xt on LUN 0 of each target, cloned" 240 <<G
iscsiadm -m node -o new -T $IQN2 -p 10.0.2.2:3262 >/dev/null &&
	iscsiadm -m node -T $IQN2 -p 10.0.2.2:3262 --login && wait_scsi VITK 3 || exit 1
A=\$(sdN VITK 0) B=\$(sdN VITK 1) C=\$(sdN VITK 2)
pvcreate -q "$LVMC" \$C && vgextend -q "$LVMC" vg \$C || exit 1
lvcreate -q "$LVMC" -an -Zn -L 16M -n xt vg \$A && lvextend -q "$LVMC" -L +16M vg/xt \$C &&
	lvcreate -q "$LVMC" -an -Zn -L 32M -n xtt vg \$B && lvcreate -q "$LVMC" -an -Zn -L 32M -n xtx vg \$B &&
	vgchange -q "$LVMC" -ay vg || exit 1
dd if=/vm/src.bin of=/dev/vg/xt bs=1M count=32 oflag=direct status=none || exit 1
echo "\$(cat /sys/class/block/\${A#/dev/}/dev) \$(cat /sys/class/block/\${B#/dev/}/dev) \$(cat /sys/class/block/\${C#/dev/}/dev)" >/vm/devs3
dmsetup table >/vm/tables3
\$VITK -o json odx copy /dev/vg/xt /dev/vg/xtt --method token >/vm/xtt.json || exit 1
\$VITK -o json odx copy /dev/vg/xt /dev/vg/xtx --method xcopy >/vm/xtx.json
G
# lv_sha3 LV: lv_sha over the three LUNs
lv_sha3() {
	local a b c
	read -r a b c <"$SH/devs3"
	grep "^vg-$1: " "$SH/tables3" | while read -r _ _ n _ devt off; do
		case $devt in "$a") f=$W/lun0.img ;; "$b") f=$W/lun1.img ;; "$c") f=$W/lun2.img ;; *) echo "?"; continue ;; esac
		tail -c +$((off * 512 + 1)) "$f" | head -c $((n * 512))
	done | sha256sum | cut -d' ' -f1
}
want32=$(head -c $((32 * 1048576)) "$SH/src.bin" | sha256sum | cut -d' ' -f1)
check "across targets: xt lies on LUN 0 of each target" -- \
	eval '[ "$(grep "^vg-xt: " "$SH/tables3" | awk "{print \$5}" | tr "\n" " ")" = "$(cut -d" " -f1 "$SH/devs3") $(cut -d" " -f3 "$SH/devs3") " ]'
for m in xtt:token xtx:xcopy; do
	lv=${m%%:*} J=$SH/$lv.json
	check "across targets, ${m#*:}: sha256 of the clone == the source's" -- [ "$(lv_sha3 $lv)" = "$want32" ]
	check "across targets, ${m#*:}: the first target's half offloaded, the other by host" -- \
		jqe "$J" '.offload_blocks == 32768 and .host_blocks == 32768'
	check "across targets, ${m#*:}: one fallback to host at block 32768, with a reason" -- \
		jqe "$J" '[.fallbacks[] | .to] == ["host"] and .fallbacks[0].at_block == 32768 and (.fallbacks[0].reason | length) > 0'
	echo "across targets, ${m#*:}: $(jget "$J" '.fallbacks[0].reason')"
done

# ---- the probe of the spanning LV covers both disks (each LUN probed, each method on each)
gok osspan "probe /dev/vg/src: both disks" 60 <<'G'
$VITK -o json odx probe /dev/vg/src >/vm/probe.json && $VITK odx probe /dev/vg/src
G
J=$SH/probe.json
check "probe: both disks listed (a disk layer each with its sg node, both LUNs probed)" -- \
	jqe "$J" '([.stacks[0].layers[] | select(.kind == "disk") | .detail | test("^SCSI disk, sg node /dev/sg[0-9]+$")] == [true, true]) and (.devices | length) == 2 and .devices[0].device != .devices[1].device and ([.devices[].tpc] == [true, true])'
check "probe: token and xcopy possible on every disk and across them, no reason" -- \
	jqe "$J" '.stacks[0].offloadable and ([.stacks[0].methods[] | .method + ":" + (.usable | tostring)] | join(",")) == "token:true,xcopy:true,host:true" and ([.stacks[0].methods[].reason] == [null, null, null]) and ([.stacks[0].layers[] | .token, .xcopy] | unique) == ["yes"]'

vm_halt osspan
kill -TERM $SERVE $SERVE2
wait $SERVE $SERVE2
S=$W/stats.json
stat() { jq "[.[] | .$1] | add" "$S"; }
check "stats: the target copied the clones inside (>= 2 x 64 + 128 MiB)" -- [ "$(stat bytes_copied_internal)" -ge $(((2 * 64 + 128) * 1048576)) ]
check "stats: both LUNs copied inside" -- \
	jqe "$S" '[.[] | select(.bytes_copied_internal > 0) | .lun] | unique == [0, 1]'
echo "stats: copied inside $(stat bytes_copied_internal), wire read $(stat bytes_read_wire), wire written $(stat bytes_written_wire)"
vm_finish
