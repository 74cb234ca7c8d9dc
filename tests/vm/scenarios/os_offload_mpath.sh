#!/usr/bin/env bash
# OS-level offload through dm-multipath (issue 13): our lab target listens on
# two portals (one target port group, implicit ALUA, the same LUN identity on
# both), open-iscsi in the guest logs in through each, so each of the two LUNs
# shows up as two sd devices; multipath-tools (run by hand: no systemd, no
# udev; WWIDs from sysfs) makes one map per LUN with both paths, and LVM sits
# on the maps.  Checked: `vitk odx resolve` names the dm-multipath layer and
# the path it chose and its sg node; clones by token and by xcopy (sha256 on
# the host from the backing files, the target's --stats); a path the map has
# failed (dmsetup message fail_path) while its SCSI device still runs is not
# picked; a portal's paths set offline (sysfs device/state): multipath and the
# kernel's map show them failed, vitk picks the remaining path and a clone of
# new data is right; a map with no running path is refused naming the
# dm-multipath layer (resolve, copy --dry-run; the copy itself fails); the
# other portal's session logged out (its sd devices removed): the map fails
# those paths, vitk picks the first portal's again and a token clone is right.
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:osmpath
MB=300
LV=64 # MiB per LV
truncate -s ${MB}M "$W/lun0.img" "$W/lun1.img"
serve_start "$W/stats.json" -o json odx serve --portal 127.0.0.1:3260 --portal 127.0.0.1:3261 --iqn $IQN \
	--lun "0=$W/lun0.img,size=${MB}M" --lun "1=$W/lun1.img,size=${MB}M" --stats || { vm_finish; exit 1; }

vm_boot mp || { vm_finish; exit 1; }
S=$W/mp.share
head -c $((LV * 1048576)) /dev/urandom >"$S/src.bin"
head -c $((LV * 1048576)) /dev/urandom >"$S/src2.bin"
# only the multipath maps are PVs (the sd paths carry the same label)
LVMC='--config=activation{udev_sync=0 udev_rules=0} devices{obtain_device_list_from_udev=0 filter=[\"a|^/dev/mapper/mpath|\",\"r|.*|\"]}'

# checks DESC -- 'CMD' 'CMD'...: one counted assertion, every command (a
# string, eval'd at the check) must pass; the failing one is shown
checks() {
	local d=$1 c
	shift
	[ "$1" = -- ] && shift
	for c in "$@"; do
		if ! eval "$c" >/dev/null 2>&1; then
			fail "$d"
			echo "  (failed: $c)"
			return
		fi
	done
	ok "$d"
}

# After login (portal :3260 first, so its SCSI host number is lower) scsi_list
# orders the paths as 0 = LUN 0 via :3260, 1 = LUN 1 via :3260, 2 = LUN 0 via
# :3261, 3 = LUN 1 via :3261.  /vm/paths: "LUN MAP DM sdX sgN sdY sgM".
gok mp "open-iscsi through two portals: 2 LUNs x 2 paths; multipath maps; VG on them" 240 <<G
modprobe -a iscsi_tcp dm_mod dm_multipath dm_round_robin dm_service_time scsi_dh_alua && iscsid || exit 1
sleep 0.5
for port in 3260 3261; do
	iscsiadm -m node -o new -T $IQN -p 10.0.2.2:\$port >/dev/null || exit 1
done
iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 2 &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3261 --login && wait_scsi VITK 4 || exit 1
lsscsi -g
for d in \$(scsi_list VITK | awk '{ print \$2 }'); do echo "\$d dh_state \$(cat /sys/block/\$d/device/dh_state)"; done
mkdir -p /etc/multipath
cat >/etc/multipath.conf <<EOF
defaults {
	find_multipaths off
	user_friendly_names yes
	uid_attribute ""
	path_grouping_policy multibus
	path_checker tur
	no_path_retry fail
}
blacklist {
	devnode "^vd[a-z]"
}
EOF
# multipath only considers devices udev has initialized (a udev database
# entry); without udevd we write those entries ourselves
mkdir -p /run/udev/data
for d in \$(scsi_list VITK | awk '{ print \$2 }'); do echo "I:1" >/run/udev/data/b\$(cat /sys/block/\$d/dev); done
multipath -v2 || exit 1
# multipath leaves the /dev/mapper nodes to udev
dmsetup mknodes
multipath -ll
dmsetup ls --target multipath | grep -q mpath || { multipath -v3 2>&1 | tail -80; exit 1; }
: >/vm/paths
for i in 0 1; do
	a=\$(scsi_list VITK | awk -v i=\$i 'NR == i + 1 { print \$2, \$3 }')
	b=\$(scsi_list VITK | awk -v i=\$i 'NR == i + 3 { print \$2, \$3 }')
	dm=\$(ls /sys/block/\${a% *}/holders) && [ -n "\$dm" ] && [ "\$(ls /sys/block/\${b% *}/holders)" = "\$dm" ] || exit 1
	echo "\$i \$(cat /sys/block/\$dm/dm/name) \$dm \$a \$b" >>/vm/paths
