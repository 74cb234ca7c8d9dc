#!/usr/bin/env bash
# Malformed PDUs over a raw socket: the target rejects or drops the
# connection, never crashes, and a session running at the same time carries on.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

start_serve bad 13284 --lun "0=$T/m0.img,size=32M" || finish
head -c 33554432 /dev/urandom >"$T/p"
"$CLIENT" write 127.0.0.1:13284 "$IQN" 0 512 "$T/p" || fail "initial write"

# a long read on another session while the malformed PDUs arrive
"$CLIENT" read 127.0.0.1:13284 "$IQN" 0 512 33554432 "$T/r" &
reader=$!
for sc in garbage scsi-first truncated bad-opcode bad-ahs oversize cmdsn-window; do
	if "$CLIENT" raw 127.0.0.1 13284 "$IQN" $sc 2>"$T/raw.err"; then
		ok
	else
		fail "raw scenario $sc: $(cat "$T/raw.err")"
	fi
	alive bad && ok || { fail "target died after scenario $sc"; finish; }
done
wait $reader && ok || fail "the concurrent session failed"
cmp "$T/p" "$T/r" && ok || fail "the concurrent session read wrong data"
# and a fresh session still works
iscsi-inq "iscsi://127.0.0.1:13284/$IQN/0" >"$T/inq" 2>&1 && ok || fail "fresh session: $(cat "$T/inq")"
grep -q "dropping connection" "$T/bad.err" && ok || fail "drops were not logged"
stop_serve bad || fail "serve exited non-zero"
finish
