#!/usr/bin/env bash
# libiscsi's conformance suite (iscsi-test-cu, Debian libiscsi-bin 1.19)
# against the real `vitk odx serve`: the one place it runs from.
#
#   iscsi_test_cu_test.sh [--bs N] [--pbs N] [--ro] SUITE...
#
# Each SUITE (e.g. ALL, iSCSI, SCSI.ExtendedCopy) runs with --dataloss
# --allow-sanitize against LUN 0 (64 MiB, N-byte blocks, default 512;
# --pbs 4096 makes it 512e; SANITIZE enabled, each sanitize operation taking
# 8 s like a drive, so that Sanitize.Reset sees it still running after its
# resets and a new login); LUN 1 is a second 64 MiB disk for the copy tests.
# --ro adds a read-only LUN 2 and runs SCSI.ReadOnly on it (on a writable LUN
# those tests skip themselves).
#
# The CUnit summary counts a skipped test as passed, so the log is parsed
# test by test: a run fails on any failed test and on any test that printed
# "[SKIPPED]" for a reason not in ALLOWED_SKIP -- features the target
# deliberately lacks (ORWRITE, WRITE ATOMIC(16), READ DEFECT DATA, removable
# media).  The target listens on a second portal and iscsi-test-cu gets a
# second URL through it, so the MultipathIO tests run too.  A sanitizer
# report from the target (asan config) fails it too.
#
# Two failures are not the target's, and each is accepted in one exact form
# only.  GetLBAStatus.UnmapSingle on the 512e LUN.  In the second loop of
# libiscsi's test-tool/test_get_lba_status_unmap_single.c (upstream HEAD and
# 1.19.0: line 120 asks GET LBA STATUS for LBA i+1, line 134 wants the first
# descriptor to start at i+LBPPB, the CU_FAIL on line 135).  SBC-4 5.8 has
# the first descriptor start at the LBA asked for, so with more than one
# logical block per physical block no conformant target passes it (with
# LBPPB=1 the two are the same).  The run accepts that failure only when it
# is the test's single failure and is exactly that CU_FAIL on line 135 of
# the installed 1.19.0 build (UNMAPSINGLE_512E_BUG); any other failure of it,
# or the same on another LUN geometry, fails the run.  To cover what the
# test is meant to check, the 512e run also runs SCSI.GetLBAStatus on a
# 512-native LUN 3 (LBPPB 1), where it must pass with no failure and no
# skip at all; and //labtarget/scsi:sanitize_test checks our answer at LBA
# i+1 on a 512e LUN (first descriptor at i+1, mapped).
#
# A second one, Sanitize.Reset inside ALL: when iscsi-test-cu gets a second
# URL, both sessions last the whole suite, and Sanitize.Reservations (the
# test before it) takes RESERVE(6) through the second session and never
# releases it (mpath_sd2_put() keeps a multipath session: test-tool/
# iscsi-multipath.c, test_sanitize_reservations.c).  Sanitize.Reset's
# SANITIZE, TEST UNIT READY, START STOP UNIT and READ(16) from the first
# session then rightly end in RESERVATION CONFLICT, the SANITIZE never runs
# and the test fails.  In ALL that failure is accepted only in exactly this
# form (Sanitize.Reservations passed; the four failed checks at
# test_sanitize_reset.c lines 97, 102, 107, 165; three commands that ended
# with a status but no sense), and Sanitize.Reset then runs again on its
# own, with fresh sessions on both portals, where it must pass: SANITIZE
# (8 s) still in progress after ABORT TASK, ABORT TASK SET, LUN reset,
# warm and cold reset and a new login, then polled every 60 s until done.
#
# The logs (cu.*.log) are kept in $TEST_UNDECLARED_OUTPUTS_DIR.  Subsets for
# a quick run:
#   bazel test //labtarget/iscsi:iscsi_test_cu_all_test --test_arg=SCSI.Inquiry
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

bs=512
pbs=
ro=0
while [ $# -gt 0 ]; do
	case "$1" in
	--bs) bs=$2; shift ;;
	--pbs) pbs=$2; shift ;;
	--ro) ro=1 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || set -- ALL # the BUILD targets pass no suite: ALL, or --test_arg
command -v iscsi-test-cu >/dev/null || { fail "iscsi-test-cu missing (libiscsi-bin)"; finish; }
port=${ISCSI_TEST_CU_PORT:-13285}
port2=${ISCSI_TEST_CU_PORT2:-13306} # the second portal: a second path for MultipathIO

