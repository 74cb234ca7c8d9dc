#!/usr/bin/env bash
# Concurrency: 200 simulated hosts (distinct machine-ids, generated local
# inventories) push into one central PostgreSQL inventory at once, in
# bounded batches.  Every push succeeds (serialization failures and
# deadlocks are retried inside vitk), the central counts are exact, a second
# round is idempotent, a third round of updates runs SERIALIZABLE (so that
# the server does raise serialization failures) with some hosts pushed twice
# at the same time, and `inventory check` is clean.  Nothing here measures
# time (bench/fleet does).
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/tests/e2e/lib.sh"
source "$ROOT/tests/e2e/pg_lib.sh"
HOSTS=${FLEET_TEST_HOSTS:-200}
VFS=20    # keyed rows per host (sim_vf)
EVENTS=5  # keyless rows per host (sim_event)
PAR=${FLEET_TEST_PARALLEL:-40}
pg_start
W=$(mktemp -d /tmp/vitk-fleetc.XXXXXX)
trap 'pg_stop; rm -rf "$W"' EXIT
URL="postgresql:///vitk?host=$PGHOST&port=$PGPORT&user=postgres"
export VITK_ETC_ROOT=$ROOT/tests/data/etc
"$VITK" --db "$URL" inventory init >/dev/null || fail "central init"

# gen I VLAN: host I's export document (its own machine-id, VFS vfs, EVENTS events)
gen() {
	local i=$1 vlan=$2 v e sep=
	printf '{"format":"vitk-inventory","schema":1,"domains":{"sim":1},"tables":{'
	printf '"sim_vf":{"domain":"sim","columns":[{"name":"pf","type":"text","flags":3},{"name":"vf","type":"int","flags":1},{"name":"vlan","type":"int","flags":0},{"name":"numa","type":"int","flags":0}]},'
	printf '"sim_event":{"domain":"sim","columns":[{"name":"what","type":"text","flags":0},{"name":"n","type":"int","flags":0}]}},'
	printf '"hosts":[{"name":"sim%03d","machine_id":"%032x","kind":"linux"}],"rows":{"sim_vf":[' "$i" "$i"
	for ((v = 0; v < VFS; v++)); do
		printf '%s{"host":0,"created_at":"2026-12-01T00:00:00Z","updated_at":"2026-12-01T00:00:0%dZ","pf":"0000:%02x:00.0","vf":%d,"vlan":%d,"numa":%d}' \
			"$sep" "$((vlan % 10))" "$((v / 8))" "$v" "$vlan" "$((v % 2))"
		sep=,
	done
	printf '],"sim_event":['
	sep=
	for ((e = 0; e < EVENTS; e++)); do
		printf '%s{"host":0,"created_at":"2026-12-01T00:0%d:00Z","updated_at":"2026-12-01T00:0%d:00Z","what":"scan","n":%d}' "$sep" "$e" "$e" "$e"
		sep=,
	done
	printf ']}}\n'
}
for ((i = 1; i <= HOSTS; i++)); do
	d=$W/h$i
	mkdir -p "$d/etc"
	printf 'sim%03d\n' "$i" >"$d/etc/hostname"
	printf '%032x\n' "$i" >"$d/etc/machine-id"
	gen "$i" 100 >"$d/rows.json"
done
# local inventories: init + import, a few at a time
seq 1 "$HOSTS" | xargs -P 4 -I{} sh -c 'VITK_ETC_ROOT='"$W"'/h{}/etc "$0" --db '"$W"'/h{}/inv.db inventory init >/dev/null &&
	VITK_ETC_ROOT='"$W"'/h{}/etc "$0" --db '"$W"'/h{}/inv.db inventory import '"$W"'/h{}/rows.json >/dev/null' "$VITK" ||
	fail "generating local inventories"

# push_all ROUND [extra host list]: every host pushes, PAR at a time; one JSON result per push
push_all() {
	local round=$1
	shift
	# hosts named twice are pushed twice, side by side
	{ for i in $(seq 1 "$HOSTS"); do
		echo "$i"
		case " $* " in *" $i "*) echo "$i" ;; esac
	done; } | awk '{ print $0 " " NR }' |
		xargs -P "$PAR" -n 2 sh -c 'VITK_ETC_ROOT='"$W"'/h$0/etc exec "'"$VITK"'" --db '"$W"'/h$0/inv.db -o json inventory push "'"$URL"'" >'"$W"'/push.'"$round"'.$1.json 2>'"$W"'/push.'"$round"'.$1.err || echo "push of host $0 failed: $(cat '"$W"'/push.'"$round"'.$1.err)"' \
		>"$W/failures.$round"
	[ -s "$W/failures.$round" ] && fail "round $round: $(head -5 "$W/failures.$round")" || ok
	jq -s '{pushes: length, attempts: (map(.attempts) | add), max_attempts: (map(.attempts) | max),
		added: (map(.rows_added) | add), updated: (map(.rows_updated) | add),
		unchanged: (map(.rows_unchanged) | add), hosts_added: (map(.hosts_added) | add)}' \
		"$W"/push."$round".*.json >"$W/sum.$round.json"
	echo "round $round: $(jq -c . "$W/sum.$round.json")"
}
central() { PSQL -c "$1"; }

