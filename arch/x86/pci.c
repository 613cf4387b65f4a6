// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 part of PCI (arch/pci.h): the legacy configuration mechanism
 * (0xcf8 address latch, 0xcfc..0xcff data) and the MSI address format.
 * Everything else (ECAM, ownership, the configuration-space filter,
 * MSI/MSI-X state, virtual devices) is the core's, hv/pci.h.
 *
 * A cell's 0xcf8/0xcfc are emulated: its latch is its own, so the real
 * one is never shared. The root owns the real mechanism; while cells hold
 * devices (or the root has virtual ones) its data ports trap, and the
 * address it latched decides whether the core answers.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <arch/apic.h>
#include <arch/iommu.h>
#include <arch/pci.h>
#include <arch/vcpu.h>
#include <arch/x86.h>

#define CF8_ENABLE BIT(31)

_Static_assert(PCI_MAX_ASSIGNED * PCI_MSGS_PER_DEVICE <= IOMMU_SLOTS_PCI,
	       "interrupt remapping slots of PCI devices");

bool arch_iommu_unit_usable(unsigned int unit)
{
	return iommu_unit_usable(unit);
}

int arch_iommu_assign_device(struct cell *cell, unsigned int unit, u16 bdf)
{
	return iommu_assign_device(cell, unit, bdf);
}

void arch_iommu_unassign_device(unsigned int unit, u16 bdf)
{
	iommu_unassign_device(unit, bdf);
}

void arch_pci_root_config_trap(bool trap)
{
	backend->port_trap(&root_cell, 0xcfc, 4, trap);
}

void arch_pci_msi_clear(unsigned int unit, u16 bdf, unsigned int slot,
			unsigned int index)
{
	iommu_clear_cell_irte(unit, bdf, slot, index);
}

bool arch_pci_function_present(u16 bdf)
{
	u32 latch, id, addr = (u32)CF8_ENABLE | (u32)bdf << 8;

	/* Linux's latch is put back: no root CPU is inside an access now. */
	asm volatile("inl %1, %0" : "=a"(latch) : "Nd"((u16)0xcf8));
	asm volatile("outl %0, %1" : : "a"(addr), "Nd"((u16)0xcf8));
	asm volatile("inl %1, %0" : "=a"(id) : "Nd"((u16)0xcfc));
	asm volatile("outl %0, %1" : : "a"(latch), "Nd"((u16)0xcf8));
	return (id & 0xffff) != 0xffff;
}

/*
 * A compatibility-format message: a fixed or lowest-priority interrupt
 * to one CPU, physical destination, of the sending cell.
 */
bool arch_pci_msi_remap(struct per_cpu *cpu, unsigned int unit, u16 bdf,
			unsigned int slot, unsigned int index, const char *kind,
			u64 addr, u32 data, u32 *out_addr, u32 *out_data)
{
	u32 dest = (u32)(addr >> 12) & 0xff;
	u32 vector = data & 0xff, mode = (data >> 8) & 7;
	struct per_cpu *target = x86_cpu_by_apic_id(dest);

	if ((addr >> 20) != 0xfee || (addr & BIT(2)) || mode > 1 ||
	    vector < 16) {
		cell_fail(
			cpu,
			"%s of PCI device " BDF_FMT
			" with address %llx data %x: not a fixed or lowest-priority interrupt to one CPU",
			kind, BDF_ARGS(bdf), (unsigned long long)addr, data);
		return false;
	}
	if (!target || target->cell != cpu->cell) {
		cell_fail(cpu,
			  "%s of PCI device " BDF_FMT
			  " aimed at APIC id %u (%s), not a CPU of the cell",
			  kind, BDF_ARGS(bdf), dest,
			  target ? (target->cell == &root_cell ?
					    "a root CPU" :
					    "another cell's CPU") :
				   "no CPU");
		return false;
	}
	if (iommu_set_cell_irte(unit, bdf, slot, index, target->arch.apic_id,
				(u8)vector, mode == 1 ? IOMMU_IRQ_LOWEST : 0,
				out_addr, out_data)) {
		cell_fail(
			cpu,
			"no interrupt remapping entry for PCI device " BDF_FMT,
			BDF_ARGS(bdf));
		return false;
	}
	return true;
}

/*
 * The root's message, in the forms its Linux writes: remappable format
 * (resolved through the root's validated remapping entry, as it is now:
 * Linux moves an interrupt by rewriting that entry alone) or
 * compatibility format with a physical or logical destination.
 */
