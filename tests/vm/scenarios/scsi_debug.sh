#!/usr/bin/env bash
# odx over the sg transport against scsi_debug: a real SCSI disk with no third-
# party copy (3PC=0, no VPD 0x8F).  probe must say so, copy --method auto must
# fall back to host copy naming the reason, and the data must match (cmp with
# O_DIRECT reads through /dev/sdX, not through vitk).
source "$(dirname "$0")/../lib.sh"
vm_boot sd || { vm_finish; exit 1; }
# random contents come from the host (urandom is slow under TCG)
head -c $((32 * 1048576)) /dev/urandom >"$W/sd.share/rand.bin"

gok sd "load scsi_debug (two hosts, one store each) and fill the source" <<'G'
modprobe sd_mod && modprobe sg && modprobe scsi_debug dev_size_mb=16 add_host=2 per_host_store=1
wait_scsi Linux 2
lsscsi -g
head -c 16M /vm/rand.bin | dd of=$(sdN Linux 0) oflag=direct bs=1M status=none &&
	tail -c 16M /vm/rand.bin | dd of=$(sdN Linux 1) oflag=direct bs=1M status=none
G

gok sd "probe: no 3PC on either disk, host copy is the verdict" <<'G'
$VITK -o json odx probe $(sgN Linux 0) $(sgN Linux 1) | tee /vm/probe.json
G
P=$W/sd.share/probe.json
check "probe: pair not offloaded" -- [ "$(jget "$P" '.pairs[0].offload')" = false ]
check "probe: method host" -- [ "$(jget "$P" '.pairs[0].method')" = host ]
check "probe: 3PC=0 seen on both" -- [ "$(jget "$P" '[.devices[] | select(.tpc == false)] | length')" = 2 ]
check "probe: token refused for no 3PC" -- \
	jq -e '.pairs[0].methods[] | select(.method == "token") | .reason | test("no 3PC")' "$P"
check "probe: xcopy refused for no 3PC" -- \
	jq -e '.pairs[0].methods[] | select(.method == "xcopy") | .reason | test("no 3PC")' "$P"

# copy on /dev/sg, then on /dev/sd: auto falls back to host, data matches, neighbours untouched
for kind in sg sd; do
	gok sd "copy --method auto on /dev/$kind: host copy, data and neighbours checked" <<G
S=\$(${kind}N Linux 0) D=\$(${kind}N Linux 1)
SD=\$(sdN Linux 0) DD=\$(sdN Linux 1)
before=\$(rd \$DD 1999 1 | md5sum); after=\$(rd \$DD 22000 1 | md5sum)
\$VITK -o json odx copy \$S \$D --src-lba 100 --dst-lba 2000 --count 20000 --method auto --verify >/vm/copy-$kind.json
same \$SD 100 \$DD 2000 20000 || { echo "data differs"; exit 1; }
[ "\$before" = "\$(rd \$DD 1999 1 | md5sum)" ] || { echo "block before the range written"; exit 1; }
[ "\$after" = "\$(rd \$DD 22000 1 | md5sum)" ] || { echo "block after the range written"; exit 1; }
G
	J=$W/sd.share/copy-$kind.json
	check "copy on $kind: method host" -- [ "$(jget "$J" .method)" = host ]
	check "copy on $kind: bytes" -- [ "$(jget "$J" .bytes)" = $((20000 * 512)) ]
	check "copy on $kind: both offload methods rejected with a reason" -- \
		[ "$(jget "$J" '[.rejected[] | select(.reason | test("3PC"))] | length')" = 2 ]
	check "copy on $kind: host bytes = 2 x data" -- [ "$(jget "$J" .host_bytes)" = $((2 * 20000 * 512)) ]
	check "copy on $kind: --verify read both ranges back" -- [ "$(jget "$J" .verified)" = true ]
done

gfail sd "copy --method xcopy is refused (no 3PC), destination untouched" <<'G'
D=$(sdN Linux 1); s=$(sum $D)
$VITK odx copy $(sgN Linux 0) $(sgN Linux 1) --count 100 --method xcopy; rc=$?
echo "rc=$rc"
[ "$s" = "$(sum $D)" ] || { echo "DESTINATION CHANGED"; exit 0; }
exit $rc
G
check "xcopy refusal names the reason" -- gout_has '3PC|EXTENDED COPY'
check "xcopy refusal did not touch the destination" -- ! gout_has 'DESTINATION CHANGED'

vm_finish
