#!/usr/bin/env bash
# libiscsi's conformance suite (iscsi-test-cu, Debian libiscsi-bin 1.19)
# against the real `vitk odx serve`: the one place it runs from.
#
#   iscsi_test_cu_test.sh [--bs N] [--ro] SUITE...
#
# Each SUITE (e.g. ALL, iSCSI, SCSI.ExtendedCopy) runs with --dataloss against
# LUN 0 (64 MiB, N-byte blocks, default 512); LUN 1 is a second 64 MiB disk for
# the copy tests.  --ro adds a read-only LUN 2 and runs SCSI.ReadOnly on it
# (on a writable LUN those tests skip themselves).  Any failed test fails this
# script and is listed; so does a sanitizer report from the target (asan
# config).  For every run it prints the tests passed and how many of them
# skipped part or all of their checks ("[SKIPPED]" in the log: features the
# target does not implement, e.g. PERSISTENT RESERVE).  Subsets for a quick
# run: bazel test //labtarget/iscsi:iscsi_test_cu_all_test --test_arg=SCSI.Inquiry
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

bs=512
ro=0
while [ $# -gt 0 ]; do
	case "$1" in
	--bs) bs=$2; shift ;;
	--ro) ro=1 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- ALL # the BUILD targets pass no suite: ALL, or --test_arg
command -v iscsi-test-cu >/dev/null || { fail "iscsi-test-cu missing (libiscsi-bin)"; finish; }
port=${ISCSI_TEST_CU_PORT:-13285}

# count_skipped LOG: tests that printed "[SKIPPED]" between their "Test: NAME ..."
# line and their result (passed/FAILED); setup and teardown print skips too,
# outside any test, and are not counted
count_skipped() {
	awk '{
		line = $0
		if (line ~ /^  Test: /) {
			in_test = 1
			sk = 0
			sub(/^  Test: [^ ]+ \.\.\./, "", line)
		}
		if (in_test) {
			pos = match(line, /passed|FAILED/)
			pre = pos ? substr(line, 1, pos - 1) : line
			if (pre ~ /\[SKIPPED\]/)
				sk = 1
			if (pos) {
				if (sk)
					n++
				in_test = 0
			}
		}
	} END { print n + 0 }' "$1"
}

# run_cu LABEL LUN SUITE: one iscsi-test-cu run, its counts, its failures
run_cu() {
	local label=$1 lun=$2 suite=$3 log=$T/cu.$1.log summary total ran passed failed skipped
	timeout 1200 iscsi-test-cu --dataloss -t "$suite" "iscsi://127.0.0.1:$port/$IQN/$lun" \
		>"$log" 2>&1
	summary=$(grep -E '^ +tests +[0-9]+' "$log" | tail -1)
	# "tests  Total  Ran  Passed  Failed  Inactive"
	read -r _ total ran passed failed _ <<<"$summary"
	skipped=$(count_skipped "$log")
	if [ -z "$summary" ] || [ "${ran:-0}" -eq 0 ]; then
		fail "$label: no tests ran: $(tail -c 500 "$log")"
	elif [ "$failed" -ne 0 ]; then
		fail "$label: $failed of $ran tests failed:"
		grep -E 'Test: .*FAILED|^ +[0-9]+\. ' "$log" >&2
	else
		echo "$label (lun $lun, $bs-byte blocks): $passed of $ran tests passed," \
			"$skipped skipped in part or whole (total $total)"
		ok
	fi
	alive cu || { fail "target died during $label"; finish; }
}

luns=(--lun "0=$T/t0.img,size=64M,bs=$bs" --lun "1=$T/t1.img,size=64M")
if [ $ro -eq 1 ]; then
	truncate -s 64M "$T/ro.img"
	luns+=(--lun "2=$T/ro.img,ro")
fi
start_serve cu "$port" "${luns[@]}" || finish
for suite in "$@"; do
	run_cu "$suite" 0 "$suite"
done
[ $ro -eq 1 ] && run_cu SCSI.ReadOnly-on-ro-lun 2 SCSI.ReadOnly
stop_serve cu || fail "serve exited non-zero"
if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/cu.err"; then
	fail "sanitizer report from vitk odx serve"
fi
finish