done
cat /vm/paths
M0=\$(awk '\$1 == 0 { print \$2 }' /vm/paths) M1=\$(awk '\$1 == 1 { print \$2 }' /vm/paths)
[ -b /dev/mapper/\$M0 ] && [ -b /dev/mapper/\$M1 ] || { ls -l /dev/mapper; exit 1; }
pvcreate -q "$LVMC" /dev/mapper/\$M0 /dev/mapper/\$M1 && vgcreate -q "$LVMC" vg /dev/mapper/\$M0 /dev/mapper/\$M1 || exit 1
lvcreate -q "$LVMC" -an -Zn -L ${LV}M -n src vg /dev/mapper/\$M0 &&
	for n in tok xc fo; do lvcreate -q "$LVMC" -an -Zn -L ${LV}M -n \$n vg /dev/mapper/\$M1 || exit 1; done &&
	vgchange -q "$LVMC" -ay vg || exit 1
dd if=/vm/src.bin of=/dev/vg/src bs=1M oflag=direct status=none && ls -l /dev/vg/ || exit 1
echo "\$(cat /sys/block/\$(awk '\$1 == 0 { print \$3 }' /vm/paths)/dev) \$(cat /sys/block/\$(awk '\$1 == 1 { print \$3 }' /vm/paths)/dev)" >/vm/devs
dmsetup table | tee /vm/tables
G
[ "$GRC" = 0 ] || { vm_finish; exit 1; }
# path LUN FIELD: from /vm/paths (map, dm, sd1, sg1, sd2, sg2)
path() { awk -v l="$1" -v f="$2" '$1 == l { print $(f == "map" ? 2 : f == "dm" ? 3 : f == "sd1" ? 4 : f == "sg1" ? 5 : f == "sd2" ? 6 : 7) }' "$S/paths"; }
checks "multipath: one map per LUN, each over a path through each portal" -- \
	'[ "$(wc -l <"$S/paths")" = 2 ]' '[ -n "$(path 0 sd2)" ]' '[ -n "$(path 1 sd2)" ]'
check "multipath -ll: the map of LUN 0 lists both paths active ready running" -- \
	[ "$(grep -cE "[0-9]+:[0-9]+:[0-9]+:0 +($(path 0 sd1)|$(path 0 sd2)) .*active +ready +running" "$GOUT")" = 2 ]
check "ALUA: the kernel attached the alua device handler to every path" -- \
	[ "$(grep -c ' dh_state alua$' "$GOUT")" = 4 ]

# lv_sha LV: sha256 of a one-segment LV, read on the host from its LUN's backing file
lv_sha() {
	local line devt off n f
	line=$(grep "^vg-$1: " "$S/tables") || return 1
	read -r _ _ n _ devt off <<<"$line"
	set -- $(cat "$S/devs")
	if [ "$devt" = "$1" ]; then f=$W/lun0.img; elif [ "$devt" = "$2" ]; then f=$W/lun1.img; else return 1; fi
	tail -c +$((off * 512 + 1)) "$f" | head -c $((n * 512)) | sha256sum | cut -d' ' -f1
}
want=$(sha256sum <"$S/src.bin" | cut -d' ' -f1)
jqe() { jq -e "$2" "$1"; }
# the dm-multipath layer's detail: "MAP: path sdX of 2 (sdX, sdY)"
mp_detail() { jget "$1" "[.devices[$2].layers[] | select(.kind == \"dm-multipath\") | .detail][0]"; }
guest_sg() { # sdX: its sg node, as the guest's sysfs said
	awk -v d="$1" '$4 == d { print "/dev/" $5 } $6 == d { print "/dev/" $7 }' "$S/paths"
}

