#!/usr/bin/env bash
# Two initiators fight over a persistent reservation on `vitk odx serve`
# (pr_client.c), A through the first portal and B through the second: the
# holder writes, the other gets RESERVATION CONFLICT, PREEMPT moves the
# reservation, the data read back matches and lands on the backing file.
# Then PREEMPT AND ABORT: A's two WRITEs in the task set are aborted (never
# answered, never on the medium), A gets 2Ah/05h then 2Fh/00h.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

PR_CLIENT=${PR_CLIENT:-$RUNFILES/vitk/labtarget/iscsi/pr_client}
[ -x "$PR_CLIENT" ] || PR_CLIENT=$(find "$RUNFILES" -name pr_client -type f | head -1)
port=13296
port2=13297

for bs in 512 4096; do
	rm -f "$T/pr.img" "$T/pr.img.pr"
	start_serve "pr$bs" "$port" --portal "127.0.0.1:$port2" \
		--lun "0=$T/pr.img,size=8M,bs=$bs" || finish
	if out=$("$PR_CLIENT" "127.0.0.1:$port" "127.0.0.1:$port2" "$IQN" 0 "$bs" 2>&1); then
		ok
	else
		fail "reservation fight ($bs-byte blocks): $out"
	fi
	echo "$out"
	[ "$(grep -c '^ok  ' <<<"$out")" -eq 14 ] && ok || fail "expected 14 steps: $out"
	# pattern 2 (B's write after the preempt) is what the medium holds
	python3 - "$T/pr.img" "$bs" <<'PY' && ok || fail "backing file does not hold B's data"
import sys
bs = int(sys.argv[2])
want = bytes((0x22 + i * 13) & 0xff for i in range(8 * bs))
assert open(sys.argv[1], "rb").read(8 * bs) == want
PY
	stop_serve "pr$bs" || fail "serve exited non-zero"
done

# PREEMPT AND ABORT, 512-byte blocks, again one initiator per portal
rm -f "$T/pa.img" "$T/pa.img.pr"
start_serve pa "$port" --portal "127.0.0.1:$port2" --lun "0=$T/pa.img,size=8M" || finish
if out=$("$PR_CLIENT" "127.0.0.1:$port" "127.0.0.1:$port2" "$IQN" 0 512 abort 2>&1); then
	ok
else
	fail "preempt and abort: $out"
fi
echo "$out"
[ "$(grep -c '^ok  ' <<<"$out")" -eq 18 ] && ok || fail "expected 18 steps: $out"
grep -q "PREEMPT AND ABORT: aborting the commands of conn" "$T/pa.err" && ok ||
	fail "no abort in the target's log: $(cat "$T/pa.err")"
[ "$(grep -c "aborted by PREEMPT AND ABORT" "$T/pa.err")" -eq 2 ] && ok ||
	fail "expected two aborted tasks in the log: $(grep -i abort "$T/pa.err")"
stop_serve pa || fail "serve exited non-zero"
# B's pattern 2 in blocks 0-7; A's aborted WRITEs (0xa5, blocks 0-15) nowhere
python3 - "$T/pa.img" <<'PY' && ok || fail "backing file: aborted WRITEs landed"
import sys
d = open(sys.argv[1], "rb").read(16 * 512)
assert d[:8 * 512] == bytes((0x22 + i * 13) & 0xff for i in range(8 * 512)), "blocks 0-7"
assert d[8 * 512:] == bytes(8 * 512), "blocks 8-15"
PY

# --lun ...,pbs= takes 512 or 4096; 4096-byte blocks with pbs=512 is refused at start
"$VITK" --db "$T/vitk.db" odx serve --portal "127.0.0.1:$port" --iqn "$IQN" \
	--lun "0=$T/pr.img,pbs=1024" >/dev/null 2>"$T/pbs.err"
[ $? -eq 2 ] && grep -q "physical block size '1024'" "$T/pbs.err" && ok ||
	fail "pbs=1024 must be a usage error: $(cat "$T/pbs.err")"
"$VITK" --db "$T/vitk.db" odx serve --portal "127.0.0.1:$port" --iqn "$IQN" \
	--lun "0=$T/pr4k.img,size=1M,bs=4096,pbs=512" >/dev/null 2>"$T/pbs.err"
[ $? -ne 0 ] && grep -q "physical block size 512" "$T/pbs.err" && ok ||
	fail "bs=4096,pbs=512 must be refused: $(cat "$T/pbs.err")"
finish
