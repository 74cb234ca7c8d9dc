# Sourced by every guest step (copied to /vm/guest-lib.sh at boot; not part of
# the cached image, so editing it needs no rebuild).

# scsi_list VENDOR: "H:C:T:L sdX sgN" per SCSI disk whose INQUIRY vendor starts
# with VENDOR, in H:C:T:L order
scsi_list() {
	local d h v b s
	for d in /sys/class/scsi_device/*; do
		[ -e "$d" ] || continue
		h=${d##*/}
		v=$(cat "$d/device/vendor")
		case "$v" in "$1"*) ;; *) continue ;; esac
		b=$(ls "$d/device/block" 2>/dev/null)
		s=$(ls "$d/device/scsi_generic" 2>/dev/null)
		echo "$h ${b:--} ${s:--}"
	done | sort -t: -k1,1n -k2,2n -k3,3n -k4,4n
}
# wait_scsi VENDOR N: until N such disks (with sd and sg nodes) exist, 30 s max
wait_scsi() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(scsi_list "$1" | grep -cv ' - ')" -ge "$2" ] && { sleep 0.2; return 0; }
		sleep 0.1
	done
	echo "wait_scsi: fewer than $2 '$1' disks:" >&2
	lsscsi -g >&2
	return 1
}
# sdN / sgN VENDOR INDEX: the INDEX-th (0-based) such disk's /dev node
sdN() { echo "/dev/$(scsi_list "$1" | awk -v i="$2" 'NR == i + 1 { print $2 }')"; }
sgN() { echo "/dev/$(scsi_list "$1" | awk -v i="$2" 'NR == i + 1 { print $3 }')"; }
# rd DEV LBA N: N 512-byte blocks from LBA, read with O_DIRECT (bypassing caches)
rd() { dd if="$1" iflag=direct,skip_bytes,count_bytes skip=$(($2 * 512)) count=$(($3 * 512)) bs=1M status=none; }
# same DEV1 LBA1 DEV2 LBA2 N: the two ranges hold the same bytes
same() { cmp <(rd "$1" "$2" "$5") <(rd "$3" "$4" "$5"); }
# fill DEV MIB: random data over the first MIB MiB
fill() { head -c "$(($2 * 1048576))" /dev/urandom | dd of="$1" oflag=direct bs=1M status=none; }
# sum DEV: md5 of the whole device, read with O_DIRECT
sum() { dd if="$1" iflag=direct bs=1M status=none | md5sum | cut -d' ' -f1; }
# jget FILE FILTER without jq in the guest: the host checks JSON; guests use grep

# --- LIO by raw configfs writes (targetcli needs D-Bus and costs seconds a call)
CFS=/sys/kernel/config/target
# lio_fileio NAME FILE SERIAL: a fileio backstore over FILE (which must exist)
lio_fileio() {
	local d=$CFS/core/fileio_0/$1
	mkdir -p "$d" || return 1
	echo "fd_dev_name=$2,fd_dev_size=$(stat -c %s "$2")" >"$d/control" || return 1
	# an explicit unit serial gives VPD 0x83 its NAA designator (the XCOPY CSCD id)
	echo "$3" >"$d/wwn/vpd_unit_serial" || return 1
	echo 1 >"$d/enable"
}
# lio_loop WWN LUN BACKSTORE: export through tcm_loop (a local SCSI disk)
lio_loop() {
	local t=$CFS/loopback/$1/tpgt_1
	mkdir -p "$t/lun/lun_$2" || return 1
	[ -n "$(cat "$t/nexus" 2>/dev/null)" ] || echo "${1%?}f" >"$t/nexus" || return 1
	ln -s "$CFS/core/fileio_0/$3" "$t/lun/lun_$2/$3"
}
# lio_iscsi IQN LUN BACKSTORE: export over iSCSI on 0.0.0.0:3260, open demo-mode
# ACLs (no CHAP); the TPG is enabled by lio_iscsi_enable IQN
lio_iscsi() {
	local t=$CFS/iscsi/$1/tpgt_1
	mkdir -p "$t/lun/lun_$2" || return 1
	ln -s "$CFS/core/fileio_0/$3" "$t/lun/lun_$2/$3"
}
lio_iscsi_enable() {
	local t=$CFS/iscsi/$1/tpgt_1
	mkdir -p "$t/np/0.0.0.0:3260" &&
		echo 0 >"$t/attrib/authentication" && echo 1 >"$t/attrib/generate_node_acls" &&
		echo 0 >"$t/attrib/demo_mode_write_protect" && echo 1 >"$t/attrib/cache_dynamic_acls" &&
		echo 1 >"$t/enable"
}
# fsame FILE1 LBA1 FILE2 LBA2 N: byte ranges of two files equal
fsame() { cmp -n $(($5 * 512)) -i $(($2 * 512)):$(($4 * 512)) "$1" "$3"; }
