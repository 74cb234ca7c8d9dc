#!/usr/bin/env bash
# Multipath: one target on two portals (ports 13300, 13301).  Discovery on
# either portal lists both, each with its own target portal group tag; the
# standard INQUIRY says implicit ALUA (TPGS 1); libiscsi's MultipathIO suite,
# given one URL per portal, finds the same LU behind both paths and passes
# without a skip.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

p1=13300
p2=13301
start_serve mp $p1 --portal "127.0.0.1:$p2" --lun "0=$T/mp0.img,size=64M" \
	--lun "1=$T/mp1.img,size=64M" || finish

for p in $p1 $p2; do
	out=$(iscsi-ls -s "iscsi://127.0.0.1:$p" 2>&1)
	if grep -q "Portal:127.0.0.1:$p1,1" <<<"$out" && grep -q "Portal:127.0.0.1:$p2,2" <<<"$out"; then
		ok
	else
		fail "discovery on portal $p does not list both portals: $out"
	fi
	if iscsi-inq "iscsi://127.0.0.1:$p/$IQN/0" 2>&1 | grep -qx "TPGS:1"; then
		ok
	else
		fail "INQUIRY through portal $p: TPGS is not 1 (implicit ALUA)"
	fi
done

command -v iscsi-test-cu >/dev/null || { fail "iscsi-test-cu missing (libiscsi-bin)"; finish; }
log=$T/cu.multipath.log
timeout 600 iscsi-test-cu --dataloss -t SCSI.MultipathIO "iscsi://127.0.0.1:$p1/$IQN/0" \
	"iscsi://127.0.0.1:$p2/$IQN/0" >"$log" 2>&1
read -r _ total ran passed failed _ <<<"$(grep -E '^ +tests +[0-9]+' "$log" | tail -1)"
# a test that printed [SKIPPED] between its "Test:" line and its result
skipped=$(awk '/^  Test: /{t=1; s=0} t && /\[SKIPPED\]/ && !/passed|FAILED/{s=1}
	t && /passed|FAILED/{ if (s || $0 ~ /\[SKIPPED\].*(passed|FAILED)/) n++; t=0 } END{print n+0}' "$log")
if ! grep -q "found matching LU device identifier for all (2) paths" "$log"; then
	fail "MultipathIO did not see one LU behind both paths: $(tail -c 800 "$log")"
elif [ "${ran:-0}" -ne 4 ] || [ "${failed:-1}" -ne 0 ] || [ "$skipped" -ne 0 ]; then
	fail "MultipathIO: ran ${ran:-0} of ${total:-?}, failed ${failed:-?}, skipped $skipped:"
	grep -E 'Test: |SKIPPED|FAILED' "$log" >&2
else
	echo "MultipathIO over two portals: $passed of $ran passed, none skipped"
	ok
fi
alive mp || fail "target died"
finish
