#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the initramfs a Linux cell boots in the tests (brig cell
# linux): says what the kernel found (CPUs, memory), runs a little work on
# every CPU and says so, then idles. Lines go to /dev/kmsg, which the
# kernel prints on the cell's console polled: the cell's UART has no
# interrupt line (docs/linux-cell.md). The root's test reads them from
# the cell's serial log.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
say() { echo "linux-cell: $*" > /dev/kmsg; }
cpus=$(grep -c '^processor' /proc/cpuinfo)
say "up: $cpus CPUs, $(awk '/^MemTotal/ { print $2 }' /proc/meminfo) kB, kernel $(uname -r)"
say "clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
n=0
while [ $n -lt "$cpus" ]; do
	if taskset -c $n sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done'; then
		say "CPU $n worked"
	else
		say "CPU $n FAILED"
	fi
	n=$((n + 1))
done
say "done"
while :; do
	sleep 3600
done
