#!/usr/bin/env bash
# Credentials never leak (issue 10): a CHAP secret given in an iscsi:// URL is
# in no byte of the inventory (database, WAL), its export, or any verb's
# table, JSON or CSV output and diagnostics; --resume takes the secret from
# LIBISCSI_CHAP_PASSWORD or a --chap-secret-file only its owner can read; the
# database is created 0600; the initiator name comes from the host.
ROOT=${TEST_SRCDIR:-$0.runfiles}/vitk
source "$ROOT/odx/tests/e2e/lib.sh"
PORT=13270
IQN=iqn.2026-01.lab.vitk:secrets
SECRET=Zq8-s3cr3t-never-shown
U=iscsi://odxuser%$SECRET@127.0.0.1:$PORT/$IQN
UN=iscsi://odxuser@127.0.0.1:$PORT/$IQN # as shown

random_file "$W/a.img" 8
"$VITK" odx serve --portal 127.0.0.1:$PORT --iqn $IQN --lun "0=$W/a.img,size=8M" \
	--lun "1=$W/b.img,size=8M" --chap "odxuser:$SECRET" 2>"$W/serve.log" &
PIDS+=($!)
wait_port $PORT || { cat "$W/serve.log"; exit 1; }
OUT=$W/out
mkdir -p "$OUT"

# run NAME ARGS...: every output format of one verb, into $OUT/NAME.*
run() {
	local name=$1 fmt
	shift
	for fmt in table json csv; do
		V -v -o $fmt "$@" >"$OUT/$name.$fmt" 2>"$OUT/$name.$fmt.err" ||
			fail "$name -o $fmt: $(cat "$OUT/$name.$fmt.err")"
	done
}

# --- every verb with the secret in the URL
run probe odx probe $U/0 $U/1
run copy odx copy $U/0 $U/1 --count 2048
run zero odx zero $U/1 --lba 100 --count 10
V -v odx token create $U/0 "$W/t.rod" --count 64 >"$OUT/tc.table" 2>"$OUT/tc.err" ||
	fail "token create: $(cat "$OUT/tc.err")"
for fmt in json csv; do
	V -o $fmt odx token create $U/0 "$W/t.rod.$fmt" --count 64 >"$OUT/tc.$fmt" 2>&1 ||
		fail "token create -o $fmt: $(cat "$OUT/tc.$fmt")"
done
run twrite odx token write "$W/t.rod" $U/1 --lba 4000
run jobs odx jobs
JOB=$(V -o json odx jobs | jq -r '.[0].job')
run job odx jobs "$JOB"
check "the job's src is shown without the secret" -- \
	[ "$(V -o json odx jobs "$JOB" | jq -r .src)" = "$UN/0" ]
check "the LUN row is named without the secret" -- \
	[ "$(V -o json inventory report odx_lun | jq -r '.[0].name' | grep -c "^$UN/")" = 1 ]
# a failed open names the device without the secret
V odx probe "iscsi://odxuser%$SECRET@127.0.0.1:$PORT/$IQN/7" >"$OUT/bad.out" 2>"$OUT/bad.err" &&
	fail "probe of a missing LUN succeeded"
grep -q "odxuser@127.0.0.1" "$OUT/bad.err" && ok || fail "no device in: $(cat "$OUT/bad.err")"
V inventory export "$OUT/export.json" 2>"$OUT/export.err" || fail "export: $(cat "$OUT/export.err")"

