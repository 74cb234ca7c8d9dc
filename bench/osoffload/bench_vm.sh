#!/usr/bin/env bash
# The guest side of bench/osoffload/run.sh (sources the tier's tests/vm/lib.sh).
source "$(dirname "$0")/../../tests/vm/lib.sh"
IQN=iqn.2026-01.lab.vitk:osbench
SIZE=${OSBENCH_MIB:-1024} # the LV size in MiB (1 GiB by default)
MB=$((SIZE * 3 + 200)) # LUN 1 holds three clones
GIB=$((SIZE * 1048576)) # bytes of one LV
truncate -s ${MB}M "$W/lun0.img" "$W/lun1.img"
# the source LV is the first on LUN 0's PV: its data starts at pe_start (1 MiB),
# so it is filled on the host side (filling 1 GiB through the guest takes minutes)
head -c $GIB /dev/urandom | dd of="$W/lun0.img" bs=1M seek=1 conv=notrunc status=none
"$VITK" -o json odx serve --portal 127.0.0.1:3260 --iqn $IQN \
	--lun "0=$W/lun0.img,size=${MB}M" --lun "1=$W/lun1.img,size=${MB}M" --stats \
	--pidfile "$W/serve.pid" >"$W/stats.json" 2>"$W/serve.log" &
SERVE=$!
HOSTPIDS+=("$SERVE")
for _ in $(seq 100); do [ -s "$W/serve.pid" ] && break; sleep 0.1; done
vm_boot bench || { vm_finish; exit 1; }
LVMC='--config=activation{udev_sync=0 udev_rules=0} devices{obtain_device_list_from_udev=0}'
gok bench "login, VG, four LVs of $SIZE MiB" 180 <<G
modprobe iscsi_tcp && modprobe dm_mod && iscsid || exit 1
sleep 0.5
iscsiadm -m node -o new -T $IQN -p 10.0.2.2:3260 >/dev/null &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 2 || exit 1
A=\$(sdN VITK 0) B=\$(sdN VITK 1)
pvcreate -q "$LVMC" --dataalignment 1m \$A \$B && vgcreate -q "$LVMC" vg \$A \$B || exit 1
lvcreate -q "$LVMC" -an -Zn -L ${SIZE}M -n src vg \$A && lvcreate -q "$LVMC" -an -Zn -L ${SIZE}M -n tok vg \$B &&
	lvcreate -q "$LVMC" -an -Zn -L ${SIZE}M -n dd vg \$B && lvcreate -q "$LVMC" -an -Zn -L ${SIZE}M -n qi vg \$B &&
	vgchange -q "$LVMC" -ay vg || exit 1
echo "\${A#/dev/} \${B#/dev/}" >/vm/disks
dmsetup table
G
gok bench "token clone of $SIZE MiB" 600 <<'G'
s=$(date +%s%N)
$VITK -o json odx copy /dev/vg/src /dev/vg/tok --method token >/vm/tok.json || exit 1
echo $((($(date +%s%N) - s) / 1000000)) >/vm/tok.ms
dmsetup table >/vm/tables
G
# the host copies: bytes through the host = sectors read + written on the two
# LUNs' sd devices (/sys/block/sdX/stat fields 3 and 7), before and after
gok bench "dd clone of the same LV (O_DIRECT, 4 MiB)" 3000 <<'G'
io() { local n=0 d r w; for d in $(cat /vm/disks); do read -r _ _ r _ _ _ w _ </sys/block/$d/stat; n=$((n + r + w)); done; echo $((n * 512)); }
b=$(io)
s=$(date +%s%N)
dd if=/dev/vg/src of=/dev/vg/dd bs=4M iflag=direct oflag=direct status=none || exit 1
echo $((($(date +%s%N) - s) / 1000000)) >/vm/dd.ms
echo $(($(io) - b)) >/vm/dd.bytes
G
gok bench "qemu-img convert of the same LV (-n -O raw -t none -T none)" 3000 <<'G'
io() { local n=0 d r w; for d in $(cat /vm/disks); do read -r _ _ r _ _ _ w _ </sys/block/$d/stat; n=$((n + r + w)); done; echo $((n * 512)); }
qemu-img --version | head -1
b=$(io)
s=$(date +%s%N)
qemu-img convert -n -f raw -O raw -t none -T none /dev/vg/src /dev/vg/qi || exit 1
echo $((($(date +%s%N) - s) / 1000000)) >/vm/qi.ms
echo $(($(io) - b)) >/vm/qi.bytes
G
vm_halt bench
kill -TERM $SERVE
wait $SERVE
S=$W/bench.share
# where the clones are on LUN 1: "vg-tok: 0 2097152 linear 8:16 OFFSET"
off() { awk -v n="vg-$1:" '$1 == n { print $6 }' "$S/tables"; }
check "token clone == source (host cmp of the backing files)" -- \
	cmp -n $GIB -i $((2048 * 512)):$(($(off tok) * 512)) "$W/lun0.img" "$W/lun1.img"
check "dd clone == source" -- cmp -n $GIB -i $((2048 * 512)):$(($(off dd) * 512)) "$W/lun0.img" "$W/lun1.img"
check "qemu-img clone == source" -- cmp -n $GIB -i $((2048 * 512)):$(($(off qi) * 512)) "$W/lun0.img" "$W/lun1.img"
tok=$(cat "$S/tok.ms") dd=$(cat "$S/dd.ms") qi=$(cat "$S/qi.ms")
hb=$(jq -r .host_bytes "$S/tok.json") ddb=$(cat "$S/dd.bytes") qib=$(cat "$S/qi.bytes")
echo "osoffload bench: $SIZE MiB LV clone: token $tok ms (host bytes $hb), dd $dd ms (host bytes $ddb), qemu-img convert $qi ms (host bytes $qib)"
echo "osoffload bench: time ratio dd/token $(echo "scale=1; $dd / $tok" | bc) x, qemu-img/token $(echo "scale=1; $qi / $tok" | bc) x"
echo "osoffload bench: host bytes per GiB: token $((hb * 1024 / SIZE)), dd $((ddb * 1024 / SIZE)), qemu-img $((qib * 1024 / SIZE))"
vm_finish
