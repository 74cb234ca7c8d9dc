# Shared helpers for the `vitk odx serve` end-to-end tests (sourced).
# Each test uses its own loopback port in 13280-13299 and is tagged exclusive.
set -uo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
RUNFILES=${TEST_SRCDIR:-${RUNFILES_DIR:-$0.runfiles}}
VITK=${VITK:-$RUNFILES/vitk/cli/vitk}
[ -x "$VITK" ] || VITK=$(find "$RUNFILES" -path '*cli/vitk' -type f | head -1)
CLIENT=${CLIENT:-$RUNFILES/vitk/labtarget/iscsi/target_client}
[ -x "$CLIENT" ] || CLIENT=$(find "$RUNFILES" -name target_client -type f | head -1)
IQN=iqn.2026-01.test.vitk:odx
T=$TEST_TMPDIR
failures=0
checks=0
SERVE_PIDS=""

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

ok() {
	checks=$((checks + 1))
}

cleanup() {
	local p
	for p in $SERVE_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $SERVE_PIDS; do
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT

# start_serve NAME PORT [serve args...]: runs in the background, waits for the pidfile
start_serve() {
	local name=$1 port=$2 i pid
	shift 2
	rm -f "$T/$name.pid"
	"$VITK" --db "$T/vitk.db" odx serve --portal "127.0.0.1:$port" --iqn "$IQN" \
		--pidfile "$T/$name.pid" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	SERVE_PIDS="$SERVE_PIDS $pid"
	eval "PID_$name=$pid"
	for i in $(seq 1 200); do
		[ -s "$T/$name.pid" ] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			fail "serve '$name' exited at start-up: $(cat "$T/$name.err")"
			return 1
		fi
		sleep 0.05
	done
	fail "serve '$name' did not write its pidfile"
	return 1
}

# stop_serve NAME: SIGTERM, wait; the exit code is returned
stop_serve() {
	local name=$1 pid rc
	eval "pid=\$PID_$name"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	SERVE_PIDS=$(echo "$SERVE_PIDS" | sed "s/\b$pid\b//")
	return $rc
}

alive() {
	local name=$1 pid
	eval "pid=\$PID_$name"
	kill -0 "$pid" 2>/dev/null
}

finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures failure(s), $checks check(s) passed" >&2
		exit 1
	fi
	echo "all $checks checks passed"
	exit 0
}
