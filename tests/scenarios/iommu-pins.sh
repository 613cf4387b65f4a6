# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd
# qemu-args: -device edu,dma_mask=0xffffffffffff,addr=03.0 -netdev user,id=n0 -device e1000e,netdev=n0,addr=04.0
# expect: com2.log edu: dma ok, 4096 bytes, 2 interrupts on IO-APIC pin 23
#
# An IO-APIC pin given to a cell (issue 6), on the VT-d board (QEMU's
# AMD-Vi board delivers no IO-APIC interrupt at all). The edu-pin cell owns
# edu and IO-APIC pin 23, where QEMU wires edu's INTx line; its inmate
# routes the pin to its own CPU, level-triggered, and takes the completion
# interrupts of its DMA through it (checked on COM2 by the host: the
# expect line above). The hypervisor turns the cell's entry into a
# validated remapping entry. Meanwhile:
#  - the root's write to the pin's entry does not reach the pin, is
#    reported, and is what the pin holds once the cell is destroyed;
#  - the root's serial interrupts (pin 4) keep counting;
#  - the cell aiming the pin at a root CPU is stopped, naming pin and CPU,
#    and no root CPU takes an interrupt from it;
#  - the cell writing a pin it does not own (the root's serial, pin 4) is
#    stopped, and the root's serial keeps working.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-edu-pin.cell
INMATES=/lib/brig/inmates
EDU=/sys/bus/pci/devices/0000:00:03.0
PIN=23
ROOT_ENTRY=0x100ef # what the root writes: masked, vector 0xef
T=/tmp/iommu-pins
mkdir -p $T

# Linux's view: edu's INTx is GSI 23 (Linux looks it up in ACPI when the
# device is enabled; before, sysfs shows the firmware's PIC line), and no
# root driver uses that line (a cell must not take a pin the root needs).
pin_free_in_root() {
	echo 1 > $EDU/enable
	irq=$(cat $EDU/irq)
	echo 0 > $EDU/enable
	echo "edu's irq in Linux: $irq"
	grep -E "IO-APIC +$PIN-" /proc/interrupts && { echo "a root driver uses pin $PIN"; return 1; }
	[ "$irq" = $PIN ]
}

cell_up() { # IMAGE-ARGS
	brig cell create "$CELL" && brig cell load edu-pin "$INMATES/edu.bin" -s "$1" &&
		brig cell start edu-pin
}

# entry PIN: the redirection entry as the root reads it, "HI LO" in hex
entry() {
	insmod "$BRIG_TEST_MODULES/ioapicprobe.ko" pin="$1" op=read && rmmod ioapicprobe
	dmesg | grep "ioapicprobe: pin $1 = " | tail -n 1 | sed 's/.*= //'
}
set_entry() { # PIN LO
	insmod "$BRIG_TEST_MODULES/ioapicprobe.ko" pin="$1" op=write lo="$2" hi=0 &&
		rmmod ioapicprobe
}

owned_by_cell() {
	t_wait_for 20 sh -c "brig cell list | grep -q 'edu-pin *running'" || return 1
	brig console | grep "IO-APIC at fec00000: pin $PIN goes to cell" || return 1
	echo "root reads pin $PIN as $(entry $PIN)"
}

intx_ok() {
	sleep 3 # the inmate's DMA and interrupts (the host reads COM2)
	s=$(state_of edu-pin)
	echo "edu-pin cell: $s"
	[ "$s" = running ]
}

# The root writes the cell's pin: reported, kept aside, not applied.
root_writes_pin() {
	brig console > $T/before
	set_entry $PIN $ROOT_ENTRY || return 1
	e=$(entry $PIN)
	echo "root reads pin $PIN back as $e"
	brig console > $T/after
	diff $T/before $T/after | grep '^+' | grep "pin $PIN of the IO-APIC at fec00000 belongs to cell \"edu-pin\"" || {
		echo "no report on the console"; return 1; }
	[ "$e" = "00000000 000$(printf '%x' $ROOT_ENTRY)" ]
}

# After destroy the pin holds what the root wrote while the cell had it.
root_entry_back() {
	e=$(entry $PIN)
	echo "pin $PIN after destroy: $e"
	[ "$e" = "00000000 000$(printf '%x' $ROOT_ENTRY)" ]
}

# attack ARGS WORDS...: the cell, started with ARGS, must end failed, the
# console saying WORDS
attack() {
	_args=$1
	shift
	fails_saying edu-pin 'IO-APIC|edu-pin' "cell_up '$_args'" "$@"
}

# An interrupt at a vector Linux did not set up shows as ERR (or a
# "No irq handler" message): neither may move.
errs() { awk '$1 == "ERR:" { print $2 }' /proc/interrupts; }
pin_at_root() {
	e=$(errs)
	attack "intx=$PIN msi-dest=0" "pin $PIN aimed at APIC id 0" "a root CPU" 'cell "edu-pin"' || return 1
	sleep 1
	echo "ERR interrupts: $e -> $(errs)"
	[ "$(errs)" = "$e" ] && ! dmesg | grep -q "No irq handler"
}

t_check iommu-pins.insmod insmod "$BRIG_KO"
t_check iommu-pins.pin-free-in-root pin_free_in_root
t_check iommu-pins.enable brig enable "$SYS"
t_check iommu-pins.ioapic-trapped sh -c "brig console | grep 'IO-APIC at fec00000 (version 20, 24 pins): its page traps'"
t_check iommu-pins.create-run cell_up "intx=$PIN"
t_check iommu-pins.pin-owned owned_by_cell
t_check iommu-pins.intx-interrupts intx_ok
t_check iommu-pins.root-write-kept root_writes_pin
t_check iommu-pins.serial-with-cell serial_works
t_check iommu-pins.destroy brig cell destroy edu-pin
t_check iommu-pins.root-entry-back root_entry_back
t_check iommu-pins.pin-at-root pin_at_root
t_check iommu-pins.pin-not-owned attack "intx=4" "write of" "pin 4 of the IO-APIC at fec00000, which is not the cell's"
t_check iommu-pins.serial-after serial_works
t_check iommu-pins.again cell_up "intx=$PIN"
t_check iommu-pins.again-running intx_ok
t_check iommu-pins.destroy-again brig cell destroy edu-pin
t_check iommu-pins.disable brig disable
t_check iommu-pins.serial-after-disable serial_works
t_check iommu-pins.rmmod rmmod brig
