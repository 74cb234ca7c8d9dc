#!/bin/bash
# PID 1 of the test tier's guest (installed as /sbin/vitk-init by
# build-guest.sh).  Mounts the basics, brings up the QEMU user network
# (10.0.2.15, host 10.0.2.2), mounts the host's 9p share on /vm and then runs
# the host's commands: /vm/cmd.N (first line "#timeout=SECS") runs under
# timeout(1) with stdin from /dev/null, its output goes to /vm/out.N and its
# exit status to /vm/rc.N.  /vm/halt powers the guest off.  /vm/boot.sh, when
# present, runs once before the first command (its output: /vm/boot.out).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mkdir -p /run/lock
hostname vitk-guest
modprobe configfs && mount -t configfs configfs /sys/kernel/config
modprobe 9pnet_virtio
modprobe 9p
modprobe virtio_net
# no udev here: load the SCSI upper drivers the scenarios need up front
modprobe sd_mod
modprobe sg
mkdir -p /vm
if ! mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,msize=524288 vm /vm; then
	echo "vitk-init: cannot mount the 9p share" >/dev/console
	busybox poweroff -f
fi
ip link set lo up
for n in /sys/class/net/*; do
	[ "$(basename "$(readlink -f "$n/device/driver" 2>/dev/null)")" = virtio_net ] || continue
	dev=$(basename "$n")
	ip link set "$dev" up
	ip addr add 10.0.2.15/24 dev "$dev"
	ip route add default via 10.0.2.2
done
# The guest has no systemd; at boot it does the two things vitk's persisted
# unit relies on, in systemd's order: load /etc/modules-load.d/*.conf
# (systemd-modules-load), then run the ExecStart of every enabled vitk-*
# unit in multi-user.target.wants (Type=oneshot).  Output: /vm/units.log.
for f in /etc/modules-load.d/*.conf; do
	[ -e "$f" ] || continue
	sed 's/#.*//' "$f" | while read -r m; do [ -n "$m" ] && modprobe "$m"; done
done
for u in /etc/systemd/system/multi-user.target.wants/vitk-*.service; do
	[ -e "$u" ] || continue
	cmd=$(sed -n 's/^ExecStart=//p' "$u")
	echo "unit $(basename "$u"): $cmd" >>/vm/units.log
	timeout -k 5 120 $cmd </dev/null >>/vm/units.log 2>&1
	echo "unit $(basename "$u"): rc=$?" >>/vm/units.log
done
if [ -e /vm/boot.sh ]; then
	timeout -k 5 120 bash /vm/boot.sh </dev/null >/vm/boot.out 2>&1
	echo $? >/vm/boot.rc
fi
echo up >/vm/ready
n=0
while [ ! -e /vm/halt ]; do
	f=/vm/cmd.$n
	if [ -e "$f" ]; then
		t=$(sed -n '1s/^#timeout=//p' "$f")
		timeout -k 5 "${t:-60}" bash "$f" </dev/null >"/vm/out.$n" 2>&1
		echo $? >"/vm/rc.$n.tmp"
		mv "/vm/rc.$n.tmp" "/vm/rc.$n"
		n=$((n + 1))
		continue
	fi
	sleep 0.05
done
sync
umount -a -r 2>/dev/null
busybox poweroff -f
