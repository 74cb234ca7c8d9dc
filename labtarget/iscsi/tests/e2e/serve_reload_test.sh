#!/usr/bin/env bash
# SIGHUP reloads of `vitk odx serve --config` (port 13341), seen by a logged-in
# initiator (libiscsi, target_client steps): idle LUNs (masked from the
# session: it cannot reach them) removed, shrunk and made read-only; shrinking the LUN
# the session uses refused with a log line that names the LUN, the change and
# the session count; growing it applied online with CAPACITY DATA HAS CHANGED
# (06h/2Ah/09h) and the new capacity in READ CAPACITY(16); a config with an
# error changes nothing; a new ACL and CHAP secret refuse new logins while the
# session of the initiator taken off the ACL goes on.
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

port=13341
conf=$T/target.conf
A=iqn.2026-01.test:reload-a
B=iqn.2026-01.test:reload-b
M=1048576
write_conf() { # LUN lines on stdin
	{
		echo "iqn = $IQN"
		echo "portal = 127.0.0.1:$port"
		echo "pidfile = $T/svc.pid"
		for n in $ACL; do echo "allow = $n"; done
		[ -n "$CHAP" ] && echo "chap-file = $CHAP"
		cat
	} >"$conf.tmp" && mv "$conf.tmp" "$conf"
}
# reload: SIGHUP, then wait (10 s) for the log line matching $1
reload() {
	local before
	before=$(wc -l <"$T/svc.err")
	kill -HUP "$spid"
	for i in $(seq 1 200); do
		tail -n +"$((before + 1))" "$T/svc.err" | grep -q -- "$1" && return 0
		sleep 0.05
	done
	fail "no '$1' after SIGHUP: $(tail -5 "$T/svc.err")"
	return 1
}
# step K: the session's TUR / READ CAPACITY(16) / REPORT LUNS line
step() {
	touch "$T/go.$1"
	for i in $(seq 1 200); do [ -e "$T/done.$1" ] && break; sleep 0.05; done
	grep "^step=$1 " "$T/steps.out"
}
size_of() { stat -c %s "$1"; }
ACL="$A $B"
CHAP=

write_conf <<CONF
lun = 0=$T/l0.img,size=16M
lun = 1=$T/l1.img,size=8M,allow=$B
lun = 2=$T/l2.img,size=8M,allow=$B
CONF
"$VITK" --db "$T/vitk.db" odx serve --config "$conf" >"$T/svc.out" 2>"$T/svc.err" &
spid=$!
SERVE_PIDS="$SERVE_PIDS $spid"
for i in $(seq 1 200); do [ -s "$T/svc.pid" ] && break; sleep 0.05; done
[ -s "$T/svc.pid" ] && ok || fail "serve did not start: $(cat "$T/svc.err")"

TARGET_CLIENT_INITIATOR=$A "$CLIENT" steps "127.0.0.1:$port" "$IQN" 0 "$T" 4 \
	>"$T/steps.out" 2>"$T/steps.err" &
cpid=$!
for i in $(seq 1 200); do grep -qs ready "$T/steps.out" && break; sleep 0.05; done
grep -qs ready "$T/steps.out" && ok || fail "session did not log in: $(cat "$T/steps.err")"

# 1. lun 2 (masked from the session) removed, lun 1 (idle) shrunk, lun 0
#    (in use) shrink refused
write_conf <<CONF
lun = 0=$T/l0.img,size=8M
lun = 1=$T/l1.img,size=4M,allow=$B
CONF
reload "lun 1 changed"
grep -q "odx-target: info: lun 2 removed" "$T/svc.err" && ok || fail "idle lun 2 not removed: $(cat "$T/svc.err")"
grep -q "lun 1 changed ($T/l1.img, 4194304 bytes)" "$T/svc.err" && ok ||
	fail "idle lun 1 not shrunk: $(cat "$T/svc.err")"
[ "$(size_of "$T/l1.img")" = $((4 * M)) ] && ok || fail "l1.img is $(size_of "$T/l1.img") bytes"
grep -q "reload: changing lun 0 (size) to '0=$T/l0.img,size=8M' refused: lun 0: shrinking from 16777216 to 8388608 bytes: 1 session uses it: it stays '0=$T/l0.img,size=16M'" "$T/svc.err" &&
	ok || fail "shrinking the used lun 0 not refused with a clear line: $(grep 'lun 0' "$T/svc.err")"
[ "$(size_of "$T/l0.img")" = $((16 * M)) ] && ok || fail "l0.img is $(size_of "$T/l0.img") bytes"
# the session: lun 2 went (REPORTED LUNS DATA HAS CHANGED), lun 0 kept its 16 MiB
line=$(step 1)
[ "$line" = "step=1 tur=2 sense=6/3f/0e cap=16777216 luns=1" ] && ok ||
	fail "after removing lun 2: '$line' (want 6/3f/0e, 16 MiB, 1 LUN)"

# 2. lun 0 grown under its session: 2Ah/09h and the new capacity
write_conf <<CONF
lun = 0=$T/l0.img,size=32M
lun = 1=$T/l1.img,size=4M,allow=$B
CONF
reload "lun 0 changed"
grep -q "lun 0 changed ($T/l0.img, 33554432 bytes)" "$T/svc.err" && ok ||
	fail "growing lun 0: $(grep 'lun 0' "$T/svc.err")"
