#!/usr/bin/env bash
# End-to-end through libiscsi against the lab target (`vitk odx serve`):
# token, EXTENDED COPY and host copies, zeroing, token files, refusals and
# --resume, with every range read back from the backing files and the blocks
# just before and after each destination range checked untouched.
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/odx/tests/e2e/lib.sh"
PORT=13262
IQN=iqn.2026-01.lab.vitk:e2e
U=iscsi://127.0.0.1:$PORT/$IQN

random_file "$W/a.img" 64
random_file "$W/b.img" 64
"$VITK" odx serve --portal 127.0.0.1:$PORT --iqn $IQN --lun "0=$W/a.img,size=64M" \
	--lun "1=$W/b.img,size=64M" 2>"$W/serve.log" &
PIDS+=($!)
wait_port $PORT || { cat "$W/serve.log"; exit 1; }

# copy_case NAME SRC_LBA DST_LBA COUNT METHOD [extra args]: copy, then check data + neighbours
copy_case() {
	local name=$1 s=$2 d=$3 n=$4 m=$5
	shift 5
	cp "$W/b.img" "$W/b.before"
	if ! V -o json odx copy $U/0 $U/1 --src-lba $s --dst-lba $d --count $n --method $m "$@" \
		>"$W/$name.json" 2>"$W/$name.err"; then
		fail "$name: copy failed: $(cat "$W/$name.err")"
		return
	fi
	ok
	check "$name: data" -- same_blocks "$W/a.img" $s "$W/b.img" $d $n
	check "$name: block before the range untouched" -- same_blocks "$W/b.before" $((d - 1)) "$W/b.img" $((d - 1)) 1
	check "$name: block after the range untouched" -- same_blocks "$W/b.before" $((d + n)) "$W/b.img" $((d + n)) 1
	check "$name: bytes" -- [ "$(jget "$W/$name.json" .bytes)" = $((n * BS)) ]
}

# --- --dry-run: the plan, nothing written
sum_before=$(md5sum <"$W/b.img")
V -o json odx copy $U/0 $U/1 --count 10000 --dst-lba 5 --max-blocks-per-command 1000 --dry-run >"$W/dry.json" || fail "dry run"
check "dry run: token" -- [ "$(jget "$W/dry.json" .method)" = token ]
check "dry run: 10 commands" -- [ "$(jget "$W/dry.json" .commands)" = 10 ]
check "dry run: note" -- [ "$(jget "$W/dry.json" .note)" = "range exceeds max token transfer size, split into 10 commands" ]
check "dry run: nothing written" -- [ "$(md5sum <"$W/b.img")" = "$sum_before" ]
check "dry run: no job recorded" -- [ "$(V -o json odx jobs | jq length)" = 0 ]

# --- token copy: < 1 MiB through the host, no fallbacks
copy_case token 2048 1000 16384 token --verify
check "token: method" -- [ "$(jget "$W/token.json" .method)" = token ]
check "token: host_bytes < 1 MiB" -- [ "$(jget "$W/token.json" .host_bytes)" -lt 1048576 ]
check "token: no fallbacks" -- [ "$(jget "$W/token.json" '.fallbacks | length')" = 0 ]
check "token: read back through libiscsi (--verify)" -- [ "$(jget "$W/token.json" .verified)" = true ]

# --- --resume JOB --verify of the finished token job: compares, copies nothing
job=$(jget "$W/token.json" .job)
V -o json odx copy --resume "$job" --verify >"$W/reverify.json" 2>"$W/reverify.err"
check "reverify: exit 0 ($(cat "$W/reverify.err"))" -- test $? = 0
check "reverify: verified, nothing copied" -- [ "$(jget "$W/reverify.json" '[.verified, .bytes, .commands] | map(tostring) | join(",")')" = "true,0,0" ]
# one byte of destination block 1000 + 9000 changes in the backing file, behind the target's back
printf 'X' | dd of="$W/b.img" bs=1 seek=$(((1000 + 9000) * BS + 100)) conv=notrunc status=none
V odx copy --resume "$job" --verify >/dev/null 2>"$W/reverify2.err"
check "reverify after a change: exit 1 (the operation failed)" -- test $? = 1
check "reverify after a change: names the block" -- grep -qF "verify: '$U/1' block 10000 differs from '$U/0' block 11048" "$W/reverify2.err"
check "reverify after a change: nothing to resume" -- grep -qF "failed after every block was written (job $job, nothing left to resume)" "$W/reverify2.err"
check "reverify after a change: no --resume advice" -- eval '! grep -q "resume with --resume" "$W/reverify2.err"'
check "reverify after a change: job failed" -- [ "$(V -o json odx jobs "$job" | jq -r .result)" = failed ]
dd if="$W/a.img" of="$W/b.img" bs=$BS skip=11048 seek=10000 count=1 conv=notrunc status=none

