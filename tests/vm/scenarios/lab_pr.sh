#!/usr/bin/env bash
# Persistent reservations of our lab target (`vitk odx serve`, two portals)
# judged by sg_persist, the tool fence_scsi uses, through the Linux kernel's
# iSCSI initiator: open-iscsi in the guest logs in once per portal (hand-made
# node records for 10.0.2.2:3260 and :3261, QEMU user networking reaches the
# host's loopback), so the one LUN shows up as two sd/sg devices, two sessions
# with their own ISID, two I_T nexuses.  A registers 0x1, B 0x2, A reserves
# Write Exclusive, B preempts A.  Writes are WRITE(10) by sg_raw (which prints
# the SCSI status) and one dd O_DIRECT through sd; the data is checked by cmp
# on the host's backing file.
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:vmpr
BS=512
LBA=64  # every write goes to the same 8 blocks
NB=8
IMG=$W/lun0.img
head -c $((16 * 1048576)) /dev/urandom >"$IMG"
cp "$IMG" "$W/lun0.before"
"$VITK" odx serve --portal 127.0.0.1:3260 --portal 127.0.0.1:3261 --iqn $IQN \
	--lun "0=$IMG,size=16M" --pidfile "$W/serve.pid" >"$W/serve.out" 2>"$W/serve.log" &
SERVE=$!
HOSTPIDS+=("$SERVE")
for _ in $(seq 100); do [ -s "$W/serve.pid" ] && break; sleep 0.1; done
[ -s "$W/serve.pid" ] || { fail "lab target did not start: $(tail -3 "$W/serve.log")"; vm_finish; exit 1; }

vm_boot pr || { vm_finish; exit 1; }
S=$W/pr.share
for p in a1 b1 b2 a2; do head -c $((NB * BS)) /dev/urandom >"$S/$p.bin"; done

# A logs in first, so its SCSI host number is lower: index 0 = A, 1 = B
gok pr "open-iscsi: two node records (portals :3260 and :3261), two sessions, one LUN twice" 180 <<G
modprobe iscsi_tcp && iscsid || exit 1
sleep 0.5
for port in 3260 3261; do
	iscsiadm -m node -o new -T $IQN -p 10.0.2.2:\$port >/dev/null || exit 1
done
iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 1 &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3261 --login && wait_scsi VITK 2 || exit 1
iscsiadm -m session -P 1 | grep -E 'Current Portal|Iface Initiatorname|SID'
lsscsi -g
# consume each nexus's power-on unit attention before sg_persist sees it
sg_turs \$(sgN VITK 0); sg_turs \$(sgN VITK 1); true
G
check "two sessions, one per portal" -- [ "$(grep -c 'Current Portal: 10.0.2.2:326[01]' "$GOUT")" = 2 ]

# wr PATH FILE: WRITE(10) of FILE to LBA 64, 8 blocks, through sg of PATH (0 = A, 1 = B)
wr() { echo "sg_raw -v -s $((NB * BS)) -i /vm/$2.bin \$(sgN VITK $1) 2a 00 00 00 00 $(printf %02x $LBA) 00 00 $(printf %02x $NB) 00"; }
# host_has FILE: the backing file's 8 blocks at LBA 64 are FILE
host_has() { cmp -n $((NB * BS)) -i $((LBA * BS)):0 "$IMG" "$S/$1.bin"; }
# host_rest_untouched: everything outside those 8 blocks as before
host_rest_untouched() {
	cmp -n $((LBA * BS)) "$W/lun0.before" "$IMG" && cmp -i $(((LBA + NB) * BS)) "$W/lun0.before" "$IMG"
}

gok pr "sg_persist: A registers key 0x1" <<'G'
sg_persist --out --register --param-sark=0x1 $(sgN VITK 0)
G
gok pr "sg_persist: B registers key 0x2" <<'G'
sg_persist --out --register --param-sark=0x2 $(sgN VITK 1)
G
gok pr "sg_persist: read keys (through A)" <<'G'
sg_persist --in --read-keys $(sgN VITK 0)
G
check "read keys: PRgeneration 0x2, two keys" -- gout_has 'PR generation=0x2, 2 registered reservation keys'
check "read keys: 0x1 and 0x2 listed" -- eval "gout_has '^ +0x1$' && gout_has '^ +0x2$'"
gok pr "sg_persist: read full status (through B)" <<'G'
sg_persist --in --read-full-status $(sgN VITK 1)
G
# two registrants, one initiator name, two ISIDs: two I_T nexuses
isids=$(grep -oE ',i,0x[0-9a-fA-F]+' "$GOUT" | sort -u | wc -l)
check "read full status: two registrants with distinct ISIDs ($isids)" -- eval '[ "$isids" = 2 ] &&
	[ "$(grep -cE "^ +Key=0x[12]$" "$GOUT")" = 2 ]'

gok pr "sg_persist: A reserves Write Exclusive (type 1) with key 0x1" <<'G'
sg_persist --out --reserve --param-rk=0x1 --prout-type=1 $(sgN VITK 0)
G
gok pr "sg_persist: read reservation (through B)" <<'G'
sg_persist --in --read-reservation $(sgN VITK 1)
G
check "read reservation: holder key 0x1" -- gout_has 'Key=0x1$'
check "read reservation: type Write Exclusive, LU scope" -- gout_has 'LU_SCOPE, +type: Write Exclusive *$'
check "read reservation: RESERVE left PRgeneration at 0x2" -- gout_has 'PR generation=0x2,'

