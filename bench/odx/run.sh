#!/usr/bin/env bash
# Benchmark (not a test): copy SIZE (default 1 GiB) between two LUNs of the lab
# target over loopback iSCSI four ways, on ext4, XFS and btrfs backing files
# (each a filesystem made here on a loop device, in a private mount namespace):
#   (a) vitk token copy  (b) vitk EXTENDED COPY  (c) vitk host copy
#   (d) qemu-img convert -f raw -O raw iscsi:// iscsi:// (reference host copy)
# Prints per filesystem the median wall time of 3 runs, bytes through the host
# transport, peak RSS, the target's cloned/copied bytes (--stats) and the
# ratios.  ext4 cannot share extents: there the copy manager copies in the
# kernel (page-cache memcpy), the bound that the ext4 ratios measure.
# Usage: bench/odx/run.sh [SIZE_MIB] [PORT] [FILESYSTEMS]   (root; needs qemu-utils
#   qemu-block-extra, xfsprogs, btrfs-progs; an opt build: --config=opt)
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
SIZE_MIB=${1:-1024}
PORT=${2:-13270}
FSES=${3:-ext4 xfs btrfs}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${ODX_BENCH_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "loop mounts need root" >&2; exit 1; }
	command -v qemu-img >/dev/null || { echo "qemu-img missing: apt-get install qemu-utils qemu-block-extra" >&2; exit 1; }
	(cd "$ROOT" && bazel build --config=opt //cli:vitk >/dev/null 2>&1) || { echo "bazel build --config=opt //cli:vitk failed" >&2; exit 1; }
	VITK=${VITK:-$(cd "$ROOT" && bazel info --config=opt bazel-bin 2>/dev/null)/cli/vitk}
	export VITK
	ODX_BENCH_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
W=$(mktemp -d /tmp/odx-bench.XXXXXX)
IQN=iqn.2026-01.lab.vitk:bench
U=iscsi://127.0.0.1:$PORT/$IQN
BYTES=$((SIZE_MIB * 1048576))
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	wait 2>/dev/null || true
	umount "$W"/mnt-* 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
export VITK_NO_PROGRESS=1

mount_fs() { # FS -> $W/mnt-FS on a loop device
	local img=$W/$1.img
	truncate -s $((4 * BYTES + (512 << 20))) "$img"
	case $1 in
	ext4) mkfs.ext4 -q -F "$img" ;;
	xfs) mkfs.xfs -q -f -m reflink=1 "$img" ;;
	btrfs) mkfs.btrfs -q -f "$img" >/dev/null ;;
	esac
	mkdir -p "$W/mnt-$1"
	mount -o loop "$img" "$W/mnt-$1"
}

serve() { # DIR: LUN 0 = src, LUN 1 = dst; --stats JSON into $W/stats.json
	"$VITK" -o json odx serve --portal 127.0.0.1:$PORT --iqn $IQN --stats \
		--lun "0=$1/src.img" --lun "1=$1/dst.img" >"$W/stats.json" 2>"$W/serve.log" &
	SRV=$!
	for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return; sleep 0.1; done
	echo "serve did not start: $(cat "$W/serve.log")" >&2
	exit 1
}
unserve() { kill "$SRV"; wait "$SRV" || true; SRV=; }
col() { jq "[.[].$1] | add" "$W/stats.json"; }

declare -A WALL HOSTB RSS CLONED COPIED
run() { # run FS NAME -- command...: median of 3 runs: wall time (s), peak RSS (KiB)
	local fs=$1 name=$2 k t0 d=$W/mnt-$1
	shift 3
	: >"$W/$name.walls"
	serve "$d"
	for k in 1 2 3; do
		truncate -s 0 "$d/dst.img" # same inode: the target holds it open
		truncate -s $BYTES "$d/dst.img"
		sync # start every run with no dirty pages from the previous one
		t0=$(date +%s.%N)
		/usr/bin/time -f "%M" -o "$W/$name.time" "$@" >"$W/$name.out" 2>"$W/$name.err" || {
			echo "$fs $name failed:" >&2
			cat "$W/$name.err" >&2
			exit 1
		}
		echo "$(echo "$(date +%s.%N) - $t0" | bc -l | awk '{printf "%.3f", $1}') $(cat "$W/$name.time")" >>"$W/$name.walls"
		cmp -s "$d/src.img" "$d/dst.img" || { echo "$fs $name: data differs after the copy" >&2; exit 1; }
	done
	unserve
	read -r WALL[$fs.$name] _ < <(sort -n "$W/$name.walls" | sed -n 2p)
	RSS[$fs.$name]=$(sort -k2 -n "$W/$name.walls" | tail -1 | cut -d' ' -f2)
	CLONED[$fs.$name]=$(($(col bytes_cloned) / 3))
	COPIED[$fs.$name]=$(($(col bytes_copied) / 3))
}

