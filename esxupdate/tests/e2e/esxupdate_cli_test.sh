#!/bin/bash
# End-to-end: the real vitk binary against generated depots and host captures,
# a temp inventory, golden outputs (table and JSON) and exit codes.
# UPDATE_GOLDEN=1 UPDATE_GOLDEN_DIR=<dir> regenerates the golden files.
set -uo pipefail

: "${TEST_TMPDIR:=$(mktemp -d)}"
RUNFILES=${TEST_SRCDIR:-${RUNFILES_DIR:-$0.runfiles}}
cd "$RUNFILES/${TEST_WORKSPACE:-vitk}" 2>/dev/null || cd "$(dirname "$0")/../../.."
VITK=$PWD/cli/vitk
[ -x "$VITK" ] || { echo "no vitk binary" >&2; exit 1; }
H=esxupdate/tests/fixtures/host
FX=esxupdate/fx
GOLD=esxupdate/tests/e2e/golden
DB=$TEST_TMPDIR/e2e.db
export VITK_NO_PROGRESS=1
failures=0
checks=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

normalise() {
	sed -E -e 's/[0-9a-f]{64}/<SHA256>/g' \
		-e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<UUID>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<TS>/g'
}

# run NAME WANT_EXIT -- args...: stdout vs golden NAME (if NAME != -), exit code
run() {
	local name=$1 want=$2
	shift 3
	"$VITK" --db "$DB" "$@" >"$TEST_TMPDIR/raw" 2>"$TEST_TMPDIR/err"
	local got=$?
	normalise <"$TEST_TMPDIR/raw" >"$TEST_TMPDIR/out"
	checks=$((checks + 1))
	[ "$got" -eq "$want" ] || fail "vitk $*: exit $got, want $want; stderr: $(cat "$TEST_TMPDIR/err")"
	[ "$name" = - ] && return
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$TEST_TMPDIR/out" "$UPDATE_GOLDEN_DIR/$name"
	fi
	diff -u "$GOLD/$name" "$TEST_TMPDIR/out" || fail "vitk $*: output differs from golden $name"
}

# bad NAME WANT_EXIT REGEX -- args...: one stderr line matching REGEX, nothing on stdout
bad() {
	local want=$1 re=$2
	shift 3
	"$VITK" --db "$DB" "$@" >"$TEST_TMPDIR/raw" 2>"$TEST_TMPDIR/err"
	local got=$?
	checks=$((checks + 1))
	[ "$got" -eq "$want" ] || fail "vitk $*: exit $got, want $want"
	[ "$(wc -l <"$TEST_TMPDIR/err")" -eq 1 ] || fail "vitk $*: stderr is not one line: $(cat "$TEST_TMPDIR/err")"
	grep -qE "$re" "$TEST_TMPDIR/err" || fail "vitk $*: stderr '$(cat "$TEST_TMPDIR/err")' does not match '$re'"
	[ -s "$TEST_TMPDIR/raw" ] && fail "vitk $*: printed on stdout"
}

expect_in() { # FILE-IN-TMP REGEX
	checks=$((checks + 1))
	grep -qE "$2" "$TEST_TMPDIR/out" || fail "output lacks /$2/"
}
expect_not_in() {
	checks=$((checks + 1))
	grep -qE "$2" "$TEST_TMPDIR/out" && fail "output has /$2/"
}

HOSTA_ONLY=(--host esx01 --host-vibs $H/hostA-viblist.txt --host-vib-details $H/hostA-vibget.txt
	--host-profile $H/hostA-profile.txt --host-pci $H/hostA-pci.txt)
HOSTA=("${HOSTA_ONLY[@]}" --depot $FX/ESXi550-201403001.zip)
PATCH=/vmfs/volumes/datastore1/patches/ESXi550-201403001.zip
STD=ESXi-5.5.0-20140302001-standard

run depot.out 0 -- esxupdate depot $FX/ESXi550-201403001.zip
run depot.json 0 -- esxupdate depot -o json $FX/ESXi550-201403001.zip
run vib.out 0 -- esxupdate depot --no-store $FX/net-be2net.vib
# the metadata zip member outside the known folders is reported with -v, the listing does not change
"$VITK" --db "$DB" -v esxupdate depot --no-store $FX/ESXi550-201403001.zip >/dev/null 2>"$TEST_TMPDIR/err"
checks=$((checks + 1))
grep -q "metadata zip 'ESXi550-201403001-metadata.zip': unrecognized file 'vendor-index.xml' skipped" "$TEST_TMPDIR/err" ||
	fail "depot -v does not report the unrecognized metadata member: $(cat "$TEST_TMPDIR/err")"
