#!/usr/bin/env bash
# The target closed by default (issue 10), through the real `vitk odx serve`
# and libiscsi: the default portal, CHAP secrets from a file (mode checked)
# or the environment, the --chap warning, mutual CHAP, the initiator ACL
# (--allow, --acl-file) and LUN masking (--lun ...,allow=), read-only LUNs.
# Ports 13293-13295 and the default 3260 (tests run in a private network
# namespace).
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

head -c 65536 /dev/urandom >"$T/64k.bin"
# as_initiator NAME cmd...: the test client logs in as NAME
as_initiator() {
	local name=$1
	shift
	TARGET_CLIENT_INITIATOR=$name "$@"
}

# -- default portal: loopback only -------------------------------------------
"$VITK" --db "$T/vitk.db" odx serve --iqn "$IQN" --lun "0=$T/d.img,size=1M" \
	--pidfile "$T/def.pid" >"$T/def.out" 2>"$T/def.err" &
dpid=$!
for i in $(seq 1 100); do [ -s "$T/def.pid" ] && break; sleep 0.05; done
grep -q "listening on 127.0.0.1 port 3260 " "$T/def.err" && ok || fail "default portal: $(cat "$T/def.err")"
kill -TERM $dpid
wait $dpid
grep -q "warning" "$T/def.err" && fail "warning on the loopback default: $(cat "$T/def.err")" || ok

# -- CHAP secrets ---------------------------------------------------------------
printf 'alice:init-secret-1\n' >"$T/chap"
chmod 644 "$T/chap"
"$VITK" --db "$T/vitk.db" odx serve --portal 127.0.0.1:13293 --iqn "$IQN" \
	--lun "0=$T/c.img,size=1M" --chap-file "$T/chap" >"$T/o" 2>"$T/e"
rc=$?
if [ $rc -eq 2 ] && grep -q "has mode 0644: group or others may read it" "$T/e"; then ok; else
	fail "a world-readable --chap-file was not refused: rc $rc: $(cat "$T/e")"
fi
chmod 600 "$T/chap"
printf 'the-target:target-secret-2\n' >"$T/mutual"
chmod 600 "$T/mutual"
start_serve chapf 13293 --lun "0=$T/c.img,size=1M" --chap-file "$T/chap" \
	--chap-mutual-file "$T/mutual" || finish
grep -q "warning" "$T/chapf.err" && fail "warning with secrets from files: $(cat "$T/chapf.err")" || ok
TARGET_CLIENT_CHAP=alice:init-secret-1 "$CLIENT" write 127.0.0.1:13293 "$IQN" 0 512 "$T/64k.bin" \
	2>"$T/w.err" && ok || fail "CHAP from --chap-file: $(cat "$T/w.err")"
TARGET_CLIENT_CHAP=alice:wrong "$CLIENT" write 127.0.0.1:13293 "$IQN" 0 512 "$T/64k.bin" \
	2>/dev/null && fail "a wrong CHAP secret logged in" || ok
# mutual: the target proves itself with the secret of --chap-mutual-file
TARGET_CLIENT_CHAP=alice:init-secret-1 TARGET_CLIENT_MUTUAL=the-target:target-secret-2 \
	"$CLIENT" write 127.0.0.1:13293 "$IQN" 0 512 "$T/64k.bin" 2>"$T/w.err" && ok ||
	fail "mutual CHAP: $(cat "$T/w.err")"
TARGET_CLIENT_CHAP=alice:init-secret-1 TARGET_CLIENT_MUTUAL=the-target:not-it \
	"$CLIENT" write 127.0.0.1:13293 "$IQN" 0 512 "$T/64k.bin" 2>"$T/w.err"
[ $? -ne 0 ] && grep -q "CHAP" "$T/w.err" && ok || fail "the initiator accepted a wrong target secret: $(cat "$T/w.err")"
stop_serve chapf || fail "serve exited non-zero"

# the environment, and --chap's warning
VITK_TARGET_CHAP=bob:env-secret-3 start_serve chape 13294 --lun "0=$T/e.img,size=1M" || finish
TARGET_CLIENT_CHAP=bob:env-secret-3 "$CLIENT" write 127.0.0.1:13294 "$IQN" 0 512 "$T/64k.bin" \
	2>"$T/w.err" && ok || fail "CHAP from VITK_TARGET_CHAP: $(cat "$T/w.err")"
