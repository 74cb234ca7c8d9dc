#!/usr/bin/env bash
# End-to-end: the central PostgreSQL inventory (docs/fleet.md) against a
# private server started for this test.  init, report and sql give the same
# goldens as SQLite; push is idempotent and all-or-nothing; the push role
# writes only its own host's rows and the report role cannot write; SQL
# injection through host names, values, filters and ordering fails; a push
# killed with SIGKILL mid-transaction leaves the store as it was.
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/tests/e2e/lib.sh"
source "$ROOT/tests/e2e/pg_lib.sh"
DATA=$ROOT/tests/data
GOLDEN_DIR=$DATA/golden
export VITK_ETC_ROOT=$DATA/etc
pg_start
W=$(mktemp -d /tmp/vitk-fleet.XXXXXX)
trap 'pg_stop; rm -rf "$W"' EXIT
URL="postgresql:///vitk?host=$PGHOST&port=$PGPORT&user=postgres"
C() { "$VITK" --db "$URL" "$@"; }
# the URL stands where the SQLite goldens have <TMP>/inv.db
as_sqlite() { sed "s#$URL#<TMP>/inv.db#g"; }
golden_pg() {
	local name=$1
	shift
	[ "$1" = "--" ] && shift
	"$@" 2>"$TEST_TMPDIR/stderr" | as_sqlite | normalise >"$TEST_TMPDIR/out.$name"
	diff -u "$GOLDEN_DIR/$name" "$TEST_TMPDIR/out.$name" && ok || fail "PostgreSQL output of '$*' differs from golden $name"
}
count() { PSQL -c "SELECT count(*) FROM vitk.$1"; }

# --- init, hosts: the SQLite goldens -----------------------------------------
golden_pg inventory_init.txt -- C inventory init
golden_pg inventory_hosts.txt -- C inventory hosts
golden_pg inventory_hosts.json -- C -o json inventory hosts
golden_pg inventory_hosts.csv -- C inventory hosts -o csv
[ "$(PSQL -c "SELECT value FROM vitk.vitk_meta WHERE key = 'schema'")" = 2 ] && ok || fail "schema version"
C inventory init >/dev/null && ok || fail "second init"

# --- push a local inventory with imported hosts: report and sql goldens ------
LOCAL=$W/local.db
"$VITK" --db "$LOCAL" inventory init >/dev/null || fail "local init"
"$VITK" --db "$LOCAL" inventory import "$DATA/fleet-export.json" >/dev/null || fail "local import"
"$VITK" --db "$LOCAL" -o json inventory push --all-hosts "$URL" >"$W/push1.json" || fail "push"
jq -e '.hosts == 3 and .hosts_added == 2 and .rows_added == 3 and .rows_unchanged == 0 and .attempts == 1' "$W/push1.json" >/dev/null && ok || fail "first push: $(cat "$W/push1.json")"
before=$(PSQL -c "SELECT string_agg(updated_at || id, ',' ORDER BY id) FROM vitk.fleet_vf")
"$VITK" --db "$LOCAL" -o json inventory push --all-hosts "$URL" >"$W/push2.json" || fail "second push"
jq -e '.hosts_added == 0 and .rows_added == 0 and .rows_updated == 0 and .rows_unchanged == 3' "$W/push2.json" >/dev/null && ok || fail "second push changed rows: $(cat "$W/push2.json")"
[ "$(PSQL -c "SELECT string_agg(updated_at || id, ',' ORDER BY id) FROM vitk.fleet_vf")" = "$before" ] && ok || fail "idempotent push rewrote rows"
golden_pg inventory_report_vf.txt -- C inventory report fleet_vf
golden_pg inventory_report_vf.json -- C -o json inventory report fleet_vf
golden_pg inventory_report_vf.csv -- C -o csv inventory report fleet_vf
golden_pg inventory_report_vf_kvm.txt -- C inventory report fleet_vf --host kvm07
golden_pg inventory_report_vf_where.txt -- C inventory report fleet_vf --where vlan=100 --where pf=0000:07:00.1
golden_pg inventory_show.txt -- C inventory show
[ "$(C inventory sql 'SELECT count(*) AS n FROM fleet_vf' -o csv | tail -1 | tr -d '\r')" = 3 ] && ok || fail "sql count"
q='SELECT h.name, pf, vf_index, mac, vlan, max_rate_mbps, v.created_at FROM fleet_vf v JOIN hosts h ON h.id = v.host_id ORDER BY 1,2,3'
[ "$("$VITK" --db "$LOCAL" -o csv inventory sql "$q")" = "$(C -o csv inventory sql "$q")" ] && ok || fail "central rows differ from local rows"
# an update travels; nothing else does
sqlite3 "$LOCAL" "UPDATE fleet_vf SET vlan = 200, updated_at = '2026-12-01T00:00:00Z' WHERE mac = '00:0c:29:aa:00:02'"
"$VITK" --db "$LOCAL" -o json inventory push --all-hosts "$URL" >"$W/push3.json" || fail "push update"
jq -e '.rows_updated == 1 and .rows_unchanged == 2' "$W/push3.json" >/dev/null && ok || fail "update push: $(cat "$W/push3.json")"
[ "$(PSQL -c "SELECT vlan FROM vitk.fleet_vf WHERE mac = '00:0c:29:aa:00:02'")" = 200 ] && ok || fail "update not merged"