# the shape older fixtures had stays readable: same profiles and VIBs
run legacy_depot.out 0 -- esxupdate depot --no-store $FX/legacy-depot.zip

# the incident: vib install -d downgrades both OEM drivers -> CRITICAL, exit 10
run audit_vib_install.out 10 -- esxupdate audit "${HOSTA[@]}" --command "esxcli software vib install -d $PATCH"
expect_in x 'CRITICAL +driver-downgraded +vmnic0 19a2:0710, vmnic1 19a2:0710 lose their driver: net-be2net 10.0.725.0-1OEM'
expect_in x 'CRITICAL +driver-downgraded +vmhba0 103c:323b loses its driver: scsi-hpsa 5.5.0.84-1OEM'
run audit_vib_install.json 10 -- esxupdate audit -o json "${HOSTA[@]}" --command "esxcli software vib install --depot=$PATCH"

# the same incident through a single VIB file (-v)
run audit_viburl.out 10 -- esxupdate audit --no-store "${HOSTA_ONLY[@]}" --depot $FX/net-be2net.vib \
	--command "esxcli software vib install -v /vmfs/volumes/datastore1/net-be2net.vib"
expect_in x 'CRITICAL +driver-downgraded +vmnic0 19a2:0710, vmnic1 19a2:0710 lose their driver: net-be2net'

# the safe command: both vendor drivers kept, no CRITICAL, exit 0
run audit_profile_update.out 0 -- esxupdate audit "${HOSTA[@]}" --command "esxcli software profile update -d $PATCH -p $STD"
expect_in x 'net-be2net +skipped +10.0.725.0-1OEM'
expect_in x 'scsi-hpsa +skipped +5.5.0.84-1OEM'
expect_not_in x 'CRITICAL'

# profile install without --ok-to-remove: the esxcli error
run audit_profile_install.out 10 -- esxupdate audit "${HOSTA[@]}" --command "esxcli software profile install -d $PATCH --profile=$STD"
expect_in x '\[ProfileVibRemoval\]'

# vib update leaves the patch half applied
run audit_vib_update.out 10 -- esxupdate audit "${HOSTA[@]}" --command "esxcli software vib update -d $PATCH"
expect_in x 'WARNING +half-applied +bulletin ESXi550-201403401-BG'

# replaces-driven removal (host B has the OEM megaraid driver lsi-mr3 replaces)
run audit_replaces.json 10 -- esxupdate audit -o json --host esx02 --host-vibs $H/hostB-viblist.txt \
	--host-vib-details $H/hostB-vibget.txt --depot $FX/ESXi550-201403001.zip \
	--command "esxcli software vib install -d $PATCH -n lsi-mr3"

# acceptance level violation (community VIB on a PartnerSupported host), and the HP OEM profile
run audit_acceptance.out 10 -- esxupdate audit --host esx01 --host-vibs $H/hostA-viblist.xml \
	--host-profile $H/hostA-profile.txt --depot $FX/ghettoVCB-offline-bundle.zip \
	--command "esxcli software vib install -d /vmfs/volumes/datastore1/ghettoVCB-offline-bundle.zip"
run audit_oem.json 10 -- esxupdate audit -o json --no-store --host esx01 --host-vibs $H/hostA-viblist.csv \
	--depot $FX/HP-ESXi-5.5.0-depot.zip --command "esxcli software vib install -d /tmp/HP-ESXi-5.5.0-depot.zip"

# a bundle without profile documents + the operator's `sources profile get` capture
run audit_profile_text.out 0 -- esxupdate audit --no-store "${HOSTA_ONLY[@]}" --depot $FX/bulletin-only.zip \
	--depot-profile $H/sources-profile-get.txt --command "esxcli software profile update -d $PATCH -p ESXi-5.5.0-20140302001-no-tools"

