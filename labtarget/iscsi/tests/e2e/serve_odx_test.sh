#!/usr/bin/env bash
# ODX token copy between two LUNs of `vitk odx serve`, whole and truncated by
# --max-bytes-per-command ("done with partial ROD token usage"), data checked
# on the backing files, token counters in --stats.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

head -c 8388608 /dev/urandom >"$T/src.img"

# whole copy
start_serve full 13287 -o json --stats --lun "0=$T/src.img" --lun "1=$T/dst.img,size=8M" || finish
out=$("$CLIENT" odx 127.0.0.1:13287 "$IQN" 0 1 8388608)
[ "$out" = "pt=00 wut=00 status=01 transfer=16384" ] && ok || fail "token copy: '$out'"
cmp "$T/src.img" "$T/dst.img" && ok || fail "token copy: destination differs"
stop_serve full || fail "serve exited non-zero"
python3 - "$T/full.out" <<'PY' && ok || fail "token counters: $(cat "$T/full.out")"
import json, sys
rows = {r["lun"]: r for r in json.load(open(sys.argv[1]))}
assert sum(r["tokens_created"] for r in rows.values()) == 1, rows
assert sum(r["tokens_used"] for r in rows.values()) == 1, rows
assert sum(r["bytes_copied_internal"] for r in rows.values()) == 8388608, rows
PY

# capped at 1 MiB per command: partial ROD token usage, 2048 blocks
rm -f "$T/dst.img"
start_serve capped 13288 --max-bytes-per-command 1M \
	--lun "0=$T/src.img" --lun "1=$T/dst.img,size=8M" || finish
out=$("$CLIENT" odx 127.0.0.1:13288 "$IQN" 0 1 8388608)
[ "$out" = "pt=00 wut=00 status=03 transfer=2048" ] && ok || fail "capped token copy: '$out'"
cmp -n 1048576 "$T/src.img" "$T/dst.img" && ok || fail "capped copy: first MiB differs"
tail -c 7340032 "$T/dst.img" | cmp -s - <(head -c 7340032 /dev/zero) && ok ||
	fail "capped copy wrote past the cap"
stop_serve capped || fail "serve exited non-zero"
finish
