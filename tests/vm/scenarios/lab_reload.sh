#!/usr/bin/env bash
# SIGHUP reloads of `vitk odx serve --config` (host side of the namespace)
# seen by the Linux kernel's iSCSI initiator (open-iscsi in the guest): LUN 0
# grown under the session (the kernel logs "Capacity data has changed" for
# the 2Ah/09h unit attention; after the rescan that a udev rule or the
# operator does, the disk has the new size and its old data), shrinking it
# refused and logged, a new LUN 2 (the kernel logs the 3Fh/0Eh; a session
# rescan finds the disk).
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:reload
M=1048576
conf=$W/target.conf
# mkconf LUN-LINE...: the whole config, replaced atomically
mkconf() {
	{
		echo "iqn = $IQN"
		echo "portal = 127.0.0.1:3260"
		echo "pidfile = $W/serve.pid"
		printf '%s\n' "$@"
	} >"$conf.tmp" && mv "$conf.tmp" "$conf"
}
# hup PATTERN: SIGHUP, then up to 10 s for PATTERN in the target's log
hup() {
	local n
	n=$(wc -l <"$W/serve.log")
	kill -HUP "$SERVE"
	for _ in $(seq 100); do
		tail -n +"$((n + 1))" "$W/serve.log" | grep -q -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
head -c $((16 * M)) /dev/urandom >"$W/lun0.img"
mkconf "lun = 0=$W/lun0.img,size=16M" "lun = 1=$W/lun1.img,size=8M"
"$VITK" odx serve --config "$conf" 2>"$W/serve.log" &
SERVE=$!
HOSTPIDS+=("$SERVE")
for _ in $(seq 100); do [ -s "$W/serve.pid" ] && break; sleep 0.1; done
[ -s "$W/serve.pid" ] || { fail "lab target did not start: $(tail -3 "$W/serve.log")"; vm_finish; exit 1; }

vm_boot lab || { vm_finish; exit 1; }
gok lab "open-iscsi: login, 2 LUNs" 180 <<G
modprobe iscsi_tcp && iscsid || exit 1
sleep 0.5
iscsiadm -m node -o new -T $IQN -p 10.0.2.2:3260 >/dev/null &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 2 && lsscsi -g &&
	blockdev --getsize64 \$(sdN VITK 0) >/vm/size0
G
check "LUN 0: 16 MiB before the reload" -- [ "$(cat "$W/lab.share/size0")" = $((16 * M)) ]

mkconf "lun = 0=$W/lun0.img,size=32M" "lun = 1=$W/lun1.img,size=8M"
check "SIGHUP: LUN 0 grown under the session" -- hup "lun 0 changed ($W/lun0.img, $((32 * M)) bytes)"
gok lab "the kernel sees 2Ah/09h; rescan gives the new size, the old data stays" <<G
d=\$(sdN VITK 0)
rd \$d 0 8 >/dev/null || exit 1
for i in \$(seq 50); do dmesg | grep -q "Capacity data has changed" && break; sleep 0.1; done
dmesg | grep "Capacity data has changed" || { dmesg | tail -5; exit 1; }
echo 1 >/sys/block/\${d#/dev/}/device/rescan
blockdev --getsize64 \$d >/vm/size1
rd \$d 0 32768 | md5sum | cut -d' ' -f1 >/vm/md5
G
check "LUN 0: 32 MiB after the rescan" -- [ "$(cat "$W/lab.share/size1")" = $((32 * M)) ]
check "LUN 0: the first 16 MiB as before (host file)" -- \
	[ "$(cat "$W/lab.share/md5")" = "$(head -c $((16 * M)) "$W/lun0.img" | md5sum | cut -d' ' -f1)" ]

mkconf "lun = 0=$W/lun0.img,size=8M" "lun = 1=$W/lun1.img,size=8M"
check "SIGHUP: shrinking LUN 0 under the session refused and logged" -- \
	hup "changing lun 0 (size) to '0=$W/lun0.img,size=8M' refused: lun 0: shrinking from $((32 * M)) to $((8 * M)) bytes: 1 session uses it"
check "LUN 0: the backing file kept its 32 MiB" -- [ "$(stat -c %s "$W/lun0.img")" = $((32 * M)) ]

mkconf "lun = 0=$W/lun0.img,size=32M" "lun = 1=$W/lun1.img,size=8M" "lun = 2=$W/lun2.img,size=4M"
check "SIGHUP: LUN 2 added" -- hup "lun 2 added"
gok lab "the kernel sees 3Fh/0Eh; a session rescan finds LUN 2" 60 <<G
rd \$(sdN VITK 0) 0 8 >/dev/null || exit 1
for i in \$(seq 50); do dmesg | grep -q "LUN assignments on this target have changed" && break; sleep 0.1; done
dmesg | grep "LUN assignments on this target have changed" || { dmesg | tail -5; exit 1; }
iscsiadm -m session --rescan >/dev/null && wait_scsi VITK 3 &&
	blockdev --getsize64 \$(sdN VITK 2) >/vm/size2
G
check "LUN 2: 4 MiB" -- [ "$(cat "$W/lab.share/size2")" = $((4 * M)) ]

gok lab "logout" <<G
iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --logout
G
vm_halt lab
kill -TERM $SERVE
wait $SERVE
check "serve exited 0" -- [ $? = 0 ]
check "no sanitizer report" -- bash -c "! grep -q Sanitizer '$W/serve.log'"
vm_finish
