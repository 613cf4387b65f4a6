// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 part of cells: the second-stage format, the I/O ports moving
 * between the root and a cell, and the waits the core needs. (The memory
 * moves are the core's, hv/memory.h.)
 *
 * A cell's exclusive ports start to trap in the root when the cell is
 * created, where reads return all-ones and writes are dropped. Ports
 * several cells share read-only stay the root's. Destroy reverses it.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/page-pool.h>
#include <hv/panic.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/ioapic.h>
#include <arch/iommu.h>
#include <arch/paging.h>
#include <arch/pci.h>
#include <arch/vcpu.h>
#include <arch/x86.h>

const struct paging_format *arch_stage2_format(void)
{
	return backend->second_stage;
}

/* Exclusive ports of the cell trap in the root (or stop trapping). */
static void root_claim_ports(const struct cell *cell, bool claim)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(cell->config);

	for (unsigned int n = 0; n < cell->config->num_port_ranges; n++)
		if (!(pio[n].flags & BRIG_PIO_SHARED))
			backend->port_trap(&root_cell, pio[n].base,
					   pio[n].length, claim);
}

int arch_cell_create(struct cell *cell)
{
	int err = backend->cell_init(cell);

	if (err)
		return err;
	err = x86_ioapic_cell_traps(cell);
	/* Its xAPIC page, for a cell in xAPIC mode (apic.c). */
	if (!err)
		err = mmio_register(cell, X86_XAPIC_PAGE, PAGE_SIZE,
				    x86_cell_xapic_access, NULL);
	if (!err)
		err = iommu_cell_create(cell);
	if (err) {
		backend->cell_exit(cell);
		return err;
	}
	root_claim_ports(cell, true);
	x86_ioapic_cell_create(cell);
	return 0;
}

void arch_cell_destroy(struct cell *cell)
{
	x86_ioapic_cell_destroy(cell);
	iommu_cell_destroy(cell);
	root_claim_ports(cell, false);
	backend->cell_exit(cell);
}

void arch_cpu_kick(struct per_cpu *target)
{
	x86_send_nmi(target);
}

u32 arch_wait_for_reply(const u32 *reply, u32 timeout_ms)
{
	/* Without a TSC frequency, assume 3 GHz: the wait is then shorter. */
	u64 khz = hv_header.tsc_khz ?: 3000000;
	u64 end = rdtsc() + khz * timeout_ms;
	u32 v;

	while ((v = READ_ONCE(*reply)) == BRIG_REPLY_NONE && rdtsc() < end)
		cpu_relax();
	return v;
}
