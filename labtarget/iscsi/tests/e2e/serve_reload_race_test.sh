#!/usr/bin/env bash
# Reloads racing commands (port 13342): three sessions hammer READ(16)s on LUN
# 0 and TEST UNIT READYs on LUNs 1 and 2 (masked from them: looked up, not
# found) while the config is reloaded 100 times (LUN 1 added and removed and LUN 2
# replaced with another option, both masked from the session; LUN 0 grown
# under it).  Every READ returns its 4 KiB or a unit attention, the target
# keeps serving and exits 0 (built with --config=asan: no use-after-free, no
# leak).
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

port=13342
conf=$T/target.conf
A=iqn.2026-01.test:race-a
write_conf() { # round
	{
		echo "iqn = $IQN"
		echo "portal = 127.0.0.1:$port"
		echo "pidfile = $T/svc.pid"
		echo "lun = 0=$T/l0.img,size=$((16 + $1))M"
		[ $(($1 % 2)) -eq 1 ] && echo "lun = 1=$T/l1.img,size=4M,allow=iqn.2026-01.test:nobody"
		if [ $(($1 % 3)) -eq 0 ]; then
			echo "lun = 2=$T/l2.img,size=4M,allow=iqn.2026-01.test:nobody"
		else
			echo "lun = 2=$T/l2.img,size=4M,ro,allow=iqn.2026-01.test:nobody"
		fi
	} >"$conf.tmp" && mv "$conf.tmp" "$conf"
}
write_conf 0
"$VITK" --db "$T/vitk.db" odx serve --config "$conf" >"$T/svc.out" 2>"$T/svc.err" &
spid=$!
SERVE_PIDS="$SERVE_PIDS $spid"
for i in $(seq 1 200); do [ -s "$T/svc.pid" ] && break; sleep 0.05; done
[ -s "$T/svc.pid" ] && ok || fail "serve did not start: $(cat "$T/svc.err")"
hpids=
for k in 1 2 3; do
	TARGET_CLIENT_INITIATOR=$A:$k "$CLIENT" hammer "127.0.0.1:$port" "$IQN" 0 "$T/stop" \
		>"$T/hammer$k.out" 2>"$T/hammer$k.err" &
	hpids="$hpids $!"
done
for k in 1 2 3; do
	for i in $(seq 1 200); do grep -qs ready "$T/hammer$k.out" && break; sleep 0.05; done
	grep -qs ready "$T/hammer$k.out" && ok || fail "hammer $k did not log in: $(cat "$T/hammer$k.err")"
done
for round in $(seq 1 100); do
	write_conf "$round"
	kill -HUP "$spid"
	# the next round once this one is applied (lun 0 grows every round)
	for i in $(seq 1 200); do
		grep -q "lun 0 changed ($T/l0.img, $(((16 + round) * 1048576)) bytes)" "$T/svc.err" && break
		sleep 0.05
	done
done
grep -q "lun 0 changed ($T/l0.img, $((116 * 1048576)) bytes)" "$T/svc.err" && ok ||
	fail "the reloads did not all apply: $(tail -5 "$T/svc.err")"
[ "$(stat -c %s "$T/l0.img")" = $((116 * 1048576)) ] && ok || fail "l0.img: $(stat -c %s "$T/l0.img")"
adds=$(grep -c "lun 1 added" "$T/svc.err")
removes=$(grep -c "lun 1 removed" "$T/svc.err")
changes=$(grep -c "lun 2 changed" "$T/svc.err")
[ "$adds" = 50 ] && [ "$removes" = 50 ] && [ "$changes" -ge 66 ] && ok ||
	fail "lun 1 added $adds / removed $removes times (want 50 each), lun 2 changed $changes"
touch "$T/stop"
k=0
for p in $hpids; do
	k=$((k + 1))
	wait "$p"
	rc=$?
	read -r reads ua absent errors < <(sed -n 's/^reads=\([0-9]*\) ua=\([0-9]*\) absent=\([0-9]*\) errors=\([0-9]*\)$/\1 \2 \3 \4/p' "$T/hammer$k.out")
	[ $rc -eq 0 ] && [ "${errors:-1}" = 0 ] && [ "${reads:-0}" -gt 0 ] && [ "${absent:-0}" -gt 0 ] && ok ||
		fail "hammer $k: rc $rc, $(cat "$T/hammer$k.out") $(tail -3 "$T/hammer$k.err")"
	[ "${ua:-0}" -gt 0 ] && ok || fail "no unit attention seen by hammer $k: $(cat "$T/hammer$k.out")"
	echo "hammer $k: $(tail -1 "$T/hammer$k.out")"
done
kill -0 "$spid" && ok || fail "target died"
kill -TERM "$spid"
wait "$spid" && ok || fail "serve did not exit 0: $(tail -5 "$T/svc.err")"
! grep -q "AddressSanitizer\|LeakSanitizer\|ThreadSanitizer" "$T/svc.err" && ok ||
	fail "sanitizer: $(grep -A20 Sanitizer "$T/svc.err" | head -30)"
finish
