#!/usr/bin/env bash
# End-to-end against Debian's tgtd (no third-party copy): `--method auto`
# falls back to host copy and says why; the data must match.
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/odx/tests/e2e/lib.sh"
PORT=13263
CTL=13264
IQN=iqn.2026-01.test.vitk:tgtd
U=iscsi://127.0.0.1:$PORT/$IQN

export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v tgtd >/dev/null; then
	echo "tgtd is not installed (package tgt)" >&2
	exit 1
fi
random_file "$W/l1.img" 16
random_file "$W/l2.img" 16
tgtd -f -C $CTL --iscsi portal=127.0.0.1:$PORT >"$W/tgtd.log" 2>&1 &
PIDS+=($!)
wait_port $PORT || { cat "$W/tgtd.log"; exit 1; }
T() { tgtadm -C $CTL --lld iscsi "$@"; }
T --op new --mode target --tid 1 -T $IQN || fail "tgtadm target"
T --op new --mode logicalunit --tid 1 --lun 1 -b "$W/l1.img" || fail "tgtadm lun 1"
T --op new --mode logicalunit --tid 1 --lun 2 -b "$W/l2.img" || fail "tgtadm lun 2"
T --op bind --mode target --tid 1 -I ALL || fail "tgtadm bind"

cp "$W/l2.img" "$W/before"
V -o json odx copy $U/1 $U/2 --src-lba 100 --dst-lba 3000 --count 12000 --method auto --verify \
	>"$W/c.json" 2>"$W/c.err" && ok || fail "copy: $(cat "$W/c.err")"
check "method host" -- [ "$(jget "$W/c.json" .method)" = host ]
check "xcopy rejected: no 3PC" -- \
	[ "$(jget "$W/c.json" '.rejected[] | select(.method == "xcopy") | .reason')" = "no 3PC / EXTENDED COPY unsupported" ]
check "token rejected with a reason" -- \
	jq -e '.rejected[] | select(.method == "token") | .reason | test("no 3PC")' "$W/c.json" >/dev/null
check "verified" -- [ "$(jget "$W/c.json" .verified)" = true ]
check "data" -- same_blocks "$W/l1.img" 100 "$W/l2.img" 3000 12000
check "before untouched" -- same_blocks "$W/before" 2999 "$W/l2.img" 2999 1
check "after untouched" -- same_blocks "$W/before" 15000 "$W/l2.img" 15000 1

# forcing an offload method is refused with the reason, before anything is sent
"$VITK" --db "$DB" odx copy $U/1 $U/2 --count 10 --method xcopy 2>"$W/x.err"
check "forced xcopy: device exit code" -- [ $? -eq 4 ]
check "forced xcopy: reason" -- grep -q "no 3PC / EXTENDED COPY unsupported" "$W/x.err"

# zero falls back to WRITE SAME (tgtd has no ROD tokens)
V -o json odx zero $U/2 --lba 5000 --count 100 >"$W/z.json" 2>"$W/z.err" && ok || fail "zero: $(cat "$W/z.err")"
check "zero: zeros" -- zero_blocks "$W/l2.img" 5000 100
check "zero: fallback recorded" -- [ "$(jget "$W/z.json" '.fallbacks | length')" -ge 1 ]

# across arrays: lab target (3PC, ODX) -> tgtd (none); the lab target's 4096-byte LUN is refused
LPORT=13268
LIQN=iqn.2026-01.lab.vitk:e2e-cross
L=iscsi://127.0.0.1:$LPORT/$LIQN
random_file "$W/lab0.img" 8
"$VITK" odx serve --portal 127.0.0.1:$LPORT --iqn $LIQN --lun "0=$W/lab0.img" \
	--lun "1=$W/lab4k.img,size=8M,bs=4096" 2>"$W/lab.log" &
PIDS+=($!)
wait_port $LPORT || { cat "$W/lab.log"; exit 1; }
cp "$W/l2.img" "$W/before"
V -o json odx copy $L/0 $U/2 --dst-lba 20000 --count 4000 >"$W/cross.json" 2>"$W/cross.err" && ok || fail "cross copy: $(cat "$W/cross.err")"
check "cross: host" -- [ "$(jget "$W/cross.json" .method)" = host ]
check "cross: token reason" -- \
	[ "$(jget "$W/cross.json" '.rejected[] | select(.method == "token") | .reason')" = "destination has no 3PC bit" ]
check "cross: data" -- same_blocks "$W/lab0.img" 0 "$W/l2.img" 20000 4000
check "cross: after untouched" -- same_blocks "$W/before" 24000 "$W/l2.img" 24000 1
cj=$(jget "$W/cross.json" .job)
V odx jobs "${cj:0:8}" >"$W/job.txt" || fail "jobs JOB"
check "jobs JOB: method" -- grep -qE '^method: +host$' "$W/job.txt"
check "jobs JOB: token reason" -- grep -qx "not token: destination has no 3PC bit" "$W/job.txt"
check "jobs JOB: xcopy reason" -- grep -qx "not xcopy: no 3PC / EXTENDED COPY unsupported" "$W/job.txt"
check "jobs JOB json" -- [ "$(V -o json odx jobs "$cj" | jq -r .job)" = "$cj" ]
"$VITK" --db "$DB" odx jobs 00000000-no-such 2>/dev/null
check "jobs JOB unknown: exit 3" -- [ $? -eq 3 ]
"$VITK" --db "$DB" odx copy $L/1 $U/2 --count 8 2>"$W/bs.err"
check "block size mismatch: exit 1" -- [ $? -eq 1 ]
check "block size mismatch: message" -- grep -q "block sizes differ (4096 vs 512)" "$W/bs.err"

V -o json odx probe $U/1 $U/2 >"$W/p.json" && ok || fail "probe"
check "probe: offload no" -- [ "$(jget "$W/p.json" '.pairs[0].offload')" = false ]
V odx probe $U/1 $U/2 >"$W/p.txt" || fail "probe text"
check "probe text: verdict with reasons" -- grep -qx "offload $U/1 -> $U/2: no because token: no 3PC / ODX token copy unsupported (neither device has the 3PC bit); xcopy: no 3PC / EXTENDED COPY unsupported" "$W/p.txt"
finish
