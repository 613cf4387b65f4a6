// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI hooks of the arch contract (hv/arch.h) for test-pci: IOMMU
 * assignment and MSI remapping recorded, the root's legacy mechanism's
 * trap state kept, the interrupt policy a simple one (a message to
 * "CPU" 0x100 + n of the caller's cell).
 *
 * And configuration space itself, in place of hypervisor/pci-ecam.c: the
 * test's fake ECAM window is plain memory, except the BAR registers a
 * test declares, which take only the bits they decode, as a device's do
 * (so all-ones written reads back as the sizing answer).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hv/cell.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/setup.h>
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

/* --- configuration space ------------------------------------------------ */

#define STUB_MAX_BARS 32

static struct {
	u16 bdf;
	unsigned int reg;
	u32 decodes;
} stub_bars[STUB_MAX_BARS];
static unsigned int stub_num_bars;
unsigned int stub_bar_changes;

void stub_pci_reset(void)
{
	stub_num_bars = 0;
	stub_bar_changes = 0;
}

void stub_pci_bar(u16 bdf, unsigned int n, u32 decodes)
{
	assert_true(stub_num_bars < STUB_MAX_BARS && n < 6);
	stub_bars[stub_num_bars].bdf = bdf;
	stub_bars[stub_num_bars].reg = PCI_BAR0 + 4 * n;
	stub_bars[stub_num_bars++].decodes = decodes;
}

static volatile void *fake_cfg(u16 bdf, unsigned int reg)
{
	return phys_to_hv(system_config->platform.pci_mmconfig_base +
			  ((u64)bdf << 12) + reg);
}

/* The bits of the dword at reg that take writes: all but a BAR's. */
static u32 writable(u16 bdf, unsigned int reg)
{
	for (unsigned int i = 0; i < stub_num_bars; i++)
		if (stub_bars[i].bdf == bdf && stub_bars[i].reg == reg)
			return stub_bars[i].decodes;
	return ~0u;
}

u32 pci_ecam_read(u16 bdf, unsigned int reg, unsigned int size)
{
	u32 dword = *(volatile u32 *)fake_cfg(bdf, reg & ~3u);
	unsigned int shift = (reg & 3) * 8;

	assert_true(reg % size == 0);
	return size == 4 ? dword : (dword >> shift) & ((1u << 8 * size) - 1);
}

void pci_ecam_write(u16 bdf, unsigned int reg, unsigned int size, u32 val)
{
	volatile u32 *p = fake_cfg(bdf, reg & ~3u);
	unsigned int shift = (reg & 3) * 8;
	u32 mask = size == 4 ? ~0u : ((1u << 8 * size) - 1) << shift;
	u32 old = *p, take = mask & writable(bdf, reg & ~3u);
	u32 new = (old & ~take) | ((val << shift) & take);

	assert_true(reg % size == 0);
	if (writable(bdf, reg & ~3u) != ~0u && new != old)
		stub_bar_changes++;
	*p = new;
}

/* Without ECAM, the stub has a function at every slot of bus 0. */
bool arch_pci_function_present(u16 bdf)
{
	return (bdf >> 8) == 0;
}

/* --- interrupts of virtual devices ---------------------------------------- */

struct stub_irq stub_irqs[STUB_MAX_IRQS];
unsigned int stub_num_irqs;

/*
 * The stub's interrupt policy: address 0xfee00000 | n << 12 is CPU n,
 * which must be the cell's; data is the vector, 32 or above.
 */
bool arch_msi_target(const struct cell *cell, u16 bdf, u64 addr, u32 data,
		     unsigned int *cpu, unsigned int *vector, const char **why)
{
	unsigned int n = (unsigned int)(addr >> 12) & 0xff;

	(void)bdf;
	*why = NULL;
	if ((addr & ~0xff000ULL) != 0xfee00000 || (data & 0xff) < 32)
		*why = "not a message the stub takes";
	else if (n >= CONFIG_MAX_CPUS || per_cpu(n)->cell != cell)
		*why = "aimed at a CPU not the cell's";
	if (*why)
		return false;
	*cpu = n;
	*vector = data & 0xff;
	return true;
}

void arch_raise_irq(unsigned int cpu, unsigned int vector)
{
	if (stub_num_irqs == STUB_MAX_IRQS)
		fail_msg("more than %u interrupts raised", STUB_MAX_IRQS);
	stub_irqs[stub_num_irqs++] = (struct stub_irq){ cpu, vector };
}