static bool root_msi_target(u16 bdf, u64 addr, u32 data, unsigned int *cpu,
			    unsigned int *vector, const char **why)
{
	struct iommu_root_irq irq = {
		.dest = (u32)(addr >> 12) & 0xff,
		.logical = addr & BIT(2),
		.vector = (u8)data,
		.delivery = (u8)((data >> 8) & 7),
	};
	struct per_cpu *target;

	*why = NULL;
	if ((addr >> 20) != 0xfee || (addr >> 32))
		*why = "not an interrupt message address";
	else if (addr & BIT(4))
		*why = iommu_root_msi(bdf, addr, data, &irq);
	if (*why)
		return false;
	target = x86_root_irq_cpu(irq.x2apic, irq.logical, irq.dest);
	if (irq.delivery > 1)
		*why = "not a fixed or lowest-priority interrupt";
	else if (irq.vector < 32)
		*why = "vector below 32";
	else if (!target)
		*why = "aimed at none of the root's CPUs";
	if (*why)
		return false;
	*cpu = target->cpu_id;
	*vector = irq.vector;
	return true;
}

bool arch_msi_target(const struct cell *cell, u16 bdf, u64 addr, u32 data,
		     unsigned int *cpu, unsigned int *vector, const char **why)
{
	u32 dest = (u32)(addr >> 12) & 0xff, mode = (data >> 8) & 7;
	struct per_cpu *target = x86_cpu_by_apic_id(dest);

	if (cell == &root_cell)
		return root_msi_target(bdf, addr, data, cpu, vector, why);
	*why = NULL;
	if ((addr >> 20) != 0xfee || (addr >> 32))
		*why = "not an interrupt message address";
	else if (addr & BIT(2))
		*why = "logical destination: only physical destinations are taken";
	else if (mode > 1)
		*why = "not a fixed or lowest-priority interrupt";
	else if ((data & 0xff) < 32)
		*why = "vector below 32";
	else if (!target || target->cell != cell)
		*why = !target ? "aimed at no CPU" :
		       target->cell == &root_cell ?
				 "aimed at a root CPU, not one of the cell's" :
				 "aimed at another cell's CPU";
	if (*why)
		return false;
	*cpu = target->cpu_id;
	*vector = data & 0xff;
	return true;
}

/* The cell's emulated mechanism. */
static int cell_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		    u32 *val)
{
	struct cell *cell = cpu->cell;
	u32 addr = cell->arch.pci_addr;

	if (port == 0xcf8 && size == 4) {
		if (in)
			*val = addr;
		else
			cell->arch.pci_addr = *val;
		return 1;
	}
	if (port < 0xcfc || port + size > 0xd00)
		return -1; /* 0xcf9 is the reset register: not the cell's */
	if (!(addr & CF8_ENABLE) || (addr & 0x0f000000)) {
		/* Nothing there, as for an empty slot: enumeration goes on. */
		if (in)
			*val = ~0u;
		return 1;
	}
	return pci_cell_config(cpu, (u16)(addr >> 8),
			       (addr & 0xfc) + (port - 0xcfcu), size, !in,
			       val) ?
		       1 :
		       0;
}

/*
 * The root's 0xcfc..0xcff trap: the address it latched in 0xcf8 (real,
 * the root owns the mechanism), read once, decides; the core carries the
 * access out through ECAM for that very function, under the lock of its
 * ownership check, so neither a device changing hands nor another CPU
 * rewriting the latch meanwhile can redirect it.
 */
static int root_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		    u32 *val)
{
	u32 addr;

	asm volatile("inl %1, %0" : "=a"(addr) : "Nd"((u16)0xcf8));
	/*
	 * Bits 24..27 reach extended registers on some chipsets: the core
	 * sees them, so a cell's device is denied there too. The real data
	 * port is never used while it traps: between this read of the latch
	 * and the access another root CPU could point the latch at a cell's
	 * device. What the core does not carry out (the latch disabled, an
	 * access across a dword, a bus ECAM does not cover) reads all-ones.
	 */
	if (!(addr & CF8_ENABLE) ||
	    !pci_root_config(cpu, (u16)(addr >> 8),
			     ((addr >> 16) & 0xf00) + (addr & 0xfc) +
				     (port - 0xcfcu),
			     size, !in, val)) {
		if (in)
			*val = ~0u;
	}
	return 1;
}

int x86_pci_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		u32 *val)
{
	if (port < 0xcf8 || port >= 0xd00)
		return -1;
	if (cpu->cell == &root_cell)
		return port < 0xcfc ? -1 : root_pio(cpu, port, size, in, val);
	if (!pci_cell_has_devices(cpu->cell))
		return -1;
	return cell_pio(cpu, port, size, in, val);
}
