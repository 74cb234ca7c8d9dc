#!/usr/bin/env bash
# `vitk odx serve --config FILE` as a service (ports 13302-13303): the whole
# definition from the file (two portals, a LUN, limits, the pidfile), the
# sd_notify datagrams of a Type=notify unit, SIGHUP adding a LUN (the open
# session gets REPORTED LUNS DATA HAS CHANGED, 06h/3Fh/0Eh, and then sees two
# LUNs), an option change of the LUN a session uses refused and logged, an
# unused LUN removed, and config errors named by line (serve_reload_test.sh
# has the rest of reloading).
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

p1=13302
p2=13303
conf=$T/target.conf
cat >"$conf" <<CONF
# lab target, as /etc/vitk/target-NAME.conf would hold it
iqn = $IQN
portal = 127.0.0.1:$p1
portal = 127.0.0.1:$p2   # the second path
lun = 0=$T/s0.img,size=16M
login-timeout = 20
max-conns-per-address = 32
pidfile = $T/svc.pid
CONF

# the sd_notify side of systemd: collect the datagrams (an abstract socket,
# as systemd uses: '@' stands for the leading NUL)
sock=@vitk-serve-notify-$$
python3 - "$sock" >"$T/notify.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
print("bound", flush=True)
s.settimeout(30)
while True:
    try:
        m = s.recv(4096).decode()
    except Exception:
        break
    print(m, flush=True)
    if m.startswith("STOPPING"):
        break
PY
npid=$!
for i in $(seq 1 100); do grep -q bound "$T/notify.log" && break; sleep 0.05; done

NOTIFY_SOCKET=$sock "$VITK" --db "$T/vitk.db" odx serve --config "$conf" \
	>"$T/svc.out" 2>"$T/svc.err" &
spid=$!
SERVE_PIDS="$SERVE_PIDS $spid"
for i in $(seq 1 200); do [ -s "$T/svc.pid" ] && break; sleep 0.05; done
[ "$(cat "$T/svc.pid" 2>/dev/null)" = "$spid" ] && ok || fail "pidfile from the config missing"
for i in $(seq 1 100); do grep -q READY=1 "$T/notify.log" && break; sleep 0.05; done
grep -qx "READY=1" "$T/notify.log" && ok || fail "no READY=1 on NOTIFY_SOCKET: $(cat "$T/notify.log")"
out=$(iscsi-ls -s "iscsi://127.0.0.1:$p2" 2>&1)
grep -q "Portal:127.0.0.1:$p1,1" <<<"$out" && grep -q "Portal:127.0.0.1:$p2,2" <<<"$out" &&
	ok || fail "portals from the config not served: $out"

# a session on LUN 0 stays open across the reload
"$CLIENT" hold "127.0.0.1:$p1" "$IQN" 0 "$T/go" >"$T/hold.out" 2>&1 &
hpid=$!
for i in $(seq 1 100); do grep -q ready "$T/hold.out" && break; sleep 0.05; done
sed -i "s|size=16M|size=16M,ro|" "$conf"            # a change under a session: refused
echo "lun = 1=$T/s1.img,size=8M" >>"$conf"           # an addition
kill -HUP "$spid"
for i in $(seq 1 100); do grep -q "lun 1 added" "$T/svc.err" && break; sleep 0.05; done
grep -q "lun 1 added" "$T/svc.err" && ok || fail "SIGHUP did not add lun 1: $(cat "$T/svc.err")"
grep -q "reload: changing lun 0 (ro) to '0=$T/s0.img,size=16M,ro' refused: lun 0: 1 session uses it: it stays '0=$T/s0.img,size=16M'" "$T/svc.err" && ok ||
	fail "changing lun 0 was not refused and logged: $(grep 'lun 0' "$T/svc.err")"
touch "$T/go"
wait $hpid
grep -qx "tur=2 sense=6/3f/0e luns=2" "$T/hold.out" && ok ||
	fail "open session after the reload: $(cat "$T/hold.out") (want the 3Fh/0Eh unit attention, 2 LUNs)"
grep -q "RELOADING=1" "$T/notify.log" && ok || fail "no RELOADING=1 around the reload"

# the session has logged out: removing a LUN is done
sed -i "/^lun = 1=/d" "$conf"
kill -HUP "$spid"
for i in $(seq 1 100); do grep -q "lun 1 removed" "$T/svc.err" && break; sleep 0.05; done
grep -q "odx-target: info: lun 1 removed" "$T/svc.err" && ok ||
	fail "removing the unused lun 1: $(tail -3 "$T/svc.err")"
# a broken file on reload changes nothing, the target keeps serving
echo "no-such-key = 1" >>"$conf"
kill -HUP "$spid"
for i in $(seq 1 100); do grep -q "nothing changed" "$T/svc.err" && break; sleep 0.05; done
grep -Eq "line [0-9]+: unknown key 'no-such-key': nothing changed" "$T/svc.err" && ok ||
	fail "a bad config on reload: $(tail -3 "$T/svc.err")"
kill -0 "$spid" && ok || fail "target died on reload"
kill -TERM "$spid"
wait "$spid" && ok || fail "serve did not exit 0 on SIGTERM"
wait "$npid"
grep -q "STOPPING=1" "$T/notify.log" && ok || fail "no STOPPING=1"
[ ! -e "$T/svc.pid" ] && ok || fail "pidfile left behind"

# start-up errors name the line; secrets never stand in the file
printf 'iqn = %s\nchap = u:secretsecret\n' "$IQN" >"$T/bad.conf"
"$VITK" --db "$T/vitk.db" odx serve --config "$T/bad.conf" 2>"$T/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "line 2: 'chap' is not allowed in a config file" "$T/bad.err" && ok ||
	fail "chap= in a config: rc $rc, $(cat "$T/bad.err")"
printf 'iqn %s\n' "$IQN" >"$T/bad2.conf"
"$VITK" --db "$T/vitk.db" odx serve --config "$T/bad2.conf" 2>"$T/bad2.err"
grep -q "line 1: expected KEY = VALUE" "$T/bad2.err" && ok || fail "$(cat "$T/bad2.err")"
"$VITK" --db "$T/vitk.db" odx serve --config "$T/missing.conf" 2>"$T/bad3.err"
[ $? -eq 2 ] && grep -q "missing.conf" "$T/bad3.err" && ok || fail "$(cat "$T/bad3.err")"
finish
