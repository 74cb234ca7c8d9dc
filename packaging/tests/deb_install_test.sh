#!/usr/bin/env bash
# Install the package into a fresh minimal Debian chroot (make_chroot.sh's
# cached debootstrap, used through an overlay so the cache stays clean; no
# network) the way the README tells operators to, then, inside the chroot:
#   vitk --version; man vitk-odx-copy; bash completion of `vitk sriov set-<TAB>`
# (through bash-completion's on-demand loader, as an interactive shell does);
# nothing installed under /etc; the package removes cleanly.
set -uo pipefail
DEB=$1
export PATH=/usr/sbin:/sbin:$PATH
CHROOT_CACHE=${VITK_PKG_CHROOT_CACHE:-/var/cache/vitk/pkg-chroot}
BASE=$CHROOT_CACHE/current
T=${TEST_TMPDIR:-$(mktemp -d)}
if ! [ -e "$BASE/.complete" ]; then
	echo "FAIL: no cached chroot in $BASE: run packaging/tests/make_chroot.sh once (needs the Debian mirror; tools/test.sh does it)"
	exit 1
fi
want=$(dpkg-deb -f "$DEB" Version)
mkdir -p "$T/upper" "$T/work" "$T/root"
cp "$DEB" "$T/vitk.deb"

# everything below runs in a private mount namespace: the overlay and the
# chroot's /proc vanish with it
unshare --mount --propagation private bash -s "$BASE" "$T" "$want" <<'INNER'
set -uo pipefail
BASE=$1 T=$2 want=$3
R=$T/root
fail=0
bad() { echo "FAIL: $*"; fail=1; }
if ! mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$T/upper,workdir=$T/work" "$R" 2>/dev/null; then
	echo "note: no overlayfs here; copying the chroot"
	cp -a "$BASE/." "$R/"
fi
mount -t proc proc "$R/proc"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8 "$@"; }

cp "$T/vitk.deb" "$R/tmp/vitk_${want}_amd64.deb"
if ! in_root apt-get install -y -q "/tmp/vitk_${want}_amd64.deb" >"$T/apt.log" 2>&1; then
	cat "$T/apt.log"
	missing=$(for p in $(dpkg-deb -f "$T/vitk.deb" Depends | tr ',' '\n' | awk '{ print $1 }'); do
		in_root dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
	done)
	bad "apt install ./vitk_${want}_amd64.deb failed in the chroot; Depends not in it: ${missing:-none} (packaging/tests/chroot-packages.txt)"
	exit 1
fi
echo "installed: $(in_root dpkg-query -W -f='${Package} ${Version} ${Status}' vitk)"

got=$(in_root vitk --version)
[ "$got" = "vitk $want" ] && echo "ok: vitk --version: $got" || bad "vitk --version: '$got', expected 'vitk $want'"

page=$(in_root sh -c 'MANPAGER=cat MANWIDTH=100 man vitk-odx-copy 2>&1')
if grep -q 'vitk-odx-copy - Copy blocks' <<<"$page" && grep -q -- '-m, --method METHOD' <<<"$page" &&
	grep -q 'One of: auto, token, xcopy, host' <<<"$page"; then
	echo "ok: man vitk-odx-copy ($(printf '%s\n' "$page" | wc -l) lines)"
else
	printf '%s\n' "$page" | head -20
	bad "man vitk-odx-copy"
fi
top=$(in_root sh -c 'MANPAGER=cat man vitk 2>/dev/null')
grep -q 'LIBISCSI_CHAP_PASSWORD' <<<"$top" || bad "man vitk: no ENVIRONMENT"

comp=$(in_root bash -c '
	source /usr/share/bash-completion/bash_completion
	__load_completion vitk || exit 3
	complete -p vitk
	COMP_WORDS=(vitk sriov set-); COMP_CWORD=2; COMP_LINE="vitk sriov set-"; COMP_POINT=${#COMP_LINE}
	_vitk vitk set- sriov
	echo "reply: ${COMPREPLY[*]}"')
printf '%s\n' "$comp" | grep -q '^complete -F _vitk vitk$' || bad "bash-completion did not load the vitk completion: $comp"
[ "$(printf '%s\n' "$comp" | sed -n 's/^reply: //p')" = "set-vfs" ] && echo "ok: vitk sriov set-<TAB> -> set-vfs" ||
	bad "vitk sriov set-<TAB>: $comp"
in_root test -s /usr/share/zsh/vendor-completions/_vitk || bad "no zsh completion"

etc=$(in_root dpkg -L vitk | grep '^/etc' || true)
[ -z "$etc" ] || bad "the package installs under /etc: $etc"
for u in vitk-odx-serve@.service vitk-sriov.service; do
	in_root test -f "/lib/systemd/system/$u" || bad "no /lib/systemd/system/$u"
done
in_root grep -q 'ConditionPathExists=/etc/vitk/target-%i.conf' /lib/systemd/system/vitk-odx-serve@.service ||
	bad "vitk-odx-serve@.service does not wait for its config"
in_root test -f /usr/share/doc/vitk/examples/target-lab.conf || bad "no example target config"
in_root test -d /var/lib/vitk || bad "no /var/lib/vitk"

in_root dpkg --purge vitk >"$T/purge.log" 2>&1 || bad "dpkg --purge vitk: $(cat "$T/purge.log")"
left=$(in_root sh -c 'ls /usr/bin/vitk /usr/share/man/man1/vitk.1.gz /usr/share/doc/vitk 2>/dev/null')
[ -z "$left" ] || bad "left after purge: $left"
umount "$R/proc"
exit $fail
INNER
