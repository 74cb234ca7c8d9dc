#!/usr/bin/env bash
# libiscsi's iscsi-test-cu against `vitk odx serve` (two LUNs, --dataloss).
# Arguments: [--fresh] [--bs N] the suites/tests to run (e.g. SCSI.ExtendedCopy ALL).  Any
# failed test fails this target; the failing tests are listed.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

# --fresh: a new target (new backing files) for every suite
# --bs N: block size of LUN 0, the LUN under test (default 512)
fresh=0
bs=512
while [ $# -gt 0 ]; do
	case "$1" in
	--fresh) fresh=1 ;;
	--bs) bs=$2; shift ;;
	*) break ;;
	esac
	shift
done
port=${ISCSI_TEST_CU_PORT:-13285}
echo "iscsi-test-cu against LUN 0 with $bs-byte blocks"
start_serve cu "$port" --lun "0=$T/t0.img,size=64M,bs=$bs" --lun "1=$T/t1.img,size=64M" || finish
first=1
for suite in "$@"; do
	if [ $fresh -eq 1 ] && [ $first -eq 0 ]; then
		stop_serve cu || fail "serve exited non-zero"
		rm -f "$T/t0.img" "$T/t1.img"
		start_serve cu "$port" --lun "0=$T/t0.img,size=64M,bs=$bs" --lun "1=$T/t1.img,size=64M" ||
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
