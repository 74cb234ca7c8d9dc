#!/usr/bin/env bash
# Regenerate the golden files of one e2e sh_test: tools/update-golden.sh //tests:inventory_cli_test tests/data/golden
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1
dir=$(realpath "$2")
bazel test "$target" --test_env=UPDATE_GOLDEN=1 --test_env=UPDATE_GOLDEN_DIR="$dir" --nocache_test_results || true
