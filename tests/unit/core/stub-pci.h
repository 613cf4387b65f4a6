/* SPDX-License-Identifier: GPL-2.0 */
/* What test-pci sets and reads of the PCI hooks (stub-pci.c). */
#ifndef _TEST_STUB_PCI_H
#define _TEST_STUB_PCI_H

#include <hv/types.h>

extern bool stub_iommu_usable; /* unit 0 drives interrupt remapping */
extern bool stub_root_config_trapped; /* arch_pci_root_config_trap() */
extern unsigned int stub_assigned, stub_msi_remapped, stub_msi_cleared;

#endif /* _TEST_STUB_PCI_H */
