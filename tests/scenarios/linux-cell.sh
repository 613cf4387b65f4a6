# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-4cpu
# linux-cell: yes
# expect: com2.log linux-cell: up: 1 CPUs
# expect: com2.log linux-cell: done
#
# A Linux cell (issue 16): Debian's own kernel image, the one the root
# boots, started unmodified in a cell on CPU 1 by `brig cell linux`, with
# a busybox initramfs that reports on the cell's UART (the expect lines:
# its CPU count, memory and kernel, then a workload done).
# The root keeps working; the cell's exits and the ports Linux probed
# without owning them are printed; destroy gives everything back.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-linux.cell
L=/lib/brig/linux

pool() { cat /sys/class/misc/brig/mem_pool_used; }

boot_linux() {
	brig cell linux "$CELL" $L/vmlinuz --initrd $L/initrd.gz || return 1
	# Boot and the initramfs's work take tens of emulated seconds.
	sleep 60
	brig cell list
	brig cell stats linux | tee /dev/kmsg
	[ "$(state_of linux)" = running ]
}

root_works() {
	taskset -c 0 sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
}

destroy() {
	brig cell destroy linux || return 1
	t_wait_for 10 sh -c "[ \$(cat /sys/devices/system/cpu/cpu1/online) = 1 ]"
}

t_check linux.insmod insmod "$BRIG_KO"
t_check linux.enable brig enable "$SYS"
base=$(pool)
t_check linux.boot boot_linux
t_check linux.root-works root_works
t_check linux.destroy destroy
t_check linux.pool-baseline sh -c "[ \$(cat /sys/class/misc/brig/mem_pool_used) = $base ]"
t_check linux.disable brig disable
t_check linux.rmmod rmmod brig
