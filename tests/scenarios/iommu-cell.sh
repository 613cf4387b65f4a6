# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd qemu-amdvi
# qemu-args: -device edu,dma_mask=0xffffffffffff,addr=03.0 -device pcie-root-port,id=rp9,bus=pcie.0,chassis=9,addr=09.0 -device pcie-pci-bridge,id=br9,bus=rp9 -device edu,bus=br9,addr=01.0 -device pcie-root-port,id=rp8,bus=pcie.0,chassis=8,addr=0a.0 -device edu,bus=rp8
# expect: com2.log edu: dma ok
# expect: com2.log edu: BAR0 left sized \(reads 0xfff00000\), decoding on: the device still answers at 0xfea00000
#
# A PCI device given to a cell (issue 6): QEMU's edu device moves from the
# root to a cell on CPU 1. The edu inmate DMAs a pattern through its own
# memory and gets the completion MSI (checked on COM2 by the host: the
# expect line above). While the cell owns it the root reads the device's
# configuration space as all-ones. A DMA the cell aims outside its memory
# (at a root pattern) is blocked, reported naming device, address and cell,
# and stops the cell; the pattern is unchanged. An MSI the cell aims at a
# root CPU is refused and stops the cell; that CPU takes no interrupt from
# it. After destroy the root has the device back and its DMA works.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-edu.cell
INMATES=/lib/brig/inmates
EDU=/sys/bus/pci/devices/0000:00:03.0
VICTIM=0x3b300800 # reserved memory the root owns, outside the cell
HV_VICTIM=0x3a800000 # inside the hypervisor region
T=/tmp/iommu-cell
mkdir -p $T

# The description's BAR is where the firmware put it.
bar_matches() {
	start=$(head -n 1 $EDU/resource | awk '{ print $1 }')
	echo "edu BAR 0 at $start (the description says 0xfea00000)"
	[ "$((start))" = "$((0xfea00000))" ]
}

vendor() { od -An -tx2 -N2 $EDU/config | tr -d ' '; }

# The edu cell with its BAR region (memory[2]: phys at byte 200, virt at
# 208, size at 216) moved onto what the hypervisor keeps, though the
# root's description offers it as MMIO.
kept_patch() { # OUT PHYS-BYTES SIZE-BYTES
	cp "$CELL" "$1" &&
		printf "$2$2$3" | dd of="$1" bs=1 seek=200 conv=notrunc 2>/dev/null
}
kept_patch $T/mmconfig.cell '\000\000\000\260\000\000\000\000' \
	'\000\000\020\000\000\000\000\000' # bus 0's config space, edu's too
kept_patch $T/lapic.cell '\000\000\340\376\000\000\000\000' \
	'\000\020\000\000\000\000\000\000' # the local APIC page

# A device behind a PCI Express to PCI bridge DMAs with the bridge's
# requester id: no cell may have it. Refused before anything changed:
# Linux still has it, the pool is where it was.
alias_refused() {
	alias=${CELL%-edu.cell}-edu-alias.cell
	p=$(cat /sys/class/misc/brig/mem_pool_used)
	if brig cell create "$alias"; then
		echo "a device behind a PCIe-to-PCI bridge went to a cell"
		brig cell destroy edu-alias; return 1
	fi
	brig console | grep "PCI Express to PCI" || return 1
	v=$(od -An -tx2 -N2 /sys/bus/pci/devices/0000:02:01.0/config | tr -d ' ')
	echo "the root reads 02:01.0's vendor as $v"
	[ "$v" = 1234 ] && [ "$(cat /sys/class/misc/brig/mem_pool_used)" = "$p" ]
}

