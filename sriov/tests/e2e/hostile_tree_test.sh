#!/usr/bin/env bash
# A captured sysfs tree is input from elsewhere (issue 10): a FIFO in place of
# an attribute must not hang `sriov list` (files are opened O_NONBLOCK and
# checked with fstat; libpci's files are checked with stat before it runs),
# and a virtfn link that loops or leads out of the tree is reported, never
# printed as a VF address.
set -uo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
RUNFILES=${TEST_SRCDIR:-${RUNFILES_DIR:-$0.runfiles}}
R=$RUNFILES/vitk
VITK=$R/cli/vitk
TREE=$R/sriov/fake_tree
export VITK_NO_PROGRESS=1 VITK_DB=$TEST_TMPDIR/inv.db
failures=0
checks=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { checks=$((checks + 1)); }

SYS=$TEST_TMPDIR/sys
fresh() { rm -rf "$SYS" && "$TREE" "$SYS" sample >/dev/null || { echo "no fake tree"; exit 1; }; }
pf_dir() { readlink -f "$SYS/bus/pci/devices/$1"; }
list() { VITK_SYSFS_ROOT=$SYS timeout 10 "$VITK" sriov list --vfs "$@" >"$TEST_TMPDIR/out" 2>"$TEST_TMPDIR/err"; }

# --- a FIFO in place of an attribute we read, and of one libpci reads
for attr in sriov_numvfs numa_node config vendor; do
	fresh
	rm -f "$(pf_dir 0000:01:00.0)/$attr"
	mkfifo "$(pf_dir 0000:01:00.0)/$attr"
	list
	rc=$?
	if [ $rc = 124 ]; then
		fail "$attr as a FIFO: sriov list hung"
	elif grep -q "'0000:01:00.0': sysfs file '$attr' is not a regular file" "$TEST_TMPDIR/err"; then
		ok
	else
		fail "$attr as a FIFO: rc $rc: $(cat "$TEST_TMPDIR/err")"
	fi
done

# --- the same through vitk_sriov__read_attr: a PF's show of an attribute read after libpci
fresh
list -o json && ok || fail "sample tree: $(cat "$TEST_TMPDIR/err")"
grep -q '"0000:02:10.0"' "$TEST_TMPDIR/out" && ok || fail "sample tree lists VF 0000:02:10.0"

# --- a virtfn link that loops
fresh
d=$(pf_dir 0000:01:00.0)
rm "$d/virtfn0"
ln -s virtfn0 "$d/virtfn0"
list -o json
grep -q "skipping '0000:01:00.0': link 'virtfn0' loops" "$TEST_TMPDIR/err" && ok ||
	fail "loop not reported: $(cat "$TEST_TMPDIR/err")"
grep -q '"virtfn0"' "$TEST_TMPDIR/out" && fail "a looping link printed as an address" || ok

# --- a virtfn link out of the tree
fresh
d=$(pf_dir 0000:01:00.0)
mkdir -p "$TEST_TMPDIR/elsewhere/0000:09:00.0"
rm "$d/virtfn1"
ln -s "$TEST_TMPDIR/elsewhere/0000:09:00.0" "$d/virtfn1"
list -o json
grep -q "skipping '0000:01:00.0': link 'virtfn1' points outside the sysfs tree" "$TEST_TMPDIR/err" && ok ||
	fail "outside link not reported: $(cat "$TEST_TMPDIR/err")"
grep -q '0000:09:00.0' "$TEST_TMPDIR/out" && fail "a link out of the tree printed as an address" || ok

# --- a virtfn link inside the tree to something that is no PCI device
fresh
d=$(pf_dir 0000:01:00.0)
rm "$d/virtfn0"
ln -s ../../../bus "$d/virtfn0"
list -o json
grep -q "link 'virtfn0' does not name a PCI device" "$TEST_TMPDIR/err" && ok ||
	fail "non-device link not reported: $(cat "$TEST_TMPDIR/err")"

echo "$checks checks passed, $failures failed"
[ "$failures" -eq 0 ]
