/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI devices given to cells on x86 (pci.c). A device listed in a cell's
 * description moves from the root to the cell when the cell is created:
 * its DMA goes through the cell's IOMMU domain, its configuration space
 * disappears from the root's view (MMCONFIG page unmapped, 0xcfc..0xcff
 * filtered) and appears, filtered, in the cell's (0xcf8/0xcfc, emulated);
 * the MSI the cell programs becomes a validated interrupt remapping entry.
 * Destroy reverses it all. Caller of each function holds cell_lock unless
 * said otherwise.
 */
#ifndef _ARCH_PCI_H
#define _ARCH_PCI_H

#include <hv/types.h>
#include <brig/config.h>

struct cell;
struct per_cpu;

/* arch_init(): map MMCONFIG for the hypervisor's own config accesses. */
int x86_pci_init(void);

/* Dry run: can the cell have its devices? Prints why not. */
int x86_pci_check(const struct brig_cell_desc *config);

/* Take the cell's devices from the root / give them back. */
int x86_pci_cell_create(struct cell *cell);
void x86_pci_cell_destroy(struct cell *cell);

/*
 * A port access to 0xcf8..0xcff: the cell's emulated configuration
 * mechanism, or the root's filtered one. Returns -1 if it is not handled
 * here, 0 if the cell failed (cell_fail() said why), 1 when done; *val
 * is the value written or read (low size bytes).
 */
int x86_pci_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		u32 *val);

/*
 * Whether a PCI function answers at bdf (MMCONFIG; without it, every
 * function of bus 0 is assumed).
 */
bool x86_pci_present(u16 bdf);

/* The cell a device (source id) belongs to; the root if none. Any lock. */
struct cell *x86_pci_owner(u16 bdf);

#endif /* _ARCH_PCI_H */