gok mp "resolve /dev/vg/src and /dev/vg/tok: LV on a multipath map" <<'G'
$VITK -o json odx resolve /dev/vg/src /dev/vg/tok >/vm/resolve.json
G
J=$S/resolve.json
check "resolve: layers dm-linear (LVM LV vg-src), dm-multipath, disk" -- \
	jqe "$J" '([.devices[0].layers[].kind] | join(",")) == "dm-linear,dm-multipath,disk" and (.devices[0].layers[0].detail | test("LVM LV vg-src"))'
D=$(mp_detail "$J" 0)
echo "  resolve: $D"
check "resolve: the multipath layer names the map and both paths" -- \
	[ "$D" = "$(path 0 map): path $(path 0 sd1) of 2 ($(path 0 sd1), $(path 0 sd2))" ]
check "resolve: offloadable on the chosen path's sg node" -- \
	[ "$(jget "$J" '.devices[0].sg')" = "$(guest_sg "$(path 0 sd1)")" ]
checks "resolve: the destination's map and path" -- \
	'[ "$(mp_detail "$J" 1)" = "$(path 1 map): path $(path 1 sd1) of 2 ($(path 1 sd1), $(path 1 sd2))" ]' \
	'[ "$(jget "$J" ".devices[1].sg")" = "$(guest_sg "$(path 1 sd1)")" ]'
check "resolve: one range of $LV MiB" -- [ "$(jget "$J" '.devices[0].ranges | map(.count) | add')" = $((LV * 2048)) ]

gok mp "copy /dev/vg/src -> /dev/vg/tok --method token" 300 <<'G'
$VITK -o json odx copy /dev/vg/src /dev/vg/tok --method token >/vm/tok.json
G
J=$S/tok.json
check "token: method token, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = token0 ]
check "token: sha256 of the clone == the source's" -- [ "$(lv_sha tok)" = "$want" ]
checks "token: $LV MiB offloaded, host bytes < 64 KiB" -- \
	'[ "$(jget "$J" .offload_blocks)" = $((LV * 2048)) ]' '[ "$(jget "$J" .host_bytes)" -lt 65536 ]'

gok mp "copy /dev/vg/src -> /dev/vg/xc --method xcopy" 300 <<'G'
$VITK -o json odx copy /dev/vg/src /dev/vg/xc --method xcopy >/vm/xc.json
G
J=$S/xc.json
check "xcopy: method xcopy, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = xcopy0 ]
check "xcopy: sha256 of the clone == the source's" -- [ "$(lv_sha xc)" = "$want" ]
checks "xcopy: $LV MiB offloaded, host bytes < 64 KiB" -- \
	'[ "$(jget "$J" .offload_blocks)" = $((LV * 2048)) ]' '[ "$(jget "$J" .host_bytes)" -lt 65536 ]'

# ---- the kernel's map fails a path whose SCSI device still runs (what
# multipathd does when its checker or an I/O error says so): the path is
# unusable for the map, and vitk must not pick it
gok mp "dm-multipath fails LUN 0's first path (its SCSI device stays running)" <<G
dmsetup message $(path 0 map) 0 fail_path \$(cat /sys/block/$(path 0 sd1)/dev) || exit 1
echo "status: \$(dmsetup status $(path 0 map))"
cat /sys/block/$(path 0 sd1)/device/state
\$VITK -o json odx resolve /dev/vg/src >/vm/resolve-dmfail.json
rc=\$?
dmsetup message $(path 0 map) 0 reinstate_path \$(cat /sys/block/$(path 0 sd1)/dev)
exit \$rc
G
checks "dm-failed path: the map says F, the SCSI device says running" -- \
	'gout_has "^status: .* F .*"' 'gout_has "^running$"'
J=$S/resolve-dmfail.json
echo "  resolve with a dm-failed path: $(mp_detail "$J" 0)"
checks "dm-failed path: vitk picks the map's active path $(path 0 sd2)" -- \
	'[ "$(mp_detail "$J" 0)" = "$(path 0 map): path $(path 0 sd2) of 2 ($(path 0 sd1), $(path 0 sd2))" ]' \
	'[ "$(jget "$J" ".devices[0].sg")" = "$(guest_sg "$(path 0 sd2)")" ]'

