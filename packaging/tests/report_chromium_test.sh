#!/usr/bin/env bash
# The HTML inventory report in a real browser (Debian's chromium, headless):
#  1. an inventory built by the demo's steps (tools/demo/*.sh: the lab target
#     and a token copy, the SR-IOV sample host with a plan, the ESXi audits);
#     the page's numbers in Chromium's DOM must equal the inventory's own
#     (asked through `vitk inventory sql`, not through the report);
#  2. nothing is loaded from the network: Chromium's net log has no request
#     that the page started (checked to work on a control page that does load);
#  3. a fleet whose first host is named <script>...: no script element in the
#     DOM, the name shown as text;
#  4. 1,000 hosts: rendered, the time measured and printed (not asserted).
# Screenshots and the pages go to $TEST_UNDECLARED_OUTPUTS_DIR (bazel-testlogs/
# packaging/report_chromium_test/test.outputs/).
set -uo pipefail
RUNFILES=${TEST_SRCDIR:-$0.runfiles}/vitk
VITK=$RUNFILES/cli/vitk
FAKE_TREE=$RUNFILES/sriov/fake_tree
GEN_FLEET=$RUNFILES/report/gen_fleet
FX=$RUNFILES/esxupdate/fx
HOSTFX=$RUNFILES/esxupdate/tests/fixtures/host
OUT=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d)}
W=${TEST_TMPDIR:-$(mktemp -d)}/w
mkdir -p "$W" "$OUT"
export HOME=$W VITK_NO_PROGRESS=1
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
fail=0
bad() { echo "FAIL: $*"; fail=1; }

if ! [ -x "$CHROMIUM" ]; then
	echo "FAIL: $CHROMIUM missing (tools/packages/pkg.txt: chromium; run tools/setup.sh)"
	exit 1
fi

# chromium URL OUT_BASE [extra flags]: DOM to OUT_BASE.dom, net log to OUT_BASE.net.json
browse() {
	local url=$1 base=$2
	shift 2
	rm -rf "$W/profile" && mkdir -p "$W/profile"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$W/profile" --log-net-log="$base.net.json" "$@" "$url" 2>"$base.stderr"
}

# the page's own requests in a net log (the browser's background requests have no page initiator)
page_requests() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
types = {v: k for k, v in d["constants"]["logEventTypes"].items()}
for e in d.get("events", []):
    p = e.get("params", {})
    if types.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p and p.get("initiator") != "not an origin":
        if not p.get("url", "").startswith(("file:", "data:")):
            print(p.get("url"))
PY
}

sql() { "$VITK" -q -o csv --db "$1" inventory sql "$2" | tail -n 1 | tr -d '\r'; }

# the data-value of element ID in a dumped DOM
dom_value() { grep -oE "id=\"$2\" data-value=\"-?[0-9]+\"" "$1" | grep -oE '[0-9-]+"$' | tr -d '"'; }

# ---- 1. an inventory built by the demo's steps
DB=$W/demo.db
export VITK_DB=$DB
"$VITK" inventory init >/dev/null || bad "inventory init"
PORT=13281
IQN=iqn.2026-01.lab.vitk:demo
U="iscsi://127.0.0.1:$PORT/$IQN"
head -c $((4 * 1048576)) /dev/urandom >"$W/lun0.img"
truncate -s 8M "$W/lun0.img"
"$VITK" odx serve --portal "127.0.0.1:$PORT" --iqn "$IQN" --lun "0=$W/lun0.img,size=8M" \
	--lun "1=$W/lun1.img,size=8M" 2>"$W/serve.log" &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null' EXIT
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
"$VITK" odx probe "$U/0" "$U/1" >/dev/null || bad "odx probe"
"$VITK" odx copy "$U/0" "$U/1" --count 8192 --method token --verify >/dev/null || bad "odx copy"
kill $SRV 2>/dev/null
wait $SRV 2>/dev/null

