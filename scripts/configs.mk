# SPDX-License-Identifier: GPL-2.0
#
# Compile the configured board's descriptions, configs/$(ARCH)/$(BOARD)*.dts,
# next to their sources: .dtb (for `brig config check` where there is no
# dtc, such as the test guests) and .cell (the blob the hypervisor takes),
# both by the brig tool's own compiler and checker.

DTS := $(wildcard configs/$(ARCH)/$(BOARD)*.dts)
DTB := $(DTS:.dts=.dtb)
CELL := $(DTS:.dts=.cell)

all: $(DTB) $(CELL)

# dtc writes which files it read (/include/s): an included description
# that changes rebuilds everything built on it.
%.dtb: %.dts
	dtc -q -d $@.d -I dts -O dtb -o $@ $<

%.cell: %.dts %.dtb tools/brig
	tools/brig config compile $< -o $@

-include $(DTB:=.d)

# An included file since renamed or deleted, which a .d still names, is
# no reason to stop (gcc's -MP for dtc, which has none).
%.dtsi: ;

.PHONY: all
