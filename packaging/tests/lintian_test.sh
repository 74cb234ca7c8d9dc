#!/usr/bin/env bash
# lintian over the package this build makes: no errors (warnings are printed).
set -uo pipefail
DEB=$1
command -v lintian >/dev/null || { echo "FAIL: lintian missing (tools/packages/pkg.txt)"; exit 1; }
cp "$DEB" "${TEST_TMPDIR:-/tmp}/vitk_test_amd64.deb"
out=$(lintian --no-cfg --display-info --fail-on error "${TEST_TMPDIR:-/tmp}/vitk_test_amd64.deb" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v 'running with root privileges'
nerr=$(printf '%s\n' "$out" | grep -c '^E: ')
nwarn=$(printf '%s\n' "$out" | grep -c '^W: ')
echo "lintian: $nerr errors, $nwarn warnings (exit $rc)"
[ "$rc" -eq 0 ] && [ "$nerr" -eq 0 ]
