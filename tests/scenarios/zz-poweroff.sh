# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd
# expect: com1.log brig: destroyed cell [0-9]+ "hello"
# expect: com1.log brig: disabled for shutdown
#
# Power-off with brig enabled and a cell running (runs last in its boot,
# hence the name): the driver's reboot notifier destroys the cell and
# disables the hypervisor before the machine goes down, which the host
# checks in the root's console after the guest's final `poweroff -f`
# (the reboot syscall runs the notifiers). Suspend is refused meanwhile.

SYS=$(brig_system)

suspend_refused() {
	# freeze (suspend-to-idle) exists on every board; brig must refuse it
	if echo freeze > /sys/power/state 2>/tmp/suspend.err; then
		echo "suspend went through"; return 1
	fi
	dmesg | grep -q "suspend refused while the hypervisor runs"
}

t_check poweroff.insmod insmod "$BRIG_KO"
t_check poweroff.enable brig enable "$SYS"
t_check poweroff.suspend-refused suspend_refused
t_check poweroff.cell sh -c "brig cell create $BRIG_CONF_DIR/$BRIG_BOARD-hello.cell && brig cell load hello /lib/brig/inmates/hello.bin && brig cell start hello"
t_log "leaving brig enabled with a running cell for the power-off"