"$FAKE_TREE" "$W/sys" sample >/dev/null || bad "fake_tree"
export VITK_SYSFS_ROOT=$W/sys
"$VITK" sriov list >/dev/null 2>&1 || bad "sriov list"
"$VITK" sriov list --vfs >/dev/null 2>&1 || bad "sriov list --vfs"
"$VITK" sriov plan --vm vm1 --count 2 --vlan 42 >/dev/null 2>&1 || bad "sriov plan"
"$VITK" sriov esxi --host-json "$RUNFILES/sriov/tests/data/esxi/host.json" >/dev/null 2>&1 ||
	bad "sriov esxi"
unset VITK_SYSFS_ROOT

HOSTARGS=(--host esx01 --host-vibs "$HOSTFX/hostA-viblist.txt" --host-vib-details "$HOSTFX/hostA-vibget.txt"
	--host-profile "$HOSTFX/hostA-profile.txt" --host-pci "$HOSTFX/hostA-pci.txt"
	--depot "$FX/ESXi550-201403001.zip")
"$VITK" esxupdate audit "${HOSTARGS[@]}" \
	--command "esxcli software vib install -d /vmfs/volumes/datastore1/ESXi550-201403001.zip" >/dev/null
[ $? -eq 10 ] || bad "the vib install audit should find CRITICAL findings (exit 10)"
"$VITK" esxupdate audit "${HOSTARGS[@]}" \
	--command "esxcli software profile update -d /vmfs/volumes/datastore1/ESXi550-201403001.zip -p ESXi-5.5.0-20140302001-standard" \
	>/dev/null || bad "the profile update audit"

"$VITK" inventory html "$OUT/demo-report.html" || bad "inventory html"
# the verb: stdout with -; a missing directory is exit 1 with a diagnostic
[ "$("$VITK" inventory html - | head -c 15)" = "<!DOCTYPE html>" ] || bad "inventory html -"
"$VITK" inventory html "$W/missing/x.html" 2>"$W/missing.err"
[ $? -eq 1 ] || bad "inventory html into a missing directory: not exit 1"
grep -q "cannot write '$W/missing/x.html'" "$W/missing.err" || bad "no diagnostic: $(cat "$W/missing.err")"
browse "file://$OUT/demo-report.html" "$W/demo" --dump-dom >"$OUT/demo-report.dom.html"
browse "file://$OUT/demo-report.html" "$W/shot" --window-size=1200,2600 \
	--screenshot="$OUT/demo-report.png" >/dev/null
[ -s "$OUT/demo-report.png" ] || bad "no screenshot"
# the print stylesheet: the page prints (kept as an artifact too)
browse "file://$OUT/demo-report.html" "$W/pdf" --print-to-pdf="$OUT/demo-report.pdf" >/dev/null
head -c 5 "$OUT/demo-report.pdf" 2>/dev/null | grep -q '%PDF-' || bad "no PDF from print-to-pdf"
DOM=$OUT/demo-report.dom.html
grep -q '<h2 id="h-sriov">' "$DOM" || bad "the DOM has no SR-IOV section (chromium: $(tail -3 "$W/demo.stderr"))"

