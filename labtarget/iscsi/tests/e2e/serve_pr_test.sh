#!/usr/bin/env bash
# Two initiators fight over a persistent reservation on `vitk odx serve`
# (pr_client.c): the holder writes, the other gets RESERVATION CONFLICT,
# PREEMPT moves the reservation, the data read back matches and lands on
# the backing file.  Both sessions use the one portal until the target has
# several (then pass the second as PORTAL_B).
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

PR_CLIENT=${PR_CLIENT:-$RUNFILES/vitk/labtarget/iscsi/pr_client}
[ -x "$PR_CLIENT" ] || PR_CLIENT=$(find "$RUNFILES" -name pr_client -type f | head -1)
port=13296

for bs in 512 4096; do
	rm -f "$T/pr.img" "$T/pr.img.pr"
	start_serve "pr$bs" "$port" --lun "0=$T/pr.img,size=8M,bs=$bs" || finish
	if out=$("$PR_CLIENT" "127.0.0.1:$port" "127.0.0.1:$port" "$IQN" 0 "$bs" 2>&1); then
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
