#!/usr/bin/env bash
# Fleet benchmark (not a test): HOSTS simulated hosts x ROWS VFs each (plus
# their PFs and one assignment per ten VFs) pushed into a central PostgreSQL
# inventory by PUSHERS concurrent `vitk inventory push` processes (one host
# per push, one transaction each), compared in the same run with psql \copy
# of the same rows (one psql -1 per host, PUSHERS at a time, into tables
# made LIKE the central ones INCLUDING ALL plus the same foreign key to
# vitk.hosts: same columns, identity, unique keys, indexes and per-row FK
# checks; the superuser bypasses row-level security on both sides).
# Then the fleet report `free-vfs` over all of them, timed.
#   bench/fleet/run.sh                      # 1,000 x 5,000
#   HOSTS=100 ROWS=5000 bench/fleet/run.sh  # smaller
# Goals (issue 15): push >= 0.5x \copy, fleet report < 2 s.
# The server runs with fsync=off (tests/e2e/pg_lib.sh) for both sides alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
HOSTS=${HOSTS:-1000}
ROWS=${ROWS:-5000}
PUSHERS=${PUSHERS:-4}
NPF=$(((ROWS + 249) / 250))
W=$(mktemp -d /tmp/vitk-bench-fleet.XXXXXX)
trap 'rm -rf "$W"' EXIT
bazel build --config=opt //cli:vitk >/dev/null 2>&1
# a copy: a later build with other options repoints bazel-bin
cp "$(bazel info --config=opt bazel-bin 2>/dev/null)/cli/vitk" "$W/vitk"
VITK=$W/vitk
source tests/e2e/pg_lib.sh
pg_start -c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=30min
trap 'pg_stop; rm -rf "$W"' EXIT
URL="postgresql:///vitk?host=$PGHOST&port=$PGPORT&user=postgres"
export VITK_ETC_ROOT=$W/etc
mkdir -p "$W/etc"
echo opsadmin >"$W/etc/hostname"
printf '%032x\n' 0 >"$W/etc/machine-id"
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- one local inventory holding every simulated host's rows -----------------
L=$W/local.db
"$VITK" --db "$L" inventory init >/dev/null
"$VITK" --db "$URL" inventory init >/dev/null
t0=$(now)
sqlite3 "$L" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $HOSTS)
INSERT INTO hosts(name, machine_id, kind, source, created_at, updated_at)
  SELECT printf('bench%05d', i), printf('%032x', i), 'linux', 'import',
         '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z' FROM c;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $NPF - 1)
INSERT INTO sriov_pf(host_id, addr, vendor_id, device_id, driver, netdev, numa_node, total_vfs,
                     num_vfs, created_at, updated_at)
  SELECT h.id, printf('0000:%02x:00.0', c.i + 1), '8086', '1592', 'ice', printf('ens%d', c.i),
         c.i % 2, 256, 250, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'
  FROM hosts h, c WHERE h.name LIKE 'bench%' ORDER BY h.id, c.i;
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < $ROWS - 1)
INSERT INTO sriov_vf(host_id, addr, pf, vf_index, driver, netdev, mac, vlan, created_at, updated_at)
  SELECT h.id, printf('0000:%02x:%02x.%d', c.i / 250 + 1, (c.i % 250) / 8 + 1, c.i % 8),
         printf('0000:%02x:00.0', c.i / 250 + 1), c.i % 250, 'iavf',
         printf('ens%dv%d', c.i / 250, c.i % 250),
         printf('52:54:%02x:%02x:%02x:%02x', h.id / 256, h.id % 256, c.i / 256, c.i % 256),
         100 + c.i % 10, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z'
  FROM hosts h, c WHERE h.name LIKE 'bench%' ORDER BY h.id, c.i;
INSERT INTO sriov_assignment(host_id, vf, domain, uri, mac, vlan, state, created_at, updated_at)
  SELECT host_id, addr, printf('vm%d', id), 'qemu:///system', mac, vlan, 'attached',
         created_at, updated_at FROM sriov_vf WHERE vf_index % 10 = 0 ORDER BY host_id, id;
