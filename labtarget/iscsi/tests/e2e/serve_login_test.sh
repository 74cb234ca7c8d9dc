#!/usr/bin/env bash
# Login with and without CHAP, SendTargets discovery, start-up errors, shutdown summary.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

# -- start-up errors --------------------------------------------------------
"$VITK" --db "$T/vitk.db" odx serve --portal 127.0.0.1:13280 --iqn "$IQN" \
	--lun "0=$T/no/such/dir/disk.img,size=1M" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc -eq 0 ] || ! grep -q "no/such/dir/disk.img" "$T/e"; then
	fail "unopenable backing file: rc $rc, stderr: $(cat "$T/e")"
else ok; fi
"$VITK" --db "$T/vitk.db" odx serve --portal 127.0.0.1:13280 --iqn "$IQN" \
	--lun "0=$T/odd.img,size=1000" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc -eq 0 ] || ! grep -q "not a multiple of the block size" "$T/e"; then
	fail "size not a multiple of the block size: rc $rc, stderr: $(cat "$T/e")"
else ok; fi
"$VITK" --db "$T/vitk.db" odx serve --portal 127.0.0.1:13280 --iqn "$IQN" \
	--lun "0=$T/x.img,size=1M,bs=1000" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "block size '1000' is not 512 or 4096" "$T/e"; then
	fail "bad block size: rc $rc, stderr: $(cat "$T/e")"
else ok; fi
"$VITK" --db "$T/vitk.db" odx serve --portal 127.0.0.1:13280 --iqn "$IQN" >"$T/o" 2>"$T/e"
[ $? -eq 2 ] && ok || fail "serve without --lun must be a usage error"

# -- CHAP target ------------------------------------------------------------
start_serve chap 13281 --chap user:s3cret-pass --stats \
	--lun "0=$T/c0.img,size=8M" --lun "1=$T/c1.img,size=4M,bs=4096" || finish
[ "$(stat -c %s "$T/c0.img")" = 8388608 ] && ok || fail "c0.img was not created with 8 MiB"

iscsi-ls -s "iscsi://user%s3cret-pass@127.0.0.1:13281" >"$T/ls" 2>&1
cat >"$T/want" <<EOT
Target:$IQN Portal:127.0.0.1:13281,1
Lun:0    Type:DIRECT_ACCESS (Size:7M)
Lun:1    Type:DIRECT_ACCESS (Size:3M)
EOT
if diff -u "$T/want" "$T/ls"; then ok; else fail "iscsi-ls with the right CHAP secret"; fi

iscsi-ls -s "iscsi://user%wrong-secret@127.0.0.1:13281" >"$T/ls" 2>&1
rc=$?
if [ $rc -eq 0 ] || ! grep -q "Authentication failure" "$T/ls"; then
	fail "wrong CHAP secret was not refused: rc $rc: $(cat "$T/ls")"
else ok; fi
iscsi-ls -s "iscsi://127.0.0.1:13281" >"$T/ls" 2>&1
rc=$?
if [ $rc -eq 0 ] || ! grep -q "Authentication failure" "$T/ls"; then
	fail "login without CHAP was not refused: rc $rc: $(cat "$T/ls")"
else ok; fi
grep -q "CHAP authentication failed" "$T/chap.err" && ok || fail "target did not log the CHAP failure"

# -- no-auth target, a second one at the same time ---------------------------
start_serve open 13282 --lun "0=$T/o0.img,size=2M" || finish
iscsi-ls "iscsi://127.0.0.1:13282" >"$T/ls" 2>&1
echo "Target:$IQN Portal:127.0.0.1:13282,1" >"$T/want"
if diff -u "$T/want" "$T/ls"; then ok; else fail "SendTargets discovery"; fi
iscsi-inq "iscsi://127.0.0.1:13282/$IQN/0" >"$T/inq" 2>&1
grep -q "Peripheral Device Type:DIRECT_ACCESS" "$T/inq" && ok || fail "iscsi-inq: $(cat "$T/inq")"
iscsi-inq "iscsi://127.0.0.1:13282/iqn.2026-01.test.vitk:other/0" >"$T/inq" 2>&1
[ $? -ne 0 ] && ok || fail "login to an unknown target name succeeded"

# -- clean shutdown with counters -------------------------------------------
stop_serve chap
rc=$?
[ $rc -eq 0 ] && ok || fail "serve exited $rc on SIGTERM"
grep -q "^vitk: odx-target: info: lun 0: .* commands" "$T/chap.err" && ok || fail "no lun 0 summary on stderr"
grep -q "^LUN  *COMMANDS" "$T/chap.out" && ok || fail "--stats table missing: $(cat "$T/chap.out")"
[ -e "$T/chap.pid" ] && fail "pidfile left behind" || ok
stop_serve open || fail "second serve exited non-zero"
finish
