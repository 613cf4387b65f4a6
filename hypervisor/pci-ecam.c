// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that touches PCI configuration space: ECAM, the window
 * pci_init() maps (hv/pci.h). Apart from pci.c so that the core's unit
 * tests can link a configuration space that behaves like devices do
 * (tests/unit/core/stub-pci.c: BARs that answer the sizing probe) in its
 * place.
 */
#include <hv/pci.h>
#include <hv/setup.h>

static volatile void *ecam(u16 bdf, unsigned int reg)
{
	return phys_to_hv(system_config->platform.pci_mmconfig_base +
			  ((u64)bdf << 12) + reg);
}

u32 pci_ecam_read(u16 bdf, unsigned int reg, unsigned int size)
{
	volatile void *p = ecam(bdf, reg);

	if (size == 1)
		return *(volatile u8 *)p;
	if (size == 2)
		return *(volatile u16 *)p;
	return *(volatile u32 *)p;
}

void pci_ecam_write(u16 bdf, unsigned int reg, unsigned int size, u32 val)
{
	volatile void *p = ecam(bdf, reg);

	if (size == 1)
		*(volatile u8 *)p = (u8)val;
	else if (size == 2)
		*(volatile u16 *)p = (u16)val;
	else
		*(volatile u32 *)p = val;
}
