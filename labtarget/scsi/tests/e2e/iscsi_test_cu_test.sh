#!/usr/bin/env bash
# Conformance: libiscsi's iscsi-test-cu (Debian libiscsi-bin 1.19) runs every
# SCSI.* test against `vitk odx serve` with --dataloss; any failure fails
# this test.  Covers the device model and copy manager end to end through
# the real binary and the iSCSI layer.
#
# SCSI.ReceiveCopyResults runs first against a fresh target: its CopyStatus
# test expects "no copy status" for list id 1 in a new session, and list ids
# are only per session when the iSCSI layer fills tgt_cmd.nexus.  Until it
# does, the other suites' EXTENDED COPY commands (list id 1, held) would be
# visible to it.
set -u
VITK=${TEST_SRCDIR:-$0.runfiles}/vitk/cli/vitk
TMP=${TEST_TMPDIR:-$(mktemp -d)}
IQN=iqn.2026-01.lab.vitk:conformance
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; }
trap cleanup EXIT

command -v iscsi-test-cu >/dev/null || { echo "iscsi-test-cu missing (libiscsi-bin)"; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

start() {
	cleanup
	rm -f "$TMP"/a.img "$TMP"/b.img "$TMP"/pid
	truncate -s 64M "$TMP/ro.img"
	"$VITK" odx serve --portal "127.0.0.1:$PORT" --iqn "$IQN" \
		--lun "0=$TMP/a.img,size=256M" --lun "1=$TMP/b.img,size=64M" \
		--lun "2=$TMP/ro.img,ro" --pidfile "$TMP/pid" 2>"$TMP/serve.log" &
	PID=$!
	for _ in $(seq 100); do
		[ -s "$TMP/pid" ] && return 0
		sleep 0.1
	done
	echo "vitk odx serve did not start:"; cat "$TMP/serve.log"; exit 1
}

failures=0
run() { # run LABEL LUN TESTS
	local label=$1 lun=$2 tests=$3 out=$TMP/cu.$1.txt line total ran passed failed
	timeout 900 iscsi-test-cu --dataloss "iscsi://127.0.0.1:$PORT/$IQN/$lun" -t "$tests" \
		>"$out" 2>&1
	line=$(grep -E '^ +tests ' "$out" | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL: $label: iscsi-test-cu produced no summary"
		tail -20 "$out"
		failures=$((failures + 1))
		return
	fi
	# "tests  Total  Ran  Passed  Failed  Inactive"
	read -r _ total ran passed failed _ <<<"$line"
	echo "$label (lun $lun): total $total ran $ran passed $passed failed $failed"
	if [ "$failed" != 0 ] || [ "$ran" = 0 ]; then
		grep -E 'Test:|FAILED' "$out" | grep -B1 FAILED
		failures=$((failures + 1))
	fi
}

start
run receive-copy-results 0 SCSI.ReceiveCopyResults
suites=$(iscsi-test-cu --list | grep -E '^SCSI\.[A-Za-z0-9]+$' | grep -v -e '^SCSI.ReceiveCopyResults$' -e '^SCSI.ReadOnly$' | paste -sd, -)
run scsi 0 "$suites"
run read-only 2 SCSI.ReadOnly
# stop the target and make sure it never tripped a sanitizer (asan config)
cleanup
PID=
if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/serve.log"; then
	echo "FAIL: sanitizer report from vitk odx serve"
	failures=$((failures + 1))
fi
[ "$failures" = 0 ] && echo PASS || { echo "FAILURES: $failures"; exit 1; }
