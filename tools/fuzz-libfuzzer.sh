#!/usr/bin/env bash
# Coverage-guided libFuzzer campaign over vitk's fuzz targets (see
# docs/fuzzing.md).
#
#   tools/fuzz-libfuzzer.sh [-t SECONDS] [-j JOBS] [-o OUTDIR] [LABEL...]
#
# Without labels every vitk_fuzz_test in the workspace is fuzzed.  Each
# target's <name>_libfuzzer binary is built with --config=libfuzzer (clang,
# ASan, UBSan), its Bazel corpus is copied into OUTDIR/<pkg>_<name>/corpus
# (the checked-in corpus is never written), and libFuzzer runs for SECONDS.
# Crash/leak/timeout reproducers land in OUTDIR/<pkg>_<name>/ as
# crash-*, leak-*, timeout-*, oom-*; the last "cov:" line of each log is
# summarised at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

secs=180
jobs=1
out=/tmp/vitk-libfuzzer
while getopts "t:j:o:" opt; do
	case $opt in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-j JOBS] [-o OUTDIR] [LABEL...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(bazel query --noshow_progress \
		'attr(name, "_fuzzer$", kind("cc_test", //...))' 2>/dev/null)
fi
[ ${#tests[@]} -gt 0 ] || { echo "no fuzz targets found" >&2; exit 1; }

bins=()
for t in "${tests[@]}"; do bins+=("${t}_libfuzzer"); done
bazel build --config=libfuzzer --noshow_progress "${bins[@]}" 2>&1 |
	grep -Ev 'Cannot export local symbol' | grep -E '^(ERROR|FAILED)' && exit 1
bindir=$(bazel info --config=libfuzzer bazel-bin 2>/dev/null)
mkdir -p "$out/bin"
# Private copies of the binaries: a later build may replace bazel-bin.
for t in "${tests[@]}"; do
	pkg=${t#//}
	pkg=${pkg%%:*}
	cp -f "$bindir/$pkg/${t##*:}_libfuzzer" "$out/bin/${pkg//\//_}_${t##*:}"
done

run_one() {
	local label=$1 pkg name dir
	pkg=${label#//}
	pkg=${pkg%%:*}
	name=${label##*:}
	dir="$out/${pkg//\//_}_$name"
	mkdir -p "$dir/corpus"
	bazel query --noshow_progress "labels(data, $label)" 2>/dev/null |
		while read -r f; do
			f=${f#//}
			f="${f%%:*}/${f#*:}"
			[ -e "$f" ] || f="$bindir/$f" # generated seed (genrule output)
			cp -f "$f" "$dir/corpus/" 2>/dev/null
		done
	# Run from the runfiles tree: some targets open fixtures by workspace path.
	local cwd="$bindir/$pkg/${name}_libfuzzer.runfiles/vitk"
	[ -d "$cwd" ] || cwd=$dir
	(cd "$cwd" && "$out/bin/${pkg//\//_}_$name" -max_total_time="$secs" \
		-rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1)
	echo "$label rc=$? $(grep -E '^(#[0-9]+|Done)' "$dir/log" | grep -E 'cov:|Done' | tail -2 | tr '\n' ' ')"
	ls "$dir" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | sed "s|^|    $dir/|"
}

running=0
for t in "${tests[@]}"; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