# --- read-only sql: the server refuses writes ---------------------------------
expect_exit 1 -- C inventory sql "DELETE FROM hosts"
expect_stderr "query refused: cannot execute DELETE in a read-only transaction"
expect_exit 1 -- C inventory sql "SELECT 1; DELETE FROM hosts"
expect_stderr "query refused"
expect_exit 1 -- C inventory sql "SELECT set_config('transaction_read_only', 'off', false)"
expect_exit 1 -- C inventory sql "WITH d AS (DELETE FROM hosts RETURNING 1) SELECT * FROM d"
# ... and it runs as the read-only role: no superuser functions either
[ "$(C -o csv inventory sql 'SELECT current_user AS u' | tail -1 | tr -d '\r')" = vitk_report ] && ok || fail "sql does not run as vitk_report"
expect_exit 1 -- C inventory sql "SELECT pg_read_file('/etc/hostname')"
expect_stderr "permission denied"
[ "$(count hosts)" = 3 ] && ok || fail "sql changed hosts"
expect_exit 5 -- "$VITK" --db "postgresql:///nosuchdb?host=$PGHOST&port=$PGPORT&user=postgres" inventory hosts
expect_stderr "cannot connect to"
# the other reading verbs work on a central inventory
expect_exit 0 -- C odx jobs
expect_exit 0 -- C esxupdate history
expect_exit 0 -- C inventory tables
expect_exit 0 -- C inventory html "$W/fleet.html"
grep -q "Content-Security-Policy" "$W/fleet.html" && grep -q "</html>" "$W/fleet.html" && ok || fail "html report of a central inventory"
# central inventories are written only by push
expect_exit 4 -- C inventory import "$DATA/fleet-export.json"
expect_stderr "inventory push"

# --- roles: push role per host, report role; passwords only from PGPASSFILE ---
MID_A=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
MID_B=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
PW_A=pw-A-$RANDOM$RANDOM
PW_B=pw-B-$RANDOM$RANDOM
PW_R=pw-R-$RANDOM$RANDOM
PSQL -d vitk <<SQL || fail "role setup"
CREATE ROLE host_a LOGIN PASSWORD '$PW_A' IN ROLE vitk_push;
CREATE ROLE host_b LOGIN PASSWORD '$PW_B' IN ROLE vitk_push;
CREATE ROLE reporter LOGIN PASSWORD '$PW_R' IN ROLE vitk_report;
INSERT INTO vitk.vitk_push_roles VALUES ('host_a', '$MID_A'), ('host_b', '$MID_B');
SQL
export PGPASSFILE=$W/pgpass
printf '127.0.0.1:%s:vitk:host_a:%s\n127.0.0.1:%s:vitk:host_b:%s\n127.0.0.1:%s:vitk:reporter:%s\n' \
	"$PGPORT" "$PW_A" "$PGPORT" "$PW_B" "$PGPORT" "$PW_R" >"$PGPASSFILE"
