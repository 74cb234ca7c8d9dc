#!/usr/bin/env bash
# Our lab target (`vitk odx serve`, on the host side of the namespace) through
# the Linux kernel's iSCSI initiator (open-iscsi in the guest, host = 10.0.2.2;
# the node record is made by hand because discovery returns the target's own
# 127.0.0.1 portal).  Clients we did not write (sg_xcopy, ddpt) and parsers we
# did not write (sg_inq, sg_vpd, sg_readcap, sg_opcodes, sg_copy_results) judge
# what the target says.  Each client gets its own pair of LUNs so the target's
# per-LUN --stats attribute bytes to exactly one client.  Data is checked by
# cmp on the host's backing files.
source "$(dirname "$0")/../lib.sh"
IQN=iqn.2026-01.lab.vitk:vmtier
MB=16
BS=512
luns=()
for l in 0 1 2 3 4 5 6 7 8 9; do
	head -c $((MB * 1048576)) /dev/urandom >"$W/lun$l.img"
	luns+=(--lun "$l=$W/lun$l.img,size=${MB}M")
done
"$VITK" -o json odx serve --portal 127.0.0.1:3260 --iqn $IQN "${luns[@]}" --stats \
	--pidfile "$W/serve.pid" >"$W/stats.json" 2>"$W/serve.log" &
SERVE=$!
HOSTPIDS+=("$SERVE")
for _ in $(seq 100); do [ -s "$W/serve.pid" ] && break; sleep 0.1; done
[ -s "$W/serve.pid" ] || { fail "lab target did not start: $(tail -3 "$W/serve.log")"; vm_finish; exit 1; }
for l in 1 3 5 7 9; do cp "$W/lun$l.img" "$W/lun$l.before"; done

vm_boot lab || { vm_finish; exit 1; }
gok lab "open-iscsi: hand-made node record for 10.0.2.2, login, 10 LUNs" 180 <<G
modprobe iscsi_tcp && iscsid || exit 1
sleep 0.5
iscsiadm -m node -o new -T $IQN -p 10.0.2.2:3260 >/dev/null &&
	iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --login && wait_scsi VITK 10 && lsscsi -g
G

# host_same SRC_LUN SRC_LBA DST_LUN DST_LBA N: ranges of the backing files equal
host_same() { cmp -n $(($5 * BS)) -i $(($2 * BS)):$(($4 * BS)) "$W/lun$1.img" "$W/lun$3.img"; }
# host_outside_untouched LUN LBA N: everything but [LBA, LBA+N) as before
host_outside_untouched() {
	cmp -n $(($2 * BS)) "$W/lun$1.before" "$W/lun$1.img" &&
		cmp -i $((($2 + $3) * BS)) "$W/lun$1.before" "$W/lun$1.img"
}
N=20000
gok lab "vitk odx copy --method token over /dev/sg (kernel initiator)" <<G
\$VITK -o json odx copy \$(sgN VITK 0) \$(sgN VITK 1) --src-lba 10 --dst-lba 500 --count $N --method token >/vm/token.json
G
J=$W/lab.share/token.json
check "token: method token, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = token0 ]
check "token: data (host cmp of the backing files)" -- host_same 0 10 1 500 $N
check "token: nothing outside the range written" -- host_outside_untouched 1 500 $N
gok lab "vitk odx copy --method xcopy over /dev/sg" <<G
\$VITK -o json odx copy \$(sgN VITK 2) \$(sgN VITK 3) --src-lba 10 --dst-lba 500 --count $N --method xcopy >/vm/xcopy.json
G
J=$W/lab.share/xcopy.json
check "xcopy: method xcopy, no fallback" -- [ "$(jget "$J" '.method + (.fallbacks | length | tostring)')" = xcopy0 ]
check "xcopy: data" -- host_same 2 10 3 500 $N
check "xcopy: nothing outside the range written" -- host_outside_untouched 3 500 $N

gok lab "sg_xcopy (sg3_utils) as an independent XCOPY client" <<G
sg_xcopy if=\$(sgN VITK 4) of=\$(sgN VITK 5) bs=512 skip=10 seek=500 count=$N
G
check "sg_xcopy: data" -- host_same 4 10 5 500 $N
check "sg_xcopy: nothing outside the range written" -- host_outside_untouched 5 500 $N
gok lab "ddpt oflag=xcopy as an independent XCOPY client" <<G
ddpt if=\$(sgN VITK 6) of=\$(sgN VITK 7) bs=512 skip=10 seek=500 count=$N oflag=xcopy
G
check "ddpt xcopy: data" -- host_same 6 10 7 500 $N
check "ddpt xcopy: nothing outside the range written" -- host_outside_untouched 7 500 $N