gok pr "A (holder) writes" <<G
$(wr 0 a1)
G
check "A's write landed (host cmp)" -- host_has a1
gfail pr "B's write (sg_raw) is refused" <<G
$(wr 1 b1)
G
check "B's write: RESERVATION CONFLICT" -- gout_has '[Rr]eservation [Cc]onflict'
gfail pr "B's write through sd (dd oflag=direct) is refused" <<'G'
dd if=/vm/b1.bin of=$(sdN VITK 1) oflag=direct bs=4096 seek=8 count=1
G
check "B's refused writes did not land (host cmp)" -- host_has a1
gok pr "B can still read under Write Exclusive" <<'G'
rd $(sdN VITK 1) 64 8 | cmp - /vm/a1.bin
G

gok pr "sg_persist: B preempts A (rk 0x2, sark 0x1, type 1)" <<'G'
sg_persist --out --preempt --param-rk=0x2 --param-sark=0x1 --prout-type=1 $(sgN VITK 1)
G
gok pr "sg_persist: read reservation (through B)" <<'G'
sg_persist --in --read-reservation $(sgN VITK 1)
G
check "read reservation: holder key 0x2" -- gout_has 'Key=0x2$'
check "read reservation: still Write Exclusive" -- gout_has 'LU_SCOPE, +type: Write Exclusive *$'
check "read reservation: PREEMPT made PRgeneration 0x3" -- gout_has 'PR generation=0x3,'
gok pr "sg_persist: read keys (through B)" <<'G'
sg_persist --in --read-keys $(sgN VITK 1)
G
check "read keys: only 0x2 left (A's registration gone)" -- eval "gout_has 'PR generation=0x3, 1 registered reservation key' &&
	gout_has '^ +0x2$' && ! gout_has '^ +0x1$'"

gok pr "B (new holder) writes" <<G
$(wr 1 b2)
G
check "B's write landed (host cmp)" -- host_has b2
# A's first command after the preemption gets the unit attention
# REGISTRATIONS PREEMPTED (2Ah/05h); the write after it the conflict
g pr "A: unit attention after the preemption (sg_turs)" <<'G'
sg_turs -v $(sgN VITK 0)
G
check "A: unit attention REGISTRATIONS PREEMPTED" -- gout_has '[Rr]egistrations preempted'
gfail pr "A's write (sg_raw) is refused" <<G
$(wr 0 a2)
G
check "A's write: RESERVATION CONFLICT" -- gout_has '[Rr]eservation [Cc]onflict'
check "data: exactly B's last write is there, A's refused write is not" -- host_has b2
check "data: nothing outside the 8 blocks written" -- host_rest_untouched

# PREEMPT AND ABORT (what fence_scsi's peers send to cut a node off): A
# registers again, B preempts and aborts it; A sees REGISTRATIONS PREEMPTED,
# then COMMANDS CLEARED BY ANOTHER INITIATOR (2Fh/00h), and stays fenced
gok pr "sg_persist: A registers again (key 0x3)" <<'G'
sg_persist --out --register --param-sark=0x3 $(sgN VITK 0)
G
gok pr "sg_persist: B preempts and aborts A (rk 0x2, sark 0x3, type 1)" <<'G'
sg_persist --out --preempt-abort --param-rk=0x2 --param-sark=0x3 --prout-type=1 $(sgN VITK 1)
G
gok pr "sg_persist: read keys after PREEMPT AND ABORT (through B)" <<'G'
sg_persist --in --read-keys $(sgN VITK 1)
G
check "read keys: only 0x2, PRgeneration 0x5 (register, then preempt and abort)" -- eval "gout_has 'PR generation=0x5, 1 registered reservation key' &&
	gout_has '^ +0x2$' && ! gout_has '^ +0x3$'"
g pr "A: first unit attention after PREEMPT AND ABORT (sg_turs)" <<'G'
sg_turs -v $(sgN VITK 0)
G
check "A: unit attention REGISTRATIONS PREEMPTED first" -- gout_has '[Rr]egistrations preempted'
g pr "A: second unit attention after PREEMPT AND ABORT (sg_turs)" <<'G'
sg_turs -v $(sgN VITK 0)
G
check "A: unit attention COMMANDS CLEARED BY ANOTHER INITIATOR next" -- gout_has '[Cc]ommands cleared by another initiator'
gfail pr "A's write after PREEMPT AND ABORT (sg_raw) is refused" <<G
$(wr 0 a2)
G
check "A's write: RESERVATION CONFLICT after PREEMPT AND ABORT" -- gout_has '[Rr]eservation [Cc]onflict'
check "data: still exactly B's last write" -- host_has b2

gok pr "logout both sessions" <<G
iscsiadm -m node -T $IQN --logout
G
vm_halt pr
kill -TERM $SERVE
wait $SERVE
SRC=$?
check "lab target exited cleanly on SIGTERM (rc $SRC)" -- [ "$SRC" = 0 ]
vm_finish