# --- token copy split into many commands (exact LBAs: data must match everywhere)
copy_case token_split 5 30001 10000 token --max-blocks-per-command 1536
check "token_split: offload only" -- [ "$(jget "$W/token_split.json" .host_blocks)" = 0 ]
# one token of all 10000 blocks, 7 WRITE USING TOKENs of <= 1536 at increasing OFFSET INTO ROD
check "token_split: 1 PT+RRTI, 7 WUT+RRTI" -- [ "$(jget "$W/token_split.json" .commands)" = 16 ]

# --- > 200 commands by token (the target allows 128 live tokens per session):
# one token drained by 256 writes of 128 blocks, no host fallback
copy_case token_many 40000 60000 32768 token --max-blocks-per-command 128
check "token_many: 1 PT+RRTI, 256 WUT+RRTI" -- [ "$(jget "$W/token_many.json" .commands)" = 514 ]
check "token_many: no fallbacks" -- [ "$(jget "$W/token_many.json" '.fallbacks | length')" = 0 ]
check "token_many: offload only" -- [ "$(jget "$W/token_many.json" .host_blocks)" = 0 ]
check "token_many: host_bytes < 1 MiB" -- [ "$(jget "$W/token_many.json" .host_bytes)" -lt 1048576 ]

# --- EXTENDED COPY, several commands
copy_case xcopy 100 50003 20000 xcopy --max-blocks-per-command 4096 --verify
check "xcopy: method" -- [ "$(jget "$W/xcopy.json" .method)" = xcopy ]
check "xcopy: host_bytes < 1 MiB" -- [ "$(jget "$W/xcopy.json" .host_bytes)" -lt 1048576 ]
check "xcopy: 5 commands of <= 4096 blocks" -- [ "$(jget "$W/xcopy.json" .commands)" = 5 ]
check "xcopy: read back through libiscsi (--verify)" -- [ "$(jget "$W/xcopy.json" .verified)" = true ]

# --- host copy with --verify
copy_case host 7 80000 9000 host --verify --buffer 1M
check "host: method" -- [ "$(jget "$W/host.json" .method)" = host ]
check "host: host_bytes = 2 x data" -- [ "$(jget "$W/host.json" .host_bytes)" = $((2 * 9000 * BS)) ]
check "host: in = out = data" -- [ "$(jget "$W/host.json" .host_bytes_in)" = $((9000 * BS)) ]
check "host: verified" -- [ "$(jget "$W/host.json" .verified)" = true ]
check "host: rejected methods have reasons" -- \
	[ "$(jget "$W/host.json" '[.rejected[] | select(.reason | length > 0)] | length')" = 2 ]

# --- host copy on one session per side (reader thread + ring instead of 8 sessions)
copy_case host1 33 90001 7000 host --streams 1 --buffer 512K
check "host1: host_bytes = 2 x data" -- [ "$(jget "$W/host1.json" .host_bytes)" = $((2 * 7000 * BS)) ]
check "host1: 7 reads + 7 writes of 512 KiB" -- [ "$(jget "$W/host1.json" .commands)" = 14 ]

# --- auto picks token on the lab target
copy_case auto 0 100000 4096 auto
check "auto: token chosen" -- [ "$(jget "$W/auto.json" .method)" = token ]

# --- within one LU (one session, disjoint ranges)
cp "$W/a.img" "$W/a.before"
V -o json odx copy $U/0 $U/0 --src-lba 10 --dst-lba 125000 --count 1000 >"$W/self.json" 2>"$W/self.err" && ok || fail "same-LU copy: $(cat "$W/self.err")"
check "same LU: token" -- [ "$(jget "$W/self.json" .method)" = token ]
check "same LU: data" -- same_blocks "$W/a.before" 10 "$W/a.img" 125000 1000
check "same LU: source untouched" -- same_blocks "$W/a.before" 0 "$W/a.img" 0 125000
check "same LU: after untouched" -- same_blocks "$W/a.before" 126000 "$W/a.img" 126000 1

# --- zero with the zero ROD token
cp "$W/b.img" "$W/b.before"
V -o json odx zero $U/1 --lba 1000 --count 777 >"$W/zero.json" 2>"$W/zero.err" && ok || fail "zero: $(cat "$W/zero.err")"
check "zero: zeros" -- zero_blocks "$W/b.img" 1000 777
check "zero: before untouched" -- same_blocks "$W/b.before" 999 "$W/b.img" 999 1
check "zero: after untouched" -- same_blocks "$W/b.before" 1777 "$W/b.img" 1777 1
check "zero: method token" -- [ "$(jget "$W/zero.json" .method)" = token ]