chmod 600 "$PGPASSFILE"
URL_A="postgresql://host_a@127.0.0.1:$PGPORT/vitk"
URL_B="postgresql://host_b@127.0.0.1:$PGPORT/vitk"
URL_R="postgresql://reporter@127.0.0.1:$PGPORT/vitk"
mkhost() { # mkhost DIR NAME MID: a local inventory of one host with two VFs
	mkdir -p "$1/etc"
	printf '%s\n' "$2" >"$1/etc/hostname"
	printf '%s\n' "$3" >"$1/etc/machine-id"
	VITK_ETC_ROOT=$1/etc "$VITK" --db "$1/inv.db" inventory init >/dev/null || fail "init $2"
	jq --arg n "$2" --arg m "$3" '.hosts = [{name: $n, machine_id: $m, kind: "linux"}] | .rows.fleet_vf |= map(.host = 0)' \
		"$DATA/fleet-export.json" >"$1/rows.json"
	VITK_ETC_ROOT=$1/etc "$VITK" --db "$1/inv.db" inventory import "$1/rows.json" >/dev/null || fail "import $2"
}
push_as() { # push_as DIR URL [args]
	local d=$1 u=$2
	shift 2
	VITK_ETC_ROOT=$d/etc "$VITK" --db "$d/inv.db" inventory push "$@" "$u"
}
mkhost "$W/a" host-a "$MID_A"
mkhost "$W/b" host-b "$MID_B"
expect_exit 0 -- push_as "$W/a" "$URL_A"
expect_exit 0 -- push_as "$W/b" "$URL_B"
ida=$(PSQL -c "SELECT id FROM vitk.hosts WHERE machine_id = '$MID_A'")
[ "$(PSQL -c "SELECT count(*) FROM vitk.fleet_vf WHERE host_id = $ida")" = 3 ] && ok || fail "host_a rows"
snap() { PSQL -c "SELECT string_agg(concat_ws('|', id, host_id, pf, vf_index, mac, vlan, max_rate_mbps, updated_at), ';' ORDER BY id) FROM vitk.fleet_vf"; PSQL -c "SELECT string_agg(concat_ws('|', id, name, machine_id, updated_at), ';' ORDER BY id) FROM vitk.hosts"; }
s0=$(snap)
# a machine that is not in its local inventory has nothing to push
expect_exit 3 -- env VITK_ETC_ROOT="$W/a/etc" "$VITK" --db "$LOCAL" inventory push "$URL"
expect_stderr "this machine is not in"
expect_exit 2 -- env VITK_PUSH_URL= "$VITK" --db "$LOCAL" inventory push
# host_b pushing host_a's machine-id (a local inventory that holds it) is refused, atomically
mkhost "$W/b2" host-a-spoof "$MID_A"
printf '%s\n' "$MID_B" >"$W/b2/etc/machine-id"
VITK_ETC_ROOT=$W/b2/etc "$VITK" --db "$W/b2/inv.db" inventory init >/dev/null
expect_exit 5 -- push_as "$W/b2" "$URL_B" --all-hosts
expect_stderr "row-level security|permission denied"
[ "$(snap)" = "$s0" ] && ok || fail "refused push changed the store"
# host_b through SQL directly: cannot see, change, add or delete host_a's rows
PB() { psql -X -q -At -h 127.0.0.1 -U host_b -d vitk "$@"; }
[ "$(PB -c "SELECT count(*) FROM vitk.fleet_vf WHERE host_id = $ida")" = 0 ] && ok || fail "host_b sees host_a rows"
[ "$(PB -c "WITH u AS (UPDATE vitk.fleet_vf SET vlan = 666 WHERE host_id = $ida RETURNING 1) SELECT count(*) FROM u")" = 0 ] && ok || fail "host_b updated host_a rows"
PB -c "INSERT INTO vitk.fleet_vf (host_id, pf, vf_index, created_at, updated_at) VALUES ($ida, 'x', 9, 'now', 'now')" 2>/dev/null && fail "host_b inserted a row for host_a" || ok
PB -c "DELETE FROM vitk.fleet_vf" 2>/dev/null && fail "host_b deleted rows" || ok
PB -c "UPDATE vitk.hosts SET name = 'pwned' WHERE machine_id = '$MID_A'" >/dev/null 2>&1
PB -c "INSERT INTO vitk.vitk_push_roles VALUES ('host_b', '$MID_A')" 2>/dev/null && fail "host_b extended its own rights" || ok
[ "$(snap)" = "$s0" ] && ok || fail "host_b changed the store through SQL"
# the report role reads everything and writes nothing
R() { "$VITK" --db "$URL_R" "$@"; }
[ "$(R -o csv inventory sql 'SELECT count(*) FROM fleet_vf' | tail -1 | tr -d '\r')" = 9 ] && ok || fail "report role count"
expect_exit 0 -- R inventory report fleet_vf --host host-a
expect_exit 5 -- push_as "$W/a" "$URL_R"
PR() { psql -X -q -At -h 127.0.0.1 -U reporter -d vitk "$@"; }
PR -c "UPDATE vitk.fleet_vf SET vlan = 1" 2>/dev/null && fail "report role updated" || ok
PR -c "INSERT INTO vitk.hosts (name, created_at, updated_at) VALUES ('x', 'a', 'b')" 2>/dev/null && fail "report role inserted" || ok
[ "$(snap)" = "$s0" ] && ok || fail "report role changed the store"
# a password in the URL works, is redacted in every output, and draws a warning
URL_PW="postgresql://host_a:$PW_A@127.0.0.1:$PGPORT/vitk"
PGPASSFILE=/nonexistent push_as "$W/a" "$URL_PW" >"$W/pw.out" 2>"$W/pw.err" && ok || fail "push with a password in the URL: $(cat "$W/pw.err")"
grep -q "host_a:\*\*\*@" "$W/pw.out" && ok || fail "URL not shown redacted: $(cat "$W/pw.out")"
grep -q "password in the URL" "$W/pw.err" && ok || fail "no warning for a password in the URL"
PGPASSFILE=/nonexistent "$VITK" --db "postgresql://host_a:$PW_A@127.0.0.1:$PGPORT/nosuch" inventory hosts >>"$W/pw.out" 2>>"$W/pw.err"
PGPASSFILE=/nonexistent "$VITK" --db "host=127.0.0.1 port=$PGPORT dbname=vitk user=host_a password=$PW_A" inventory show >>"$W/pw.out" 2>>"$W/pw.err"
grep -q "password=\*\*\*" "$W/pw.out" && ok || fail "conninfo not shown redacted"
! grep -q -- "$PW_A" "$W/pw.out" "$W/pw.err" && ok || fail "a password was printed"
# no password anywhere: refused, and nothing printed that should not be
expect_exit 5 -- env PGPASSFILE=/nonexistent PGPASSWORD= "$VITK" --db "$URL_R" inventory hosts
# PGPASSWORD works too
PGPASSFILE=/nonexistent PGPASSWORD=$PW_R "$VITK" --db "$URL_R" inventory hosts >/dev/null && ok || fail "PGPASSWORD"