# ---- a path fails: portal :3260's two paths (the ones vitk chose) go offline
A0=$(path 0 sd1) A1=$(path 1 sd1) B0=$(path 0 sd2) B1=$(path 1 sd2)
gok mp "portal :3260's paths offline; new data written through the map" 180 <<G
echo offline >/sys/block/$A0/device/state && echo offline >/sys/block/$A1/device/state || exit 1
# I/O through the maps: dm-multipath fails the offline paths and retries on the others
dd if=/vm/src2.bin of=/dev/vg/src bs=1M oflag=direct status=none || exit 1
dd if=/dev/vg/fo of=/dev/null bs=1M count=8 iflag=direct status=none || exit 1
multipath -ll
echo "status: \$(dmsetup status $(path 0 map))"
echo "status: \$(dmsetup status $(path 1 map))"
G
checks "multipath -ll: LUN 0's path $A0 failed (faulty, offline), $B0 active" -- \
	'gout_has "[0-9]+:[0-9]+:[0-9]+:0 +$A0 .*failed +faulty +offline"' 'gout_has "[0-9]+:[0-9]+:[0-9]+:0 +$B0 .*active +ready +running"'
checks "multipath -ll: LUN 1's path $A1 failed (faulty, offline), $B1 active" -- \
	'gout_has "[0-9]+:[0-9]+:[0-9]+:1 +$A1 .*failed +faulty +offline"' 'gout_has "[0-9]+:[0-9]+:[0-9]+:1 +$B1 .*active +ready +running"'
check "dmsetup status: the kernel's maps have exactly one failed path each" -- \
	[ "$(grep '^status: ' "$GOUT" | grep -o ' [0-9]*:[0-9]* F ' | wc -l)" = 2 ]
gok mp "resolve and clone by token after the failover" 300 <<'G'
$VITK -o json odx resolve /dev/vg/src /dev/vg/fo >/vm/resolve2.json || exit 1
$VITK -o json odx copy /dev/vg/src /dev/vg/fo --method token >/vm/fo.json
G
J=$S/resolve2.json
D=$(mp_detail "$J" 0)
echo "  resolve after failover: $D"
checks "failover: vitk picks the remaining path of LUN 0 ($B0) and its sg node" -- \
	'[ "$D" = "$(path 0 map): path $B0 of 2 ($A0, $B0)" ]' '[ "$(jget "$J" ".devices[0].sg")" = "$(guest_sg "$B0")" ]'
checks "failover: vitk picks the remaining path of LUN 1 ($B1) and its sg node" -- \
	'[ "$(mp_detail "$J" 1)" = "$(path 1 map): path $B1 of 2 ($A1, $B1)" ]' '[ "$(jget "$J" ".devices[1].sg")" = "$(guest_sg "$B1")" ]'
J=$S/fo.json
checks "failover: method token, no fallback, $LV MiB offloaded" -- \
	'[ "$(jget "$J" ".method + (.fallbacks | length | tostring)")" = token0 ]' '[ "$(jget "$J" .offload_blocks)" = $((LV * 2048)) ]'
check "failover: sha256 of the clone == the NEW source data's" -- \
	[ "$(lv_sha fo)" = "$(sha256sum <"$S/src2.bin" | cut -d' ' -f1)" ]

# ---- no running path left for LUN 0
gok mp "LUN 0's last path offline" <<G
echo offline >/sys/block/$B0/device/state
multipath -ll $(path 0 map)
G
check "multipath -ll: LUN 0's last path $B0 faulty offline too" -- gout_has "[0-9]+:[0-9]+:[0-9]+:0 +$B0 .*faulty +offline"
gok mp "resolve says why the map is not offloadable" <<'G'
$VITK odx resolve /dev/vg/src
G
check "resolve: not offloadable, the reason names dm-multipath" -- \
	gout_has "^/dev/vg/src: not offloadable: $(path 0 dm) \(dm-multipath\): no running path"
