#!/usr/bin/env bash
# Fault injection against the real `vitk odx serve` (issue 10):
#  - 256 slow-loris logins (one byte a second) while a normal client reads 32 MiB;
#  - a token-table flood from one session while another session's token copy runs;
#  - a thin LUN on a full filesystem: ENOSPC reaches the initiator as
#    DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT (7/27/07).
# The ENOSPC part mounts a 1 MiB tmpfs in a private mount namespace: the
# script re-runs itself under `unshare -m` (tests run as root).  Ports 13290-13292.
if [ -z "${SERVE_FAULTS_NS:-}" ]; then
	SERVE_FAULTS_NS=1 exec unshare -m --propagation private "$0" "$@"
	echo "FAIL: cannot enter a private mount namespace (unshare -m)" >&2
	exit 1
fi
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

# -- slow loris -------------------------------------------------------------
head -c 32M /dev/urandom >"$T/big.img"
start_serve loris 13290 --login-timeout 3 --lun "0=$T/big.img" || finish
# from another loopback address: the cap per address keeps them from the others
"$CLIENT" loris 127.0.0.1 13290 256 127.0.0.2 20 >"$T/loris.out" 2>&1 &
lpid=$!
sleep 1
start=$(date +%s)
if "$CLIENT" read 127.0.0.1:13290 "$IQN" 0 512 33554432 "$T/big.out" 2>"$T/read.err" &&
	cmp -s "$T/big.img" "$T/big.out"; then ok; else
	fail "normal client could not read 32 MiB during the slow loris: $(cat "$T/read.err")"
fi
[ $(($(date +%s) - start)) -le 15 ] && ok || fail "the 32 MiB read took over 15 s"
if wait $lpid; then ok; else fail "slow-loris connections left open: $(cat "$T/loris.out")"; fi
# 64 held until the 3 s login deadline, the other 192 refused at once
read -r closed refused last < <(sed -n 's/^closed=\([0-9]*\) refused=\([0-9]*\) last=\([0-9.]*\)$/\1 \2 \3/p' "$T/loris.out")
[ "${closed:-0}" = 256 ] && ok || fail "loris: $(cat "$T/loris.out")"
[ "${refused:-0}" -ge 190 ] && ok || fail "loris: fewer than 190 refused at once: $(cat "$T/loris.out")"
awk -v l="${last:-99}" 'BEGIN { exit !(l <= 7) }' && ok || fail "loris: last closed after ${last}s (deadline 3 s)"
grep -q "login not finished within 3 s" "$T/loris.err" && ok || fail "no login deadline in the target log"
grep -q "connections from 127.0.0.2 already" "$T/loris.err" && ok || fail "no per-address refusal in the target log"
stop_serve loris || fail "serve exited non-zero after the slow loris"

# -- token-table flood ------------------------------------------------------
start_serve flood 13291 --lun "0=$T/f0.img,size=8M" --lun "1=$T/f1.img,size=8M" || finish
"$CLIENT" flood 127.0.0.1:13291 "$IQN" 0 2000 >"$T/flood.out" 2>&1 &
fpid=$!
for i in $(seq 1 100); do
	[ -s "$T/flood.out" ] && break
	sleep 0.1
done
grep -qx "tokens=128 sense=5/55/0d" "$T/flood.out" && ok || fail "flood: $(cat "$T/flood.out")"
# the flooder is still logged in; another session's token copy goes through
TARGET_CLIENT_INITIATOR=iqn.2026-01.test:second "$CLIENT" odx 127.0.0.1:13291 "$IQN" 0 1 1048576 \
	>"$T/odx.out" 2>&1
grep -qx "pt=00 wut=00 status=01 transfer=2048" "$T/odx.out" && ok || fail "token copy during the flood: $(cat "$T/odx.out")"
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
stop_serve flood || fail "serve exited non-zero after the flood"

# -- ENOSPC on a thin LUN ---------------------------------------------------
mkdir -p "$T/small"
if mount -t tmpfs -o size=1m tmpfs "$T/small"; then
	ok
	start_serve thin 13292 --lun "0=$T/small/thin.img,size=8M" || finish
	head -c 4M /dev/urandom >"$T/4m.bin"
	"$CLIENT" write 127.0.0.1:13292 "$IQN" 0 512 "$T/4m.bin" >"$T/w.out" 2>"$T/w.err"
	[ $? -ne 0 ] && ok || fail "a 4 MiB write to a 1 MiB filesystem succeeded"
	grep -qx "sense 7/27/07" "$T/w.err" && ok || fail "ENOSPC did not arrive as 7/27/07: $(cat "$T/w.err")"
	grep -Eq "lun 0: write at lba [0-9]+ failed: No space left on device \(errno 28\)" "$T/thin.err" &&
		ok || fail "target did not log LUN, LBA and errno: $(grep -i space "$T/thin.err")"
	stop_serve thin || fail "serve exited non-zero after ENOSPC"
	umount "$T/small"
else
	fail "cannot mount a tmpfs for the ENOSPC test"
fi
finish
