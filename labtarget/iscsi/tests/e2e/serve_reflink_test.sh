#!/usr/bin/env bash
# 1 GiB token copy and EXTENDED COPY through `vitk odx serve` and `vitk odx
# copy` on XFS and btrfs filesystems made here (loop devices, private mount
# namespace): the copies are byte-exact (cmp), --stats shows every byte
# cloned and none copied, and the filesystem's used space grows by metadata
# only (df).  Then one copy across the two filesystems, where FICLONERANGE
# fails with EXDEV and the copy manager copies instead.  Port 13289.
export PATH="$PATH:/usr/sbin:/sbin" # bazel's strict action env leaves the sbin dirs out
if [ "${REFLINK_IN_NS:-}" != 1 ]; then
	for tool in mkfs.xfs mkfs.btrfs losetup mount unshare; do
		command -v "$tool" >/dev/null || {
			echo "FAIL: $tool is missing (tools/packages/reflink.txt, tools/setup.sh)" >&2
			exit 1
		}
	done
	REFLINK_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/iscsi/tests/e2e/serve_lib.sh"

GIB=1073741824
PORT=13289
U=iscsi://127.0.0.1:$PORT/$IQN
export VITK_NO_PROGRESS=1
trap 'cleanup; umount "$T"/mnt-* 2>/dev/null' EXIT

# used bytes of the filesystem at $1, everything written back first
used() { sync -f "$1/."; df -B1 --output=used "$1" | tail -1 | tr -d ' '; }

# sum of a --stats column over the LUNs
col() { python3 -c 'import json,sys; print(sum(r[sys.argv[2]] for r in json.load(open(sys.argv[1]))))' "$1" "$2"; }

mount_fs() { # FS -> mount point on stdout
	local img=$T/$1.img mnt=$T/mnt-$1
	truncate -s 4G "$img"
	case $1 in
	xfs) mkfs.xfs -q -f -m reflink=1 "$img" ;;
	btrfs) mkfs.btrfs -q -f "$img" ;;
	esac >"$T/mkfs-$1.log" 2>&1 || { fail "mkfs $1: $(cat "$T/mkfs-$1.log")"; return 1; }
	mkdir -p "$mnt"
	mount -o loop "$img" "$mnt" 2>"$T/mount-$1.log" || {
		fail "loop-mount $1: $(cat "$T/mount-$1.log")"
		return 1
	}
	echo "$mnt"
}

head -c $GIB /dev/urandom >"$T/data.img" || fail "no random data"
for fs in xfs btrfs; do
	M=$(mount_fs $fs) || continue
	cp "$T/data.img" "$M/src.img"
	before=$(used "$M")
	start_serve $fs $PORT -o json --stats --lun "0=$M/src.img" --lun "1=$M/tok.img,size=1G" \
		--lun "2=$M/xc.img,size=1G" || continue
	"$VITK" --db "$T/vitk.db" -o json odx copy "$U/0" "$U/1" --method token >"$T/$fs-token.json" \
		2>"$T/$fs-token.err" && ok || fail "$fs token copy: $(cat "$T/$fs-token.err")"
	"$VITK" --db "$T/vitk.db" -o json odx copy "$U/0" "$U/2" --method xcopy >"$T/$fs-xcopy.json" \
		2>"$T/$fs-xcopy.err" && ok || fail "$fs xcopy: $(cat "$T/$fs-xcopy.err")"
	stop_serve $fs || fail "$fs: serve exited non-zero"
	cmp "$T/data.img" "$M/tok.img" && ok || fail "$fs token copy: data differs"
	cmp "$T/data.img" "$M/xc.img" && ok || fail "$fs xcopy: data differs"
	# destinations: 2 GiB cloned; the token's snapshot of its source: 1 GiB more
	s=$T/$fs.out
	[ "$(col "$s" bytes_copied_internal)" = $((2 * GIB)) ] && ok || fail "$fs: moved $(col "$s" bytes_copied_internal)"
	[ "$(col "$s" bytes_token_snapshot)" = $GIB ] && ok || fail "$fs: snapshot $(col "$s" bytes_token_snapshot)"
	[ "$(col "$s" bytes_cloned)" = $((3 * GIB)) ] && ok || fail "$fs: cloned $(col "$s" bytes_cloned)"
	[ "$(col "$s" bytes_copied)" = 0 ] && ok || fail "$fs: copied $(col "$s" bytes_copied)"
	grown=$(($(used "$M") - before))
	echo "$fs: used space grew by $grown bytes for 2 GiB of copies"
	[ "$grown" -lt $((64 << 20)) ] && ok || fail "$fs: used space grew by $grown bytes"
done

# across filesystems: EXDEV, so the data is copied, and still exact
if [ -f "$T/mnt-xfs/src.img" ] && [ -d "$T/mnt-btrfs" ]; then
	start_serve cross $PORT -o json --stats --lun "0=$T/mnt-xfs/src.img,tokens=revoke" \
		--lun "1=$T/mnt-btrfs/cross.img,size=1G" || finish
	"$VITK" --db "$T/vitk.db" -o json odx copy "$U/0" "$U/1" --method xcopy --count 131072 \
		>/dev/null 2>"$T/cross.err" && ok || fail "cross-fs xcopy: $(cat "$T/cross.err")"
	stop_serve cross || fail "cross: serve exited non-zero"
	cmp -n $((64 << 20)) "$T/data.img" "$T/mnt-btrfs/cross.img" && ok || fail "cross-fs: data differs"
	[ "$(col "$T/cross.out" bytes_cloned)" = 0 ] && ok || fail "cross-fs: cloned $(col "$T/cross.out" bytes_cloned)"
	[ "$(col "$T/cross.out" bytes_copied)" = $((64 << 20)) ] && ok || fail "cross-fs: copied $(col "$T/cross.out" bytes_copied)"
fi
finish
