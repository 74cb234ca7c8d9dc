#!/bin/sh
# SPDX-License-Identifier: MIT
# No two source files of one library may call each other (issue 9, section 4).
# First the checker must catch a planted cycle in testdata/, then it runs over
# every cc_library linked into vitk (manifest written by tools/arch.bzl).
set -u
check=tests/arch/mutual_calls.py
fx=tests/arch/testdata
out=${TEST_TMPDIR:-/tmp}/mutual_calls.out
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }

if python3 "$check" "$fx/manifest.txt" /dev/null >"$out" 2>&1; then
	fail "planted cycle a.c <-> b.c not reported"
fi
grep -q 'a\.c <-> tests/arch/testdata/b\.c' "$out" || fail "a.c <-> b.c missing"
grep -q 'b\.c uses a_cb$' "$out" || fail "function pointer in an initialiser not seen as a use"
grep -q 'testdata/c\.c' "$out" && fail "false positive: c.c (static shadow, strings, comments, members)"

if python3 "$check" "$fx/manifest.txt" "$fx/allowlist.txt" >"$out" 2>&1; then
	fail "stale allowlist entry accepted"
fi
grep -q "allowlist.txt:2: 'b.c c.c' is no longer a cycle" "$out" || fail "stale entry not named"
grep -q 'known cycle (allowlisted).*a\.c <->' "$out" || fail "allowlisted cycle not listed"

exec python3 "$check" tests/arch/library_sources.txt tests/arch/mutual_calls_allowlist.txt