# Skip reasons that do not fail a run: what the target deliberately does not
# implement (labtarget/README.md, "Protocol subset"),
# a read-only check on the writable LUN (the ReadOnly suite runs on LUN 2),
# and a 4096-byte LUN having one logical block per physical block.
ALLOWED_SKIP='ORWRITE is not implemented|WRITEATOMIC16 is not implemented'
ALLOWED_SKIP+='|READDEFECTDATA1[02] is not implemented|[Ll]ogical unit is not removable'
ALLOWED_SKIP+='|Media is not removable'
[ -n "$pbs" ] || ALLOWED_SKIP+='|LBPPB < 2'
# The one failure accepted, on the 512e LUN only (see the header): the
# failure lines CUnit prints for the test, whole.
UNMAPSINGLE_512E_BUG='test_get_lba_status_unmap_single.c:135  - CU_FAIL("[FAILED] GETLBASTATUS command: " "lba offset in first descriptor does not " "match request.")'
libiscsi_version=$(dpkg-query -W -f '${Version}' libiscsi-bin 2>/dev/null)

# results LOG: one line per test, "PASS|FAIL|SKIP Suite.Test [skip reasons]",
# and after a FAIL line the failures CUnit listed for it, "DETAIL Suite.Test
# TEXT"; setup and teardown print skips too, outside any test, and are not
# counted
results() {
	awk '
	/^Suite: / { suite = $2; failed = "" }
	/^  Test: / {
		name = suite "." $2; why = ""; failed = ""
		sub(/^  Test: [^ ]+ \.\.\./, "")
	}
	failed != "" && /^    [0-9]+\. / {
		d = $0
		sub(/^    [0-9]+\. /, "", d)
		print "DETAIL", failed, d
	}
	name != "" {
		line = $0
		while (match(line, /\[SKIPPED\][^[]*/)) {
			r = substr(line, RSTART + 10, RLENGTH - 10)
			gsub(/^ +| +$/, "", r)
			why = why "|" r
			line = substr(line, RSTART + RLENGTH)
		}
		# the verdict starts its line (or follows "Test: X ..."); the
		# next test'"'"'s setup may print on the same line after it
		if ($0 ~ /^(passed|FAILED)( |$)/) {
			print ($0 ~ /^FAILED/ ? "FAIL" : why != "" ? "SKIP" : "PASS"), name, why
			failed = $0 ~ /^FAILED/ ? name : ""
			name = ""
		}
	}' "$1"
}

# accepted_fail LOG RES TEST: is the failure of TEST in RES one of the two
# libiscsi bugs the header describes, in exactly its form, and nothing else?
accepted_fail() {
	local log=$1 res=$2 test=$3
	case "$libiscsi_version" in 1.19.0-*) ;; *) return 1 ;; esac
	case "$test" in
	GetLBAStatus.UnmapSingle)
		[ -n "$pbs" ] || return 1
		[ "$(awk -v t="$test" '$1 == "DETAIL" && $2 == t' "$res" | wc -l)" -eq 1 ] || return 1
		grep -qxF "DETAIL $test $UNMAPSINGLE_512E_BUG" "$res"
		;;
	Sanitize.Reset)
		# Sanitize.Reservations passed (so its RESERVE6 was taken and is
		# still held by the shared second session); the four checks
		# of a SANITIZE that never ran, each ended without sense
		grep -qx 'PASS Sanitize.Reservations ' "$res" || return 1
		[ "$(awk -v t="$test" '$1 == "DETAIL" && $2 == t { print $3 }' "$res" | tr '\n' ' ')" = \
			"test_sanitize_reset.c:97 test_sanitize_reset.c:102 test_sanitize_reset.c:107 test_sanitize_reset.c:165 " ] || return 1
		[ "$(awk -v t="$test" '$1 == "DETAIL" && $2 == t' "$res" | grep -c ' - CU_ASSERT_EQUAL(_r,0)')" -eq 4 ] || return 1
		[ "$(awk '/^Suite: Sanitize$/ { s = 1 } /^Suite: / && !/Sanitize$/ { s = 0 }
			s && /^  Test: Reset \.\.\./ { t = 1 } t && /^FAILED$/ { t = 0 } t' "$log" |
			grep -c 'failed with wrong sense\. Should have failed with NOT READY(0x02)/SANITIZE_IN_PROGRESS(0x041b) but failed with Sense: (null)(0x00)/(0x0000)$')" -eq 3 ]
		;;
	*) return 1 ;;
	esac
}

