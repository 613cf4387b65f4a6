#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the initramfs a Linux cell boots in the tests (brig cell
# linux): says what the kernel found (CPUs, memory), runs a little work on
# every CPU and says so, then tells the root it is done and does what the
# command line's linux-cell.action= asks (nothing, poweroff, reboot, halt,
# panic, cpu-cycle: CPU 1 offline and online again, then a second "done";
# a triple fault is a reboot with reboot=t). Lines go to /dev/kmsg, which the kernel prints on the cell's
# console polled: the cell's UART has no interrupt line
# (docs/linux-cell.md). The root's test reads them from the cell's serial
# log.
#
# "Done" reaches the root as one read of port 0x6a0, which the cell does
# not own: brig counts it (brig cell stats, unowned ports), and the root's
# test waits for that count instead of for a fixed time.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
say() { echo "linux-cell: $*" > /dev/kmsg; }
beacon() { dd if=/dev/port bs=1 skip=$((0x6a0)) count=1 2>/dev/null >/dev/null; }
action=none
modules=yes
pingpong=
for w in $(cat /proc/cmdline); do
	case $w in
	linux-cell.action=*) action=${w#*=} ;;
	linux-cell.modules=*) modules=${w#*=} ;;
	linux-cell.pingpong=*) pingpong=${w#*=} ;;
	esac
done
# What udev would load for the DSDT's devices: brig_guest binds BRIG0001
# (the comm region: the root can ask this cell to stop), pvpanic-mmio
# QEMU0001 (a panic is said to the hypervisor). A cell booted without
# them (linux-cell.modules=none) is one that cannot be asked.
if [ "$modules" = yes ]; then
	for m in brig_guest pvpanic pvpanic-mmio; do
		[ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko
	done
fi
cpus=$(grep -c '^processor' /proc/cpuinfo)
say "up: $cpus CPUs, $(awk '/^MemTotal/ { print $2 }' /proc/meminfo) kB, kernel $(uname -r)"
say "clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
for d in brig-guest pvpanic-mmio; do
	[ -d /sys/bus/platform/drivers/$d ] &&
		say "$d bound to $(ls /sys/bus/platform/drivers/$d | grep -c ':')"
done
n=0
while [ $n -lt "$cpus" ]; do
	if taskset -c $n sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done'; then
		say "CPU $n worked"
	else
		say "CPU $n FAILED"
	fi
	n=$((n + 1))
done
# A NIC given to the cell (qemu-x86-linux-nic.dts): Debian's e1000e driver
# binds it; the link comes up, ARP to QEMU's user network gateway is
# answered, and its interrupts are counted. The 3 vectors are what shows
# MSI-X (MSI would be one): /proc/interrupts labels both PCI-MSI on 6.1,
# and MSI-X PCI-MSIX on 6.12.
insmod /lib/modules/e1000e.ko 2>/dev/null
for i in /sys/class/net/eth*; do
	[ -e "$i" ] || continue
	i=${i##*/}
	ip link set "$i" up && ip addr add 10.0.2.15/24 dev "$i"
	t=0
	while [ "$(cat /sys/class/net/$i/carrier 2>/dev/null)" != 1 ] && [ $t -lt 50 ]; do
		sleep 0.2
		t=$((t + 1))
	done
	say "nic $i: carrier $(cat /sys/class/net/$i/carrier 2>/dev/null), driver $(basename "$(readlink /sys/class/net/$i/device/driver)")"
	arping -c 2 -w 5 -I "$i" 10.0.2.2 >/dev/null 2>&1 && say "nic $i: ARP answered"
	say "nic $i: $(awk -v i="$i" '$0 ~ i { n = 0; for (k = 2; k <= NF; k++) if ($k ~ /^[0-9]+$/) n += $k; t += n; v++ } END { print v + 0 " vectors, " t + 0 " interrupts" }' /proc/interrupts), $(grep -c "PCI-MSI" /proc/interrupts) PCI-MSI lines"
done
# An ivshmem device of a channel with the root (qemu-x86-linux-ivshmem.dts):
# brig_ivshmem.ko binds it as in the root, and brig-pingpong, peer 1,
# answers linux-cell.pingpong= messages, in the background.
if [ -n "$pingpong" ]; then
	insmod /lib/modules/uio.ko && insmod /lib/modules/brig_ivshmem.ko
	for u in /sys/class/uio/uio*; do
		[ -e "$u" ] && say "ivshmem: $(cat $u/name) at /dev/${u##*/}, $(ls -d /sys/class/uio/${u##*/}/device/msi_irqs/* 2>/dev/null | wc -l) MSI-X vectors"
	done
	(brig-pingpong -n "$pingpong" 2>&1 | while read -r l; do say "$l"; done) &
fi
say "done"
beacon
say "action $action"
case $action in
poweroff) poweroff -f ;;
reboot) reboot -f ;;
halt) halt -f ;;
cpu-cycle)
	# A CPU taken offline halts with interrupts off (hlt_play_dead):
	# brig stops only that CPU, and Linux's INIT/SIPI brings it back.
	echo 0 > /sys/devices/system/cpu/cpu1/online && say "CPU 1 offline"
	echo 1 > /sys/devices/system/cpu/cpu1/online &&
		say "CPU 1 online again: $(cat /sys/devices/system/cpu/cpu1/online)"
	taskset -c 1 sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done' &&
		say "CPU 1 worked again"
	beacon
	;;
panic) echo c > /proc/sysrq-trigger ;;
esac
while :; do
	sleep 3600
done