# --- token files: create from LUN 0, show, write to LUN 1
V odx token create $U/0 "$W/t.rod" --lba 4000 --count 3000 >/dev/null 2>"$W/tc.err" && ok || fail "token create: $(cat "$W/tc.err")"
check "token file size" -- [ "$(stat -c %s "$W/t.rod")" = 520 ]
V -o json odx token show "$W/t.rod" >"$W/ts.json" && ok || fail "token show"
check "token show: bytes" -- [ "$(jget "$W/ts.json" '.[0].bytes')" = $((3000 * BS)) ]
cp "$W/b.img" "$W/b.before"
V odx token write "$W/t.rod" $U/1 --lba 120000 >/dev/null 2>"$W/tw.err" && ok || fail "token write: $(cat "$W/tw.err")"
check "token write: data" -- same_blocks "$W/a.img" 4000 "$W/b.img" 120000 3000
check "token write: after untouched" -- same_blocks "$W/b.before" 123000 "$W/b.img" 123000 1

# --- refusals: nothing is written
sum_before=$(md5sum <"$W/b.img")
"$VITK" --db "$DB" odx copy $U/0 $U/1 --dst-lba 131000 --count 100 2>"$W/r1.err"
check "past capacity: exit 1" -- [ $? -eq 1 ]
check "past capacity: message" -- grep -q "past the capacity" "$W/r1.err"
"$VITK" --db "$DB" odx copy $U/0 $U/0 --src-lba 0 --dst-lba 50 --count 100 2>"$W/r2.err"
check "overlap: exit 1" -- [ $? -eq 1 ]
check "overlap: message" -- grep -q "overlap on the same LU" "$W/r2.err"
check "refusals wrote nothing" -- [ "$(md5sum <"$W/b.img")" = "$sum_before" ]

# --- resume: a job marked interrupted at block 2000 copies only the rest
V -o json odx zero $U/1 --lba 60000 --count 5000 >/dev/null || fail "zero for resume"
V -o json odx copy $U/0 $U/1 --src-lba 9000 --dst-lba 60000 --count 5000 --method host >"$W/r.json" || fail "copy for resume"
job=$(jget "$W/r.json" .job)
V -o json odx zero $U/1 --lba 60000 --count 5000 >/dev/null || fail "re-zero"
sqlite3 "$DB" "UPDATE odx_job SET result='running', blocks_done=2000 WHERE uuid='$job'" || fail "mark interrupted"
V -o json odx copy --resume "${job:0:8}" >"$W/resumed.json" 2>"$W/resumed.err" && ok || fail "resume: $(cat "$W/resumed.err")"
check "resume: first 2000 blocks not re-copied" -- zero_blocks "$W/b.img" 60000 2000
check "resume: the rest copied" -- same_blocks "$W/a.img" 11000 "$W/b.img" 62000 3000
check "resume: bytes of this run" -- [ "$(jget "$W/resumed.json" .bytes)" = $((3000 * BS)) ]
"$VITK" --db "$DB" odx copy --resume "$job" 2>"$W/r3.err"
check "resume of a finished job refused" -- grep -q "already completed" "$W/r3.err"

# --- jobs listing
V -o json odx jobs >"$W/jobs.json" && ok || fail "jobs"
check "jobs: every job has method, bytes, host_bytes" -- \
	[ "$(jget "$W/jobs.json" '[.[] | select(.method and .bytes != null and .host_bytes != null)] | length')" -ge 6 ]
