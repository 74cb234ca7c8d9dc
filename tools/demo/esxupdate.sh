#!/usr/bin/env bash
# esxupdate demo: audit a bundled sample depot (an ESXi 5.5 patch bundle,
# generated in the real offline-bundle format) against an HP host with OEM
# Emulex/HP drivers: the dangerous `vib install -d`, then the safe
# `profile update`.  Gets $VITK, $DEMO_DIR and $VITK_DB from tools/demo.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${VITK:=$(pwd)/bazel-bin/cli/vitk}"
: "${DEMO_DIR:=$(mktemp -d /tmp/vitk-demo.XXXXXX)}"
bazel build //esxupdate:fixtures >/dev/null 2>&1 || bazel build //esxupdate:fixtures
FX=bazel-bin/esxupdate/fx
H=esxupdate/tests/fixtures/host
cp "$FX/ESXi550-201403001.zip" "$DEMO_DIR/"
DEPOT="$DEMO_DIR/ESXi550-201403001.zip"
HOST=(--host esx01 --host-vibs $H/hostA-viblist.txt --host-vib-details $H/hostA-vibget.txt
	--host-profile $H/hostA-profile.txt --host-pci $H/hostA-pci.txt --depot "$DEPOT")

"$VITK" esxupdate depot "$DEPOT" | sed -n '1,8p'
echo
echo "-- the admin pastes: esxcli software vib install -d /vmfs/volumes/datastore1/ESXi550-201403001.zip"
rc=0
"$VITK" esxupdate audit "${HOST[@]}" \
	--command "esxcli software vib install -d /vmfs/volumes/datastore1/ESXi550-201403001.zip" |
	sed -n '/^Findings:/,$p' || rc=$?
echo "(exit code 10 = the audit found CRITICAL/WARNING findings)"
echo
echo "-- the recommended command"
"$VITK" esxupdate audit "${HOST[@]}" \
	--command "esxcli software profile update -d /vmfs/volumes/datastore1/ESXi550-201403001.zip -p ESXi-5.5.0-20140302001-standard" |
	sed -n '/^Findings:/,$p'
echo
"$VITK" esxupdate history
exit 0
