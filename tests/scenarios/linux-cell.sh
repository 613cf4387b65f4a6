# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-4cpu qemu-amdvi-4cpu
# linux-cell: yes
# qemu-args: -device edu,dma_mask=0xffffffffffff,addr=03.0 -netdev user,id=n1,restrict=on -device e1000e,netdev=n1,addr=04.0 -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x11,chassis=1 -device pcie-root-port,id=rp2,bus=pcie.0,addr=0x12,chassis=2
# expect: com2.log linux-cell: up: 1 CPUs
# expect: com2.log linux-cell: up: 2 CPUs
# expect: com2.log linux-cell: CPU 1 worked
# expect: com2.log linux-cell: brig-guest bound to 1
# expect: com2.log linux-cell: pvpanic-mmio bound to 1
# expect: com2.log brig-guest BRIG0001:00: the hypervisor asks this cell to stop: powering off
# expect: com2.log linux-cell: done
# expect: com2.log linux-cell: CPU 1 online again: 1
# expect: com2.log linux-cell: CPU 1 worked again
# expect: com2.log linux-cell: nic eth0: carrier 1, driver e1000e
# expect: com2.log linux-cell: nic eth0: ARP answered
# expect: com2.log linux-cell: nic eth0: 3 vectors, [1-9][0-9]* interrupts, 3 PCI-MSI lines
# expect: com2.log linux-cell: ivshmem: brig-ivshmem at /dev/uio0, 2 MSI-X vectors
# expect: com2.log linux-cell: brig-pingpong: answered 1000 messages, every payload checked, 0 errors
#
# A Linux cell (issue 16): Debian's own kernel image, the one the root
# boots, started unmodified by `brig cell linux` in a cell on CPU 1 (and
# on CPUs 1 and 2), with a busybox initramfs that reports on the cell's
# UART (the expect lines: its CPU count, memory, the guest drivers bound,
# a workload on every CPU) and then does what its command line asks.
#
# Each way a Linux ends ends only the cell, in the state docs/linux-cell.md
# names for it, with the hypervisor saying why:
#   brig cell shutdown (brig_guest.ko)  its own power off   shut-down
#   poweroff                            ACPI S5             shut-down
#   reboot                              the reset vector,   shut-down
#                                       which asks at 0xcf9
#   reboot=a, =k, =p                    ACPI reset, i8042   shut-down
#                                       0xfe, 0xcf9
#   echo c > /proc/sysrq-trigger        pvpanic             failed
#   reboot with reboot=t                triple fault        failed
#   halt                                every CPU halted    shut-down
#                                       with interrupts off
# (the descriptions say halt = "exits"). A CPU the cell's Linux takes
# offline also halts with interrupts off: only it stops, and Linux's own
# INIT/SIPI brings it back.
# With the board's e1000e given to it, the cell's Linux drives the NIC
# with its own driver: link up, ARP answered by QEMU's user network (which
# lets nothing out: restrict=on), MSI-X interrupts through the IOMMU; after
# destroy the root's driver has it again and it works there.
# Root <-> Linux cell messaging: with the root a peer of ivshmem channel
# 2 (its *-ivshmem-root.dts system description), a Linux cell is the
# other peer; both sides bind brig_ivshmem.ko and run brig-pingpong, 1,000
# messages, every payload checked on both sides.
# A cell without brig_guest.ko cannot be asked: shutdown and destroy are
# refused, --force stops it. The root keeps working; destroy gives back
# CPUs and memory every time; boot/destroy cycles end at the pool's
# baseline.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-linux.cell
CELL2=$BRIG_CONF_DIR/$BRIG_BOARD-linux-smp.cell
CELL_NIC=$BRIG_CONF_DIR/$BRIG_BOARD-linux-nic.cell
CELL_IVSHMEM=$BRIG_CONF_DIR/$BRIG_BOARD-linux-ivshmem.cell
SYS_IVSHMEM=$(brig_system_variant ivshmem-root)
NIC=/sys/bus/pci/devices/0000:00:04.0
L=/lib/brig/linux
# Boot/destroy cycles after the checks above: make linux-soak runs 10.
CYCLES=$(t_cmdline brigtest.linux_cycles 2)

pool() { cat /sys/class/misc/brig/mem_pool_used; }
cell_id() { brig cell list | awk '$2 == "linux" { print $1 }'; }
nmis_cpu0() { awk '$1 == "NMI:" { print $2 }' /proc/interrupts; }

# The initramfs read port 0x6a0 when its work was done (linux-cell-init.sh).
beacon_seen() {
	awk '$1 == "6a0" && $2 > 0 { f = 1 } END { exit !f }' \
		/sys/class/misc/brig/cells/"$(cell_id)"/ports
}

start_linux() { # DESCRIPTION [CMDLINE]
	brig cell linux "$1" $L/vmlinuz --initrd $L/initrd.gz \
		${2:+--cmdline "$2"} || return 1
	t_wait_for 120 beacon_seen || {
		echo "no word from the cell's initramfs: $(state_of linux)"
		brig console | tail -n 5
		return 1
	}
}