[ "$(size_of "$T/l0.img")" = $((32 * M)) ] && ok || fail "l0.img is $(size_of "$T/l0.img") bytes"
line=$(step 2)
[ "$line" = "step=2 tur=2 sense=6/2a/09 cap=33554432 luns=1" ] && ok ||
	fail "after growing lun 0: '$line' (want 6/2a/09, 32 MiB)"

# 3. a config with an error changes nothing (lun 1's removal in it included)
write_conf <<CONF
lun = 0=$T/l0.img,size=64M
lun = 3=$T/l3.img,size=4M,bogus
CONF
reload "nothing changed"
grep -q "unknown option 'bogus'" "$T/svc.err" && ok || fail "bad lun option not named: $(tail -3 "$T/svc.err")"
[ "$(size_of "$T/l0.img")" = $((32 * M)) ] && [ ! -e "$T/l3.img" ] && ok ||
	fail "a bad config changed something: l0.img $(size_of "$T/l0.img"), l3.img $(ls "$T/l3.img" 2>&1)"
write_conf <<CONF
lun = 0=$T/l0.img,size=64M
lun = 0=$T/l3.img,size=4M
CONF
reload "nothing changed"
grep -q "lun 0 given twice: nothing changed" "$T/svc.err" && ok || fail "duplicate lun: $(tail -3 "$T/svc.err")"
printf 'bob:reload-secret-17\n' >"$T/chap644" && chmod 644 "$T/chap644"
CHAP=$T/chap644 write_conf <<CONF
lun = 0=$T/l0.img,size=64M
CONF
reload "nothing changed"
grep -q "chap-file '$T/chap644' has mode 0644" "$T/svc.err" && ok ||
	fail "a readable CHAP file: $(tail -3 "$T/svc.err")"
[ "$(size_of "$T/l0.img")" = $((32 * M)) ] && ok || fail "a bad CHAP file changed lun 0"
line=$(step 3)
[ "$line" = "step=3 tur=0 sense=0/00/00 cap=33554432 luns=1" ] && ok ||
	fail "after the bad configs: '$line' (want no unit attention, 32 MiB, 1 LUN)"

# 4. (applied with 5.) the ACL without A and a CHAP secret: new logins follow
#    them, A's session goes on (step 4 below); the secret never shows in the log
ACL=$B
printf 'bob:reload-secret-17\n' >"$T/chap" && chmod 600 "$T/chap"
CHAP=$T/chap
# 5. an option of the idle lun 1 (ro): a new session cannot write it
write_conf <<CONF
lun = 0=$T/l0.img,size=32M
lun = 1=$T/l1.img,size=4M,ro,allow=$B
CONF
reload "lun 1 changed"
[ "$(grep -c "lun 1 changed" "$T/svc.err")" = 2 ] && ok || fail "ro on lun 1: $(tail -3 "$T/svc.err")"
grep -q "new logins: CHAP user 'bob', mutual CHAP off, 1 initiator allowed (logged-in sessions keep running)" "$T/svc.err" &&
	ok || fail "no log line for the new CHAP/ACL: $(tail -4 "$T/svc.err")"
! grep -q "reload-secret-17" "$T/svc.err" && ok || fail "the CHAP secret is in the log"
head -c 4096 /dev/urandom >"$T/blk"
TARGET_CLIENT_INITIATOR=$A TARGET_CLIENT_CHAP=bob:reload-secret-17 "$CLIENT" write \
	"127.0.0.1:$port" "$IQN" 0 512 "$T/blk" 2>/dev/null
[ $? -ne 0 ] && grep -q "login refused (0202): initiator not authorized" "$T/svc.err" && ok ||
	fail "a new login of the removed initiator A was not refused: $(tail -3 "$T/svc.err")"
TARGET_CLIENT_INITIATOR=$B "$CLIENT" write "127.0.0.1:$port" "$IQN" 1 512 "$T/blk" 2>/dev/null
[ $? -ne 0 ] && grep -q "login refused (0201): CHAP required" "$T/svc.err" && ok ||
	fail "a login without CHAP was not refused: $(tail -3 "$T/svc.err")"
TARGET_CLIENT_INITIATOR=$B TARGET_CLIENT_CHAP=bob:reload-secret-17 "$CLIENT" write "127.0.0.1:$port" "$IQN" 1 512 "$T/blk" 2>"$T/w.err"
[ $? -ne 0 ] && grep -q "sense 7/27/00" "$T/w.err" && ok ||
	fail "a write to the read-only lun 1 was not refused with 7/27/00: $(cat "$T/w.err")"
line=$(step 4)
[ "$line" = "step=4 tur=0 sense=0/00/00 cap=33554432 luns=1" ] && ok ||
	fail "the session after lun 1 became read-only: '$line'"
wait $cpid && ok || fail "the session failed: $(cat "$T/steps.err")"

# 6. with the session gone, lun 0 may shrink
write_conf <<CONF
lun = 0=$T/l0.img,size=8M
lun = 1=$T/l1.img,size=4M,ro,allow=$B
CONF
reload "lun 0 changed"
[ "$(size_of "$T/l0.img")" = $((8 * M)) ] && ok || fail "idle lun 0 not shrunk: $(tail -3 "$T/svc.err")"
kill -0 "$spid" && ok || fail "target died"
kill -TERM "$spid"
wait "$spid" && ok || fail "serve did not exit 0: $(tail -5 "$T/svc.err")"
! grep -q "AddressSanitizer\|LeakSanitizer" "$T/svc.err" && ok || fail "sanitizer: $(cat "$T/svc.err")"
finish