# While a cell holds the device behind root port 00:0a.0, the root cannot
# renumber the port's buses (its DMA would carry another requester id);
# after destroy it can.
port_sec() { od -An -tx1 -j25 -N1 /sys/bus/pci/devices/0000:00:0a.0/config | tr -d ' '; }
port_sec_write() { printf "\\$1" | dd of=/sys/bus/pci/devices/0000:00:0a.0/config bs=1 seek=25 conv=notrunc 2>/dev/null; }
bridge_guarded() {
	before=$(port_sec)
	brig cell create "${CELL%-edu.cell}-edu-port.cell" || return 1
	port_sec_write 007
	during=$(port_sec)
	brig cell destroy edu-port || return 1
	echo "root port 00:0a.0's secondary bus: $before, after the root wrote 07 while a cell held 03:00.0: $during"
	brig console | grep "of PCI function 00:0a.0 dropped" || return 1
	[ "$during" = "$before" ] || return 1
	# Its own again: the write goes through (and is undone).
	port_sec_write 007
	after=$(port_sec)
	port_sec_write "$(printf '%03o' $((0x$before)))"
	echo "with no cell: $after, put back: $(port_sec)"
	[ "$after" = 07 ] && [ "$(port_sec)" = "$before" ]
}

# QEMU's edu at 00:03.0 offers no reset: without reset = "none" in its
# description no cell gets it, refused before anything changed hands (no
# unbind, no reset, the pool where it was, the device the root's).
reset_required() {
	p=$(cat /sys/class/misc/brig/mem_pool_used)
	n=$(dmesg | grep -c '0000:00:03.0: brig:')
	if brig cell create "${CELL%-edu.cell}-edu-reset.cell" 2>$T/reset.err; then
		echo "a device that offers no reset went to a cell unasked"
		brig cell destroy edu; return 1
	fi
	cat $T/reset.err
	grep -q 'PCI device 0000:00:03.0 offers no reset (FLR, power state or bus)' $T/reset.err &&
		! brig cell list | grep -q edu && back_in_root &&
		[ "$(dmesg | grep -c '0000:00:03.0: brig:')" = "$n" ] &&
		[ "$(cat /sys/class/misc/brig/mem_pool_used)" = "$p" ]
}

# A device Linux no longer has (removed through sysfs) cannot be reset by
# it: refused, though the hardware is there; a rescan brings it back.
removed_refused() {
	echo 1 >/sys/bus/pci/devices/0000:03:00.0/remove || return 1
	if brig cell create "${CELL%-edu.cell}-edu-port.cell" 2>$T/removed.err; then
		echo "a device Linux had removed went to a cell unreset"
		brig cell destroy edu-port
		echo 1 >/sys/bus/pci/rescan
		return 1
	fi
	cat $T/removed.err
	echo 1 >/sys/bus/pci/rescan
	grep -q "PCI device 0000:03:00.0 is not Linux's (removed, or never scanned)" $T/removed.err &&
		test -e /sys/bus/pci/devices/0000:03:00.0
}

# The device behind root port 00:0a.0 has a bus reset: by default it is
# reset on its way to the cell and back.
port_device_reset() {
	dmesg | grep '0000:03:00.0: brig: reset for the cell' &&
		dmesg | grep '0000:03:00.0: brig: reset for the root'
}

# The edu cell's description accepts an unreset device, and the log says so.
unreset_said() {
	dmesg | grep '0000:00:03.0: brig: not reset for the cell: Linux knows no reset for it and its description says reset = "none"; it keeps its state'
}

cell_up() { # IMAGE-ARGS
	brig cell create "$CELL" && brig cell load edu "$INMATES/edu.bin" ${1:+-s "$1"} &&
		brig cell start edu
}

# The same through the legacy mechanism (0xcf8/0xcfc), which traps in the
# root while a cell holds a device.
vendor_cf8() { pci-cf8 0 3 0 0; }

owned_by_cell() {
	v=$(vendor) l=$(vendor_cf8)
	echo "root reads edu's vendor id as $v, its ids through 0xcf8/0xcfc as $l"
	[ "$v" = ffff ] && [ "$l" = ffffffff ] &&
		brig console | grep -q 'PCI device 00:03.0 (1234:11e8) goes to cell "edu"'
}

back_in_root() {
	v=$(vendor) l=$(vendor_cf8)
	echo "root reads edu's vendor id as $v, its ids through 0xcf8/0xcfc as $l"
	[ "$v" = 1234 ] && [ "$l" = 11e81234 ]
}

dma_ok() {
	t_wait_for 20 sh -c "brig cell list | grep -q 'edu *running'" || return 1
	sleep 3 # the inmate's DMA and MSI (the host reads COM2)
	s=$(state_of edu)
	echo "edu cell: $s"
	[ "$s" = running ]
}

