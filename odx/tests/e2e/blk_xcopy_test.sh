#!/usr/bin/env bash
# End-to-end through libiscsi against the lab target (`vitk odx serve`): the
# pieces of a block plan on two source LUNs packed into multi-segment
# EXTENDED COPYs (odx/src/blk_xcopy.c, issue 13).  Checked: the target's own
# count of THIRD PARTY COPY OUT commands per destination LUN (--stats), every
# destination range read back from the backing files, and the blocks just
# before and after each range untouched.
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/odx/tests/e2e/lib.sh"
PORT=13274
IQN=iqn.2026-01.lab.vitk:blkxcopy
U=iscsi://127.0.0.1:$PORT/$IQN
CLIENT=$ROOT/odx/blk_xcopy_client

random_file "$W/s0.img" 128
random_file "$W/d1.img" 96
random_file "$W/s2.img" 128
random_file "$W/d3.img" 96
cp "$W/d1.img" "$W/d1.before"
cp "$W/d3.img" "$W/d3.before"
"$VITK" -o json odx serve --portal 127.0.0.1:$PORT --iqn $IQN --stats \
	--lun "0=$W/s0.img,size=128M" --lun "1=$W/d1.img,size=96M" \
	--lun "2=$W/s2.img,size=128M" --lun "3=$W/d3.img,size=96M" >"$W/stats.json" 2>"$W/serve.log" &
SERVE=$!
PIDS+=($SERVE)
wait_port $PORT || { cat "$W/serve.log"; exit 1; }

# the copy managers' own limits (64 segments, 16 CSCDs): one command for 5 segments
if "$CLIENT" $U/0 $U/1 $U/2 0 >"$W/one.out" 2>"$W/one.err"; then ok; else fail "one command: $(cat "$W/one.err")"; fi
check "one command: the client sent 1 command for 145000 blocks" -- [ "$(cat "$W/one.out")" = "commands 1 blocks 145000" ]
# a copy manager of 2 segments: 3 commands, the long piece split across two of them
if "$CLIENT" $U/0 $U/3 $U/2 2 >"$W/three.out" 2>"$W/three.err"; then ok; else fail "three commands: $(cat "$W/three.err")"; fi
check "three commands: the client sent 3 commands" -- [ "$(cat "$W/three.out")" = "commands 3 blocks 145000" ]

kill -TERM $SERVE
wait $SERVE
xcopies() { jq "[.[] | select(.lun == $1) | (.opcodes[\"0x83\"] // 0)] | add" "$W/stats.json"; }
check "stats: LUN 1 received exactly 1 EXTENDED COPY (got $(xcopies 1))" -- [ "$(xcopies 1)" = 1 ]
check "stats: LUN 3 received exactly 3 EXTENDED COPYs (got $(xcopies 3))" -- [ "$(xcopies 3)" = 3 ]
check "stats: no third-party copy command reached a source LUN" -- [ "$(xcopies 0)$(xcopies 2)" = 00 ]
check "stats: 145000 blocks copied inside, twice" -- \
	[ "$(jq '[.[] | .bytes_copied_internal] | add' "$W/stats.json")" = $((2 * 145000 * BS)) ]

for d in 1 3; do
	D=$W/d$d.img
	check "LUN $d: piece 1 (LUN 0 1000+3000)" -- same_blocks "$W/s0.img" 1000 "$D" 20000 3000
	check "LUN $d: piece 2 (LUN 2 500+2000)" -- same_blocks "$W/s2.img" 500 "$D" 23000 2000
	check "LUN $d: piece 3 (LUN 0 70000+140000)" -- same_blocks "$W/s0.img" 70000 "$D" 25000 140000
	check "LUN $d: the blocks before the ranges untouched" -- same_blocks "$W/d$d.before" 0 "$D" 0 20000
	check "LUN $d: the block after the ranges untouched" -- same_blocks "$W/d$d.before" 165000 "$D" 165000 1
	check "LUN $d: everything else untouched" -- same_blocks "$W/d$d.before" 165000 "$D" 165000 $((96 * 2048 - 165000))
done
finish
