#!/usr/bin/env bash
# Benchmark (not a test): copy SIZE (default 1 GiB) between two LUNs of the lab
# target over loopback iSCSI four ways, in one run:
#   (a) vitk token copy  (b) vitk EXTENDED COPY  (c) vitk host copy
#   (d) qemu-img convert -f raw -O raw iscsi:// iscsi:// (reference host copy)
# Prints the median wall time of 3 runs, bytes through the host transport,
# peak RSS and the ratios.
# Usage: bench/odx/run.sh [SIZE_MIB] [PORT]   (needs qemu-utils qemu-block-extra)
set -euo pipefail
SIZE_MIB=${1:-1024}
PORT=${2:-13270}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${VITK:-}" ]; then
	(cd "$ROOT" && bazel build --config=opt //cli:vitk >/dev/null)
	VITK=$(cd "$ROOT" && bazel info --config=opt bazel-bin 2>/dev/null)/cli/vitk
fi
[ -x "$VITK" ] || { echo "build //cli:vitk first" >&2; exit 1; }
command -v qemu-img >/dev/null || { echo "qemu-img missing: apt-get install qemu-utils qemu-block-extra" >&2; exit 1; }
W=$(mktemp -d /tmp/odx-bench.XXXXXX)
IQN=iqn.2026-01.lab.vitk:bench
U=iscsi://127.0.0.1:$PORT/$IQN
SRV=
cleanup() { [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export VITK_NO_PROGRESS=1

echo "preparing ${SIZE_MIB} MiB of random source data in $W"
head -c $((SIZE_MIB * 1048576)) /dev/urandom >"$W/src.img"
truncate -s $((SIZE_MIB * 1048576)) "$W/dst.img"
"$VITK" odx serve --portal 127.0.0.1:$PORT --iqn $IQN --lun "0=$W/src.img" --lun "1=$W/dst.img" \
	2>"$W/serve.log" &
SRV=$!
for i in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

declare -A WALL HOSTB RSS
run() { # run NAME -- command...: median of 3 runs: wall time (s), peak RSS (KiB)
	local name=$1 k
	shift 2
	: >"$W/$name.walls"
	for k in 1 2 3; do
		truncate -s 0 "$W/dst.img"
		truncate -s $((SIZE_MIB * 1048576)) "$W/dst.img"
		sync # start every run with no dirty pages from the previous one
		/usr/bin/time -f "%e %M" -o "$W/$name.time" "$@" >"$W/$name.out" 2>"$W/$name.err" || {
			echo "$name failed:" >&2
			cat "$W/$name.err" >&2
			exit 1
		}
		cat "$W/$name.time" >>"$W/$name.walls"
		cmp -s "$W/src.img" "$W/dst.img" || { echo "$name: data differs after the copy" >&2; exit 1; }
	done
	read -r WALL[$name] RSS[$name] < <(sort -n "$W/$name.walls" | sed -n 2p)
	RSS[$name]=$(sort -k2 -n "$W/$name.walls" | tail -1 | cut -d' ' -f2)
}
run token -- "$VITK" --db "$W/inv.db" -o json odx copy "$U/0" "$U/1" --method token
HOSTB[token]=$(jq .host_bytes "$W/token.out")
run xcopy -- "$VITK" --db "$W/inv.db" -o json odx copy "$U/0" "$U/1" --method xcopy
HOSTB[xcopy]=$(jq .host_bytes "$W/xcopy.out")
run host -- "$VITK" --db "$W/inv.db" -o json odx copy "$U/0" "$U/1" --method host
HOSTB[host]=$(jq .host_bytes "$W/host.out")
run qemu -- qemu-img convert -n -f raw -O raw "$U/0" "$U/1"
HOSTB[qemu]=$((2 * SIZE_MIB * 1048576)) # reads and writes every byte

printf '\n%-28s %10s %12s %16s %10s\n' case wall_s MiB/s host_bytes rss_MiB
for n in token xcopy host qemu; do
	case $n in
	token) label="(a) vitk token copy" ;; xcopy) label="(b) vitk EXTENDED COPY" ;;
	host) label="(c) vitk host copy" ;; qemu) label="(d) qemu-img convert" ;;
	esac
	printf '%-28s %10s %12.1f %16s %10.1f\n' "$label" "${WALL[$n]}" \
		"$(echo "$SIZE_MIB / ${WALL[$n]}" | bc -l 2>/dev/null || echo 0)" "${HOSTB[$n]}" \
		"$(echo "${RSS[$n]} / 1024" | bc -l 2>/dev/null || echo 0)"
done
ratio() { echo "scale=2; $1 / $2" | bc -l; }
per_gib() { echo "scale=0; $1 * 1024 / $SIZE_MIB" | bc -l; }
echo
echo "host bytes per GiB: token $(per_gib "${HOSTB[token]}"), xcopy $(per_gib "${HOSTB[xcopy]}") (target < 1048576)"
echo "speed-up vs qemu-img: token $(ratio "${WALL[qemu]}" "${WALL[token]}")x, xcopy $(ratio "${WALL[qemu]}" "${WALL[xcopy]}")x (target >= 5x)"
echo "host copy throughput vs qemu-img: $(ratio "${WALL[qemu]}" "${WALL[host]}")x (target >= 1.0x)"
echo "peak RSS (MiB): token $((RSS[token] / 1024)), xcopy $((RSS[xcopy] / 1024)), host $((RSS[host] / 1024)) (target < 64)"
