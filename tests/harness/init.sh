#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test initramfs (PID 1). Sets up the minimum a scenario needs,
# runs the scenarios listed in /scenarios/order one after the other, each in
# its own shell so that one that exits early cannot end the run, writes the
# DONE marker and powers the board off. PID 1 must never exit (the kernel
# would panic), so no `set -e` here and the last resort is an endless sleep.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/kmsg ] || mknod /dev/kmsg c 1 11
# Without /dev/console in the archive the kernel started us with no stdio.
[ -t 1 ] || exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm /run /tmp /root
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# User writes to /dev/kmsg are rate-limited (10 per 5 s) unless this is on;
# the harness also passes printk.devkmsg=on, which locks the setting.
echo on >/proc/sys/kernel/printk_devkmsg 2>/dev/null

. /scenarios/lib.sh

# On a board whose UART raises no interrupt (QEMU's AMD-Vi board), user-space
# output to ttyS0 never drains and a writer blocks once the tty buffer is
# full. There the harness passes brigtest.ttyout=kmsg: scenario output then goes
# line by line into the kernel log, which the console prints by polling.
if [ "$(t_cmdline brigtest.ttyout tty)" = kmsg ]; then
	mkfifo /run/out.fifo
	(while IFS= read -r l; do
		printf '<6>brig-out: %s\n' "$l" >/dev/kmsg
	done </run/out.fifo) &
	exec >/run/out.fifo 2>&1 </dev/null
fi

# CPUs Linux left offline at boot (maxcpus=, which run.sh passes on Bochs
# with more than 2 CPUs: the boot is far faster that way) come up now,
# before any scenario, through the normal CPU hotplug path.
for c in /sys/devices/system/cpu/cpu[0-9]*; do
	[ "$(cat "$c/online" 2>/dev/null)" = 0 ] || continue
	echo 1 >"$c/online" && t_log "brought ${c##*/} online after boot"
done

t_log "kernel $(uname -r), board $BRIG_BOARD, iommu $BRIG_IOMMU, cpus $BRIG_CPUS"
cd /tmp
for s in $(cat /scenarios/order); do
	_t_kmsg "SCENARIO $s"
	results=$(t_count PASS)/$(t_count FAIL)/$(t_count SKIP)
	failed=$(t_count FAIL)
	sh -c '. /scenarios/lib.sh; . "/scenarios/$1"' "$s" "$s"
	rc=$?
	# A scenario's exit status is that of its last command, often a
	# t_check that already reported its failure: only an unexplained
	# non-zero status, or a scenario that reported nothing, is added.
	if [ "$rc" -ne 0 ] && [ "$(t_count FAIL)" -eq "$failed" ]; then
		t_fail "$s" "scenario exited with status $rc"
	elif [ "$(t_count PASS)/$(t_count FAIL)/$(t_count SKIP)" = "$results" ]; then
		t_fail "$s" "scenario reported no result"
	fi
done

_t_kmsg "DONE passed=$(t_count PASS) failed=$(t_count FAIL) skipped=$(t_count SKIP)"
echo "done: passed=$(t_count PASS) failed=$(t_count FAIL) skipped=$(t_count SKIP)"
# Give the UARTs time to drain before the power goes.
sync
sleep 1
poweroff -f
while :; do sleep 60; done
