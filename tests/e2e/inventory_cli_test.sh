#!/usr/bin/env bash
# End-to-end: the real vitk binary against temporary inventories.
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/tests/e2e/lib.sh"
DATA=$ROOT/tests/data
GOLDEN_DIR=$DATA/golden
export VITK_ETC_ROOT=$DATA/etc
DB=$TEST_TMPDIR/inv.db
rm -f "$DB"*
V() { "$VITK" --db "$DB" "$@"; }

# --- init, hosts in three formats -----------------------------------------
golden inventory_init.txt -- V inventory init
golden inventory_hosts.txt -- V inventory hosts
golden inventory_hosts.json -- V -o json inventory hosts
golden inventory_hosts.csv -- V inventory hosts -o csv
V -o json inventory hosts | jq -e 'length == 1 and .[0].name == "opsbox" and .[0].kind == "linux"' >/dev/null && ok || fail "hosts JSON"

# --- import a fleet export: all formats of a report -------------------------
cp "$DATA/fleet-export.json" "$TEST_TMPDIR/fleet.json"
golden inventory_import1.txt -- V inventory import "$TEST_TMPDIR/fleet.json"
golden inventory_import2.txt -- V inventory import "$TEST_TMPDIR/fleet.json"
golden inventory_report_vf.txt -- V inventory report fleet_vf
golden inventory_report_vf.json -- V -o json inventory report fleet_vf
golden inventory_report_vf.csv -- V -o csv inventory report fleet_vf
golden inventory_report_vf_kvm.txt -- V inventory report fleet_vf --host kvm07
golden inventory_report_vf_where.txt -- V inventory report fleet_vf --where vlan=100 --where pf=0000:07:00.1
golden inventory_show.txt -- V inventory show
[ "$(V inventory sql 'SELECT count(*) AS n FROM fleet_vf' -o csv | tail -1 | tr -d '\r')" = 3 ] && ok || fail "sql count"

# --- export | import round-trips ---------------------------------------------
DB2=$TEST_TMPDIR/other.db
rm -f "$DB2"*
V inventory export | "$VITK" --db "$DB2" inventory import - >/dev/null || fail "round-trip import"
a=$(V -o csv inventory sql 'SELECT h.name, pf, vf_index, mac, vlan, max_rate_mbps, v.created_at FROM fleet_vf v JOIN hosts h ON h.id = v.host_id ORDER BY 1,2,3')
b=$("$VITK" --db "$DB2" -o csv inventory sql 'SELECT h.name, pf, vf_index, mac, vlan, max_rate_mbps, v.created_at FROM fleet_vf v JOIN hosts h ON h.id = v.host_id ORDER BY 1,2,3')
[ -n "$a" ] && [ "$a" = "$b" ] && ok || fail "round-trip rows differ: $a vs $b"
V inventory export "$TEST_TMPDIR/e.json" && jq -e '.format == "vitk-inventory" and (.rows.fleet_vf | length) == 3' "$TEST_TMPDIR/e.json" >/dev/null && ok || fail "export file"

# --- bad input ---------------------------------------------------------------
expect_exit 2 -- "$VITK" inventori hosts
expect_stderr "^vitk: unknown command 'inventori'; did you mean 'inventory'\?$"
expect_exit 2 -- "$VITK" inventory hots
expect_stderr "unknown verb 'hots'; did you mean 'hosts'\?"
expect_exit 2 -- V inventory hosts --outptu json
expect_stderr "unknown option '--outptu'; did you mean '--output'\?"
# hostile text in a diagnostic: bidi override, C1 CSI, bytes that are not
# UTF-8 and ESC come out visible and inert, on one line
expect_exit 3 -- V inventory report "$(printf 'x\xe2\x80\xaey\xc2\x9bz\xff\x1b[31m')"
expect_stderr "no inventory table 'x\\\\u202ey\\\\u009bz\\\\xff \\[31m'"
LC_ALL=C grep -q "$(printf '\xe2\x80\xae')" "$TEST_TMPDIR/stderr" && fail "bidi override reached stderr raw" || ok
expect_exit 2 -- V inventory report
expect_stderr "wrong number of arguments for 'report'"
expect_exit 2 -- V -o yaml inventory hosts
expect_stderr "unknown output format 'yaml'"
expect_exit 3 -- V inventory report fleet_vf --host nosuchhost
expect_exit 5 -- "$VITK" --db "$TEST_TMPDIR/missing.db" inventory report fleet_vf
expect_stderr "cannot open inventory '.*missing.db'"
[ ! -e "$TEST_TMPDIR/missing.db" ] && ok || fail "read-only verb created a database"
printf 'not a database, but some bytes an operator cares about\n%.0s' {1..50} >"$TEST_TMPDIR/corrupt.db"
cp "$TEST_TMPDIR/corrupt.db" "$TEST_TMPDIR/corrupt.orig"
expect_exit 5 -- "$VITK" --db "$TEST_TMPDIR/corrupt.db" inventory hosts
expect_stderr "is not a vitk inventory"
cmp -s "$TEST_TMPDIR/corrupt.db" "$TEST_TMPDIR/corrupt.orig" && ok || fail "corrupt database was modified"
cp "$DB" "$TEST_TMPDIR/newer.db"
sqlite3 "$TEST_TMPDIR/newer.db" 'PRAGMA user_version = 99'
expect_exit 5 -- "$VITK" --db "$TEST_TMPDIR/newer.db" inventory hosts
expect_stderr "newer than this vitk knows"
# truncated and malformed imports change nothing
before=$(V -o csv inventory sql 'SELECT count(*) FROM fleet_vf')
head -c 700 "$DATA/fleet-export.json" >"$TEST_TMPDIR/trunc.json"
expect_exit 1 -- V inventory import "$TEST_TMPDIR/trunc.json"
expect_stderr "cannot import .*not valid JSON"
jq '.rows.fleet_vf[2].vlan = "oops" | .rows.fleet_vf[0].mac = "00:00:00:00:00:99"' "$DATA/fleet-export.json" >"$TEST_TMPDIR/badtype.json"
expect_exit 1 -- V inventory import "$TEST_TMPDIR/badtype.json"
expect_stderr "wrong type"
[ "$(V -o csv inventory sql 'SELECT count(*) FROM fleet_vf')" = "$before" ] && ok || fail "partial import"
[ "$(V -o csv inventory sql "SELECT count(*) FROM fleet_vf WHERE mac = '00:00:00:00:00:99'" | tail -1 | tr -d '\r')" = 0 ] && ok || fail "malformed import merged a row"
expect_exit 1 -- V inventory sql "DELETE FROM hosts"
expect_stderr "query refused"
expect_exit 1 -- V inventory sql "ATTACH DATABASE '/tmp/x.db' AS x"
expect_exit 0 -- V inventory check

# --- two writers at once -----------------------------------------------------
for w in 1 2; do
	( for i in $(seq 1 25); do "$VITK" --db "$DB" inventory init >/dev/null || exit 1; done ) &
done
wait && ok || fail "concurrent writers"
V inventory check >/dev/null && ok || fail "check after concurrent writers"

finish
