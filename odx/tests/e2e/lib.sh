# Helpers for the odx end-to-end tests (sourced).  Daemons started here are
# stopped by the EXIT trap; ports come from the odx range 13260-13279.
set -uo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
RUNFILES=${TEST_SRCDIR:-${RUNFILES_DIR:-$0.runfiles}}
VITK=${VITK:-$RUNFILES/vitk/cli/vitk}
[ -x "$VITK" ] || VITK=$(find "$RUNFILES" -path '*cli/vitk' -type f | head -1)
export VITK_NO_PROGRESS=1
W=$TEST_TMPDIR/odx
rm -rf "$W"
mkdir -p "$W"
DB=$W/inv.db
BS=512
failures=0
checks=0
PIDS=()

cleanup() {
	local p i
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		# tgtd ignores SIGTERM while it has targets: escalate after 2 s
		for i in $(seq 1 20); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() { checks=$((checks + 1)); }
check() { # check DESCRIPTION -- command...
	local what=$1
	shift
	[ "$1" = "--" ] && shift
	if "$@"; then ok; else fail "$what"; fi
}
V() { "$VITK" --db "$DB" "$@"; }

# wait_port PORT: until something listens on 127.0.0.1:PORT (at most ~10 s)
wait_port() {
	local i
	for i in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "nothing listens on port $1" >&2
	return 1
}

# random_file PATH MiB
random_file() { head -c "$(($2 * 1048576))" /dev/urandom >"$1"; }

# same_blocks FILE1 LBA1 FILE2 LBA2 COUNT: byte-compare two block ranges
same_blocks() {
	cmp -s <(dd if="$1" bs=$BS skip="$2" count="$5" status=none) \
		<(dd if="$3" bs=$BS skip="$4" count="$5" status=none)
}

# zero_blocks FILE LBA COUNT
zero_blocks() {
	cmp -s <(dd if="$1" bs=$BS skip="$2" count="$3" status=none) \
		<(head -c $(($3 * BS)) /dev/zero)
}

# jget FILE FILTER: jq -r on a JSON file
jget() { jq -r "$2" "$1"; }

finish() {
	echo "$checks checks passed, $failures failed"
	[ "$failures" -eq 0 ]
}
