#!/usr/bin/env bash
# Command one: install what is missing, build vitk, and run its main job on
# embedded defaults: a demo inventory, each library's demo (lab target with an
# offloaded copy, an SR-IOV view of a sample host, an audit of a sample depot),
# then an inventory summary.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
bazel build //cli:vitk >/dev/null 2>&1 || bazel build //cli:vitk
VITK="$(pwd)/bazel-bin/cli/vitk"
DEMO_DIR=${DEMO_DIR:-$(mktemp -d /tmp/vitk-demo.XXXXXX)}
export VITK DEMO_DIR
export VITK_DB="$DEMO_DIR/inventory.db"
export VITK_NO_PROGRESS=1

echo "== vitk $("$VITK" --version | cut -d' ' -f2): demo inventory $VITK_DB"
"$VITK" inventory init
for d in tools/demo/*.sh; do
	[ -e "$d" ] || continue
	echo
	echo "== $(basename "$d" .sh)"
	if ! bash "$d"; then
		echo "demo $(basename "$d") failed" >&2
		exit 1
	fi
done
echo
echo "== inventory summary"
"$VITK" inventory show
echo
"$VITK" inventory hosts
echo
echo "The demo inventory stays in $VITK_DB; try: $VITK --db $VITK_DB inventory report <table>"
