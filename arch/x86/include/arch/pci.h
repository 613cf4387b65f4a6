/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 part of PCI (pci.c): the legacy configuration mechanism at
 * 0xcf8/0xcfc, and the arch hooks of hv/arch.h that turn a cell's MSI
 * into a validated interrupt remapping entry. The rest is the core's
 * (hv/pci.h).
 */
#ifndef _ARCH_PCI_H
#define _ARCH_PCI_H

#include <hv/types.h>

struct per_cpu;

/*
 * A port access to 0xcf8..0xcff: the cell's emulated configuration
 * mechanism, or the root's filtered one. Returns -1 if it is not handled
 * here, 0 if the cell failed (cell_fail() said why), 1 when done; *val
 * is the value written or read (low size bytes).
 */
int x86_pci_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		u32 *val);

#endif /* _ARCH_PCI_H */
