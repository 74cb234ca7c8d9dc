#!/usr/bin/env bash
# odx demo: start the lab iSCSI target on a free loopback port with two LUNs,
# show the offload verdict, copy 32 MiB with an ODX token copy, show the job.
# Gets $VITK, $DEMO_DIR and $VITK_DB from tools/demo.sh.
set -uo pipefail
: "${VITK:?}" "${DEMO_DIR:?}"
W="$DEMO_DIR/odx"
mkdir -p "$W"
export VITK_NO_PROGRESS=1

if ! "$VITK" odx serve --help >/dev/null 2>&1; then
	echo "odx demo skipped: this vitk has no 'odx serve' (lab target)"
	exit 0
fi
# a free port: first of 13275..13279 nothing listens on
PORT=
for p in 13275 13276 13277 13278 13279; do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then PORT=$p; break; fi
done
if [ -z "$PORT" ]; then
	echo "odx demo skipped: no free port in 13275-13279"
	exit 0
fi
IQN=iqn.2026-01.lab.vitk:demo
U="iscsi://127.0.0.1:$PORT/$IQN"
head -c $((32 * 1048576)) /dev/urandom >"$W/lun0.img"
truncate -s 64M "$W/lun0.img"
"$VITK" odx serve --portal "127.0.0.1:$PORT" --iqn "$IQN" --lun "0=$W/lun0.img,size=64M" \
	--lun "1=$W/lun1.img,size=64M" 2>"$W/serve.log" &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null' EXIT
for i in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

echo "\$ vitk odx probe $U/0 $U/1"
"$VITK" odx probe "$U/0" "$U/1" || exit 1
echo
echo "\$ vitk odx copy $U/0 $U/1 --count 65536 --method token --verify"
"$VITK" odx copy "$U/0" "$U/1" --count 65536 --method token --verify || exit 1
if cmp -s <(head -c 32M "$W/lun0.img") <(head -c 32M "$W/lun1.img"); then
	echo "data check: the 32 MiB read back from LUN 1's backing file match LUN 0"
else
	echo "data check failed" >&2
	exit 1
fi
echo
echo "\$ vitk odx jobs"
"$VITK" odx jobs || exit 1
