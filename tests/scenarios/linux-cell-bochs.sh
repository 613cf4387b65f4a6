# SPDX-License-Identifier: GPL-2.0
# boards: bochs-linux
# linux-cell: yes
# expect: com2.log linux-cell: up: 1 CPUs
# expect: com2.log linux-cell: CPU 0 worked
# expect: com2.log linux-cell: brig-guest bound to 1
# expect: com2.log linux-cell: done
# expect: com2.log brig-guest BRIG0001:00: the hypervisor asks this cell to stop: powering off
#
# A Linux cell on Bochs's VT-x (issue 16): Debian's own kernel image, the
# root's, started unmodified by `brig cell linux` on CPU 1 with the
# busybox initramfs of linux-cell.sh (tests/harness/linux-cell-init.sh).
# It says its CPU count and memory and works on its CPU (the expect
# lines); the root asks it to stop through brig_guest.ko and it powers
# off; booted again, `halt` ends it (HLT with interrupts off: the VT-x
# path of halt = "exits"); destroy gives CPU and memory back. Slow: the
# whole boot runs in Bochs, one instruction at a time (the time each step
# took is logged); make linux-soak runs it, make check does not.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-linux.cell
L=/lib/brig/linux

pool() { cat /sys/class/misc/brig/mem_pool_used; }
cell_id() { brig cell list | awk '$2 == "linux" { print $1 }'; }
beacon_seen() {
	awk '$1 == "6a0" && $2 > 0 { f = 1 } END { exit !f }' \
		/sys/class/misc/brig/cells/"$(cell_id)"/ports
}

# Boots the cell and waits for its initramfs's word; says how long.
start_linux() { # [CMDLINE]
	_t0=$(date +%s)
	brig cell linux "$CELL" $L/vmlinuz --initrd $L/initrd.gz \
		${1:+--cmdline "$1"} || return 1
	t_wait_for 1500 beacon_seen || {
		echo "no word from the cell's initramfs: $(state_of linux)"
		brig console | tail -n 5
		return 1
	}
	t_log "linux-cell-bochs: booted to its initramfs in $(($(date +%s) - _t0)) s (the root's clock)"
	brig cell stats linux
}

boots() {
	start_linux && [ "$(state_of linux)" = running ]
}

shutdown_asks() {
	brig cell shutdown linux && [ "$(state_of linux)" = shut-down ] &&
		brig console | tail -n 3 | grep -q 'cell "linux" (id [0-9]*) CPU 1: powered off (ACPI S5)'
}

halts() {
	start_linux linux-cell.action=halt || return 1
	t_wait_for 300 sh -c "[ \"\$(brig cell list | awk '\$2 == \"linux\" { print \$3 }')\" = shut-down ]" || {
		echo "cell is $(state_of linux), not shut-down"; brig console | tail -n 5; return 1; }
	_m=$(brig console | grep 'cell "linux"' | tail -n 1)
	echo "$_m"
	echo "$_m" | grep -q 'every CPU of the cell halted with interrupts off; cell stopped, state shut down'
}

destroy() {
	brig cell destroy linux || return 1
	t_wait_for 60 sh -c "[ \$(cat /sys/devices/system/cpu/cpu1/online) = 1 ]" &&
		[ "$(pool)" = "$base" ]
}

t_check linux-bochs.insmod insmod "$BRIG_KO"
t_check linux-bochs.enable brig enable "$SYS"
base=$(pool)
t_check linux-bochs.boot boots
t_check linux-bochs.shutdown-asks shutdown_asks
t_check linux-bochs.destroy destroy
t_check linux-bochs.halt halts
t_check linux-bochs.halt-destroy destroy
t_check linux-bochs.disable brig disable
t_check linux-bochs.rmmod rmmod brig