# --- SQL injection through host names, values, filters and ordering ---------
EVIL="x'); DROP TABLE vitk.hosts; --"
mkdir -p "$W/e/etc"
printf '%s\n' "$EVIL" >"$W/e/etc/hostname"
printf 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\n' >"$W/e/etc/machine-id"
VITK_ETC_ROOT=$W/e/etc "$VITK" --db "$W/e/inv.db" inventory init >/dev/null
jq --arg n "$EVIL" '.hosts = [{name: $n, machine_id: "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", kind: "linux"}]
  | .rows.fleet_vf = [
      {host: 0, created_at: "t1", updated_at: "t1", pf: "a\tb\nc\\d\\N", vf_index: 1, mac: "\u0027; DELETE FROM vitk.fleet_vf; --", vlan: 1, max_rate_mbps: 0.1},
      {host: 0, created_at: "t1", updated_at: "t1", pf: "\\.", vf_index: 2, mac: "$$; DROP SCHEMA vitk CASCADE; $$", vlan: null, max_rate_mbps: -1e300},
      {host: 0, created_at: "t1", updated_at: "t1", pf: "", vf_index: 3, mac: "ünïcødé \r", vlan: 2147483647, max_rate_mbps: null}]' \
	"$DATA/fleet-export.json" >"$W/e/rows.json"
