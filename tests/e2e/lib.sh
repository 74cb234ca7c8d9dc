# Shared helpers for vitk end-to-end tests (sourced by sh_test scripts).
set -uo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
RUNFILES=${TEST_SRCDIR:-${RUNFILES_DIR:-$0.runfiles}}
VITK=${VITK:-$RUNFILES/vitk/cli/vitk}
[ -x "$VITK" ] || VITK=$(find "$RUNFILES" -path '*cli/vitk' -type f | head -1)
export VITK_NO_PROGRESS=1
failures=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

ok() {
	checks=$((checks + 1))
}

# expect_exit CODE -- command...   (stderr kept in $TEST_TMPDIR/stderr)
expect_exit() {
	local want=$1
	shift
	[ "$1" = "--" ] && shift
	"$@" >"$TEST_TMPDIR/stdout" 2>"$TEST_TMPDIR/stderr"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		fail "'$*' exited $got, expected $want; stderr: $(cat "$TEST_TMPDIR/stderr")"
	else
		ok
	fi
}

# expect_stderr REGEX: the last expect_exit's stderr is one line matching REGEX
expect_stderr() {
	local lines
	lines=$(wc -l <"$TEST_TMPDIR/stderr")
	if ! grep -qE "$1" "$TEST_TMPDIR/stderr"; then
		fail "stderr does not match '$1': $(cat "$TEST_TMPDIR/stderr")"
	elif [ "$lines" -ne 1 ]; then
		fail "stderr has $lines lines, expected one: $(cat "$TEST_TMPDIR/stderr")"
	else
		ok
	fi
}

# normalise volatile fields (timestamps) before comparing with golden files
normalise() {
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<TS>/g' | sed -E "s#$TEST_TMPDIR#<TMP>#g"
}

# golden NAME -- command...: stdout (normalised) must equal the golden file NAME
golden() {
	local name=$1
	shift
	[ "$1" = "--" ] && shift
	local want="$GOLDEN_DIR/$name"
	"$@" 2>"$TEST_TMPDIR/stderr" | normalise >"$TEST_TMPDIR/out.$name"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$TEST_TMPDIR/out.$name" "$UPDATE_GOLDEN_DIR/$name"
	fi
	if ! diff -u "$want" "$TEST_TMPDIR/out.$name"; then
		fail "output of '$*' differs from golden $name"
	else
		ok
	fi
}

finish() {
	echo "$checks checks passed, $failures failed"
	[ "$failures" -eq 0 ]
}