COMMIT;
SQL
t1=$(now)
n_pf=$(sqlite3 "$L" "SELECT count(*) FROM sriov_pf")
n_vf=$(sqlite3 "$L" "SELECT count(*) FROM sriov_vf")
n_as=$(sqlite3 "$L" "SELECT count(*) FROM sriov_assignment")
N=$((n_pf + n_vf + n_as))
echo "local inventory: $HOSTS hosts, $n_vf VFs, $n_pf PFs, $n_as assignments = $N rows ($(secs "$t0" "$t1") s to generate)"

# --- push: PUSHERS processes, one host each --------------------------------
t0=$(now)
sqlite3 "$L" "SELECT name FROM hosts WHERE name LIKE 'bench%' ORDER BY id" |
	xargs -P "$PUSHERS" -n 1 sh -c 'exec "$0" --db "$1" -q inventory push --host "$3" "$2"' "$VITK" "$L" "$URL" 2>&1 |
	head -5 | sed 's/^/push: /'
t1=$(now)
got=$(PSQL -c "SELECT (SELECT count(*) FROM vitk.sriov_pf) + (SELECT count(*) FROM vitk.sriov_vf) + (SELECT count(*) FROM vitk.sriov_assignment)")
[ "$got" -eq "$N" ] || { echo "central has $got rows, expected $N" >&2; exit 1; }
push_rate=$(rate "$N" "$t0" "$t1")
echo "vitk inventory push: $N rows in $(secs "$t0" "$t1") s = $push_rate rows/s ($PUSHERS pushers, one transaction per host)"

# --- the same rows as COPY text, one file per host and table, with the -----
# --- central host ids (the \copy tables reference vitk.hosts as push's do) --
PSQL -c "COPY (SELECT machine_id, id FROM vitk.hosts WHERE machine_id IS NOT NULL) TO STDOUT" >"$W/map.tsv"
sqlite3 "$W/map.db" "CREATE TABLE map(mid TEXT PRIMARY KEY, cid INTEGER)"
printf '.mode tabs\n.import %s map\n' "$W/map.tsv" | sqlite3 "$W/map.db"
dump() { # dump TABLE COLS PER_HOST
	local cols
	cols=$(sed -E 's/([a-z_]+)/t.\1/g' <<<"${2#host_id, }")
	mkdir -p "$W/copy/$1"
	sqlite3 -batch -separator $'\t' -nullvalue '\N' "$L" \
		"ATTACH '$W/map.db' AS m; SELECT m.cid, $cols FROM $1 t JOIN hosts h ON h.id = t.host_id JOIN m.map m ON m.mid = h.machine_id WHERE h.name LIKE 'bench%' ORDER BY t.host_id, t.id" |
		split -l "$3" -d -a 5 - "$W/copy/$1/"
}
PFC="host_id, addr, vendor_id, device_id, driver, netdev, numa_node, total_vfs, num_vfs, created_at, updated_at"
VFC="host_id, addr, pf, vf_index, driver, netdev, mac, vlan, created_at, updated_at"
ASC="host_id, vf, domain, uri, mac, vlan, state, created_at, updated_at"
dump sriov_pf "$PFC" "$NPF"
dump sriov_vf "$VFC" "$ROWS"
dump sriov_assignment "$ASC" $((n_as / HOSTS))
PSQL <<SQL
CREATE SCHEMA copybench;
CREATE TABLE copybench.sriov_pf (LIKE vitk.sriov_pf INCLUDING ALL,
  FOREIGN KEY (host_id) REFERENCES vitk.hosts(id) ON DELETE CASCADE);
CREATE TABLE copybench.sriov_vf (LIKE vitk.sriov_vf INCLUDING ALL,
  FOREIGN KEY (host_id) REFERENCES vitk.hosts(id) ON DELETE CASCADE);
CREATE TABLE copybench.sriov_assignment (LIKE vitk.sriov_assignment INCLUDING ALL,
  FOREIGN KEY (host_id) REFERENCES vitk.hosts(id) ON DELETE CASCADE);