check "jobs: resumed job ran twice" -- \
	[ "$(jget "$W/jobs.json" "[.[] | select(.job == \"$job\")][0].runs")" = 2 ]

"$VITK" --db "$DB" odx jobs --host no-such-host 2>"$W/jh.err"
check "jobs --host unknown: exit 3" -- [ $? -eq 3 ]
h=$(V -o json odx jobs | jq -r '.[0].host')
check "jobs --host filters" -- [ "$(V -o json odx jobs --host "$h" | jq length)" = "$(jget "$W/jobs.json" length)" ]

# --- probe verdicts
V -o json odx probe $U/0 $U/1 >"$W/probe.json" && ok || fail "probe"
check "probe: offload yes" -- [ "$(jget "$W/probe.json" '.pairs[0].offload')" = true ]
check "probe: 3PC" -- [ "$(jget "$W/probe.json" '.devices[0].tpc')" = true ]
V odx probe $U/0 $U/1 >"$W/probe.txt" || fail "probe text"
check "probe text: verdict" -- grep -qx "offload $U/0 -> $U/1: yes, token is usable" "$W/probe.txt"
check "probe text: records" -- [ "$(grep -c '^max token transfer: *134217728$' "$W/probe.txt")" = 2 ]

# --- a tampered token file: the target's sense comes back through libiscsi
head -c 200 "$W/t.rod" >"$W/bad.rod"
printf '\xff' >>"$W/bad.rod"
tail -c +202 "$W/t.rod" >>"$W/bad.rod"
cp "$W/b.img" "$W/b.before"
"$VITK" --db "$DB" odx token write "$W/bad.rod" $U/1 --lba 125000 2>"$W/bad.err"
check "tampered token: device exit code" -- [ $? -eq 4 ]
check "tampered token: sense decoded" -- grep -q "invalid token operation" "$W/bad.err"
check "tampered token: one error line" -- [ "$(wc -l <"$W/bad.err")" = 1 ]
check "tampered token: nothing written" -- cmp -s "$W/b.before" "$W/b.img"
"$VITK" --db "$DB" odx token show "$W/a.img" 2>"$W/show.err"
check "token show of a non-token file fails cleanly" -- grep -q "token file" "$W/show.err"

# --- a copy manager that truncates every command to 1 MiB: PT transfer counts
#     below the request and partial WUTs are followed exactly (offset into ROD)
PORT2=13265
IQN2=iqn.2026-01.lab.vitk:e2e-trunc
U2=iscsi://127.0.0.1:$PORT2/$IQN2
random_file "$W/c.img" 32
random_file "$W/d.img" 32
"$VITK" odx serve --portal 127.0.0.1:$PORT2 --iqn $IQN2 --lun "0=$W/c.img" --lun "1=$W/d.img" \
	--max-bytes-per-command 1M 2>"$W/serve2.log" &
PIDS+=($!)
wait_port $PORT2 || { cat "$W/serve2.log"; exit 1; }
cp "$W/d.img" "$W/d.before"
V -o json odx copy $U2/0 $U2/1 --src-lba 3 --dst-lba 777 --count 20000 --method token >"$W/trunc.json" 2>"$W/trunc.err" && ok || fail "truncated copy: $(cat "$W/trunc.err")"
check "truncated: data" -- same_blocks "$W/c.img" 3 "$W/d.img" 777 20000
check "truncated: before untouched" -- same_blocks "$W/d.before" 776 "$W/d.img" 776 1
check "truncated: after untouched" -- same_blocks "$W/d.before" 20777 "$W/d.img" 20777 1
check "truncated: all offloaded" -- [ "$(jget "$W/trunc.json" .offload_blocks)" = 20000 ]
check "truncated: many commands" -- [ "$(jget "$W/trunc.json" .commands)" -ge 40 ]
cp "$W/d.img" "$W/d.before"
V -o json odx zero $U2/1 --lba 1001 --count 30000 >"$W/tz.json" 2>"$W/tz.err" && ok || fail "truncated zero: $(cat "$W/tz.err")"
check "truncated zero: zeros" -- zero_blocks "$W/d.img" 1001 30000
check "truncated zero: before untouched" -- same_blocks "$W/d.before" 1000 "$W/d.img" 1000 1
check "truncated zero: after untouched" -- same_blocks "$W/d.before" 31001 "$W/d.img" 31001 1
check "truncated zero: by token" -- [ "$(jget "$W/tz.json" .method)" = token ]

# --- CHAP: credentials in the URL (iscsi://user%secret@host:port/IQN/LUN)
PORT3=13266
IQN3=iqn.2026-01.lab.vitk:e2e-chap
random_file "$W/e.img" 4
"$VITK" odx serve --portal 127.0.0.1:$PORT3 --iqn $IQN3 --lun "0=$W/e.img" --chap odxuser:s3cr3tpassw0rd \
	2>"$W/serve3.log" &
PIDS+=($!)
wait_port $PORT3 || { cat "$W/serve3.log"; exit 1; }
V -o json odx probe "iscsi://odxuser%s3cr3tpassw0rd@127.0.0.1:$PORT3/$IQN3/0" >"$W/chap.json" 2>"$W/chap.err" && ok || fail "chap probe: $(cat "$W/chap.err")"
check "chap: identified" -- [ "$(jget "$W/chap.json" '.devices[0].blocks')" = 8192 ]
"$VITK" --db "$DB" odx probe "iscsi://127.0.0.1:$PORT3/$IQN3/0" 2>"$W/nochap.err"
check "no chap: device exit code" -- [ $? -eq 4 ]
check "no chap: login error" -- grep -q "cannot log in" "$W/nochap.err"

finish