g mp "copy --dry-run: the plan rejects the token method naming the multipath layer" 120 <<'G'
$VITK odx copy /dev/vg/src /dev/vg/tok --method token --count 2048 --dry-run
G
echo "  dry-run rc $GRC: $(tail -3 "$GOUT")"
check "dry-run: the reason names the multipath layer" -- gout_has "$(path 0 dm) \(dm-multipath\): no running path"
gfail mp "a token copy from a map with no running path fails" 120 <<'G'
$VITK odx copy /dev/vg/src /dev/vg/tok --method token --count 2048
G
echo "  copy: $(tail -3 "$GOUT")"
check "copy: the failed flush names the multipath layer" -- gout_has "flushing the page cache \($(path 0 dm) \(dm-multipath\): no running path"
# ---- the other failure: portal :3261's session logged out (its sd devices go away)
gok mp "paths back (running, reinstated in the maps); portal :3261 logged out" 180 <<G
for d in $A0 $A1 $B0; do echo running >/sys/block/\$d/device/state || exit 1; done
dmsetup message $(path 0 map) 0 reinstate_path \$(cat /sys/block/$A0/dev) &&
	dmsetup message $(path 1 map) 0 reinstate_path \$(cat /sys/block/$A1/dev) || exit 1
echo "devt $A0: \$(cat /sys/block/$A0/dev)"
echo "devt $B0: \$(cat /sys/block/$B0/dev)"
iscsiadm -m node -T $IQN -p 10.0.2.2:3261 --logout || exit 1
for i in \$(seq 100); do [ ! -e /sys/block/$B0 ] && [ ! -e /sys/block/$B1 ] && break; sleep 0.1; done
[ ! -e /sys/block/$B0 ] && [ ! -e /sys/block/$B1 ] || exit 1
echo "slaves: \$(ls /sys/block/$(path 0 dm)/slaves | tr '\n' ' ')"
# I/O through the maps: the kernel fails the paths that went away
dd if=/dev/vg/src of=/dev/null bs=1M count=8 iflag=direct status=none &&
	dd if=/dev/vg/tok of=/dev/null bs=1M count=8 iflag=direct status=none || exit 1
multipath -ll
echo "status: \$(dmsetup status $(path 0 map))"
\$VITK -o json odx resolve /dev/vg/src /dev/vg/tok >/vm/resolve3.json || exit 1
\$VITK -o json odx copy /dev/vg/src /dev/vg/tok --method token >/vm/tok2.json
G
echo "  after the logout: $(grep '^slaves: ' "$GOUT"); resolve: $(mp_detail "$S/resolve3.json" 0)"
dv() { sed -n "s/^devt $1: //p" "$GOUT"; }
checks "logout: the map has failed the path that went away ($B0), $A0 is active again" -- \
	'[ -n "$(dv "$A0")" ] && [ -n "$(dv "$B0")" ]' 'gout_has "^status: .* $(dv "$A0") A "' 'gout_has "^status: .* $(dv "$B0") F "'
J=$S/resolve3.json
checks "logout: vitk picks $A0 and $A1 again, with their sg nodes" -- \
	'[[ "$(mp_detail "$J" 0)" == "$(path 0 map): path $A0 of "[12]" ("* ]]' '[ "$(jget "$J" ".devices[0].sg")" = "$(guest_sg "$A0")" ]' \
	'[[ "$(mp_detail "$J" 1)" == "$(path 1 map): path $A1 of "[12]" ("* ]]' '[ "$(jget "$J" ".devices[1].sg")" = "$(guest_sg "$A1")" ]'
J=$S/tok2.json
checks "logout: token clone, no fallback; sha256 == the source's new data" -- \
	'[ "$(jget "$J" ".method + (.fallbacks | length | tostring)")" = token0 ]' \
	'[ "$(lv_sha tok)" = "$(sha256sum <"$S/src2.bin" | cut -d" " -f1)" ]'
vm_halt mp
kill -TERM $SERVE
wait $SERVE
st() { jq "[.[] | .$1] | add" "$W/stats.json"; }
check "stats: the target copied the four clones inside (>= 4 x $LV MiB)" -- \
	[ "$(st bytes_copied_internal)" -ge $((4 * LV * 1048576)) ]
# the guest wrote the source twice (2 x $LV MiB) plus LVM metadata; the clones' bytes never crossed the wire
check "stats: wire writes < 2 x $LV MiB + 4 MiB" -- [ "$(st bytes_written_wire)" -lt $(((2 * LV + 4) * 1048576)) ]
echo "stats: copied inside $(st bytes_copied_internal), wire read $(st bytes_read_wire), wire written $(st bytes_written_wire)"
vm_finish