# the host's `sources profile list` names a profile the reader found no document for: a WARNING says so
run - 10 -- esxupdate audit --no-store "${HOSTA_ONLY[@]}" --depot $FX/bulletin-only.zip \
	--depot-profile $H/sources-profile-get.txt --depot-profile-list $H/sources-profile-list.txt \
	--command "esxcli software profile update -d $PATCH -p ESXi-5.5.0-20140302001-no-tools"
expect_in x "WARNING +profile-unread +the host lists image profile 'ESXi-5.5.0-20140302001-standard' in the depot"
expect_not_in x "profile-unread +the host lists image profile 'ESXi-5.5.0-20140302001-no-tools'"

# a depot with bulletins only: no -p is offered; the vib forms are simulated (vib install -n is safe here)
run audit_bulletin_only.out 10 -- esxupdate audit --no-store "${HOSTA_ONLY[@]}" --depot $FX/bulletin-only.zip \
	--command "esxcli software vib install -d /vmfs/volumes/datastore1/bulletin-only.zip"
expect_not_in x ' -p '
expect_in x 'only bulletins, so no .profile update -p. can be recommended'
expect_in x 'esxcli software vib install -d /vmfs/volumes/datastore1/bulletin-only.zip -n '

# -p naming a profile the depot does not carry: esxcli's NoMatchError, a non-zero verdict, the real profile recommended
run audit_no_such_profile.out 10 -- esxupdate audit --no-store "${HOSTA[@]}" --command "esxcli software profile update -d $PATCH -p ESXi-9-nope"
expect_in x "No image profile found with name 'ESXi-9-nope'"
expect_in x 'id = ESXi-9-nope'
expect_in x '^Verdict: review'

# issue 10: untrusted text never reaches the terminal raw.  A command line with a newline or an ESC is
# refused (it would be echoed inside esxcli's line-based output); a host capture's ESC and bidi override
# are shown escaped in the text report
NL_P=$'ESXi-9\nVerdict: safe'
bad 2 'command: a control character .* refused' -- esxupdate audit --no-store "${HOSTA[@]}" --command "esxcli software profile update -d $PATCH -p '$NL_P'"
printf 'x\n   Name: ESXi-5.5.0-\033]0;owned\007\xe2\x80\xaestandard\n   Vendor: VMware, Inc.\n' >"$TEST_TMPDIR/esc-profile.txt"
run - 10 -- esxupdate audit --no-store "${HOSTA_ONLY[@]}" --host-profile "$TEST_TMPDIR/esc-profile.txt" --depot $FX/ESXi550-201403001.zip --command "esxcli software vib install -d $PATCH"
expect_in x 'profile ESXi-5.5.0-\\x1b\]0;owned\\x07\\u202estandard'
checks=$((checks + 1))
LC_ALL=C grep -q $'[\x1b\x07]' "$TEST_TMPDIR/out" && fail "audit text output carries a raw ESC or BEL"
checks=$((checks + 1))
grep -q $'\xe2\x80\xae' "$TEST_TMPDIR/out" && fail "audit text output carries a raw bidi override"

# ESXi 7.0.3 HPE host, 8.0 U2 depots with components (VMware's, and HPE's with its add-on profile)
HPE70=(--no-store --host esx70 --host-vibs $H/hpe703-viblist.txt --host-vib-details $H/hpe703-vibget.txt
	--host-profile $H/hpe703-profile.txt --host-pci $H/hpe703-lspci.txt --host-components $H/hpe703-component-list.txt)
VMW80=VMware-ESXi-8.0U2-22380479-depot.zip
HPE80=HPE-Custom-AddOn_802.0.0.11.5.0-6-depot.zip
# VMware's -standard profile over the HPE host: the vendor NIC driver its inbox qedentv replaces is lost
run audit_70_standard.out 10 -- esxupdate audit "${HPE70[@]}" --depot $FX/$VMW80 \
	--command "esxcli software profile update -d /vmfs/volumes/ds1/$VMW80 -p ESXi-8.0U2-22380479-standard"
