/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 part of a cell: its second-stage page tables and the I/O port
 * and MSR permission maps its CPUs run with.
 */
#ifndef _ARCH_CELL_H
#define _ARCH_CELL_H

#include <hv/paging.h>

struct cell_arch {
	struct paging_structs npt; /* guest-physical -> host-physical */
	struct paging_structs dma; /* the same for its devices (IOMMU) */
	u8 *iopm; /* set bit: the port traps */
	u8 *msrpm; /* set bit: the MSR access traps */
	u32 pci_addr; /* the cell's 0xcf8 (emulated) */
	u32 ioapic_regsel[4]; /* its IO-APICs' select registers (emulated) */
};

#endif /* _ARCH_CELL_H */
