# Start a private PostgreSQL server for one test (sourced by the fleet sh_tests).
#
# initdb + pg_ctl as the `postgres` user (the server refuses to run as root)
# in a fresh directory under /tmp, listening on a unix socket in that
# directory and on 127.0.0.1 with a random port (bazel runs each test in its
# own network namespace, tools/netns_run.sh).  Local socket logins are
# trusted; TCP logins need a SCRAM password (the tests give it through
# PGPASSFILE, never in an argument).  Every wait has a deadline.
# Exports PGHOST (the socket dir), PGPORT, PGUSER=postgres, PGDATABASE=vitk,
# PG_DIR, PG_BIN.  pg_stop is installed as an EXIT trap.

# bazel runs tests with a minimal PATH; runuser lives in sbin
export PATH=$PATH:/usr/sbin:/sbin
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1
	fi
	rm -rf "$PG_DIR"
}

# pg_start [extra server options...]
pg_start() {
	if [ -z "$PG_BIN" ] || ! id postgres >/dev/null 2>&1; then
		echo "pg_lib: PostgreSQL server not installed (tools/setup.sh installs it)" >&2
		exit 1
	fi
	PG_DIR=$(mktemp -d /tmp/vitk-pg.XXXXXX)
	chmod 700 "$PG_DIR"
	chown postgres: "$PG_DIR"
	trap pg_stop EXIT
	timeout 120 runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
		>"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
	local try
	for try in 1 2 3 4 5; do
		PGPORT=$((20000 + RANDOM % 30000))
		if timeout 60 runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB $*" \
			start >/dev/null 2>&1; then
			break
		fi
		[ "$try" = 5 ] && { cat "$PG_DIR/server.log" >&2; exit 1; }
	done
	export PGHOST=$PG_DIR PGPORT PGUSER=postgres PGDATABASE=vitk PG_DIR PG_BIN
	psql -q -d postgres -c 'CREATE DATABASE vitk' >/dev/null || exit 1
}

# psql as the superuser, quiet, stop on errors, unaligned tuples only
PSQL() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# wait_for TIMEOUT_S command...: retry until it succeeds or the deadline passes
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}
