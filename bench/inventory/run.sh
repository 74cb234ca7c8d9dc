#!/usr/bin/env bash
# Inventory benchmark (not a test): 100,000 VF-like rows through the vitk
# inventory API in one transaction plus a report, against the sqlite3 CLI
# importing the same rows from CSV (.import) into an identical table.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-100000}
bazel build -c opt //bench/inventory:inventory_bench >/dev/null 2>&1
BIN=bazel-bin/bench/inventory/inventory_bench
W=$(mktemp -d /tmp/vitk-bench-inv.XXXXXX)
trap 'rm -rf "$W"' EXIT

out=$("$BIN" "$W/vitk.db" "$W/rows.csv" "$N")
echo "vitk:    $out"
vitk_rate=$(sed -E 's/.*insert_rows_per_s=([0-9.]+).*/\1/' <<<"$out")
rss=$(sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$out")

# the same table shape (incl. the unique key and host index) for sqlite3
cat >"$W/schema.sql" <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE hosts (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO hosts VALUES (1, 'bench');
-- same columns, the same unique key and host index; sqlite3 .import fills
-- the rowid itself (vitk's id INTEGER PRIMARY KEY is that rowid too)
CREATE TABLE bench_vf (host_id INTEGER NOT NULL REFERENCES hosts(id),
  pf TEXT NOT NULL, vf_index INTEGER, address TEXT, mac TEXT, vlan INTEGER, trust INTEGER,
  spoofchk INTEGER, numa_node INTEGER, driver TEXT, max_rate_mbps REAL,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE(host_id, pf, vf_index));
CREATE INDEX bench_vf_host ON bench_vf(host_id);
SQL
sqlite3 "$W/ref.db" <"$W/schema.sql" >/dev/null
t0=$(date +%s.%N)
sqlite3 "$W/ref.db" <<SQL
.mode csv
.import $W/rows.csv bench_vf
SQL
t1=$(date +%s.%N)
n_ref=$(sqlite3 "$W/ref.db" 'SELECT count(*) FROM bench_vf')
[ "$n_ref" -eq "$N" ] || { echo "sqlite3 imported $n_ref rows, expected $N" >&2; exit 1; }
ref_rate=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
echo "sqlite3: rows=$N import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') import_rows_per_s=$ref_rate"
awk -v v="$vitk_rate" -v r="$ref_rate" -v rss="$rss" 'BEGIN {
	printf "ratio vitk/sqlite3 = %.2fx (target >= 0.80x); vitk peak RSS %.1f MB (target < 64 MB)\n", v / r, rss }'