VITK_ETC_ROOT=$W/e/etc "$VITK" --db "$W/e/inv.db" inventory import "$W/e/rows.json" >/dev/null || fail "import hostile rows"
expect_exit 0 -- push_as "$W/e" "$URL"
qe='SELECT h.name, pf, vf_index, mac, vlan, max_rate_mbps FROM fleet_vf v JOIN hosts h ON h.id = v.host_id WHERE h.machine_id = '"'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'"' ORDER BY vf_index'
"$VITK" --db "$W/e/inv.db" -o json inventory sql "$qe" >"$W/e/local.json"
C -o json inventory sql "$qe" >"$W/e/central.json"
jq -e 'length == 3' "$W/e/central.json" >/dev/null && cmp -s "$W/e/local.json" "$W/e/central.json" && ok || fail "hostile values did not round-trip: $(diff "$W/e/local.json" "$W/e/central.json")"
[ "$(count hosts)" -ge 6 ] && [ "$(count fleet_vf)" = 12 ] && ok || fail "injection changed the store"
expect_exit 0 -- C inventory report fleet_vf --host "$EVIL"
[ "$(C -o csv inventory report fleet_vf --where "vlan=1 OR 1=1" | wc -l)" = 1 ] && ok || fail "--where value was not bound"
expect_exit 1 -- C inventory report fleet_vf --where "vlan;--=1"
expect_exit 1 -- C inventory report fleet_vf --order-by "id; DROP TABLE vitk.hosts"
expect_exit 3 -- C inventory report "fleet_vf; DROP TABLE vitk.hosts"
[ "$(count hosts)" -ge 6 ] && ok || fail "hosts table damaged"

# --- fleet aggregates and --host-glob: the same answers on both backends -----
AG=$W/agg.db
"$VITK" --db "$AG" inventory init >/dev/null
sqlite3 "$AG" "
INSERT INTO sriov_pf(host_id, addr, numa_node, created_at, updated_at) VALUES
  (1, '0000:01:00.0', 0, 't', 't'), (1, '0000:81:00.0', 1, 't', 't');
INSERT INTO sriov_vf(host_id, addr, pf, vf_index, created_at, updated_at) VALUES
  (1, '0000:01:00.1', '0000:01:00.0', 0, 't', 't'), (1, '0000:01:00.2', '0000:01:00.0', 1, 't', 't'),
  (1, '0000:01:00.3', '0000:01:00.0', 2, 't', 't'), (1, '0000:01:00.4', '0000:01:00.0', 3, 't', 't'),
  (1, '0000:81:00.1', '0000:81:00.0', 0, 't', 't');
INSERT INTO sriov_assignment(host_id, vf, domain, created_at, updated_at) VALUES (1, '0000:01:00.1', 'vm1', 't', 't');
INSERT INTO sriov_reservation(host_id, vf, created_at, updated_at) VALUES (1, '0000:01:00.2', 't', 't');
INSERT INTO sriov_exclude(host_id, vf, created_at, updated_at) VALUES (1, '0000:01:00.3', 't', 't');
INSERT INTO odx_lun(host_id, name, vendor, product, created_at, updated_at) VALUES (1, '/dev/sdb', 'PURE', 'FlashArray', 't', 't');
INSERT INTO odx_job(host_id, uuid, src, bytes, host_bytes, result, created_at, updated_at) VALUES
  (1, 'u1', '/dev/sdb', 1048576, 4096, 'ok', 't', 't'), (1, 'u2', '/dev/sdb', 2097152, 0, 'ok', 't', 't'),
  (1, 'u3', '/dev/sdc', 100, 100, 'ok', 't', 't'), (1, 'u4', '/dev/sdb', 5, 0, 'failed', 't', 't');"
