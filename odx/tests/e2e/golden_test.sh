#!/usr/bin/env bash
# The odx verbs' output, byte for byte, in text, JSON and CSV, with the exit
# code and stderr, against the lab target: probe, copy (--dry-run, token,
# host, resume), zero, token create|show|write, jobs, and the refusals.
# Volatile values (job ids, durations, rates, times, the host name, the
# temporary directory) are normalised; regenerate with
#   tools/update-golden.sh //odx:golden_e2e_test odx/tests/e2e/golden
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/odx/tests/e2e/lib.sh"
GOLDEN_DIR=$ROOT/odx/tests/e2e/golden
PORT=13267
IQN=iqn.2026-01.lab.vitk:golden
U=iscsi://127.0.0.1:$PORT/$IQN

# deterministic backing files: the same bytes on every run
pattern_file() { yes "vitk odx golden $2" | head -c "$(($3 * 1048576))" >"$1"; }
pattern_file "$W/a.img" a 8
pattern_file "$W/b.img" b 8
"$VITK" odx serve --portal 127.0.0.1:$PORT --iqn $IQN --lun "0=$W/a.img" --lun "1=$W/b.img" \
	--lun "2=$W/c4k.img,size=8M,bs=4096" 2>"$W/serve.log" &
PIDS+=($!)
wait_port $PORT || { cat "$W/serve.log"; exit 1; }

normalise() {
	sed -E -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<UUID>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<TS>/g' \
		-e 's/("duration_ms": )[0-9]+/\1<MS>/g' -e 's/^(duration ms: +)[0-9]+$/\1<MS>/' \
		-e 's/^(mib per s: +)[0-9.]+$/\1<RATE>/' \
		-e 's/60a1b2c[0-9a-f]{25}/<NAA>/g' \
		-e 's/("serial": ")[0-9a-f]{16}"/\1<SERIAL>"/g' -e 's/^( *serial: +)[0-9a-f]{16}$/\1<SERIAL>/' \
		-e "s#$W#<TMP>#g" -e "s#$(hostname)#<HOST>#g" |
		# CSV: the duration_ms and mib_per_s columns, found by the header line
		awk -F, -v OFS=, '/^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)+\r?$/ { d = r = sr = 0
				for (i = 1; i <= NF; i++) { if ($i == "duration_ms") d = i; if ($i == "mib_per_s") r = i; if ($i == "serial") sr = i }
				print; next }
			NF > 1 && d { $d = "<MS>"; if (r) $r = "<RATE>" }
			NF > 1 && sr { $sr = "<SERIAL>" } { print }'
}

# golden NAME -- command...: exit code, stderr and stdout (normalised) must equal the file
golden() {
	local name=$1 rc
	shift
	[ "$1" = "--" ] && shift
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
	{
		echo "exit: $rc"
		sed 's/^/stderr: /' "$W/err"
		cat "$W/out"
	} | normalise >"$W/got.$name"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$W/got.$name" "$UPDATE_GOLDEN_DIR/$name"
	fi
	if diff -u "$GOLDEN_DIR/$name" "$W/got.$name"; then ok; else fail "output of '$*' differs from golden $name"; fi
}
# the jobs table: its column widths follow the durations (third column from the right)
squeeze() { "$@" | tr -s ' ' | awk '$1 ~ /^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-/ { $(NF - 2) = "<MS>" } { print }'; }

golden token_create.table -- V odx token create $U/0 "$W/t.rod" --lba 40 --count 300
golden token_create_exists.table -- V odx token create $U/0 "$W/t.rod" --lba 40 --count 300
for o in table json csv; do
	golden probe.$o -- V -o $o odx probe $U/0 $U/1
	golden dry_run.$o -- V -o $o odx copy $U/0 $U/1 --count 3000 --dst-lba 5 --max-blocks-per-command 1000 --dry-run
	golden copy_token.$o -- V -o $o odx copy $U/0 $U/1 --src-lba 16 --dst-lba 100 --count 2048 --method token
	golden copy_xcopy.$o -- V -o $o odx copy $U/0 $U/1 --count 1000 --dst-lba 4000 --method xcopy --max-blocks-per-command 300
	golden copy_host.$o -- V -o $o odx copy $U/0 $U/1 --src-lba 7 --dst-lba 9000 --count 999 --method host --verify --streams 1
	golden zero.$o -- V -o $o odx zero $U/1 --lba 1000 --count 77
	golden token_show.$o -- V -o $o odx token show "$W/t.rod"
done
golden token_write.json -- V -o json odx token write "$W/t.rod" $U/1 --lba 12000
golden same_lu.json -- V -o json odx copy $U/0 $U/0 --src-lba 10 --dst-lba 12500 --count 100

# refusals and usage errors
golden err_capacity.table -- V odx copy $U/0 $U/1 --dst-lba 16000 --count 1000
golden err_overlap.table -- V odx copy $U/0 $U/0 --src-lba 0 --dst-lba 50 --count 100
golden err_block_size.table -- V odx copy $U/2 $U/1 --count 8
golden err_method.table -- V odx copy $U/0 $U/1 --count 8 --method bogus
golden err_streams.table -- V odx copy $U/0 $U/1 --count 8 --streams 33
golden err_args.table -- V odx copy $U/0
golden err_open.table -- V odx copy $U/0 iscsi://127.0.0.1:$PORT/$IQN/9 --count 8
golden err_zero_args.table -- V odx zero $U/1 --lba 5
golden err_token_action.table -- V odx token frob x y
golden err_jobs_unknown.table -- V odx jobs 00000000-no-such
golden err_jobs_host.table -- V odx jobs --host no-such-host

# resume: a job marked interrupted at block 200 copies only the rest
V -o json odx copy $U/0 $U/1 --src-lba 900 --dst-lba 6000 --count 500 --method host >"$W/r.json" || fail "copy for resume"
job=$(jget "$W/r.json" .job)
sqlite3 "$DB" "UPDATE odx_job SET result='running', blocks_done=200 WHERE uuid='$job'" || fail "mark interrupted"
golden resume.json -- V -o json odx copy --resume "${job:0:8}"
golden resume_done.table -- V odx copy --resume "$job"
golden resume_args.table -- V odx copy --resume "$job" $U/0 $U/1
golden resume_unknown.table -- V odx copy --resume ffffffff-none

for o in table json csv; do
	golden jobs.$o -- squeeze V -o $o odx jobs
	golden job_one.$o -- V -o $o odx jobs "${job:0:8}"
done
finish