ratio() { echo "scale=1; $1 / $2" | bc -l; }
# (median wall includes the command's own start-up: login, inventory, plan)
per_gib() { echo "scale=0; $1 * 1024 / $SIZE_MIB" | bc -l; }

echo "preparing ${SIZE_MIB} MiB of random source data"
head -c $BYTES /dev/urandom >"$W/data.img"
for fs in $FSES; do
	mount_fs "$fs"
	cp "$W/data.img" "$W/mnt-$fs/src.img"
	truncate -s $BYTES "$W/mnt-$fs/dst.img"
	run "$fs" token -- "$VITK" --db "$W/inv.db" -o json odx copy "$U/0" "$U/1" --method token
	HOSTB[$fs.token]=$(jq .host_bytes "$W/token.out")
	run "$fs" xcopy -- "$VITK" --db "$W/inv.db" -o json odx copy "$U/0" "$U/1" --method xcopy
	HOSTB[$fs.xcopy]=$(jq .host_bytes "$W/xcopy.out")
	run "$fs" host -- "$VITK" --db "$W/inv.db" -o json odx copy "$U/0" "$U/1" --method host
	HOSTB[$fs.host]=$(jq .host_bytes "$W/host.out")
	run "$fs" qemu -- qemu-img convert -n -f raw -O raw "$U/0" "$U/1"
	HOSTB[$fs.qemu]=$((2 * BYTES)) # reads and writes every byte
	umount "$W/mnt-$fs"
	rm -f "$W/$fs.img"

	printf '\n== %s, %s MiB\n%-24s %8s %9s %14s %8s %14s %14s\n' "$fs" "$SIZE_MIB" case wall_s MiB/s \
		host_bytes rss_MiB cloned copied
	for n in token xcopy host qemu; do
		case $n in
		token) label="(a) vitk token copy" ;; xcopy) label="(b) vitk EXTENDED COPY" ;;
		host) label="(c) vitk host copy" ;; qemu) label="(d) qemu-img convert" ;;
		esac
		printf '%-24s %8s %9.1f %14s %8.1f %14s %14s\n' "$label" "${WALL[$fs.$n]}" \
			"$(echo "$SIZE_MIB / ${WALL[$fs.$n]}" | bc -l 2>/dev/null || echo 0)" "${HOSTB[$fs.$n]}" \
			"$(echo "${RSS[$fs.$n]} / 1024" | bc -l)" "${CLONED[$fs.$n]}" "${COPIED[$fs.$n]}"
	done
	goal=">= 20x"
	[ "$fs" = ext4 ] && goal=">= 3x; ext4 has no reflink: the kernel copies, memcpy-bound"
	echo "host bytes per GiB: token $(per_gib "${HOSTB[$fs.token]}"), xcopy $(per_gib "${HOSTB[$fs.xcopy]}") (target < 1048576)"
	echo "target bytes per GiB: token cloned $(per_gib "${CLONED[$fs.token]}") copied $(per_gib "${COPIED[$fs.token]}"), xcopy cloned $(per_gib "${CLONED[$fs.xcopy]}") copied $(per_gib "${COPIED[$fs.xcopy]}")"
	echo "speed-up vs qemu-img: token $(ratio "${WALL[$fs.qemu]}" "${WALL[$fs.token]}")x, xcopy $(ratio "${WALL[$fs.qemu]}" "${WALL[$fs.xcopy]}")x (target $goal)"
	echo "host copy throughput vs qemu-img: $(ratio "${WALL[$fs.qemu]}" "${WALL[$fs.host]}")x (target >= 1.0x)"
done
