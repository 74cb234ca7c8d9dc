#!/usr/bin/env bash
# SR-IOV discovery benchmark (not a test): fake hosts of 4, 16 and 64 PFs with
# 64 VFs each (1x, 4x, 16x; 16x is the 64 PF x 64 VF host), timing
#   vitk -o json sriov list --vfs --sysfs-root TREE     (also writes the inventory)
# against
#   lspci -vvv -A linux-sysfs -O sysfs.path=TREE/bus/pci
# in the same run.  Prints wall time (best of N), peak RSS and the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
# vitk optimized; the tree builder (a test fixture, not measured) in the default config
bazel build --config=opt //cli:vitk >/dev/null 2>&1 || bazel build --config=opt //cli:vitk
bazel build //sriov:fake_tree >/dev/null 2>&1 || bazel build //sriov:fake_tree
VITK=$(bazel info --config=opt bazel-bin 2>/dev/null)/cli/vitk
TREE=$(bazel info bazel-bin 2>/dev/null)/sriov/fake_tree
WORK=$(mktemp -d /tmp/vitk-bench-sriov.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export VITK_ETC_ROOT=$(pwd)/sriov/tests/data/etc VITK_NO_PROGRESS=1

# best wall time (s, from date +%s%N: /usr/bin/time only has 10 ms resolution)
# and peak RSS (KiB, from /usr/bin/time) of RUNS runs of "$@"
measure() {
	local best=999999999999 rss=0 i t0 t1 m
	for i in $(seq 1 "$RUNS"); do
		t0=$(date +%s%N)
		"$@" >"$WORK/out" 2>/dev/null
		t1=$(date +%s%N)
		[ $((t1 - t0)) -lt "$best" ] && best=$((t1 - t0))
		/usr/bin/time -f "%M" -o "$WORK/time" "$@" >/dev/null 2>&1
		read -r m <"$WORK/time"
		[ "$m" -gt "$rss" ] && rss=$m
	done
	awk -v ns="$best" -v r="$rss" 'BEGIN { printf "%.4f %d\n", ns / 1e9, r }'
}

printf '%-6s %5s %6s  %9s %9s  %9s %9s  %7s  %s\n' scale PFs VFs vitk_s lspci_s vitk_MiB lspci_MiB ratio "lines vitk/lspci"
base_v=
for scale in 1 4 16; do
	npf=$((4 * scale))
	root=$WORK/sys$scale
	"$TREE" "$root" bench "$npf" 64
	export VITK_DB=$WORK/inv$scale.db
	"$VITK" -o json sriov list --vfs --sysfs-root "$root" >/dev/null 2>&1 # warm caches, create the DB
	lspci -vvv -A linux-sysfs -O sysfs.path="$root/bus/pci" >/dev/null 2>&1
	read -r tv mv < <(measure "$VITK" -o json sriov list --vfs --sysfs-root "$root")
	lv=$(wc -l <"$WORK/out")
	read -r tl ml < <(measure lspci -vvv -A linux-sysfs -O sysfs.path="$root/bus/pci")
	ll=$(wc -l <"$WORK/out")
	ratio=$(awk -v a="$tv" -v b="$tl" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	printf '%-6s %5d %6d  %9s %9s  %9.1f %9.1f  %7s  %s/%s\n' "${scale}x" "$npf" $((npf * 64)) \
		"$tv" "$tl" "$(awk -v k="$mv" 'BEGIN{print k/1024}')" "$(awk -v k="$ml" 'BEGIN{print k/1024}')" \
		"$ratio" "$lv" "$ll"
	[ -z "$base_v" ] && base_v=$tv
	echo "       vitk time vs 1x: $(awk -v a="$tv" -v b="$base_v" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')x for ${scale}x the devices"
	rm -rf "$root"
done
echo "ratio = vitk time / lspci time (target <= 1.0); peak RSS target < 64 MiB"