# The cell's exits by reason and the unowned ports it probed.
boot_linux() { # DESCRIPTION CPUS
	start_linux "$1" || return 1
	brig cell list
	brig cell stats linux | tee /dev/kmsg
	[ "$(state_of linux)" = running ] &&
		brig cell stats linux | grep -q "^0x70 "
}

root_works() {
	taskset -c 0 sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
}

cpus_back() {
	for c in "$@"; do
		t_wait_for 10 sh -c "[ \$(cat /sys/devices/system/cpu/cpu$c/online) = 1 ]" || {
			echo "CPU $c did not come back"; return 1; }
	done
}

destroy() { # CPUS...
	brig cell destroy linux || return 1
	cpus_back "$@" && [ "$(pool)" = "$base" ]
}

# ends_as STATE ACTION-CMDLINE WORDS...: a 1-CPU Linux cell does ACTION
# and must end in STATE, the new hypervisor console lines saying every
# one of WORDS; root CPU 0's NMIs do not move; destroy gives all back.
ends_as() {
	_want=$1 _cmd=$2
	shift 2
	brig console >/tmp/linux.before
	_nmis=$(nmis_cpu0)
	start_linux "$CELL" "$_cmd" || return 1
	t_wait_for 60 sh -c "[ \"\$(brig cell list | awk '\$2 == \"linux\" { print \$3 }')\" = $_want ]" || {
		echo "cell is $(state_of linux), not $_want"
		brig console | tail -n 5
		brig cell destroy --force linux
		return 1
	}
	brig console >/tmp/linux.after
	_msg=$(diff /tmp/linux.before /tmp/linux.after | grep '^+' | grep 'cell "linux"')
	echo "$_msg"
	for _w in "$@"; do
		echo "$_msg" | grep -qi -- "$_w" || {
			echo "console does not say '$_w'"; destroy 1; return 1; }
	done
	echo "root CPU 0 NMIs: $_nmis -> $(nmis_cpu0)"
	[ "$(nmis_cpu0)" = "$_nmis" ] && root_works && destroy 1
}

# The 2-CPU cell's Linux takes CPU 1 offline (it halts with interrupts
# off: brig stops only it) and online again (INIT/SIPI), then reads the
# beacon port a second time; the cell runs on, its HLT exits counted.
beacons() {
	awk '$1 == "6a0" { print $2 }' \
		/sys/class/misc/brig/cells/"$(cell_id)"/ports
}
cpu_cycle() {
	start_linux "$CELL2" linux-cell.action=cpu-cycle || return 1
	t_wait_for 60 sh -c '[ "$(awk '"'"'$1 == "6a0" { print $2 }'"'"' /sys/class/misc/brig/cells/'"$(cell_id)"'/ports)" -ge 2 ]' || {
		echo "no second word from the cell: $(state_of linux), beacons $(beacons)"
		brig console | tail -n 5
		return 1
	}
	_sipi=$(cat /sys/class/misc/brig/cpus/cpu2/init_sipi)
	echo "CPU 2 (the cell's CPU 1): $_sipi INIT/SIPI, $(cat /sys/class/misc/brig/cpus/cpu2/hlt) hlt exits"
	brig console | grep 'CPU 2 of cell "linux"' | tail -n 1
	# Stopped by its HLT (the console says so), and started twice by
	# INIT and SIPI: at boot and after the offline.
	brig console | grep -q 'CPU 2 of cell "linux" halted with interrupts off: it waits to be started by the cell' &&
		[ "$_sipi" -ge 4 ] && [ "$(state_of linux)" = running ]
}

# Orderly: brig_guest.ko answers "stopping" and powers the cell off.
shutdown_asks() {
	brig console >/tmp/linux.before
	brig cell shutdown linux || return 1
	brig console >/tmp/linux.after
	[ "$(state_of linux)" = shut-down ] &&
		diff /tmp/linux.before /tmp/linux.after | grep '^+' |
		grep -q 'cell "linux" (id [0-9]*) CPU [0-9]*: powered off (ACPI S5)'
}

# The root's e1000e driver has the NIC and it answers ARP.
nic_in_root() {
	[ -d /sys/module/e1000e ] || insmod /lib/modules/net/e1000e.ko || return 1
	t_wait_for 10 sh -c "ls $NIC/net 2>/dev/null | grep -q ." || {
		echo "no interface on 00:04.0 in the root"; return 1; }
	_i=$(ls $NIC/net | head -n 1)
	ip link set "$_i" up && ip addr add 10.0.2.15/24 dev "$_i" 2>/dev/null
	sleep 1
	arping -c 2 -w 5 -I "$_i" 10.0.2.2
}

