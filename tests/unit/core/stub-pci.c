// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI hooks of the arch contract (hv/arch.h) for test-pci: IOMMU
 * assignment and MSI remapping recorded, the root's legacy mechanism's
 * trap state kept, the interrupt policy a simple one (a message to
 * "CPU" 0x100 + n of the caller's cell).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hv/cell.h>
#include <hv/percpu.h>
#include "stub-pci.h"

bool stub_iommu_usable = true;
bool stub_root_config_trapped;
unsigned int stub_assigned, stub_msi_remapped, stub_msi_cleared;

bool arch_iommu_unit_usable(unsigned int unit)
{
	return stub_iommu_usable && unit == 0;
}

int arch_iommu_assign_device(struct cell *cell, unsigned int unit, u16 bdf)
{
	(void)cell;
	(void)unit;
	(void)bdf;
	stub_assigned++;
	return 0;
}

void arch_iommu_unassign_device(unsigned int unit, u16 bdf)
{
	(void)unit;
	(void)bdf;
	stub_assigned--;
}

bool arch_pci_msi_remap(struct per_cpu *cpu, unsigned int unit, u16 bdf,
			unsigned int slot, unsigned int index, const char *kind,
			u64 addr, u32 data, u32 *out_addr, u32 *out_data)
{
	(void)unit;
	(void)bdf;
	(void)slot;
	(void)kind;
	if (addr != 0x100 + cpu->cpu_id) {
		cell_fail(cpu, "%s aimed at %llx", kind,
			  (unsigned long long)addr);
		return false;
	}
	stub_msi_remapped++;
	*out_addr = 0xfee00000 | index << 5;
	*out_data = data;
	return true;
}

void arch_pci_msi_clear(unsigned int unit, u16 bdf, unsigned int slot,
			unsigned int index)
{
	(void)unit;
	(void)bdf;
	(void)slot;
	(void)index;
	stub_msi_cleared++;
}

void arch_pci_root_config_trap(bool trap)
{
	stub_root_config_trapped = trap;
}