"$CLIENT" write 127.0.0.1:13294 "$IQN" 0 512 "$T/64k.bin" 2>/dev/null && fail "no CHAP logged in" || ok
stop_serve chape
start_serve chapw 13294 --lun "0=$T/e.img,size=1M" --chap bob:argv-secret || finish
grep -q "warning: --chap puts the secret on the command line, where ps and /proc/PID/cmdline show it" \
	"$T/chapw.err" && ok || fail "no --chap warning: $(cat "$T/chapw.err")"
# once read, the secret is blanked in argv
tr '\0' ' ' <"/proc/$PID_chapw/cmdline" | grep -q -- "--chap bob:\*\*\*" && ok ||
	fail "secret still in /proc/PID/cmdline: $(tr '\0' ' ' <"/proc/$PID_chapw/cmdline")"
TARGET_CLIENT_CHAP=bob:argv-secret "$CLIENT" write 127.0.0.1:13294 "$IQN" 0 512 "$T/64k.bin" \
	2>"$T/w.err" && ok || fail "CHAP from --chap: $(cat "$T/w.err")"
stop_serve chapw

# -- ACL and LUN masking ------------------------------------------------------
A=iqn.2026-01.test:target-client
B=iqn.2026-01.test:second
printf '# lab hosts\n%s  # the second one\n\n' "$B" >"$T/acl"
truncate -s 1M "$T/m2.img"
start_serve acl 13295 --allow "$A" --acl-file "$T/acl" \
	--lun "0=$T/m0.img,size=1M,allow=$B" --lun "1=$T/m1.img,size=1M" \
	--lun "2=$T/m2.img,ro" || finish
as_initiator iqn.2026-01.test:intruder "$CLIENT" write 127.0.0.1:13295 "$IQN" 1 512 "$T/64k.bin" \
	2>/dev/null && fail "an initiator outside the ACL logged in" || ok
grep -q "login refused (0202): initiator not authorized" "$T/acl.err" && ok || fail "no 0202 in the target log"
as_initiator "$A" "$CLIENT" write 127.0.0.1:13295 "$IQN" 1 512 "$T/64k.bin" 2>"$T/w.err" && ok ||
	fail "listed initiator A: $(cat "$T/w.err")"
as_initiator "$A" "$CLIENT" write 127.0.0.1:13295 "$IQN" 0 512 "$T/64k.bin" 2>/dev/null &&
	fail "A wrote to LUN 0, which only B may see" || ok
cmp -s "$T/64k.bin" <(head -c 65536 "$T/m0.img") && fail "LUN 0 holds A's data" || ok
as_initiator "$B" "$CLIENT" write 127.0.0.1:13295 "$IQN" 0 512 "$T/64k.bin" 2>"$T/w.err" && ok ||
	fail "initiator B (from --acl-file) on its LUN: $(cat "$T/w.err")"
cmp -s "$T/64k.bin" <(head -c 65536 "$T/m0.img") && ok || fail "LUN 0 does not hold B's data"
iscsi-ls -s -i "$B" "iscsi://127.0.0.1:13295" >"$T/ls" 2>&1
grep -c "^Lun:" "$T/ls" | grep -qx 3 && ok || fail "B sees 3 LUNs: $(cat "$T/ls")"
iscsi-ls -s -i "$A" "iscsi://127.0.0.1:13295" >"$T/ls" 2>&1
grep -c "^Lun:" "$T/ls" | grep -qx 2 && ! grep -q "^Lun:0 " "$T/ls" && ok || fail "A sees LUNs 1 and 2: $(cat "$T/ls")"
# ,ro keeps holding
as_initiator "$A" "$CLIENT" write 127.0.0.1:13295 "$IQN" 2 512 "$T/64k.bin" 2>"$T/w.err"
grep -qx "sense 7/27/00" "$T/w.err" && ok || fail "write to the ro LUN: $(cat "$T/w.err")"
stop_serve acl || fail "serve exited non-zero"
finish
