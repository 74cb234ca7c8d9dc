#!/usr/bin/env bash
# APTPL across real restarts of `vitk odx serve` (pr_client.c aptpl-*): two
# initiators register (the second with APTPL=1) and A reserves Write Exclusive
# Registrants Only; after SIGTERM, and after kill -9, a new serve on the same
# backing file reports the same keys, holder, type, PRgeneration, target
# ports and TransportIDs (READ FULL STATUS byte for byte) and still refuses
# an unregistered initiator's WRITE.  After CLEAR nothing persists.  A
# damaged or cut-short state file stops the start: exit 1 and one error line
# naming the file and the reason.  Ports 13298 and 13304.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

PR_CLIENT=${PR_CLIENT:-$RUNFILES/vitk/labtarget/iscsi/pr_client}
[ -x "$PR_CLIENT" ] || PR_CLIENT=$(find "$RUNFILES" -name pr_client -type f | head -1)
port=13298
port2=13304
IMG=$T/aptpl.img
STATE=$IMG.pr

serve() {
	start_serve "$1" "$port" --portal "127.0.0.1:$port2" --lun "0=$IMG,size=4M"
}

# client PHASE STEPS: runs pr_client, checks its step count; sets $out
client() {
	if out=$("$PR_CLIENT" "127.0.0.1:$port" "127.0.0.1:$port2" "$IQN" 0 512 "$1" 2>&1); then
		ok
	else
		fail "$1: $out"
	fi
	echo "--- $1"
	echo "$out"
	[ "$(grep -c '^ok  ' <<<"$out")" -eq "$2" ] && ok || fail "$1: expected $2 steps"
}

# kill9 NAME: SIGKILL, reap
kill9() {
	local pid
	eval "pid=\$PID_$1"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	SERVE_PIDS=$(echo "$SERVE_PIDS" | sed "s/\b$pid\b//")
}

state_ok() {
	[ -f "$STATE" ] && [ "$(stat -c %a "$STATE")" = 600 ] && [ ! -e "$STATE.tmp" ] &&
		[ "$(tail -n1 "$STATE")" = end ] && ok || fail "$1: state file: $(ls -l "$T")"
}

for stop in term kill; do
	rm -f "$IMG" "$STATE"
	serve "s1$stop" || finish
	client aptpl-setup 4
	before=$(grep '^fullstatus ' <<<"$out")
	state_ok "$stop"
	if [ "$stop" = term ]; then
		stop_serve "s1$stop" || fail "serve exited non-zero"
	else
		kill9 "s1$stop"
	fi
	state_ok "after $stop"
	serve "s2$stop" || finish
	client aptpl-check 7
	after=$(grep '^fullstatus ' <<<"$out")
	[ -n "$before" ] && [ "$before" = "$after" ] && ok ||
		fail "$stop: READ FULL STATUS changed across the restart: '$before' vs '$after'"
	stop_serve "s2$stop" || fail "serve exited non-zero"
done
# B's and A's writes after the restart are on the medium
python3 - "$IMG" <<'PY' && ok || fail "backing file does not hold the writes made after the restart"
import sys
assert open(sys.argv[1], "rb").read(8 * 512) == bytes((0x33 + i * 5) & 0xff for i in range(8 * 512))
PY
cp "$STATE" "$T/good.pr"

# damaged state files: exit 1, one error line naming the file and the reason
damaged() { # NAME REASON: the state file is in place
	local rc
	"$VITK" --db "$T/vitk.db" odx serve --portal "127.0.0.1:$port" --iqn "$IQN" \
		--lun "0=$IMG" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	[ "$rc" -eq 1 ] && ok || fail "$1: exit $rc, want 1: $(cat "$T/$1.err")"
	[ "$(wc -l <"$T/$1.err")" -eq 1 ] &&
		grep -q "^vitk: odx: serve: lun 0: reservation state file '$STATE': $2" "$T/$1.err" &&
		ok ||
		fail "$1: want one error line naming the file and '$2': $(cat "$T/$1.err")"
	cmp -s "$STATE" "$T/$1.pr" && ok || fail "$1: the damaged file was touched"
}
head -c 60 "$T/good.pr" >"$STATE" && cp "$STATE" "$T/cut.pr"
damaged cut "line 4: cut short (no newline)"
head -n 4 "$T/good.pr" >"$STATE" && cp "$STATE" "$T/short.pr"
damaged short "cut short (no end line)"
printf 'garbage\n' >"$STATE" && cp "$STATE" "$T/garbage.pr"
damaged garbage "line 1: not a vitk reservation state file"
: >"$STATE" && cp "$STATE" "$T/empty.pr"
damaged empty "empty file"
cp "$T/good.pr" "$STATE"

# CLEAR (with the APTPL bit, which CLEAR ignores): nothing persists
serve s3 || finish
client aptpl-clear 2
[ ! -e "$STATE" ] && ok || fail "CLEAR left the state file: $(cat "$STATE")"
stop_serve s3 || fail "serve exited non-zero"
serve s4 || finish
client aptpl-empty 4
stop_serve s4 || fail "serve exited non-zero"
[ ! -e "$STATE" ] && ok || fail "a state file came back"
finish
