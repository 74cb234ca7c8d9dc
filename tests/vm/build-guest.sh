#!/usr/bin/env bash
# Build (or find in the cache) the test tier's guest from Debian packages only:
#   - Debian's own kernel package, extracted with dpkg-deb -x (never installed);
#     the uncompressed vmlinux is cut out of the bzImage's xz payload so QEMU
#     can boot it through its PVH entry (no in-guest decompressor under TCG);
#   - a debootstrap minbase bookworm userland with tests/vm/guest-packages.txt
#     and the kernel modules the scenarios load, as an ext4 image (mke2fs -d);
#   - a tiny busybox-static initramfs that loads virtio_blk + ext4 and
#     switch_roots into the image, whose PID 1 is tests/vm/guest/init.sh.
# Prints the cache directory on stdout.  The directory is
# $VITK_VM_CACHE/<key> (default /var/cache/vitk-vm), where the key hashes the
# kernel and guest package versions, the package list and this harness's guest
# files, so a change to any of them builds a new guest.
# Needs root (debootstrap chroot) and the Debian mirror for a cold build.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
cache=${VITK_VM_CACHE:-/var/cache/vitk-vm}
suite=bookworm

die() { echo "build-guest: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap chroot, mke2fs of a root-owned tree)"
for t in debootstrap dpkg-deb apt-get mke2fs cpio xz readelf depmod modprobe; do
	command -v $t >/dev/null || die "missing host tool '$t' (tools/setup.sh installs it)"
done
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" ||
	die "busybox-static is not installed (tools/setup.sh)"

# plus $VM_EXTRA_PKGS: run.sh adds the packages that own the libraries the vitk
# binaries under test load (ldd + dpkg -S), so a new library dependency of
# vitk reaches the guest without anyone editing the list
mapfile -t pkgs < <({ sed 's/#.*//' "$here/guest-packages.txt"; echo "${VM_EXTRA_PKGS:-}"; } |
	tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || die "cannot resolve linux-image-amd64 (run apt-get update; a cold build needs the Debian mirror)"
# versions apt would install now: the key changes when any of them does
versions=$(apt-cache policy "$kpkg" "${pkgs[@]}" | awk '/^[^ ]/ { p = $1 } /Candidate:/ { print p, $2 }')
if printf '%s\n' "$versions" | grep -q '(none)'; then
	die "a guest package has no candidate: $(printf '%s\n' "$versions" | grep '(none)' | tr '\n' ' ')"
fi
key=$( {
	echo "$suite $kpkg"
	printf '%s\n' "$versions"
	printf '%s\n' "${pkgs[@]}"
	cat "$here/build-guest.sh" "$here"/guest/*
} | sha256sum | cut -c1-16)
out=$cache/$key
if [ -e "$out/ready" ]; then
	echo "$out"
	exit 0
fi

mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk -v s=$suite '$2 == s { print $1; exit }')
[ -n "$mirror" ] || die "no '$suite' apt source configured on the host"
mkdir -p "$cache"
# one builder at a time; a run that waited finds the guest ready
exec 9>"$cache/.lock"
flock 9
if [ -e "$out/ready" ]; then
	echo "$out"
	exit 0
fi
tmp=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)
echo "build-guest: cold build of $key ($kpkg) from $mirror" >&2

# --- kernel
(cd "$tmp" && apt-get download -q "$kpkg" >/dev/null 2>&1) || die "apt-get download $kpkg failed"
dpkg-deb -x "$tmp"/"$kpkg"_*.deb "$tmp/k"
kver=${kpkg#linux-image-}
bz=$tmp/k/boot/vmlinuz-$kver
[ -f "$bz" ] || die "no /boot/vmlinuz-$kver in $kpkg"
off=$(grep -obUaP '\xfd7zXZ\x00' "$bz" | head -1 | cut -d: -f1)
[ -n "$off" ] || die "no xz payload in $bz"
tail -c +$((off + 1)) "$bz" | xz -dc --single-stream >"$tmp/vmlinux" 2>/dev/null || true
readelf -n "$tmp/vmlinux" 2>/dev/null | grep -q 'Xen' ||
	die "extracted vmlinux has no Xen/PVH ELF note: QEMU cannot boot it directly"

# --- userland
incl=$(IFS=,; echo "${pkgs[*]}")
debootstrap --variant=minbase --include="$incl" $suite "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 ||
	{ tail -30 "$tmp/debootstrap.log" >&2; die "debootstrap failed"; }

# --- modules: the closure of what the scenarios load, nothing else
want="virtio_pci virtio_blk virtio_net ext4 9p 9pnet_virtio scsi_debug sg sd_mod target_core_mod
 target_core_file target_core_iblock iscsi_target_mod tcm_loop iscsi_tcp nvme igb igbvf vfio-pci
 vfio_iommu_type1 loop crc32c_generic dm_mod
 dm_thin_pool dm_crypt xts aes_generic raid1 md_mod
 dm_multipath dm_round_robin dm_service_time scsi_dh_alua"
depmod -b "$tmp/k" "$kver"
mods() { for m in "$@"; do modprobe -d "$tmp/k" -S "$kver" --show-depends "$m"; done | awk '$1 == "insmod" { print $2 }'; }
mdst=$tmp/root/lib/modules/$kver
mkdir -p "$mdst"
cp "$tmp/k/lib/modules/$kver"/modules.builtin* "$tmp/k/lib/modules/$kver/modules.order" "$mdst/"
for f in $(mods $want | sort -u); do
	rel=${f#"$tmp/k/lib/modules/$kver/"}
	mkdir -p "$mdst/$(dirname "$rel")"
	cp "$f" "$mdst/$rel"
done
depmod -b "$tmp/root" "$kver"

# --- guest files
install -m 755 "$here/guest/init.sh" "$tmp/root/sbin/vitk-init"
echo vitk-guest >"$tmp/root/etc/hostname"
printf '127.0.0.1 localhost vitk-guest\n' >"$tmp/root/etc/hosts"
rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/usr/share/doc" "$tmp/root/usr/share/man" \
	"$tmp/root/usr/share/locale" "$tmp/root/var/lib/apt/lists/"*
size=$(du -sm "$tmp/root" | cut -f1)
# headroom for the scenarios' backing files (LIO fileio, test data)
mke2fs -q -t ext4 -L vitkroot -d "$tmp/root" "$tmp/rootfs.img" $((size + 768))M >&2 ||
	die "mke2fs -d failed"

# --- initramfs: busybox-static, the modules for virtio_blk + ext4, an /init
ir=$tmp/initramfs
mkdir -p "$ir/bin" "$ir/lib/modules" "$ir/dev" "$ir/proc" "$ir/sys" "$ir/newroot"
cp /bin/busybox "$ir/bin/busybox"
for a in sh mount umount insmod switch_root mkdir sleep cat echo; do ln -s busybox "$ir/bin/$a"; done
: >"$ir/modules.list"
for f in $(mods virtio_pci virtio_blk ext4 crc32c_generic); do
	b=$(basename "$f")
	grep -qx "$b" "$ir/modules.list" && continue
	cp "$f" "$ir/lib/modules/$b"
	echo "$b" >>"$ir/modules.list"
done
install -m 755 "$here/guest/initramfs-init.sh" "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd.gz"

# --- publish
mkdir -p "$tmp/out"
mv "$tmp/vmlinux" "$tmp/rootfs.img" "$tmp/initrd.gz" "$tmp/out/"
{
	echo "key=$key"
	echo "kernel=$kpkg"
	echo "kver=$kver"
	printf '%s\n' "$versions" | sed 's/^/pkg /'
} >"$tmp/out/manifest"
rm -rf "$out"
mv "$tmp/out" "$out"
touch "$out/ready"
# older guests are dead weight now (left alone for a day: a run may still use one)
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$key" ! -name '.build.*' -mmin +1440 \
	-exec rm -rf {} +
echo "build-guest: built $key in $(($(date +%s) - t0)) s" >&2
echo "$out"
