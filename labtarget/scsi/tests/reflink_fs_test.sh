#!/usr/bin/env bash
# The copy manager's data path (tests/reflink_test.c) on three filesystems
# made here: ext4 (no reflink: everything is copied), XFS (reflink=1) and
# btrfs (both share extents).  Each is mkfs'd on a sparse file and mounted
# through a loop device in a private mount namespace (unshare -m), so nothing
# stays mounted when the test ends.  Needs root and xfsprogs, btrfs-progs,
# e2fsprogs (tools/packages/reflink.txt).
set -uo pipefail
export PATH="$PATH:/usr/sbin:/sbin" # bazel's strict action env leaves the sbin dirs out
T=${TEST_TMPDIR:-$(mktemp -d)}
BIN=${REFLINK_TEST_BIN:-${TEST_SRCDIR:-$0.runfiles}/vitk/labtarget/scsi/reflink_test}

if [ "${REFLINK_IN_NS:-}" != 1 ]; then
	for tool in mkfs.ext4 mkfs.xfs mkfs.btrfs losetup mount unshare; do
		command -v "$tool" >/dev/null || {
			echo "FAIL: $tool is missing (tools/packages/reflink.txt, tools/setup.sh)" >&2
			exit 1
		}
	done
	[ "$(id -u)" = 0 ] || { echo "FAIL: loop mounts need root" >&2; exit 1; }
	REFLINK_IN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi

fails=0
mkfs_on() { # FS IMAGE
	case $1 in
	ext4) mkfs.ext4 -q -F "$2" ;;
	xfs) mkfs.xfs -q -f -m reflink=1 "$2" ;;
	btrfs) mkfs.btrfs -q -f "$2" ;;
	esac
}
for fs in ext4 xfs btrfs; do
	img=$T/$fs.img
	mnt=$T/mnt-$fs
	expect=clone
	[ "$fs" = ext4 ] && expect=copy
	rm -f "$img"
	truncate -s 512M "$img"
	mkdir -p "$mnt"
	if ! mkfs_on "$fs" "$img" >"$T/mkfs-$fs.log" 2>&1; then
		echo "FAIL: mkfs $fs: $(cat "$T/mkfs-$fs.log")" >&2
		fails=$((fails + 1))
		continue
	fi
	if ! mount -o loop "$img" "$mnt" 2>"$T/mount-$fs.log"; then
		echo "FAIL: cannot loop-mount $fs: $(cat "$T/mount-$fs.log")" >&2
		grep -w "$fs" /proc/filesystems >/dev/null || echo "  (kernel has no $fs)" >&2
		ls /dev/loop-control >/dev/null 2>&1 || echo "  (no /dev/loop-control)" >&2
		fails=$((fails + 1))
		continue
	fi
	if REFLINK_DIR=$mnt REFLINK_EXPECT=$expect "$BIN"; then
		echo "$fs ($expect): passed"
	else
		echo "FAIL: $fs ($expect)" >&2
		fails=$((fails + 1))
	fi
	umount "$mnt"
	rm -f "$img"
done
echo "$((3 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
