#!/usr/bin/env bash
# libiscsi's iscsi-test-cu against `vitk odx serve` (two LUNs, --dataloss).
# Arguments: [--fresh] the suites/tests to run (e.g. SCSI.ExtendedCopy ALL).  Any
# failed test fails this target; the failing tests are listed.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/odx/target/iscsi/tests/e2e/serve_lib.sh"

# --fresh: a new target (new backing files) for every suite
fresh=0
if [ "${1:-}" = "--fresh" ]; then
	fresh=1
	shift
fi
port=${ISCSI_TEST_CU_PORT:-13285}
start_serve cu "$port" --lun "0=$T/t0.img,size=64M" --lun "1=$T/t1.img,size=64M" || finish
first=1
for suite in "$@"; do
	if [ $fresh -eq 1 ] && [ $first -eq 0 ]; then
		stop_serve cu || fail "serve exited non-zero"
		rm -f "$T/t0.img" "$T/t1.img"
		start_serve cu "$port" --lun "0=$T/t0.img,size=64M" --lun "1=$T/t1.img,size=64M" ||
			finish
	fi
	first=0
	timeout 1200 iscsi-test-cu --dataloss -t "$suite" \
		"iscsi://127.0.0.1:$port/$IQN/0" >"$T/cu.log" 2>&1
	summary=$(grep -E '^ +tests +[0-9]+' "$T/cu.log")
	read -r _ total ran passed failed _ <<<"$summary"
	if [ -z "$summary" ] || [ "${ran:-0}" -eq 0 ]; then
		fail "$suite: no tests ran: $(tail -c 500 "$T/cu.log")"
	elif [ "$failed" -ne 0 ]; then
		fail "$suite: $failed of $ran tests failed:"
		grep -E 'Test: .*(FAILED|\[FAILED\])|^FAILED|^ +[0-9]+\. ' "$T/cu.log" >&2
	else
		echo "$suite: $passed of $ran tests passed"
		ok
	fi
	alive cu || { fail "target died during $suite"; finish; }
done
stop_serve cu || fail "serve exited non-zero"
finish