expect_in x 'CRITICAL +driver-removed +0000:37:00.0 1077:1634 loses its driver: qedentv-ens'
# issue 11: without the vendor's depot, the plan names the host component to re-apply (tied from the host
# side: MRVL-E4-CNA-Driver-Bundle is the only vendor component no installed VIB is tied to), says what the
# operator must supply and what is not simulated; no command is recommended as proven safe
expect_in x "the host's only vendor component without a known VIB is MRVL-E4-CNA-Driver-Bundle 5.0.402.0-1OEM"
expect_in x "Plan: 'profile update' with profile ESXi-8.0U2-22380479-standard \(simulated: it costs the host the vendor driver\(s\) qedentv-ens\)"
expect_in x "esxcli software component apply -d '<vendor depot>' -n MRVL-E4-CNA-Driver-Bundle --dry-run"
expect_in x 'The second command is not simulated: .* Supply that depot with --vendor-depot ZIP'
expect_not_in x '^Recommended'
# a vendor depot that lacks the component is named as such (here VMware's own depot given as the vendor's)
run - 10 -- esxupdate audit "${HPE70[@]}" --depot $FX/$VMW80 --vendor-depot $FX/$VMW80 \
	--command "esxcli software profile update -d /vmfs/volumes/ds1/$VMW80 -p ESXi-8.0U2-22380479-standard"
expect_in x 'The vendor depot carries no component holding qedentv-ens, so re-applying from it'
expect_not_in x '^Recommended'
# ... and with the vendor's depot at hand, its add-on profile is recommended (simulated safe)
run audit_70_standard_vendor.out 10 -- esxupdate audit "${HPE70[@]}" --depot $FX/$VMW80 --vendor-depot $FX/$HPE80 \
	--command "esxcli software profile update -d /vmfs/volumes/ds1/$VMW80 -p ESXi-8.0U2-22380479-standard"
expect_in x "profile update -d /vmfs/volumes/ds1/$HPE80 -p HPE-Custom-AddOn_802.0.0.11.5.0-6 --dry-run"
# ... and with a vendor's async driver depot (no profile): the VMware profile, then its components re-applied
run audit_70_standard_components.out 10 -- esxupdate audit "${HPE70[@]}" --depot $FX/$VMW80 \
	--vendor-depot $FX/MRVL-E4-CNA-Driver-Bundle-depot.zip \
	--command "esxcli software profile update -d /vmfs/volumes/ds1/$VMW80 -p ESXi-8.0U2-22380479-standard"
expect_in x 'then re-apply the vendor.s components from its depot: esxcli software component apply -d /vmfs/volumes/ds1/MRVL-E4-CNA-Driver-Bundle-depot.zip -n MRVL-E4-CNA-Driver-Bundle --dry-run'
# vib install -d of VMware's depot: the Intel-i40en component is downgraded (named with its component)
run audit_70_vib_install.out 10 -- esxupdate audit "${HPE70[@]}" --depot $FX/$VMW80 \
	--command "esxcli software vib install -d /vmfs/volumes/ds1/$VMW80"
expect_in x 'component Intel-i40en 1.14.1.0-1OEM.700.1.0.15843807 -> Intel-i40en 1.8.1.137-1vmw'
# the vendor depot's own profile: safe
run audit_70_vendor_profile.out 0 -- esxupdate audit "${HPE70[@]}" --depot $FX/$HPE80 \
	--command "esxcli software profile update -d /vmfs/volumes/ds1/$HPE80 -p HPE-Custom-AddOn_802.0.0.11.5.0-6"
expect_not_in x 'CRITICAL|WARNING'
# component apply of one async driver: VMware's older inbox build is refused, HPE's newer one is safe
run audit_70_component_downgrade.out 10 -- esxupdate audit "${HPE70[@]}" --depot $FX/$VMW80 \
	--command "esxcli software component apply -d /vmfs/volumes/ds1/$VMW80 -n Intel-i40en"
expect_in x 'Downgrades of manually added Components Intel-i40en\(1.14.1.0-1OEM.700.1.0.15843807\) are not supported'
run audit_70_component_apply.json 0 -- esxupdate audit -o json "${HPE70[@]}" --depot $FX/$HPE80 \
	--command "esxcli software component apply -d /vmfs/volumes/ds1/$HPE80 -n Intel-i40en"

run depot_80_addon.out 0 -- esxupdate depot --no-store $FX/$HPE80

run compare.out 0 -- esxupdate compare --depot $FX/ESXi550-201403001.zip ESXi-5.5.0-20140301001s-standard $STD
run compare.json 0 -- esxupdate compare -o json --all --depot $FX/ESXi550-201403001.zip $STD ESXi-5.5.0-20140302001-no-tools
run vibs.out 0 -- esxupdate vibs esx02
run history.out 0 -- esxupdate history
run history_findings.json 0 -- esxupdate history -o json --findings --host esx02