CREATE SCHEMA copynofk;
CREATE TABLE copynofk.sriov_pf (LIKE vitk.sriov_pf INCLUDING ALL);
CREATE TABLE copynofk.sriov_vf (LIKE vitk.sriov_vf INCLUDING ALL);
CREATE TABLE copynofk.sriov_assignment (LIKE vitk.sriov_assignment INCLUDING ALL);
SQL
for f in "$W"/copy/sriov_vf/*; do
	k=$(basename "$f")
	printf '\\copy copybench.sriov_pf (%s) FROM %s\n\\copy copybench.sriov_vf (%s) FROM %s\n\\copy copybench.sriov_assignment (%s) FROM %s\n' \
		"$PFC" "$W/copy/sriov_pf/$k" "$VFC" "$f" "$ASC" "$W/copy/sriov_assignment/$k" >"$W/copy/$k.sql"
done
mkdir -p "$W/nofk"
for f in "$W"/copy/*.sql; do sed 's/copybench\./copynofk./g' "$f" >"$W/nofk/$(basename "$f")"; done

# --- \copy: the same rows, same shape of work ---------------------------------
t0=$(now)
ls "$W"/copy/*.sql | xargs -P "$PUSHERS" -n 1 psql -X -q -1 -v ON_ERROR_STOP=1 -f >/dev/null
t1=$(now)
got=$(PSQL -c "SELECT (SELECT count(*) FROM copybench.sriov_pf) + (SELECT count(*) FROM copybench.sriov_vf) + (SELECT count(*) FROM copybench.sriov_assignment)")
[ "$got" -eq "$N" ] || { echo "\\copy loaded $got rows, expected $N" >&2; exit 1; }
copy_rate=$(rate "$N" "$t0" "$t1")
echo "psql \\copy:          $N rows in $(secs "$t0" "$t1") s = $copy_rate rows/s ($PUSHERS psql -1 at a time, one per host)"
t0=$(now)
ls "$W"/nofk/*.sql | xargs -P "$PUSHERS" -n 1 psql -X -q -1 -v ON_ERROR_STOP=1 -f >/dev/null
t1=$(now)
nofk_rate=$(rate "$N" "$t0" "$t1")
echo "psql \\copy, no FK:   $N rows in $(secs "$t0" "$t1") s = $nofk_rate rows/s (the same without the foreign key to hosts)"
awk -v p="$push_rate" -v c="$copy_rate" -v n="$nofk_rate" 'BEGIN {
	printf "ratio push/\\copy = %.2fx (same schema; goal >= 0.50x); push/\\copy without FK = %.2fx\n", p / c, p / n }'

# --- a second push of one host changes nothing --------------------------------
t0=$(now)
"$VITK" --db "$L" -o json inventory push --host bench00001 "$URL" | jq -c '{rows_unchanged, rows_added, rows_updated}'
echo "idempotent re-push of one host: $(secs "$t0" "$(now)") s"

# --- the fleet report over everything ------------------------------------------
PSQL -c "ANALYZE" >/dev/null
# what any query that reads every VF costs on this machine: the floor under the report
t0=$(now)
PSQL -c "SELECT count(*) FROM (SELECT host_id, pf FROM vitk.sriov_vf GROUP BY host_id, pf) g" >/dev/null
echo "floor: one GROUP BY over the $n_vf VFs in psql: $(secs "$t0" "$(now)") s"
for run in 1 2 3; do
	t0=$(now)
	"$VITK" --db "$URL" -o csv inventory report free-vfs >"$W/report.csv"
	t1=$(now)
	echo "fleet report free-vfs over $n_vf VFs ($(($(wc -l <"$W/report.csv") - 1)) host/NUMA rows): $(secs "$t0" "$t1") s (run $run; goal < 2 s)"
done
t0=$(now)
"$VITK" --db "$URL" -o csv inventory report free-vfs --host-glob 'bench0000*' >/dev/null
echo "fleet report free-vfs --host-glob 'bench0000*': $(secs "$t0" "$(now)") s"
