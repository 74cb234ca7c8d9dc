#!/usr/bin/env bash
# Fault injection (issue 10): kill -9 of the lab target during host, EXTENDED
# COPY and token copies -- the initiator exits 4 within its deadline, and
# --resume completes the job exactly once when the target is back; a target
# that stops answering (SIGSTOP) is "target did not answer within N s"; a
# listener that never answers a login does not hang probe; two --resumes of
# one job: one is refused while the other runs, and a job whose owner died
# shows as interrupted.
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/odx/tests/e2e/lib.sh"
PORT=13271
IQN=iqn.2026-01.lab.vitk:faults
U=iscsi://127.0.0.1:$PORT/$IQN
T=5 # --timeout
SPID=

random_file "$W/a.img" 32
truncate -s 256M "$W/a.img" # sparse after 32 MiB
serve() {
	"$VITK" odx serve --portal 127.0.0.1:$PORT --iqn $IQN --lun "0=$W/a.img,size=256M" \
		--lun "1=$W/b.img,size=256M" 2>>"$W/serve.log" &
	SPID=$!
	PIDS+=($SPID)
	wait_port $PORT || { cat "$W/serve.log"; exit 1; }
}
now_ms() { date +%s%3N; }
# wait_progress: until the running job has recorded progress (at most ~20 s)
wait_progress() {
	local i n
	for i in $(seq 1 1000); do
		n=$(sqlite3 "$DB" "SELECT count(*) FROM odx_job WHERE result = 'running' AND blocks_done > 0" 2>/dev/null)
		[ "${n:-0}" -gt 0 ] && return 0
		sleep 0.02
	done
	return 1
}
job_of() { V -o json odx jobs | jq -r "[.[] | select(.requested_method == \"$1\")][0].job"; }

# kill_case METHOD ARGS...: a slow copy (tiny commands), the target killed
# under it, then resumed against a restarted target
kill_case() {
	local m=$1 t0 t1 rc job
	shift
	rm -f "$W/b.img"
	serve
	V odx copy $U/0 $U/1 --method $m --timeout $T "$@" >"$W/$m.out" 2>"$W/$m.err" &
	local cpid=$!
	wait_progress || fail "$m: no progress recorded"
	kill -9 $SPID
	t0=$(now_ms)
	wait $cpid
	rc=$?
	t1=$(now_ms)
	check "$m: exit 4 after the target died (got $rc: $(cat "$W/$m.err"))" -- [ $rc = 4 ]
	check "$m: failed within the deadline ($((t1 - t0)) ms)" -- [ $((t1 - t0)) -lt $(((T + 3) * 1000)) ]
	grep -q "resume with --resume" "$W/$m.err" && ok || fail "$m: not resumable: $(cat "$W/$m.err")"
	grep -q "connection to the target lost" "$W/$m.err" && ok || fail "$m: the cause: $(cat "$W/$m.err")"
	job=$(job_of $m)
	check "$m: the job is recorded as failed" -- \
		[ "$(V -o json odx jobs "$job" | jq -r .result)" = failed ]
	serve
	V -o json odx copy --resume "$job" --timeout $T >"$W/$m.resume.json" 2>"$W/$m.resume.err" &&
		ok || fail "$m: resume: $(cat "$W/$m.resume.err")"
	check "$m: every block copied" -- cmp -s "$W/a.img" "$W/b.img"
	check "$m: result ok after two runs" -- \
		[ "$(V -o json odx jobs "$job" | jq -r '"\(.result) \(.runs) \(.blocks_done)"')" = "ok 2 524288" ]
	V odx copy --resume "$job" >/dev/null 2>"$W/$m.again.err" && fail "$m: resumed twice"
	grep -q "already completed" "$W/$m.again.err" && ok || fail "$m: $(cat "$W/$m.again.err")"
	kill $SPID
	wait $SPID 2>/dev/null
}

# many small commands make each copy last several seconds on loopback
kill_case host --streams 1 --buffer 4K
kill_case xcopy --max-blocks-per-command 1
kill_case token --max-blocks-per-command 512

# --- a target that stops answering mid-copy
rm -f "$W/b.img"
serve
V odx copy $U/0 $U/1 --method host --streams 1 --buffer 4K --timeout $T >/dev/null 2>"$W/stop.err" &
cpid=$!
wait_progress || fail "stop: no progress recorded"
kill -STOP $SPID
t0=$(now_ms)
wait $cpid
rc=$?
t1=$(now_ms)
check "stopped target: exit 4 (got $rc)" -- [ $rc = 4 ]
grep -q "target did not answer within $T s" "$W/stop.err" && ok || fail "stopped: $(cat "$W/stop.err")"
check "stopped target: within the deadline plus 3 s ($((t1 - t0)) ms)" -- [ $((t1 - t0)) -lt $(((T + 3) * 1000)) ]
JOB=$(V -o json odx jobs | jq -r '[.[] | select(.result == "failed")][0].job')

# --- two --resumes: while one runs (its target stopped), the other is refused
"$VITK" --db "$DB" odx copy --resume "$JOB" --timeout 30 >/dev/null 2>"$W/first.err" &
first=$!
sleep 1
check "the running job shows as running" -- \
	[ "$(V -o json odx jobs "$JOB" | jq -r .result)" = running ]
V odx copy --resume "$JOB" --timeout $T >/dev/null 2>"$W/second.err" && fail "second resume ran"
grep -q "is running (pid $first on" "$W/second.err" && ok || fail "second resume: $(cat "$W/second.err")"
# the owner dies: the job is interrupted, and can be resumed
kill -9 $first
wait $first 2>/dev/null
check "a job whose owner died shows as interrupted" -- \
	[ "$(V -o json odx jobs "$JOB" | jq -r .result)" = interrupted ]
V odx jobs | grep -q interrupted && ok || fail "jobs table: no interrupted"
kill -CONT $SPID
V -o json odx copy --resume "$JOB" --timeout $T >/dev/null 2>"$W/third.err" && ok ||
	fail "resume after the owner died: $(cat "$W/third.err")"
check "every block copied" -- cmp -s "$W/a.img" "$W/b.img"
kill $SPID

# --- a listener that accepts and never answers: probe and copy give up in time
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
' 13272 &
PIDS+=($!)
wait_port 13272
t0=$(now_ms)
V odx probe --timeout 2 iscsi://127.0.0.1:13272/$IQN/0 >/dev/null 2>"$W/silent.err"
rc=$?
t1=$(now_ms)
check "silent listener: exit 4 (got $rc)" -- [ $rc = 4 ]
grep -q "target did not answer within 2 s (login" "$W/silent.err" && ok || fail "silent: $(cat "$W/silent.err")"
check "silent listener: within 2 s plus 3 ($((t1 - t0)) ms)" -- [ $((t1 - t0)) -lt 5000 ]
finish