# Debian 12's ddpt 0.97 writes each POPULATE TOKEN / WRITE USING TOKEN range
# descriptor one byte early (LBA at byte 15, not 16), so a correct target
# reads a block count 256 times too large: LBA OUT OF RANGE is the right answer.
# (ddpt 0.97 accepts skip=/seek=/count= for --odx only as gather lists; without
# a count it loops POPULATE TOKENs of zero blocks, see the sg_raw case below.)
gfail lab "ddpt --odx is refused: ILLEGAL REQUEST / LBA OUT OF RANGE" <<G
ddpt -v if=\$(sgN VITK 8) of=\$(sgN VITK 9) bs=512 skip=10,$N seek=500,$N --odx
G
check "ddpt --odx: sense key ILLEGAL REQUEST" -- gout_has 'Sense key: Illegal Request'
check "ddpt --odx: LOGICAL BLOCK ADDRESS OUT OF RANGE" -- eval "gout_has 'Logical block address out of range' && gout_has 'Early termination: LBA out of range'"
check "ddpt --odx: nothing outside the range written" -- host_outside_untouched 9 500 $N

# independent parsers: every page decodes with no garbage / unknown entries
# (sg_vpd's own "[invalid]" annotation of a zero field is not a decoding problem)
BAD='[Uu]nknown|garbage|[Bb]ad |[Tt]runcat|[Uu]nexpected|too short|[Rr]eserved \[0x|Unable|malformed|problem|[Ee]rror'
for spec in "sg_inq" "sg_inq -p 0x00" "sg_vpd -p 0x00" "sg_vpd -p 0x80" "sg_vpd -p 0x83" "sg_vpd -p 0x8f" \
	"sg_vpd -p 0xb0" "sg_vpd -p 0xb1" "sg_vpd -p 0xb2" "sg_readcap -l" "sg_opcodes" \
	"sg_copy_results -p"; do
	g lab "$spec" <<G
$spec \$(sgN VITK 0)
G
	# a field printed twice in a descriptor list means sg3_utils decoded bytes
	# past a wrong length field as another descriptor (VPD 0x8F's block ROD
	# sub-descriptor with length 0 instead of 002Ch did exactly that)
	dup=$(grep -E '^ +(Maximum|Optimal) .*(block ROD|token per segment)' "$GOUT" |
		sed 's/:.*//' | sort | uniq -d)
	if [ "$GRC" = 0 ] && ! grep -qE "$BAD" "$GOUT" && [ -z "$dup" ]; then
		ok "lab: $spec decodes cleanly"
	else
		fail "lab: $spec (rc $GRC${dup:+; decoded twice: $(echo $dup)})"
		gshow lab 40
	fi
done

# a POPULATE TOKEN of zero blocks must be refused, not turned into a token
# (ddpt's looping form once filled the token table with them).  Sent raw by
# sg_raw to LUN 8, which no other client asks for a token.
printf '\000\036\000\000\000\000\000\000\000\000\000\000\000\000\000\020%016d' 0 |
	head -c 32 | tr '0' '\000' >"$W/lab.share/pt0.bin"
gfail lab "POPULATE TOKEN of zero blocks is refused (sg_raw)" <<'G'
sg_raw -v -s 32 -i /vm/pt0.bin $(sgN VITK 8) 83 10 00 00 00 00 00 00 00 77 00 00 00 20 00 00
G
check "zero-block POPULATE TOKEN: ILLEGAL REQUEST" -- gout_has '[Ii]llegal [Rr]equest'

gok lab "logout" <<G
iscsiadm -m node -T $IQN -p 10.0.2.2:3260 --logout
G
vm_halt lab
kill -TERM $SERVE
wait $SERVE
S=$W/stats.json
# sum FIELD over the LUNs given: stat FIELD LUN...
stat() {
	local f=$1
	shift
	jq "[.[] | select(.lun as \$l | [$(IFS=,; echo "$*")] | index(\$l)) | .$f] | add" "$S"
}
check "stats: the target printed per-LUN counters" -- [ "$(jq length "$S")" = 10 ]
for pair in "0 1 vitk-token" "2 3 vitk-xcopy" "4 5 sg_xcopy" "6 7 ddpt-xcopy"; do
	set -- $pair
	check "stats $3: $((N * BS)) bytes copied inside the target" -- [ "$(stat bytes_copied_internal $1 $2)" = $((N * BS)) ]
	check "stats $3: host wire < 1 MiB" -- eval "[ \"\$(stat bytes_read_wire $1 $2)\" -lt 1048576 ] &&
		[ \"\$(stat bytes_written_wire $1 $2)\" -lt 1048576 ]"
done
check "stats: vitk token copy made tokens on LUN 0" -- [ "$(stat tokens_created 0)" -ge 1 ]
check "stats: no token from the zero-block POPULATE TOKEN or ddpt --odx" -- [ "$(stat tokens_created 8 9)" = 0 ]
check "stats: ddpt --odx copied nothing" -- [ "$(stat bytes_copied_internal 8 9)" = 0 ]
vm_finish