check() { # id expected
	local got
	got=$(dom_value "$DOM" "$1")
	if [ "$got" != "$2" ]; then bad "$1: the page shows '$got', the inventory has '$2'"; else echo "ok $1 = $2"; fi
}
check sum-hosts "$(sql "$DB" 'SELECT count(*) FROM hosts')"
check sum-pfs "$(sql "$DB" 'SELECT count(*) FROM sriov_pf')"
check sum-vfs "$(sql "$DB" 'SELECT sum(num_vfs) FROM sriov_pf')"
check sum-vfs-used "$(sql "$DB" 'SELECT count(DISTINCT vf) FROM (SELECT vf FROM sriov_reservation UNION SELECT vf FROM sriov_assignment)')"
check sum-jobs "$(sql "$DB" 'SELECT count(*) FROM odx_job')"
check sum-bytes "$(sql "$DB" 'SELECT sum(bytes) FROM odx_job')"
check sum-avoided "$(sql "$DB" 'SELECT sum(2 * bytes - host_bytes) FROM odx_job')"
check sum-luns "$(sql "$DB" 'SELECT count(*) FROM odx_lun')"
check sum-audits "$(sql "$DB" 'SELECT count(*) FROM esxupdate_audit')"
check sum-unsafe "$(sql "$DB" "SELECT count(*) FROM esxupdate_audit WHERE verdict = 'unsafe'")"
[ "$(dom_value "$DOM" sum-jobs)" = 1 ] || bad "the demo's steps make one copy job"
[ "$(dom_value "$DOM" sum-bytes)" = 4194304 ] || bad "the demo's copy is 4 MiB"
# the visible text too, not only the attributes
grep -q 'data-value="4194304">4.0 MiB<' "$DOM" || bad "4.0 MiB not shown"
ncrit=$(sql "$DB" "SELECT count(*) FROM esxupdate_finding WHERE severity = 'CRITICAL'")
[ "$(grep -c '<td class="CRITICAL">CRITICAL</td>' "$DOM")" = "$ncrit" ] || bad "CRITICAL finding rows != $ncrit"
[ "$(grep -c '<svg class="chart"' "$DOM")" -ge 5 ] || bad "fewer than 5 charts"
[ "$(grep -c '<svg class="chart"' "$DOM")" = "$(grep -c '<table>' "$DOM")" ] ||
	echo "note: $(grep -c '<svg class="chart"' "$DOM") charts, $(grep -c '<table>' "$DOM") tables"

# ---- 2. no network
reqs=$(page_requests "$W/demo.net.json")
[ -z "$reqs" ] || bad "the page made requests: $reqs"
printf '<html><body><img src="http://192.0.2.1/x.png"></body></html>' >"$W/control.html"
browse "file://$W/control.html" "$W/control" --dump-dom >/dev/null
page_requests "$W/control.net.json" | grep -q '^http://192.0.2.1/x.png' ||
	bad "the net-log check does not see a control page's request"

# ---- 3 and 4. a fleet of 1,000 hosts, the first named <script>...
"$GEN_FLEET" "$W/fleet.db" 1000 || bad "gen_fleet"
"$VITK" --db "$W/fleet.db" inventory html "$OUT/fleet-report.html" || bad "inventory html (fleet)"
printf '<!DOCTYPE html><html><body><p>empty</p></body></html>' >"$W/empty.html"
t0=$(date +%s%N)
browse "file://$W/empty.html" "$W/empty" --dump-dom >/dev/null
t1=$(date +%s%N)
browse "file://$OUT/fleet-report.html" "$W/fleet" --dump-dom >"$OUT/fleet-report.dom.html"
t2=$(date +%s%N)
browse "file://$OUT/fleet-report.html" "$W/fleetshot" --window-size=1200,1600 \
	--screenshot="$OUT/fleet-report.png" >/dev/null
FD=$OUT/fleet-report.dom.html
[ "$(dom_value "$FD" sum-hosts)" = 1000 ] || bad "fleet: hosts '$(dom_value "$FD" sum-hosts)'"
grep -qi '<script' "$FD" && bad "fleet: a <script> element reached the DOM"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;&amp;co' "$FD" || bad "fleet: the host name is not shown as text"
[ -z "$(page_requests "$W/fleet.net.json")" ] || bad "fleet: the page made requests"
size=$(stat -c %s "$OUT/fleet-report.html")
ms_empty=$(((t1 - t0) / 1000000))
ms_fleet=$(((t2 - t1) / 1000000))
echo "timing (measured, not asserted): 1,000-host page of $size bytes: chromium --dump-dom ${ms_fleet} ms," \
	"an empty page ${ms_empty} ms: the page costs about $((ms_fleet - ms_empty)) ms" | tee "$OUT/timing.txt"

exit $fail
