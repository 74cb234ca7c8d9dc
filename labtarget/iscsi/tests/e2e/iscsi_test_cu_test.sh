#!/usr/bin/env bash
# libiscsi's conformance suite (iscsi-test-cu, Debian libiscsi-bin 1.19)
# against the real `vitk odx serve`: the one place it runs from.
#
#   iscsi_test_cu_test.sh [--bs N] [--pbs N] [--ro] SUITE...
#
# Each SUITE (e.g. ALL, iSCSI, SCSI.ExtendedCopy) runs with --dataloss
# --allow-sanitize against LUN 0 (64 MiB, N-byte blocks, default 512;
# --pbs 4096 makes it 512e; SANITIZE enabled); LUN 1 is a second 64 MiB disk
# for the copy tests.  --ro adds a read-only LUN 2 and runs SCSI.ReadOnly on
# it (on a writable LUN those tests skip themselves).
#
# The CUnit summary counts a skipped test as passed, so the log is parsed
# test by test: a run fails on any failed test (but the two listed in
# KNOWN_FAIL, with their reasons) and on any test that printed "[SKIPPED]"
# for a reason not in ALLOWED_SKIP -- features the target deliberately lacks
# (ORWRITE, WRITE ATOMIC(16), READ DEFECT DATA, removable media) and
# multipath, until the target has a second portal.  A sanitizer report from
# the target (asan config) fails it too.  Subsets for a quick run:
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

# Skip reasons that do not fail a run: what the target deliberately does not
# implement (labtarget/README.md, "Protocol subset"), multipath (one portal),
# a read-only check on the writable LUN (the ReadOnly suite runs on LUN 2),
# and a 4096-byte LUN having one logical block per physical block.
ALLOWED_SKIP='ORWRITE is not implemented|WRITEATOMIC16 is not implemented'
ALLOWED_SKIP+='|READDEFECTDATA1[02] is not implemented|[Ll]ogical unit is not removable'
ALLOWED_SKIP+='|Media is not removable|Multipath unavailable'
[ -n "$pbs" ] || ALLOWED_SKIP+='|LBPPB < 2'
# Failures that are not the target's:
#   GetLBAStatus.UnmapSingle  with LBPPB > 1 the test asks for the status of
#       LBA i+1 and wants a descriptor starting at i+LBPPB, which SBC-4 5.8
#       forbids (the first descriptor starts at the LBA asked for)
#   Sanitize.Reset  wants SANITIZE still in progress 3 s after it was sent
#       while other commands on the same session are answered; commands on
#       one connection run one at a time until command queueing lands
KNOWN_FAIL='^(GetLBAStatus\.UnmapSingle|Sanitize\.Reset)$'

# results LOG: one line per test, "PASS|FAIL|SKIP Suite.Test [skip reasons]";
# setup and teardown print skips too, outside any test, and are not counted
results() {
	awk '
	/^Suite: / { suite = $2 }
	/^  Test: / {
		name = suite "." $2; why = ""
		sub(/^  Test: [^ ]+ \.\.\./, "")
	}
	name != "" {
		line = $0
		while (match(line, /\[SKIPPED\][^[]*/)) {
			r = substr(line, RSTART + 10, RLENGTH - 10)
			gsub(/^ +| +$/, "", r)
			why = why "|" r
			line = substr(line, RSTART + RLENGTH)
		}
		if ($0 ~ /(passed|FAILED)$/) {
			print ($0 ~ /FAILED$/ ? "FAIL" : why != "" ? "SKIP" : "PASS"), name, why
			name = ""
		}
	}' "$1"
}

# run_cu LABEL LUN SUITE [ALLOW]: one iscsi-test-cu run, its counts, its
# failures and unexpected skips; ALLOW adds skip reasons for this run
run_cu() {
	local label=$1 lun=$2 suite=$3 allow=$ALLOWED_SKIP${4:+|$4}
	local log=$T/cu.$1.log res=$T/cu.$1.res npass nskip nfail bad
	timeout 1200 iscsi-test-cu --dataloss --allow-sanitize -t "$suite" \
		"iscsi://127.0.0.1:$port/$IQN/$lun" >"$log" 2>&1
	results "$log" >"$res"
	npass=$(grep -c '^PASS' "$res")
	nskip=$(grep -c '^SKIP' "$res")
	nfail=$(grep -c '^FAIL' "$res")
	echo "$label (lun $lun, $bs-byte blocks${pbs:+, pbs $pbs}): $npass passed," \
		"$nskip skipped in part or whole, $nfail failed" \
		"($(grep -Ec "$KNOWN_FAIL" <(awk '$1 == "FAIL" { print $2 }' "$res")) known)"
	if [ $((npass + nskip + nfail)) -eq 0 ]; then
		fail "$label: no tests ran: $(tail -c 500 "$log")"
	else
		ok
	fi
	bad=$(awk '$1 == "FAIL" { print $2 }' "$res" | grep -Ev "$KNOWN_FAIL")
	[ -z "$bad" ] && ok || fail "$label: failed: $(echo $bad)"
	# a skipped test passes only when every reason it gave is allowed
	bad=$(awk -v allow="$allow" '$1 == "SKIP" {
		n = split(substr($0, index($0, "|") + 1), r, "|")
		for (i = 1; i <= n; i++)
			if (r[i] !~ allow) { print $2 ": " r[i]; break }
	}' "$res")
	[ -z "$bad" ] && ok || fail "$label: skipped for a reason not allowed: $bad"
	alive cu || { fail "target died during $label"; finish; }
}

luns=(--lun "0=$T/t0.img,size=64M,bs=$bs${pbs:+,pbs=$pbs},sanitize" --lun "1=$T/t1.img,size=64M")
if [ $ro -eq 1 ]; then
	truncate -s 64M "$T/ro.img"
	luns+=(--lun "2=$T/ro.img,ro")
fi
start_serve cu "$port" "${luns[@]}" || finish
for suite in "$@"; do
	run_cu "$suite" 0 "$suite" 'Logical unit is not write-protected'
done
[ $ro -eq 1 ] && run_cu SCSI.ReadOnly-on-ro-lun 2 SCSI.ReadOnly
stop_serve cu || fail "serve exited non-zero"
if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/cu.err"; then
	fail "sanitizer report from vitk odx serve"
fi
finish