expect_exit 0 -- "$VITK" --db "$AG" inventory push "$URL"
"$VITK" --db "$AG" -o csv inventory report free-vfs --host-glob 'ops*' >"$W/fv.csv"
printf 'host,numa_node,vfs,assigned,reserved,excluded,free\r\nopsbox,0,4,1,1,1,1\r\nopsbox,1,1,0,0,0,1\r\n' | cmp -s - "$W/fv.csv" && ok || fail "free-vfs on SQLite: $(cat "$W/fv.csv")"
C -o csv inventory report free-vfs --host-glob 'ops*' | cmp -s - "$W/fv.csv" && ok || fail "free-vfs differs on PostgreSQL"
"$VITK" --db "$AG" -o json inventory report offload-savings >"$W/os.json"
jq -e '.[] | select(.array == "PURE FlashArray") | .jobs == 2 and .saved_bytes == 3141632' "$W/os.json" >/dev/null && ok || fail "offload-savings: $(cat "$W/os.json")"
C -o json inventory report offload-savings --host-glob 'opsbo[xy]' | cmp -s - "$W/os.json" && ok || fail "offload-savings differs on PostgreSQL"
# the hosts each backend selects by a pattern are the ones bash's [[ == ]] selects
globbed() { # globbed DB PATTERN: host names of the fleet_vf rows the report selects
	"$VITK" --db "$1" -o json inventory report fleet_vf --host-glob "$2" | jq -r '[.[].host] | unique | .[]'
}
expected() { # expected DB PATTERN
	local n
	"$VITK" --db "$1" -o json inventory report fleet_vf | jq -r '[.[].host] | unique | .[]' |
		while IFS= read -r n; do [[ $n == $2 ]] && printf '%s\n' "$n"; done
}
for g in 'kvm*' '*0?' '[ek]*' '[!e]*' '[^e]*' 'x.*' '*)' "x'*" '[' 'h*-[ab]' '*[]]*'; do
	for db in "$LOCAL" "$URL"; do
		[ "$(globbed "$db" "$g")" = "$(expected "$db" "$g")" ] && ok ||
			fail "--host-glob '$g' on ${db%%:*}: '$(globbed "$db" "$g")' vs '$(expected "$db" "$g")'"
	done
done
[ "$(C -o csv inventory report free-vfs --host-glob 'nohost*' | wc -l)" = 1 ] && ok || fail "glob matched nothing"
# free-vfs on PostgreSQL reads the rollup each push keeps: check finds it stale
# after a change behind push's back, the next push recounts it
[ "$(PSQL -c "SELECT sum(vfs) FROM vitk.vitk_rollup_vfs")" = 5 ] && ok || fail "rollup not kept by push"
PSQL -c "DELETE FROM vitk.sriov_assignment" >/dev/null
expect_exit 5 -- C inventory check
grep -q "rollup.*stale" "$TEST_TMPDIR/stdout" && ok || fail "check did not report the stale rollup: $(cat "$TEST_TMPDIR/stdout")"
expect_exit 0 -- "$VITK" --db "$AG" inventory push "$URL"
C -o csv inventory report free-vfs --host-glob 'ops*' | cmp -s - "$W/fv.csv" && ok || fail "push did not recount the rollup"
expect_exit 0 -- C inventory check
# a store of schema 1 (no rollup) is migrated to 2 and the rollup counted from its rows
PSQL -c "DROP TABLE vitk.vitk_rollup_vfs; UPDATE vitk.vitk_meta SET value = '1' WHERE key = 'schema'" >/dev/null
expect_exit 0 -- C inventory init
[ "$(PSQL -c "SELECT value FROM vitk.vitk_meta WHERE key = 'schema'")" = 2 ] && ok || fail "not migrated to 2"
C -o csv inventory report free-vfs --host-glob 'ops*' | cmp -s - "$W/fv.csv" && ok || fail "migration did not count the rollup"
PSQL -c "UPDATE vitk.vitk_meta SET value = '3' WHERE key = 'schema'" >/dev/null
expect_exit 5 -- C inventory hosts
expect_stderr "newer than this vitk knows"
PSQL -c "UPDATE vitk.vitk_meta SET value = '2' WHERE key = 'schema'" >/dev/null
expect_exit 2 -- C inventory report free-vfs --host opsbox
expect_exit 3 -- C inventory report no-such-report

