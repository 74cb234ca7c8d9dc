#!/usr/bin/env bash
# bench/labtarget/queue.sh: command queueing under load (issue 12).  Not a
# test: run it by hand, read the ratios.  Ports 13304-13305.
#
#   1. 4 sessions of 128 KiB reads at queue depth 16 (iscsi-perf), summed;
#   2. the same while a 1 GiB copy runs on a 5th session: on `vitk odx serve`
#      a foreground EXTENDED COPY (the copy manager), on tgtd -- which has no
#      copy offload -- the host-based copy an initiator falls back to
#      (READ(16)+WRITE(16) of 1 MiB, target_bench hostcopy).
# Both targets serve the same files in the same run; printed: MB/s and the
# ratios vitk/tgtd, and loaded/idle for each target.  Opt build.
#
#   bench/labtarget/queue.sh               # 256 MiB read file, 1 GiB copy
#   SECS=3 COPY_MB=512 bench/labtarget/queue.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${BENCH_DIR:-/tmp/vitk-bench-queue}
SIZE_MB=${SIZE_MB:-256}
COPY_MB=${COPY_MB:-1024}
SECS=${SECS:-5}
SESSIONS=4
REQ=131072
QD=16
IQN=iqn.2026-01.bench.vitk:queue
TIQN=iqn.2026-01.bench.vitk:tgtdq
mkdir -p "$DIR"

bazel build --config=opt //cli:vitk //bench/labtarget:target_bench >/dev/null 2>&1 ||
	bazel build --config=opt //cli:vitk //bench/labtarget:target_bench
VITK=$(bazel info --config=opt bazel-bin 2>/dev/null)/cli/vitk
BENCH=$(bazel info --config=opt bazel-bin 2>/dev/null)/bench/labtarget/target_bench

VPID=""
TPID=""
cleanup() {
	[ -n "$VPID" ] && kill -TERM "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null
	if [ -n "$TPID" ]; then
		kill -KILL "$TPID" 2>/dev/null
		wait "$TPID" 2>/dev/null
	fi
	true
}
trap cleanup EXIT

# reads URL: SESSIONS iscsi-perf processes (each its own initiator name, so
# its own session), summed MB/s
reads() {
	local url=$1 i pids="" sum=0 v
	for i in $(seq "$SESSIONS"); do
		timeout $((SECS + 15)) iscsi-perf -i "iqn.2026-01.bench:perf$i" -t "$SECS" -m "$QD" \
			-b $((REQ / 512)) "$url" >"$DIR/perf.$i" 2>&1 &
		pids="$pids $!"
	done
	wait $pids || true
	for i in $(seq "$SESSIONS"); do
		v=$(tr '\r' '\n' <"$DIR/perf.$i" | grep -o 'iops average [0-9]* ([0-9]* MB/s)' |
			tail -1 | sed -E 's/.*\(([0-9]+) MB\/s\)/\1/')
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}
# reads_during URL COPYCMD...: the reads while 1 GiB copies run back to back
# on another session (the copy starts first; its lines go to $DIR/copy.out)
reads_during() {
	local url=$1 cpid r
	shift
	rm -f "$DIR/stop" "$DIR/copy.out"
	( while [ ! -e "$DIR/stop" ]; do "$@" >>"$DIR/copy.out" 2>&1 || exit 1; done ) &
	cpid=$!
	sleep 0.3
	r=$(reads "$url")
	touch "$DIR/stop"
	wait "$cpid" || { echo "copy failed: $(cat "$DIR/copy.out")" >&2; exit 1; }
	echo "$r"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

dd if=/dev/zero of="$DIR/r.img" bs=1M count="$SIZE_MB" status=none
dd if=/dev/zero of="$DIR/src.img" bs=1M count="$COPY_MB" status=none # allocated, not sparse
truncate -s $((COPY_MB * 1048576)) "$DIR/dst.img"

rm -f "$DIR/vitk.pid"
"$VITK" -q odx serve --portal 127.0.0.1:13304 --iqn "$IQN" --pidfile "$DIR/vitk.pid" \
	--lun "0=$DIR/r.img" --lun "1=$DIR/src.img" --lun "2=$DIR/dst.img" 2>"$DIR/vitk.err" &
VPID=$!
for _ in $(seq 100); do [ -s "$DIR/vitk.pid" ] && break; sleep 0.1; done
v_idle=$(reads "iscsi://127.0.0.1:13304/$IQN/0")
v_load=$(reads_during "iscsi://127.0.0.1:13304/$IQN/0" \
	"$BENCH" xcopy 127.0.0.1:13304 "$IQN" 1 2 $((COPY_MB * 1048576)))
v_copy=$(head -1 "$DIR/copy.out")
kill -TERM "$VPID"
wait "$VPID" || true
VPID=""

tgtd -f -C 14 --iscsi portal=127.0.0.1:13305 >"$DIR/tgtd.log" 2>&1 &
TPID=$!
for _ in $(seq 50); do tgtadm -C 14 --op show --mode system >/dev/null 2>&1 && break; sleep 0.1; done
tgtadm -C 14 --lld iscsi --op new --mode target --tid 1 -T "$TIQN"
tgtadm -C 14 --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$DIR/r.img"
tgtadm -C 14 --lld iscsi --op new --mode logicalunit --tid 1 --lun 2 -b "$DIR/src.img"
tgtadm -C 14 --lld iscsi --op new --mode logicalunit --tid 1 --lun 3 -b "$DIR/dst.img"
tgtadm -C 14 --lld iscsi --op bind --mode target --tid 1 -I ALL
t_idle=$(reads "iscsi://127.0.0.1:13305/$TIQN/1")
t_load=$(reads_during "iscsi://127.0.0.1:13305/$TIQN/1" \
	"$BENCH" hostcopy 127.0.0.1:13305 "$TIQN" 2 3 $((COPY_MB * 1048576)))
t_copy=$(head -1 "$DIR/copy.out")
kill -KILL "$TPID"
wait "$TPID" || true
TPID=""

echo "== $SESSIONS sessions x ${REQ}-byte reads, queue depth $QD, ${SECS} s"
printf "idle         vitk %6s MB/s   tgtd %6s MB/s   vitk/tgtd %s\n" "$v_idle" "$t_idle" \
	"$(ratio "$v_idle" "$t_idle")"
printf "during copy  vitk %6s MB/s   tgtd %6s MB/s   vitk/tgtd %s\n" "$v_load" "$t_load" \
	"$(ratio "$v_load" "$t_load")"
printf "during/idle  vitk %s   tgtd %s\n" "$(ratio "$v_load" "$v_idle")" "$(ratio "$t_load" "$t_idle")"
echo "copy (${COPY_MB} MiB): vitk $v_copy | tgtd $t_copy"
rm -f "$DIR"/*.img
