# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd qemu-amdvi
# qemu-args: -device edu,dma_mask=0xffffffffffff,addr=03.0
#
# DMA and interrupt isolation (issue 6): brig takes the IOMMU over from
# Linux, VT-d (Linux boots with intel_iommu=off and keeps interrupt
# remapping in x2APIC mode) or AMD-Vi (amd_iommu=off: Linux leaves it
# alone). A root-cell device (QEMU's edu,
# driven by the edudma test module) then cannot DMA into the hypervisor
# region or a cell's memory: the DMA is blocked, the hypervisor console
# names device, address and cell, and the victim's pattern is unchanged.
# The control run of the same DMA before brig is enabled shows it does land,
# so the test can fail. On VT-d the root's interrupts (serial, through the
# IO-APIC and the remapping table brig validates) keep working through
# enable, cells and disable; QEMU's AMD-Vi board delivers no IO-APIC
# interrupt at all, with or without brig (docs/testing.md), so there the root's
# MSI-X NIC stands for them (iommu-nic.sh). Enabling is refused, saying
# why, when the description names an IOMMU that is not there.

SYS=$(brig_system)
CELL=$BRIG_CONF_DIR/$BRIG_BOARD-hello.cell
INMATES=/lib/brig/inmates
HV_VICTIM=0x3a800000 # inside the hypervisor region
CELL_VICTIM=0x3b0f0800 # in the hello cell's loadable RAM, past its image
T=/tmp/iommu
mkdir -p $T

# dma PHYS PATTERN: the root's edu device writes PATTERN over 4 KiB at PHYS
dma() {
	insmod "$BRIG_TEST_MODULES/edudma.ko" phys="$1" op=to-ram pattern="$2" &&
		rmmod edudma
	dmesg | grep "edudma:" | tail -n 1
}

# expect_word PHYS HEX: the word at PHYS is HEX
expect_word() {
	v=$(peek "$1")
	echo "$1 holds $v"
	[ "$v" = "$2" ]
}

not_word() {
	v=$(peek "$1")
	echo "$1 holds $v"
	[ "$v" != "$2" ]
}

# console_says WORDS...: one new hypervisor console line has every word
console_says() {
	brig console > $T/after
	msg=$(diff $T/before $T/after | grep '^+' | grep -i "DMA")
	echo "$msg"
	for w in "$@"; do
		echo "$msg" | grep -qi -- "$w" || { echo "console does not say '$w'"; return 1; }
	done
}

edu_present() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/vendor):$(cat $d/device)" = 0x1234:0x11e8 ] && {
			echo "edu at ${d##*/}"; return 0; }
	done
	return 1
}

# dma_lands PHYS HEX: the device's DMA reaches PHYS
dma_lands() {
	dma "$1" "0x$2" || return 1
	expect_word "$1" "$2"
}

# dma_blocked PHYS HEX CELL-NAME: the DMA is stopped and reported (whether
# it had an effect, the *-intact checks below tell). QEMU 10.0.2's AMD-Vi
# never writes its event log (its status test is always true), so there
# the blocked DMA cannot be reported: only the victims tell.
dma_blocked() {
	brig console > $T/before
	dma "$1" "0x$2"
	if [ "$BRIG_IOMMU" = amd-iommu ]; then
		echo "AMD-Vi on QEMU 10.0.2: no fault event to report"
		return 0
	fi
	page=$(printf '%x' $(($1 & ~0xfff)))
	console_says "DMA" "at ${page%???}" "cell \"$3\"" "blocked"
}

# The same system description, naming a unit where there is none
# (struct brig_system_desc: platform.iommu_units[0].base at byte 80):
# 0xfed91000 (VT-d board) or 0xfed84000 (AMD-Vi board).
if [ "$BRIG_IOMMU" = amd-iommu ]; then
	UNIT=fed80000 NOUNIT=fed84000 NOUNIT_BYTES='\000\100\330\376' KIND=AMD-Vi
else
	UNIT=fed90000 NOUNIT=fed91000 NOUNIT_BYTES='\000\020\331\376' KIND=VT-d
fi
wrong_unit() {
	cp "$SYS" $T/nounit.cell
	printf "$NOUNIT_BYTES" | dd of=$T/nounit.cell bs=1 seek=80 conv=notrunc 2>/dev/null
	brig enable $T/nounit.cell
}

ROOT=$(brig config dump "$SYS" | awk '/^root cell/ { getline; getline; print }' | sed 's/.*"\(.*\)"/\1/')

t_check iommu.edu-present edu_present
t_check iommu.insmod insmod "$BRIG_KO"

# Control run: without brig the device reaches both victims.
t_check iommu.control-hv-region dma_lands $HV_VICTIM 1111111111111111
t_check iommu.control-cell-memory dma_lands $CELL_VICTIM 2222222222222222
t_check iommu.serial-before serial_works

t_expect_fail iommu.refuse-missing-unit "no $KIND unit at $NOUNIT" wrong_unit
t_check iommu.enable brig enable "$SYS"
t_check iommu.console-takeover sh -c "brig console | grep '$KIND unit 0 at $UNIT: DMA remapping on'"
t_check iommu.serial-enabled serial_works

# The root's device against the hypervisor region.
t_check iommu.root-dma-hv-region dma_blocked $HV_VICTIM 3333333333333333 "$ROOT"
t_check iommu.root-dma-root-memory dma_lands 0x3b300800 4444444444444444

# ... and against a running cell's memory.
# The cell's memory is the cell's from create on; loading shows the root
# its loadable RAM again (not zeroed: the cell has not run yet), so the
# blocked DMA can be seen to have left it as it was. Destroy zeroes it.
victim_intact_while_loading() {
	brig cell load hello "$INMATES/hello.bin" > /dev/null &&
		expect_word $CELL_VICTIM 2222222222222222
}
t_check iommu.cell-create brig cell create $CELL
t_check iommu.root-dma-cell-memory dma_blocked $CELL_VICTIM 5555555555555555 "$ROOT"
t_check iommu.cell-victim-intact victim_intact_while_loading
t_check iommu.cell-start brig cell start hello
t_check iommu.serial-with-cell serial_works
t_check iommu.root-dma-running-cell dma_blocked 0x3b0f1800 7777777777777777 "$ROOT"
t_check iommu.cell-destroy brig cell destroy hello
t_check iommu.cell-memory-zeroed expect_word $CELL_VICTIM 0000000000000000
t_check iommu.root-dma-after-destroy dma_lands $CELL_VICTIM 6666666666666666
t_check iommu.serial-after-destroy serial_works
t_check iommu.disable brig disable
t_check iommu.hv-victim-intact not_word $HV_VICTIM 3333333333333333
t_check iommu.serial-after-disable serial_works
t_check iommu.dma-after-disable dma_lands $HV_VICTIM 7777777777777777
t_check iommu.rmmod rmmod brig
