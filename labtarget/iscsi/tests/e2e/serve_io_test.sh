#!/usr/bin/env bash
# Read/write through libiscsi (R2T-driven Data-Out, multi-PDU Data-In), two
# concurrent sessions on two LUNs, data checked on the backing files, iscsi-perf reads.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

start_serve io 13283 -o json --stats \
	--lun "0=$T/d0.img,size=16M" --lun "1=$T/d1.img,size=16M,bs=4096" || finish
head -c 3145728 /dev/urandom >"$T/p0"
head -c 5242880 /dev/urandom >"$T/p1"

"$CLIENT" write 127.0.0.1:13283 "$IQN" 0 512 "$T/p0" &
w0=$!
"$CLIENT" write 127.0.0.1:13283 "$IQN" 1 4096 "$T/p1" &
w1=$!
wait $w0 && ok || fail "write to lun 0"
wait $w1 && ok || fail "write to lun 1"

"$CLIENT" read 127.0.0.1:13283 "$IQN" 0 512 3145728 "$T/r0" &
r0=$!
"$CLIENT" read 127.0.0.1:13283 "$IQN" 1 4096 5242880 "$T/r1" &
r1=$!
wait $r0 && ok || fail "read from lun 0"
wait $r1 && ok || fail "read from lun 1"
cmp "$T/p0" "$T/r0" && ok || fail "lun 0 read back differs"
cmp "$T/p1" "$T/r1" && ok || fail "lun 1 read back differs"
cmp -n 3145728 "$T/p0" "$T/d0.img" && ok || fail "lun 0 backing file differs"
cmp -n 5242880 "$T/p1" "$T/d1.img" && ok || fail "lun 1 backing file differs"

# the same over a session with CRC32C header digests
head -c 1048576 /dev/urandom >"$T/p2"
TARGET_CLIENT_DIGEST=crc32c "$CLIENT" write 127.0.0.1:13283 "$IQN" 0 512 "$T/p2" &&
	TARGET_CLIENT_DIGEST=crc32c "$CLIENT" read 127.0.0.1:13283 "$IQN" 0 512 1048576 "$T/r2" &&
	cmp "$T/p2" "$T/r2" && ok || fail "write/read with header digests"
grep -q "header CRC32C" "$T/io.err" && ok || fail "no session with header digests was logged"

iscsi-perf -t 2 -m 8 -b 64 "iscsi://127.0.0.1:13283/$IQN/0" >"$T/perf" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q "iops average" "$T/perf"; then
	fail "iscsi-perf: rc $rc: $(tail -c 300 "$T/perf")"
else ok; fi

stop_serve io || fail "serve exited non-zero"
# counters (-o json --stats): bytes over the wire per LUN
python3 - "$T/io.out" <<'PY' && ok || fail "stats JSON: $(cat "$T/io.out")"
import json, sys
rows = {r["lun"]: r for r in json.load(open(sys.argv[1]))}
assert rows[0]["bytes_written_wire"] == 3145728 + 1048576, rows[0]
assert rows[1]["bytes_written_wire"] == 5242880, rows[1]
assert rows[1]["bytes_read_wire"] >= 5242880, rows[1]
assert rows[0]["bytes_read_wire"] > 3145728, rows[0]
# WRITE(16) in 1 MiB commands: 3 + 1 on lun 0, 5 on lun 1
assert rows[0]["opcodes"]["0x8a"] == 4, rows[0]
assert rows[1]["opcodes"]["0x8a"] == 5, rows[1]
assert rows[1]["opcodes"]["0x88"] == 5, rows[1]
assert rows[0]["commands"] == sum(rows[0]["opcodes"].values()), rows[0]
PY
finish