# --- kill -9 mid-push: the store is unchanged, the retry succeeds -------------
mkhost "$W/k" host-k cccccccccccccccccccccccccccccccc
s1=$(snap)
# hold a lock the push's merge needs, so that it waits inside its transaction
PSQL -c "BEGIN; LOCK TABLE vitk.fleet_vf IN EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT" >/dev/null 2>&1 &
locker=$!
wait_for 30 sh -c "[ \"\$(psql -X -At -c \"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'fleet_vf' AND l.mode = 'ExclusiveLock' AND l.granted\")\" = 1 ]" && ok || fail "locker did not start"
(VITK_ETC_ROOT=$W/k/etc exec "$VITK" --db "$W/k/inv.db" inventory push "$URL" >/dev/null 2>&1) &
pusher=$!
wait_for 30 sh -c "[ \"\$(psql -X -At -c \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vitk' AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL\")\" = 1 ]" && ok || fail "push did not reach its merge"
[ "$(PSQL -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vitk' AND state = 'active' AND query LIKE 'WITH m AS (INSERT INTO vitk.fleet_vf%'")" = 1 ] && ok || fail "push not inside its merge"
kill -9 "$pusher"
wait "$pusher" 2>/dev/null
PSQL -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$locker" 2>/dev/null
wait_for 30 sh -c "[ \"\$(psql -X -At -c \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vitk'\")\" = 0 ]" && ok || fail "killed push's session did not end"
[ "$(snap)" = "$s1" ] && ok || fail "killed push changed the store"
[ "$(PSQL -c "SELECT count(*) FROM vitk.hosts WHERE machine_id = 'cccccccccccccccccccccccccccccccc'")" = 0 ] && ok || fail "killed push left its host"
expect_exit 0 -- push_as "$W/k" "$URL"
[ "$(PSQL -c "SELECT count(*) FROM vitk.fleet_vf v JOIN vitk.hosts h ON h.id = v.host_id WHERE h.machine_id = 'cccccccccccccccccccccccccccccccc'")" = 3 ] && ok || fail "retry after kill"
expect_exit 0 -- C inventory check

# a domain of several tables (odx: odx_lun, odx_job) is registered whole in the
# central store (regression: push grew its column array per table, not for all)
mkdir -p "$W/m/etc" && echo multi01 >"$W/m/etc/hostname" && echo dddddddddddddddddddddddddddddddd >"$W/m/etc/machine-id"
VITK_ETC_ROOT=$W/m/etc "$VITK" --db "$W/m/inv.db" odx jobs >/dev/null || fail "local odx tables"
PSQL -c "CREATE DATABASE vitk_multi" >/dev/null || fail "create vitk_multi"
URL_M="postgresql:///vitk_multi?host=$PGHOST&port=$PGPORT&user=postgres"
expect_exit 0 -- env VITK_ETC_ROOT="$W/m/etc" "$VITK" --db "$W/m/inv.db" inventory push "$URL_M"
[ "$(PSQL -d vitk_multi -c "SELECT count(*) FROM vitk.vitk_tables WHERE name IN ('odx_lun', 'odx_job')")" = 2 ] && ok || fail "odx tables not registered centrally"
expect_exit 0 -- "$VITK" --db "$URL_M" odx jobs

# a spec in the store is hostile too: names that are not names never reach SQL
PSQL -c "UPDATE vitk.vitk_tables SET columns = columns || ',x;drop table vitk.hosts:text:0' WHERE name = 'fleet_vf'"
expect_exit 5 -- C inventory hosts
expect_stderr "corrupt column spec"
expect_exit 5 -- push_as "$W/k" "$URL"
[ "$(count hosts)" -ge 6 ] && ok || fail "hosts table damaged by a hostile spec"

finish
