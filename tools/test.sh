#!/usr/bin/env bash
# Command two: install what is missing, build, and run every test -- unit,
# end-to-end, fuzz-driver and conformance tests -- normally and under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the real-kernel tier
# (tests/vm/run.sh, both builds of vitk inside Debian's kernel under QEMU).
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
# bazel-bin follows the last build's config: keep each config's vitk binary
# for the real-kernel tier right after its run
run default
cp bazel-bin/cli/vitk "$logdir/vitk.normal" 2>/dev/null || true
run asan --config=asan
cp bazel-bin/cli/vitk "$logdir/vitk.asan" 2>/dev/null || true

# The real-kernel tier (tests/vm/, README "Real-kernel test tier"): Debian's
# kernel under QEMU.  It fails loudly when the host cannot run it; a skip
# counts as a failure.
echo "==> real-kernel tier (tests/vm/run.sh)"
vm_env=()
[ -x "$logdir/vitk.normal" ] && vm_env+=(VITK_VM_BIN="$logdir/vitk.normal")
[ -x "$logdir/vitk.asan" ] && vm_env+=(VITK_VM_ASAN_BIN="$logdir/vitk.asan")
env "${vm_env[@]}" tests/vm/run.sh 2>&1 | tee "$logdir/vm.log" | grep -vE '^(ok - |  )' || true
vm_rc=${PIPESTATUS[0]}
vm_line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$logdir/vm.log" | tail -1)
if [ -n "$vm_line" ]; then
	vp=$(echo "$vm_line" | sed 's/^vm: \([0-9]*\) passed.*/\1/')
	vf=$(echo "$vm_line" | sed 's/.* \([0-9]*\) failed.*/\1/')
	pass=$((pass + vp))
	fail=$((fail + vf))
	if [ "$vm_rc" -ne 0 ] && [ "$vf" -eq 0 ]; then fail=$((fail + 1)); fi
else
	fail=$((fail + 1))
	echo "real-kernel tier: no result line (exit $vm_rc); log: $logdir/vm.log"
fi
[ "$vm_rc" -eq 0 ] || status=1
echo
echo "test logs: bazel-testlogs/ (last run: asan); summaries: $logdir"
echo "$pass passed, $fail failed"
exit $status
