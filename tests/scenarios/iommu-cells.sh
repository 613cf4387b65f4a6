# SPDX-License-Identifier: GPL-2.0
# boards: qemu-vtd-4cpu
# qemu-args: -device edu,dma_mask=0xffffffffffff,addr=03.0
# expect: com3.log hello: at shutdown the word at 0x80000 is 4242424242424242
#
# Two cells side by side (issue 6): the edu cell (CPU 1) aims its device's
# DMA at the other cell's memory and its MSI at the other cell's CPU (2).
# Both are blocked and stop the edu cell, the console names what was done;
# the other cell keeps running and its memory keeps its pattern.

SYS=$(brig_system)
EDU=$BRIG_CONF_DIR/$BRIG_BOARD-edu.cell
OTHER=$BRIG_CONF_DIR/$BRIG_BOARD-hostile.cell # CPU 2, RAM at 0x3b400000
INMATES=/lib/brig/inmates
VICTIM=0x3b480000 # inside the other cell's RAM, past its image and stack
T=/tmp/iommu-cells
mkdir -p $T

# attack ARGS WORDS...: the edu cell must fail, the console saying WORDS,
# and the other cell must keep running.
attack() {
	args=$1
	shift
	brig console > $T/before
	brig cell create "$EDU" && brig cell load edu "$INMATES/edu.bin" -s "$args" &&
		brig cell start edu || return 1
	t_wait_for 20 sh -c "brig cell list | grep -q 'edu *failed'" || {
		echo "edu cell did not fail: $(state_of edu)"; brig cell destroy --force edu; return 1; }
	brig console > $T/after
	msg=$(diff $T/before $T/after | grep '^+' | grep -E 'edu|00:03.0')
	echo "$msg"
	brig cell destroy edu || return 1
	for w in "$@"; do
		echo "$msg" | grep -qi -- "$w" || { echo "console does not say '$w'"; return 1; }
	done
	[ "$(state_of hostile)" = running ] || { echo "the other cell stopped"; return 1; }
}

# The other cell reads the victim word itself when asked to shut down (the
# expect line); its RAM comes back to the root zeroed.
other_intact() {
	brig cell shutdown hostile && brig cell destroy hostile || return 1
	v=$(peek $VICTIM)
	echo "$VICTIM holds $v after destroy"
	[ "$v" = 0000000000000000 ]
}

t_check iommu-cells.insmod insmod "$BRIG_KO"
t_check iommu-cells.victim sh -c "insmod $BRIG_TEST_MODULES/hvprobe.ko phys=$VICTIM op=write value=0x4242424242424242 && rmmod hvprobe"
t_check iommu-cells.enable brig enable "$SYS"
t_check iommu-cells.other-cell sh -c "brig cell create $OTHER && brig cell load hostile $INMATES/hello.bin -s watch=0x80000 && brig cell start hostile"
t_check iommu-cells.dma-into-other-cell attack "dma-to=$VICTIM" "DMA write at 3b480000" 'cell "edu"'
t_check iommu-cells.msi-at-other-cell attack "msi-dest=2" "APIC id 2" "another cell's CPU"
t_check iommu-cells.other-intact other_intact
t_check iommu-cells.disable brig disable
t_check iommu-cells.rmmod rmmod brig