# --- round 1: everyone at once --------------------------------------------
push_all 1
jq -e --argjson h "$HOSTS" --argjson r $((HOSTS * (VFS + EVENTS))) \
	'.pushes == $h and .hosts_added == $h and .added == $r and .updated == 0' "$W/sum.1.json" >/dev/null && ok || fail "round 1 totals: $(cat "$W/sum.1.json")"
[ "$(central "SELECT count(*) FROM vitk.hosts WHERE name LIKE 'sim%'")" = "$HOSTS" ] && ok || fail "host count"
[ "$(central "SELECT count(DISTINCT machine_id) FROM vitk.hosts WHERE name LIKE 'sim%'")" = "$HOSTS" ] && ok || fail "distinct machine-ids"
[ "$(central "SELECT count(*) FROM vitk.sim_vf")" = $((HOSTS * VFS)) ] && ok || fail "sim_vf count"
[ "$(central "SELECT count(*) FROM vitk.sim_event")" = $((HOSTS * EVENTS)) ] && ok || fail "sim_event count"
# every host's rows landed on that host
[ "$(central "SELECT count(*) FROM (SELECT h.name FROM vitk.sim_vf v JOIN vitk.hosts h ON h.id = v.host_id GROUP BY h.name HAVING count(*) <> $VFS) x")" = 0 ] && ok || fail "rows per host"
expect_exit 0 -- "$VITK" --db "$URL" inventory check

# --- round 2: the same again changes nothing ---------------------------------
snap=$(central "SELECT md5(string_agg(concat_ws('|', id, host_id, pf, vf, vlan, numa, created_at, updated_at), ';' ORDER BY id)) FROM vitk.sim_vf")
push_all 2
jq -e --argjson r $((HOSTS * (VFS + EVENTS))) '.added == 0 and .updated == 0 and .unchanged == $r and .hosts_added == 0' \
	"$W/sum.2.json" >/dev/null && ok || fail "round 2 not idempotent: $(cat "$W/sum.2.json")"
[ "$(central "SELECT md5(string_agg(concat_ws('|', id, host_id, pf, vf, vlan, numa, created_at, updated_at), ';' ORDER BY id)) FROM vitk.sim_vf")" = "$snap" ] && ok || fail "round 2 rewrote rows"

# --- round 3: updates, SERIALIZABLE, hosts 1..20 pushed twice at once --------
for ((i = 1; i <= HOSTS; i++)); do
	gen "$i" 200 >"$W/h$i/rows2.json"
	printf '%s\n' "$W/h$i"
done | xargs -P 4 -I{} sh -c 'VITK_ETC_ROOT={}/etc "$0" --db {}/inv.db inventory import {}/rows2.json >/dev/null' "$VITK" || fail "updating local inventories"
central "ALTER DATABASE vitk SET default_transaction_isolation = 'serializable'" >/dev/null
push_all 3 $(seq 1 20)
# retries are expected here (two pushes of one host under SERIALIZABLE) but not asserted:
# whether two pushes overlap depends on scheduling
jq -e --argjson v $((HOSTS * VFS)) '.updated == $v and .added == 0' "$W/sum.3.json" >/dev/null && ok || fail "round 3 totals: $(cat "$W/sum.3.json")"
[ "$(central "SELECT count(*) FROM vitk.sim_vf WHERE vlan = 200")" = $((HOSTS * VFS)) ] && ok || fail "updates not all merged"
[ "$(central "SELECT count(*) FROM vitk.sim_vf")" = $((HOSTS * VFS)) ] && ok || fail "sim_vf count after updates"
[ "$(central "SELECT count(*) FROM vitk.sim_event")" = $((HOSTS * EVENTS)) ] && ok || fail "keyless rows duplicated"
expect_exit 0 -- "$VITK" --db "$URL" inventory check
[ "$(PSQL -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vitk'")" = 0 ] && ok || fail "sessions left open"

finish