# a second snapshot of esx02 with the CSV capture of host A: the diff
run - 0 -- esxupdate audit --host esx02 --host-vibs $H/hostA-viblist.csv --depot $FX/ESXi550-201403001.zip \
	--command "esxcli software profile update -d $PATCH -p $STD"
run vibs_diff.out 0 -- esxupdate vibs --diff esx02
# snapshots without an audit (dated), then the diff of the two latest
run snapshot.out 0 -- esxupdate snapshot esx03 --host-vibs $H/hostB-viblist.txt --host-profile $H/hostA-profile.txt
run - 0 -- esxupdate snapshot esx03 --host-vibs $H/hostA-viblist.xml
run vibs_diff_esx03.json 0 -- esxupdate vibs -o json --diff esx03
run audit_findings.csv 10 -- esxupdate audit -o csv --no-store "${HOSTA[@]}" --command "esxcli software vib install -d $PATCH"
run depot_tampered.csv 0 -- esxupdate depot -o csv --no-store $FX/tampered.zip

# bad input: one clear line naming the file and the part; nothing recorded
"$VITK" --db "$DB" esxupdate history -o json >"$TEST_TMPDIR/before.json"
CMD="esxcli software vib install -d $PATCH"
for f in notzip truncated zipslip zipbomb dtd novendor outside remote-url; do
	case $f in
	notzip) re="'$FX/notzip.zip' is neither an offline bundle" ;;
	truncated) re="'$FX/truncated.zip': truncated zip: end of central directory record not found" ;;
	zipslip) re="entry '../../evil.xml' escapes the archive" ;;
	zipbomb) re="entry 'big.xml' declares 80000000 bytes, over the 67108864 byte limit" ;;
	dtd) re="index.xml: XML declares a DTD" ;;
	novendor) re="index.xml names vendor index 'vendor-index.xml' but the bundle has no such entry" ;;
	outside) re="vendor-index.xml <url> '../metadata.zip' points outside the bundle" ;;
	remote-url) re="<url> 'http://hostupdate.example.com/metadata.zip' points outside the bundle" ;;
	esac
	want=1
	[ $f = novendor ] && want=3
	bad $want "^vitk: esxupdate: cannot read depot: .*$re" -- esxupdate audit "${HOSTA_ONLY[@]}" --depot $FX/$f.zip --command "$CMD"
done
# a profile that names a VIB the depot does not carry: the depot is refused, naming both
bad 1 "^vitk: esxupdate: cannot read depot: 'esxupdate/fx/missing-vib.zip': metadata member 'profiles/ESXi-5.5.0-20140302001-standard-?[0-9]+': VIBs VMware_bootbank_net-bnx2x_1.78.80.v55.3-1vmw.550.0.0.1331820 from image profile 'ESXi-5.5.0-20140302001-standard' cannot be found in metadata$" -- \
	esxupdate depot --no-store $FX/missing-vib.zip
bad 1 "truncated ar archive: member 'net-be2n' declares 67 bytes, only 28 remain" -- esxupdate depot $FX/truncated.vib
bad 1 "shifted-viblist.txt line 7: column 'Name' does not start at offset 0 \(shifted columns\)" -- \
	esxupdate audit --host-vibs $H/shifted-viblist.txt --depot $FX/ESXi550-201403001.zip --command "$CMD"
bad 1 "badversion-viblist.txt line 9: VIB 'net-ixgbe': version: malformed version '3.21..4-1OEM.550.0.0.133182'" -- \
	esxupdate audit --host-vibs $H/badversion-viblist.txt --depot $FX/ESXi550-201403001.zip --command "$CMD"
bad 2 "cannot use --command: command: --ok-to-remove is only valid for 'software profile install'" -- \
	esxupdate audit "${HOSTA[@]}" --command "esxcli software vib install -d $PATCH --ok-to-remove"
bad 2 "audit needs --host-vibs FILE, --depot ZIP and --command" -- esxupdate audit --depot x
"$VITK" --db "$DB" esxupdate history -o json >"$TEST_TMPDIR/after.json"
checks=$((checks + 1))
cmp -s "$TEST_TMPDIR/before.json" "$TEST_TMPDIR/after.json" || fail "a failed audit changed the inventory"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