# The cell's Linux reports the NIC on its UART (the expect lines, checked
# by the host: the proof that it works); here: the cell runs and the root
# no longer has the NIC; the cell's exits are printed.
nic_in_cell() {
	start_linux "$CELL_NIC" || return 1
	brig cell stats linux | tee /dev/kmsg
	# Reset on its way (QEMU's e1000e offers Linux a way): the cell
	# finds none of the root's rings and addresses in it.
	dmesg | grep -q "0000:00:04.0: brig: reset for the cell" || {
		echo "the NIC was not reset for the cell"; return 1; }
	[ "$(state_of linux)" = running ] && ! ls $NIC/net 2>/dev/null | grep -q .
}

# No brig_guest.ko: nothing can be asked, only forced.
forced() {
	[ "$(state_of linux)" = running ] &&
		brig cell shutdown --force linux &&
		[ "$(state_of linux)" = shut-down ] && destroy 1
}

cycles() {
	_i=0
	while [ $_i -lt "$CYCLES" ]; do
		start_linux "$CELL" && destroy 1 || {
			echo "cycle $_i failed"; return 1; }
		_i=$((_i + 1))
	done
	t_log "linux-cell: $CYCLES boot/destroy cycles, pool at $(pool) pages (baseline $base)"
}

t_check linux.insmod insmod "$BRIG_KO"
t_check linux.enable brig enable "$SYS"
base=$(pool)
t_check linux.boot boot_linux "$CELL"
t_check linux.root-works root_works
t_check linux.shutdown-asks shutdown_asks
t_check linux.destroy destroy 1
t_check linux.boot-2cpu boot_linux "$CELL2"
t_check linux.poweroff-2cpu shutdown_asks
t_check linux.destroy-2cpu destroy 1 2
t_check linux.cpu-cycle-2cpu cpu_cycle
t_check linux.cpu-cycle-destroy destroy 1 2
t_check linux.nic-in-root nic_in_root
t_check linux.nic-in-cell nic_in_cell
t_check linux.nic-destroy destroy 1
t_check linux.nic-back nic_in_root
t_check linux.nic-reset-back sh -c 'dmesg | grep "0000:00:04.0: brig: reset for the root"'
t_check linux.poweroff ends_as shut-down linux-cell.action=poweroff "powered off (ACPI S5)" "state shut down"
t_check linux.reboot ends_as shut-down linux-cell.action=reboot "asked for a reset (port cf9, value 6)" "state shut down"
t_check linux.reboot-acpi ends_as shut-down "reboot=a linux-cell.action=reboot" "asked for a reset (port cf9, value 6)"
t_check linux.reboot-kbd ends_as shut-down "reboot=k linux-cell.action=reboot" "asked for a reset (i8042 command fe)"
t_check linux.reboot-cf9 ends_as shut-down "reboot=p linux-cell.action=reboot" "asked for a reset (port cf9, value e)"
t_check linux.panic ends_as failed linux-cell.action=panic "its kernel panicked (pvpanic)" "state failed"
t_check linux.triple-fault ends_as failed "reboot=t linux-cell.action=reboot" "triple fault" "state failed"
t_check linux.halt ends_as shut-down linux-cell.action=halt "every CPU of the cell halted with interrupts off" "state shut down"
t_check linux.unasked-boot start_linux "$CELL" linux-cell.modules=none
t_expect_fail linux.shutdown-unasked "cannot be asked to stop" \
	brig cell shutdown linux
t_expect_fail linux.destroy-unasked "add --force" brig cell destroy linux
t_check linux.unasked-forced forced
t_check linux.cycles cycles
t_check linux.pool-baseline sh -c "[ \$(cat /sys/class/misc/brig/mem_pool_used) = $base ]"
t_check linux.disable brig disable

# Messaging between the root and the cell's Linux over ivshmem.
pingpong() {
	start_linux "$CELL_IVSHMEM" linux-cell.pingpong=1000 || return 1
	# The root's function of channel 2 (see ivshmem-root.sh).
	case $BRIG_IOMMU in
	intel-iommu) _bdf=0000:01:00.0 ;;
	*) _bdf=0000:00:0f.0 ;;
	esac
	_u=$(ls /sys/bus/pci/devices/$_bdf/uio 2>/dev/null | head -n 1)
	[ -n "$_u" ] || { echo "no UIO device for the root's $_bdf"; return 1; }
	timeout 120 taskset 1 brig-pingpong -d /dev/$_u -n 1000 > /tmp/linux-pingpong.out 2>&1
	_rc=$?
	cat /tmp/linux-pingpong.out
	t_log "linux-cell: $(grep 'round trips per second' /tmp/linux-pingpong.out)"
	brig cell stats linux | head -n 8
	[ $_rc = 0 ] && grep -q "1000 round trips, every payload checked, 0 errors" /tmp/linux-pingpong.out
}
ivshmem_enable() {
	brig enable "$SYS_IVSHMEM" && insmod /lib/modules/uio/uio.ko &&
		insmod /lib/modules/brig_ivshmem.ko && base=$(pool)
}
t_check linux.ivshmem-enable ivshmem_enable
t_check linux.ivshmem-pingpong pingpong
t_check linux.ivshmem-destroy destroy 1
t_check linux.ivshmem-disable sh -c "rmmod brig_ivshmem && brig disable"
t_check linux.rmmod rmmod brig
