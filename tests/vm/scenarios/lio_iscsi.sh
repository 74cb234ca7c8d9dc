#!/usr/bin/env bash
# vitk's libiscsi transport on the host against LIO over iSCSI in the guest (a
# second, independent target; QEMU forwards host 127.0.0.1:13260 to the
# guest's 3260).  LIO's strict login checks vitk's iSCSI client for free.
# probe, an EXTENDED COPY split to LIO's one segment per command, auto, and
# the data checked by cmp on LIO's backing files in the guest.
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2003-01.org.linux-iscsi.vitk:vmtier
VM_NET=user,id=n0,hostfwd=tcp:127.0.0.1:13260-:3260 vm_boot lioi || { vm_finish; exit 1; }
head -c $((40 * 1048576)) /dev/urandom >"$W/lioi.share/src.bin"
head -c $((40 * 1048576)) /dev/urandom >"$W/lioi.share/dst.bin"
N=70000
U=iscsi://127.0.0.1:13260/$IQN

gok lioi "LIO iSCSI target: two fileio LUNs on 0.0.0.0:3260" <<G
modprobe target_core_mod && modprobe target_core_file && modprobe iscsi_target_mod || exit 1
cp /vm/src.bin /root/a.img && cp /vm/dst.bin /root/b.img
lio_fileio a /root/a.img 6001405aaaa00011 && lio_fileio b /root/b.img 6001405bbbb00012 &&
	lio_iscsi $IQN 0 a && lio_iscsi $IQN 1 b && lio_iscsi_enable $IQN
G

if "$VITK" -o json odx probe $U/0 $U/1 >"$W/probe.json" 2>"$W/probe.err"; then
	ok "host: vitk odx probe over iSCSI (LIO accepted vitk's login)"
else
	fail "host: vitk odx probe over iSCSI: $(cat "$W/probe.err")"
fi
P=$W/probe.json
check "probe: 3PC on both LUNs" -- [ "$(jget "$P" '[.devices[] | select(.tpc)] | length')" = 2 ]
check "probe: RCOP max segments 1" -- [ "$(jget "$P" '.devices[1].max_segments')" = 1 ]
check "probe: verdict xcopy" -- [ "$(jget "$P" '.pairs[0].method')" = xcopy ]
check "probe: token refused: no VPD 0x8F" -- \
	jq -e '.pairs[0].methods[] | select(.method == "token") | .reason | test("VPD page \\(0x8F\\)|POPULATE TOKEN")' "$P"

if "$VITK" -o json odx copy $U/0 $U/1 --src-lba 7 --dst-lba 100 --count $N --method xcopy \
	>"$W/xcopy.json" 2>"$W/xcopy.err"; then
	ok "host: vitk odx copy --method xcopy over iSCSI"
else
	fail "host: vitk odx copy --method xcopy over iSCSI: $(cat "$W/xcopy.err")"
fi
J=$W/xcopy.json
check "xcopy: offloaded, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = xcopy0 ]
check "xcopy: 2 commands of one segment" -- [ "$(jget "$J" .commands)" = 2 ]
check "xcopy: host bytes < 64 KiB" -- [ "$(jget "$J" .host_bytes)" -lt 65536 ]
gok lioi "xcopy data: LIO's backing files match, neighbours intact" <<G
sync
fsame /root/a.img 7 /root/b.img 100 $N || { echo "data differs"; exit 1; }
! fsame /root/a.img 7 /root/b.img 99 1 && ! fsame /root/a.img $((7 + N)) /root/b.img $((100 + N)) 1
G

if "$VITK" -o json odx copy $U/0 $U/1 --src-lba 0 --dst-lba 75000 --count 4096 \
	>"$W/auto.json" 2>"$W/auto.err"; then
	ok "host: vitk odx copy --method auto over iSCSI"
else
	fail "host: vitk odx copy --method auto over iSCSI: $(cat "$W/auto.err")"
fi
check "auto: xcopy chosen" -- [ "$(jget "$W/auto.json" .method)" = xcopy ]
gok lioi "auto data: LIO's backing files match" <<G
fsame /root/a.img 0 /root/b.img 75000 4096
G
vm_finish