# the secret: in no output, no diagnostic, no database byte (WAL included), no export
for f in "$OUT"/* "$DB" "$DB-wal"; do
	[ -e "$f" ] || continue
	if grep -a -q -- "$SECRET" "$f"; then fail "the secret is in $f"; else ok; fi
done
check "the outputs are not empty" -- [ "$(cat "$OUT"/*.json | wc -c)" -gt 2000 ]
check "the database is 0600" -- [ "$(stat -c %a "$DB")" = 600 ]

# --- --resume: the secret from the environment or a file, never from the row
cp "$W/a.img" "$W/a.keep"
V -o json odx copy $U/0 $U/1 --count 4096 --dst-lba 8192 --method host >/dev/null 2>&1 || fail "copy 2"
JOB2=$(V -o json odx jobs | jq -r '[.[] | select(.dst_lba == 8192)][0].job')
# make it resumable: the row says failed half way
sqlite3 "$DB" "UPDATE odx_job SET result = 'failed', blocks_done = 100 WHERE uuid = '$JOB2'"
V odx copy --resume "$JOB2" >"$OUT/r0.out" 2>"$OUT/r0.err" && fail "resume without a secret succeeded"
grep -q "CHAP user 'odxuser' has no secret" "$OUT/r0.err" && ok || fail "resume without a secret: $(cat "$OUT/r0.err")"
printf '%s\n' "$SECRET" >"$W/secret"
chmod 644 "$W/secret"
V odx copy --resume "$JOB2" --chap-secret-file "$W/secret" >"$OUT/r1.out" 2>"$OUT/r1.err"
check "a group/world-readable secret file is refused (usage)" -- [ $? = 2 ]
grep -q "chmod 600" "$OUT/r1.err" && ok || fail "mode message: $(cat "$OUT/r1.err")"
chmod 600 "$W/secret"
V -o json odx copy --resume "$JOB2" --chap-secret-file "$W/secret" >"$OUT/r2.json" 2>"$OUT/r2.err" &&
	ok || fail "resume with --chap-secret-file: $(cat "$OUT/r2.err")"
sqlite3 "$DB" "UPDATE odx_job SET result = 'failed', blocks_done = 100 WHERE uuid = '$JOB2'"
LIBISCSI_CHAP_PASSWORD=$SECRET V -o json odx copy --resume "$JOB2" >"$OUT/r3.json" 2>"$OUT/r3.err" &&
	ok || fail "resume with LIBISCSI_CHAP_PASSWORD: $(cat "$OUT/r3.err")"
check "resumed data" -- same_blocks "$W/a.img" 0 "$W/b.img" 8192 4096
for f in "$OUT"/r* "$DB" "$DB-wal"; do
	[ -e "$f" ] || continue
	if grep -a -q -- "$SECRET" "$f"; then fail "the secret is in $f"; else ok; fi
done

# --- a database or export from an older vitk that stored a secret
OLD=oldsecret-5t0red
sqlite3 "$DB" "UPDATE odx_job SET src = 'iscsi://odxuser%$OLD@127.0.0.1:$PORT/$IQN/0' WHERE uuid = '$JOB2'"
V inventory export "$OUT/old1.json" 2>"$OUT/old1.err"
check "a read-only export of a database holding a secret is refused (exit 5)" -- [ $? = 5 ]
grep -q "holds an iSCSI secret written by an older vitk" "$OUT/old1.err" && ok || fail "old db: $(cat "$OUT/old1.err")"
V odx jobs >/dev/null 2>&1 || fail "jobs on the old database"
V inventory export "$OUT/old2.json" 2>"$OUT/old2.err" && ok || fail "export after the scrub: $(cat "$OUT/old2.err")"
check "the scrubbed src" -- [ "$(V -o json odx jobs "$JOB2" | jq -r .src)" = "$UN/0" ]
sed "s|odxuser@127|odxuser%$OLD@127|g" "$OUT/old2.json" >"$W/old-export.json"
grep -q "$OLD" "$W/old-export.json" && ok || fail "the old export has no secret to test with"
"$VITK" --db "$W/fresh.db" inventory import "$W/old-export.json" >/dev/null 2>"$OUT/old3.err" ||
	fail "import: $(cat "$OUT/old3.err")"
"$VITK" --db "$W/fresh.db" inventory export "$OUT/old4.json" 2>"$OUT/old4.err" && ok ||
	fail "export after import: $(cat "$OUT/old4.err")"
for f in "$OUT"/old* "$DB" "$DB-wal" "$W/fresh.db" "$W/fresh.db-wal"; do
	[ -e "$f" ] || continue
	if grep -a -q -- "$OLD" "$f"; then fail "the old secret is in $f"; else ok; fi
done

# --- mutual CHAP: asked for without a secret is a usage error; a target that
# cannot prove itself fails the login
V odx probe --target-chap-user tgt $U/0 >/dev/null 2>"$OUT/m1.err"
check "--target-chap-user without a secret: usage" -- [ $? = 2 ]
LIBISCSI_CHAP_TARGET_PASSWORD=t-secret V odx probe --target-chap-user tgt $U/0 >/dev/null 2>"$OUT/m2.err" &&
	fail "a target that does not prove itself was accepted"
grep -q "cannot log in" "$OUT/m2.err" && ok || fail "mutual: $(cat "$OUT/m2.err")"

# --- mutual CHAP against a target that proves itself (secrets from files only)
PORT2=13273
printf 'alice:init-secret-9\n' >"$W/chap2"
printf 'the-target:target-secret-9\n' >"$W/mutual2"
printf 'target-secret-9\n' >"$W/tsecret"
printf 'not-the-secret\n' >"$W/tbad"
printf 'init-secret-9\n' >"$W/isecret"
chmod 600 "$W/chap2" "$W/mutual2" "$W/tsecret" "$W/tbad" "$W/isecret"
"$VITK" odx serve --portal 127.0.0.1:$PORT2 --iqn $IQN --lun "0=$W/a.img,size=8M" \
	--chap-file "$W/chap2" --chap-mutual-file "$W/mutual2" 2>"$W/serve2.log" &
PIDS+=($!)
wait_port $PORT2 || { cat "$W/serve2.log"; exit 1; }
M=iscsi://alice@127.0.0.1:$PORT2/$IQN/0
V -o json odx probe --chap-secret-file "$W/isecret" --target-chap-user the-target \
	--target-chap-secret-file "$W/tsecret" $M >"$OUT/m3.json" 2>"$OUT/m3.err" &&
	ok || fail "mutual CHAP: $(cat "$OUT/m3.err")"
V odx probe --chap-secret-file "$W/isecret" --target-chap-user the-target \
	--target-chap-secret-file "$W/tbad" $M >/dev/null 2>"$OUT/m4.err" &&
	fail "the initiator accepted a target that did not know the secret"
grep -q "cannot log in" "$OUT/m4.err" && ok || fail "mutual, wrong secret: $(cat "$OUT/m4.err")"
LIBISCSI_CHAP_PASSWORD=init-secret-9 LIBISCSI_CHAP_TARGET_PASSWORD=target-secret-9 \
	V odx probe --target-chap-user the-target $M >/dev/null 2>"$OUT/m5.err" &&
	ok || fail "mutual CHAP from the environment: $(cat "$OUT/m5.err")"
for f in "$OUT"/m* "$DB" "$DB-wal"; do
	for sec in init-secret-9 target-secret-9; do
		if grep -a -q -- "$sec" "$f"; then fail "$sec is in $f"; else ok; fi
	done
done

# --- the initiator name: open-iscsi's file, else machine-id; --initiator-name wins
E=$W/etc
mkdir -p "$E/iscsi"
printf '0123456789abcdef0123456789abcdef\n' >"$E/machine-id"
VITK_ETC_ROOT=$E V -v odx probe $U/0 >/dev/null 2>&1 || fail "probe with a machine-id name"
grep -q "iqn.2026-01.org.vitk:0123456789abcdef0123456789abcdef" "$W/serve.log" && ok ||
	fail "machine-id name not seen by the target: $(tail -3 "$W/serve.log")"
printf '# comment\nInitiatorName=iqn.1993-08.org.debian:01:e2etest\n' >"$E/iscsi/initiatorname.iscsi"
VITK_ETC_ROOT=$E V odx probe $U/0 >/dev/null 2>&1 || fail "probe with open-iscsi's name"
grep -q "iqn.1993-08.org.debian:01:e2etest" "$W/serve.log" && ok ||
	fail "open-iscsi name not seen by the target: $(tail -3 "$W/serve.log")"
finish
