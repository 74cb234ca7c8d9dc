#!/usr/bin/env bash
# bench/labtarget: `vitk odx serve` vs tgtd (same backing file, same loopback,
# same libiscsi initiators), the copy manager vs `cp --reflink=never`, and on
# an XFS filesystem made here (loop device, private mount namespace; root,
# xfsprogs) the copy manager vs `cp --reflink=always`.
# Not a test: run it by hand, read the ratios.  Ports 13290-13299.
#
#   bench/labtarget/run.sh            # 256 MiB read/write file, 1 GiB copies
#   SIZE_MB=64 COPY_MB=256 bench/labtarget/run.sh
#   REFLINK=0 bench/labtarget/run.sh  # without the XFS part
# Copy times include the final sync, like the cp time; best of RUNS (2).
# Build: --config=opt (-c opt, debug info kept).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:/usr/sbin:/sbin"
REFLINK=${REFLINK:-1}
if [ "$REFLINK" = 1 ] && [ "${LABTARGET_BENCH_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "the XFS part needs root (REFLINK=0 skips it)" >&2; exit 1; }
	LABTARGET_BENCH_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
DIR=${BENCH_DIR:-/tmp/vitk-bench-target}
SIZE_MB=${SIZE_MB:-256}
COPY_MB=${COPY_MB:-1024}
SECS=${SECS:-5}
RUNS=${RUNS:-2}
REQ=131072   # bytes per request, both directions
QD=16
IQN=iqn.2026-01.bench.vitk:odx
TIQN=iqn.2026-01.bench.vitk:tgtd
mkdir -p "$DIR"

OPT=(--config=opt)
bazel build "${OPT[@]}" //cli:vitk //bench/labtarget:target_bench >/dev/null 2>&1 ||
	bazel build "${OPT[@]}" //cli:vitk //bench/labtarget:target_bench
VITK=$(bazel info "${OPT[@]}" bazel-bin 2>/dev/null)/cli/vitk
BENCH=$(bazel info "${OPT[@]}" bazel-bin 2>/dev/null)/bench/labtarget/target_bench

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

start_vitk() { # port luns...
	local port=$1
	shift
	rm -f "$DIR/vitk.pid"
	"$VITK" -q odx serve --portal "127.0.0.1:$port" --iqn "$IQN" --pidfile "$DIR/vitk.pid" \
		"$@" 2>"$DIR/vitk.err" &
	VPID=$!
	for _ in $(seq 100); do [ -s "$DIR/vitk.pid" ] && return 0; sleep 0.1; done
	echo "vitk odx serve did not start: $(cat "$DIR/vitk.err")" >&2
	exit 1
}
stop_vitk() {
	kill -TERM "$VPID"
	wait "$VPID" || true
	VPID=""
}

perf_read() { # url -> MB/s (iscsi-perf average)
	timeout $((SECS + 10)) iscsi-perf -t "$SECS" -m "$QD" -b $((REQ / 512)) "$1" 2>&1 |
		tr '\r' '\n' | grep -o 'iops average [0-9]* ([0-9]* MB/s)' | tail -1 |
		sed -E 's/.*\(([0-9]+) MB\/s\)/\1/'
}
seq_write() { # portal iqn lun -> MB/s
	"$BENCH" seqwrite "$1" "$2" "$3" "$REQ" $((SIZE_MB * 1048576)) "$QD" |
		awk '{print $(NF-1)}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "== read/write: ${SIZE_MB} MiB file, ${REQ}-byte requests, queue depth $QD"
dd if=/dev/zero of="$DIR/rw.img" bs=1M count="$SIZE_MB" status=none

start_vitk 13290 --lun "0=$DIR/rw.img"
v_read=$(perf_read "iscsi://127.0.0.1:13290/$IQN/0")
v_write=$(seq_write 127.0.0.1:13290 "$IQN" 0)
stop_vitk

tgtd -f -C 13 --iscsi portal=127.0.0.1:13291 >"$DIR/tgtd.log" 2>&1 &
TPID=$!
for _ in $(seq 50); do tgtadm -C 13 --op show --mode system >/dev/null 2>&1 && break; sleep 0.1; done
tgtadm -C 13 --lld iscsi --op new --mode target --tid 1 -T "$TIQN"
tgtadm -C 13 --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$DIR/rw.img"
tgtadm -C 13 --lld iscsi --op bind --mode target --tid 1 -I ALL
t_read=$(perf_read "iscsi://127.0.0.1:13291/$TIQN/1")
t_write=$(seq_write 127.0.0.1:13291 "$TIQN" 1)
kill -KILL "$TPID"
wait "$TPID" || true
TPID=""

printf "read   vitk %6s MB/s   tgtd %6s MB/s   ratio %s (target >= 1.0)\n" \
	"$v_read" "$t_read" "$(ratio "$v_read" "$t_read")"
printf "write  vitk %6s MB/s   tgtd %6s MB/s   ratio %s (target >= 1.0)\n" \
	"$v_write" "$t_write" "$(ratio "$v_write" "$t_write")"

echo "== copy: ${COPY_MB} MiB, copy manager vs cp --reflink=never (best of $RUNS, each followed by sync)"
head -c $((COPY_MB * 1048576)) /dev/urandom >"$DIR/src.img"
sync
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b < a) print b; else print a }'; }
fresh_dst() { rm -f "$DIR/$1"; truncate -s $((COPY_MB * 1048576)) "$DIR/$1"; sync; }

