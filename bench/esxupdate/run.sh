#!/usr/bin/env bash
# esxupdate benchmark (not a test): audit of `vib install -d` with a synthetic
# depot of 2,000 VIBs / 40 image profiles against a 400-VIB host, then the
# same at 4x the input.  Targets: median < 250 ms, peak RSS < 100 MB, and
# 4x the input in at most 5x the time.  Reference tool in the same run:
# `unzip -t` over the same bundle (decompress + CRC of every entry), the
# floor any reader of the bundle pays; and the real `vitk` binary end to end.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-9}
bazel build --config=opt //bench/esxupdate:gen_bench //bench/esxupdate:bench_audit //cli:vitk >/dev/null 2>&1
OPT_BIN=$(bazel info --config=opt bazel-bin 2>/dev/null)
BIN=$OPT_BIN/bench/esxupdate
W=$(mktemp -d /tmp/vitk-bench-esxu.XXXXXX)
trap 'rm -rf "$W"' EXIT
CMD="esxcli software vib install -d /vmfs/volumes/ds1/depot.zip"

declare -A MED REF
for k in 1 4; do
	mkdir -p "$W/k$k"
	"$BIN/gen_bench" "$W/k$k" "$k"
	out=$("$BIN/bench_audit" "$W/k$k/depot.zip" "$W/k$k/host-vibs.txt" "$REPS" "$CMD")
	echo "vitk library   x$k: $out"
	MED[$k]=$(sed -E 's/.*median_ms=([0-9.]+).*/\1/' <<<"$out")
	[ "$k" = 1 ] && RSS=$(sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$out")
	# the real binary, end to end (also parses argv, opens the inventory... --no-store)
	t0=$(date +%s%N)
	/usr/bin/time -f "%M" -o "$W/rss" "$OPT_BIN/cli/vitk" --db "$W/b.db" esxupdate audit --no-store \
		--host-vibs "$W/k$k/host-vibs.txt" --depot "$W/k$k/depot.zip" --command "$CMD" >/dev/null || [ $? -eq 10 ]
	t1=$(date +%s%N)
	echo "vitk binary    x$k: wall_ms=$(( (t1 - t0) / 1000000 )) peak_rss_mb=$(tail -1 "$W/rss" | awk '{printf "%.1f", $1/1024}')"
	t0=$(date +%s%N)
	unzip -tqq "$W/k$k/depot.zip" >/dev/null
	t1=$(date +%s%N)
	REF[$k]=$(( (t1 - t0) / 1000000 ))
	echo "unzip -t (ref) x$k: wall_ms=${REF[$k]} ($(stat -c %s "$W/k$k/depot.zip") bytes)"
	awk -v v="${MED[$k]}" -v r="${REF[$k]}" -v k="$k" 'BEGIN { if (r < 1) r = 1; printf "ratio vitk audit / unzip -t at x%s = %.2f\n", k, v / r }'
done
awk -v a="${MED[1]}" -v b="${MED[4]}" -v rss="$RSS" 'BEGIN {
	printf "median audit x1 = %.1f ms (target < 250 ms); peak RSS x1 = %.1f MB (target < 100 MB)\n", a, rss
	printf "scaling: 4x input took %.2fx the time (target <= 5x)\n", b / a }'