# run_cu LABEL LUN SUITE [ALLOW|--strict]: one iscsi-test-cu run, its counts,
# its failures and unexpected skips; ALLOW adds skip reasons for this run,
# --strict allows none at all
run_cu() {
	local label=$1 lun=$2 suite=$3 allow=$ALLOWED_SKIP${4:+|$4}
	local log=$T/cu.$1.log res=$T/cu.$1.res npass nskip nfail bad t ran acc=0
	[ "${4:-}" = --strict ] && allow='^$'
	timeout 1200 iscsi-test-cu --dataloss --allow-sanitize -t "$suite" \
		"iscsi://127.0.0.1:$port/$IQN/$lun" "iscsi://127.0.0.1:$port2/$IQN/$lun" >"$log" 2>&1
	results "$log" >"$res"
	[ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ] && cp "$log" "$res" "$TEST_UNDECLARED_OUTPUTS_DIR/"
	npass=$(grep -c '^PASS' "$res")
	nskip=$(grep -c '^SKIP' "$res")
	nfail=$(grep -c '^FAIL' "$res")
	bad=
	for t in $(awk '$1 == "FAIL" { print $2 }' "$res"); do
		if [ "${4:-}" != --strict ] && accepted_fail "$log" "$res" "$t"; then
			acc=$((acc + 1))
		else
			bad+=" $t"
		fi
	done
	echo "$label (lun $lun, ${geom:-$bs-byte blocks${pbs:+, pbs $pbs}}): $npass passed," \
		"$nskip skipped in part or whole, $nfail failed ($acc of them the known" \
		"libiscsi-bin ${libiscsi_version:-?} test bugs)"
	# every test CUnit ran is counted here, or the parser missed one
	ran=$(awk '$1 == "tests" && $2 ~ /^[0-9]+$/ { print $3 }' "$log")
	if [ $((npass + nskip + nfail)) -eq 0 ]; then
		fail "$label: no tests ran: $(tail -c 500 "$log")"
	elif [ "$((npass + nskip + nfail))" != "${ran:-?}" ]; then
		fail "$label: $((npass + nskip + nfail)) results parsed, CUnit ran ${ran:-?}"
	else
		ok
	fi
	if [ -z "$bad" ]; then
		ok
	else
		fail "$label: failed:$bad: $(grep '^DETAIL' "$res" | head -5)"
	fi
	# a skipped test passes only when every reason it gave is allowed
	bad=$(awk -v allow="$allow" '$1 == "SKIP" {
		n = split(substr($0, index($0, "|") + 1), r, "|")
		for (i = 1; i <= n; i++)
			if (r[i] !~ allow) { print $2 ": " r[i]; break }
	}' "$res")
	[ -z "$bad" ] && ok || fail "$label: skipped for a reason not allowed: $bad"
	alive cu || { fail "target died during $label"; finish; }
}

luns=(--lun "0=$T/t0.img,size=64M,bs=$bs${pbs:+,pbs=$pbs},sanitize,sanitize_time=8"
	--lun "1=$T/t1.img,size=64M")
if [ $ro -eq 1 ]; then
	truncate -s 64M "$T/ro.img"
	luns+=(--lun "2=$T/ro.img,ro")
fi
[ -n "$pbs" ] && luns+=(--lun "3=$T/t3.img,size=64M,bs=512") # 512-native, LBPPB 1
start_serve cu "$port" --portal "127.0.0.1:$port2" "${luns[@]}" || finish
for suite in "$@"; do
	run_cu "$suite" 0 "$suite" 'Logical unit is not write-protected'
done
# Sanitize.Reset on its own, fresh sessions on both portals: it must pass
run_cu SCSI.Sanitize.Reset-alone 0 SCSI.Sanitize.Reset --strict
[ $ro -eq 1 ] && geom="512-byte blocks, read-only" run_cu SCSI.ReadOnly-on-ro-lun 2 SCSI.ReadOnly
# what GetLBAStatus.UnmapSingle is meant to check, where it is valid
[ -n "$pbs" ] && geom="512-byte blocks, 512-native" \
	run_cu SCSI.GetLBAStatus-on-512n-lun 3 SCSI.GetLBAStatus --strict
stop_serve cu || fail "serve exited non-zero"
if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/cu.err"; then
	fail "sanitizer report from vitk odx serve"
fi
finish