cp_s=""
x_s=""
k_s=""
for run in $(seq "$RUNS"); do
	rm -f "$DIR/cp.img"
	sync
	t0=$(date +%s.%N)
	cp --reflink=never "$DIR/src.img" "$DIR/cp.img"
	sync
	cp_s=$(best "$cp_s" "$(elapsed "$t0")")

	fresh_dst dst.img
	start_vitk 13292 --lun "0=$DIR/src.img" --lun "1=$DIR/dst.img"
	t0=$(date +%s.%N)
	"$BENCH" xcopy 127.0.0.1:13292 "$IQN" 0 1 $((COPY_MB * 1048576)) >"$DIR/xcopy.out"
	sync
	x_s=$(best "$x_s" "$(elapsed "$t0")")
	stop_vitk
	cmp "$DIR/src.img" "$DIR/dst.img" || { echo "xcopy: destination differs" >&2; exit 1; }

	fresh_dst dst.img
	start_vitk 13293 --lun "0=$DIR/src.img" --lun "1=$DIR/dst.img"
	t0=$(date +%s.%N)
	"$BENCH" token 127.0.0.1:13293 "$IQN" 0 1 $((COPY_MB * 1048576)) >"$DIR/token.out"
	sync
	k_s=$(best "$k_s" "$(elapsed "$t0")")
	stop_vitk
	cmp "$DIR/src.img" "$DIR/dst.img" || { echo "token copy: destination differs" >&2; exit 1; }
done

printf "cp --reflink=never %8s s\n" "$cp_s"
printf "EXTENDED COPY      %8s s   ratio %s x cp time (target <= 1.3)\n" "$x_s" "$(ratio "$x_s" "$cp_s")"
printf "token copy         %8s s   ratio %s x cp time (target <= 1.3)\n" "$k_s" "$(ratio "$k_s" "$cp_s")"

# copy manager vs cp --reflink=always on XFS.  "alone": the commands' time
# as target_bench measures it (after login); "wall": start-up, login and the
# final sync included, like the cp time.
reflink_part() {
	local X=$DIR/xfs run t0 c_s="" xa="" xw="" ka="" kw="" mode
	truncate -s $((3 * COPY_MB + 512))M "$DIR/xfs.img"
	mkfs.xfs -q -f -m reflink=1 "$DIR/xfs.img"
	mkdir -p "$X"
	mount -o loop "$DIR/xfs.img" "$X"
	cp "$DIR/src.img" "$X/src.img"
	sync
	for run in $(seq "$RUNS"); do
		rm -f "$X/cp.img"
		sync
		t0=$(date +%s.%N)
		cp --reflink=always "$X/src.img" "$X/cp.img"
		sync
		c_s=$(best "$c_s" "$(elapsed "$t0")")
		for mode in xcopy token; do
			rm -f "$X/dst.img"
			truncate -s $((COPY_MB * 1048576)) "$X/dst.img"
			sync
			start_vitk 13294 --lun "0=$X/src.img" --lun "1=$X/dst.img"
			t0=$(date +%s.%N)
			"$BENCH" $mode 127.0.0.1:13294 "$IQN" 0 1 $((COPY_MB * 1048576)) >"$DIR/$mode.out"
			sync
			if [ $mode = xcopy ]; then
				xw=$(best "$xw" "$(elapsed "$t0")")
				xa=$(best "$xa" "$(awk '{print $4}' "$DIR/$mode.out")")
			else
				kw=$(best "$kw" "$(elapsed "$t0")")
				ka=$(best "$ka" "$(awk '{print $4}' "$DIR/$mode.out")")
			fi
			stop_vitk
			cmp "$X/src.img" "$X/dst.img" || { echo "$mode on XFS: destination differs" >&2; exit 1; }
		done
	done
	umount "$X"
	rm -f "$DIR/xfs.img"
	echo "== copy on XFS: ${COPY_MB} MiB, copy manager vs cp --reflink=always (best of $RUNS)"
	printf "cp --reflink=always %8s s\n" "$c_s"
	printf "EXTENDED COPY alone %8s s   ratio %s x cp time (target <= 1.1); wall %s s, ratio %s\n" \
		"$xa" "$(ratio "$xa" "$c_s")" "$xw" "$(ratio "$xw" "$c_s")"
	printf "token copy alone    %8s s   ratio %s x cp time (target <= 1.1); wall %s s, ratio %s\n" \
		"$ka" "$(ratio "$ka" "$c_s")" "$kw" "$(ratio "$kw" "$c_s")"
}
[ "$REFLINK" = 1 ] && reflink_part
rm -f "$DIR"/*.img
