/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 part of a cell (embedded in struct cell): one of the arch type
 * headers the core may include. The I/O port and MSR permission maps its
 * CPUs run with, and the state of the legacy devices the hypervisor
 * emulates for it.
 */
#ifndef _ARCH_CELL_TYPES_H
#define _ARCH_CELL_TYPES_H

#include <hv/types.h>
#include <brig/hypercall.h>

/* An unowned port a cell touched (BRIG_CELL_UNOWNED_PORTS_IGNORED). */
struct port_stat {
	u32 key; /* port + 1; 0: free. Claimed once, atomically */
	u32 reads, writes; /* atomic */
};

struct cell_arch {
	u8 *iopm; /* set bit: the port traps */
	u8 *msrpm; /* set bit: the MSR access traps */
	u32 pci_addr; /* the cell's 0xcf8 (emulated) */
	u32 ioapic_regsel[4]; /* its IO-APICs' select registers (emulated) */
	struct port_stat ports[BRIG_PORT_STATS_MAX];
	u32 ports_other; /* accesses to ports that found no free entry */
	u32 msr_faults; /* #GPs for MSRs (BRIG_CELL_UNOWNED_MSRS_FAULT) */
};

#endif /* _ARCH_CELL_TYPES_H */
