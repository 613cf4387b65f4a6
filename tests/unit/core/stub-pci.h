/* SPDX-License-Identifier: GPL-2.0 */
/* What test-pci sets and reads of the PCI hooks (stub-pci.c). */
#ifndef _TEST_STUB_PCI_H
#define _TEST_STUB_PCI_H

#include <hv/types.h>

extern bool stub_iommu_usable; /* unit 0 drives interrupt remapping */
extern bool stub_root_config_trapped; /* arch_pci_root_config_trap() */
extern unsigned int stub_assigned, stub_msi_remapped, stub_msi_cleared;

/*
 * The fake configuration space (pci_ecam_read() and pci_ecam_write() over
 * the window at the platform's MMCONFIG base): BAR register n of bdf
 * takes only the bits in decodes (0: no BAR there, writes are ignored);
 * every other register is plain memory. stub_bar_changes counts writes
 * that changed a declared BAR register. stub_pci_reset() forgets both.
 */
void stub_pci_reset(void);
void stub_pci_bar(u16 bdf, unsigned int n, u32 decodes);
extern unsigned int stub_bar_changes;

/* arch_raise_irq() calls, in order; the test resets stub_num_irqs. */
struct stub_irq {
	unsigned int cpu, vector;
};
#define STUB_MAX_IRQS 64
extern struct stub_irq stub_irqs[STUB_MAX_IRQS];
extern unsigned int stub_num_irqs;

#endif /* _TEST_STUB_PCI_H */
