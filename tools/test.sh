#!/usr/bin/env bash
# Command two: install what is missing, build, and run every test -- unit,
# end-to-end, fuzz-driver and conformance tests -- normally and under
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -uo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh || { echo "setup failed" >&2; exit 1; }
# the package install test's Debian chroot: built once (needs the mirror), cached
packaging/tests/make_chroot.sh >/dev/null ||
	echo "warning: no chroot for //packaging:deb_install_test (packaging/tests/make_chroot.sh)" >&2

logdir=$(mktemp -d /tmp/vitk-test.XXXXXX)
pass=0
fail=0
status=0
run() {
	local name=$1
	shift
	echo "==> bazel test ($name)"
	bazel test --test_summary=short --keep_going "$@" //... 2>&1 | tee "$logdir/$name.log" |
		grep -E '^(//|Executed|ERROR|FAILED|INFO: Build completed)' || true
	local rc=${PIPESTATUS[0]}
	local p f
	p=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$logdir/$name.log" || true)
	f=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|FLAKY|NO STATUS|FAILED TO BUILD)' "$logdir/$name.log" || true)
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$rc" -ne 0 ]; then
		status=1
		if [ "$f" -eq 0 ]; then fail=$((fail + 1)); fi
		echo "bazel test ($name) exited $rc; log: $logdir/$name.log"
	fi
}
run default
run asan --config=asan
echo
echo "test logs: bazel-testlogs/ (last run: asan); summaries: $logdir"
echo "$pass passed, $fail failed"
exit $status