# attack ARGS WORDS...: the cell, started with ARGS, must end failed, the
# console saying WORDS
attack() {
	_args=$1
	shift
	fails_saying edu '00:03.0|edu' "cell_up '$_args'" "$@"
}

# QEMU 10.0.2's AMD-Vi logs no fault events: the DMA is blocked (the victim
# check below) but nobody can tell the hypervisor, so the cell runs on.
dma_outside() { # TARGET
	if [ "$BRIG_IOMMU" != amd-iommu ]; then
		attack "dma-to=$1" "DMA" "at $(printf '%x' $(($1 >> 12)))" "00:03.0" 'cell "edu"'
		return
	fi
	cell_up "dma-to=$1" || return 1
	sleep 2
	echo "AMD-Vi on QEMU 10.0.2: no fault event; the cell is $(state_of edu)"
	brig cell destroy edu
}

# The edu inmate's pattern words are 0xed000000, 0xed000001, ...
hv_victim_intact() {
	v=$(peek $HV_VICTIM)
	echo "$HV_VICTIM holds $v after disable"
	[ "$v" != ed000001ed000000 ]
}

victim_intact() {
	v=$(peek $VICTIM)
	echo "$VICTIM holds $v"
	[ "$v" = 5a5a5a5a5a5a5a5a ]
}

# An interrupt at a vector Linux did not set up shows as ERR (or a
# "No irq handler" message): neither may move.
errs() { awk '$1 == "ERR:" { print $2 }' /proc/interrupts; }
msi_at_root() {
	e=$(errs)
	attack "msi-dest=0" "APIC id 0" "a root CPU" || return 1
	sleep 1
	echo "ERR interrupts: $e -> $(errs)"
	[ "$(errs)" = "$e" ] && ! dmesg | grep -q "No irq handler"
}

t_check iommu-cell.insmod insmod "$BRIG_KO"
t_check iommu-cell.victim sh -c "insmod $BRIG_TEST_MODULES/hvprobe.ko phys=$VICTIM op=write value=0x5a5a5a5a5a5a5a5a && rmmod hvprobe"
t_check iommu-cell.enable brig enable "$SYS"
t_expect_fail iommu-cell.kept-mmconfig "overlaps PCI configuration space (MMCONFIG) at 0xb0000000-0xbfffffff, which the hypervisor keeps" \
	brig cell create $T/mmconfig.cell
t_expect_fail iommu-cell.kept-lapic "overlaps the local APIC and MSI range at 0xfee00000-0xfeefffff, which the hypervisor keeps" \
	brig cell create $T/lapic.cell
t_check iommu-cell.kept-nothing-changed sh -c '! brig cell list | grep -q edu'
t_check iommu-cell.alias-refused alias_refused
t_check iommu-cell.bridge-guarded bridge_guarded
t_check iommu-cell.port-device-reset port_device_reset
t_check iommu-cell.reset-required reset_required
t_check iommu-cell.removed-refused removed_refused
t_check iommu-cell.bar bar_matches
t_check iommu-cell.create-run cell_up bar-left-sized=1
t_check iommu-cell.unreset-said unreset_said
t_check iommu-cell.root-loses-device owned_by_cell
t_check iommu-cell.dma-and-msi dma_ok
t_check iommu-cell.destroy brig cell destroy edu
t_check iommu-cell.root-gets-device back_in_root
t_check iommu-cell.dma-outside dma_outside $VICTIM
t_check iommu-cell.victim-intact victim_intact
t_check iommu-cell.dma-hv-region dma_outside $HV_VICTIM
t_check iommu-cell.hv-still-works sh -c "brig info && brig cell list"
t_check iommu-cell.msi-at-root msi_at_root
# The device's completion MSI of the attacks above (raised after its cell
# was stopped) must not reach Linux when the CPU comes back.
t_check iommu-cell.no-stray-interrupts sh -c '! dmesg | grep "No irq handler"'
t_check iommu-cell.root-dma-after sh -c "insmod $BRIG_TEST_MODULES/edudma.ko phys=0x3b300000 op=to-ram pattern=0x77 && rmmod edudma"
t_check iommu-cell.disable brig disable
t_check iommu-cell.hv-victim-intact hv_victim_intact
t_check iommu-cell.rmmod rmmod brig
