#!/usr/bin/env bash
# Inventory benchmark (not a test): 100,000 VF-like rows through the vitk
# inventory API in one transaction plus a report, against the sqlite3 CLI
# importing the same rows from CSV (.import) into an identically shaped table.
# Runs alternate ROUNDS times and the medians are compared, so a busy machine
# hurts both sides alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-100000}
ROUNDS=${ROUNDS:-5}
bazel build --config=opt //bench/inventory:inventory_bench >/dev/null 2>&1
BIN=$(bazel info --config=opt bazel-bin 2>/dev/null)/bench/inventory/inventory_bench
W=$(mktemp -d /tmp/vitk-bench-inv.XXXXXX)
trap 'rm -rf "$W"' EXIT

# same columns, the same unique key and host index; sqlite3 .import fills the
# rowid itself (vitk's id INTEGER PRIMARY KEY is that rowid too)
cat >"$W/schema.sql" <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE hosts (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO hosts VALUES (1, 'bench');
CREATE TABLE bench_vf (host_id INTEGER NOT NULL REFERENCES hosts(id),
  pf TEXT NOT NULL, vf_index INTEGER, address TEXT, mac TEXT, vlan INTEGER, trust INTEGER,
  spoofchk INTEGER, numa_node INTEGER, driver TEXT, max_rate_mbps REAL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE(host_id, pf, vf_index));
CREATE INDEX bench_vf_host ON bench_vf(host_id);
SQL

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
: >"$W/vitk.rates"
: >"$W/ref.rates"
: >"$W/rss"
: >"$W/report"
for r in $(seq 1 "$ROUNDS"); do
	out=$("$BIN" "$W/vitk.db" "$W/rows.csv" "$N")
	sed -E 's/.*insert_rows_per_s=([0-9.]+).*/\1/' <<<"$out" >>"$W/vitk.rates"
	sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$out" >>"$W/rss"
	sed -E 's/.*report_s=([0-9.]+).*/\1/' <<<"$out" >>"$W/report"
	rm -f "$W/ref.db"*
	sqlite3 "$W/ref.db" <"$W/schema.sql" >/dev/null
	t0=$(date +%s.%N)
	printf '.mode csv\n.import %s bench_vf\n' "$W/rows.csv" | sqlite3 "$W/ref.db"
	t1=$(date +%s.%N)
	n_ref=$(sqlite3 "$W/ref.db" 'SELECT count(*) FROM bench_vf')
	[ "$n_ref" -eq "$N" ] || { echo "sqlite3 imported $n_ref rows, expected $N" >&2; exit 1; }
	awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / (b - a) }' >>"$W/ref.rates"
	echo "round $r: vitk $(tail -1 "$W/vitk.rates") rows/s, sqlite3 .import $(tail -1 "$W/ref.rates") rows/s"
done
v=$(median <"$W/vitk.rates")
s=$(median <"$W/ref.rates")
rss=$(sort -n "$W/rss" | tail -1)
rep=$(median <"$W/report")
echo "vitk inventory API: $N rows in one transaction, median $v rows/s; report over them (aggregate + full select) median ${rep}s"
echo "sqlite3 CLI .import: median $s rows/s"
awk -v v="$v" -v r="$s" -v rss="$rss" 'BEGIN {
	printf "ratio vitk/sqlite3 = %.2fx (target >= 0.80x); vitk peak RSS %.1f MB (target < 64 MB)\n", v / r, rss }'
