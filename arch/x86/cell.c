// SPDX-License-Identifier: GPL-2.0
/*
 * x86 cells: second-stage tables, memory and ports moving between the root
 * and a cell, and the waits the core needs.
 *
 * A cell's memory leaves the root's tables when the cell is created
 * (regions flagged root-shared stay), and its exclusive ports start to trap
 * in the root, where reads return all-ones and writes are dropped. Ports
 * several cells share read-only stay the root's. Destroy reverses both.
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

unsigned int x86_mem_flags(const struct brig_memory *mem)
{
	unsigned int flags = 0;

	if (mem->flags & BRIG_MEM_READ)
		flags |= PAGE_READ;
	if (mem->flags & BRIG_MEM_WRITE)
		flags |= PAGE_WRITE;
	if (mem->flags & BRIG_MEM_EXECUTE)
		flags |= PAGE_EXEC;
	if (mem->type == BRIG_MEM_TYPE_MMIO)
		flags |= PAGE_DEVICE;
	return flags;
}

/* Map every region of a cell description into its second-stage tables. */
int x86_map_cell_memory(struct cell *cell)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	int err = paging_init(&cell->arch.npt, vcpu->second_stage, &mem_pool);

	for (unsigned int n = 0; n < cell->config->num_memory_regions && !err;
	     n++)
		err = paging_map(&cell->arch.npt, mem[n].virt_start,
				 mem[n].phys_start, mem[n].size,
				 x86_mem_flags(&mem[n]));
	return err;
}

/*
 * The rights the root's own description gives it at phys: what a range
 * coming back from a cell is mapped with, so that it merges again with
 * its neighbours into the large pages it had.
 */
unsigned int x86_root_flags_at(u64 phys)
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);

	for (unsigned int n = 0; n < root->num_memory_regions; n++)
		if (phys >= mem[n].phys_start &&
		    phys - mem[n].phys_start < mem[n].size)
			return x86_mem_flags(&mem[n]);
	return PAGE_RWX;
}

/* Map (root 1:1) or unmap the cell's regions that leave the root. */
static int root_map_regions(const struct cell *cell, bool map, u32 only_flags)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	struct paging_structs *root = &root_cell.arch.npt;
	int err = 0;

	for (unsigned int n = 0; n < cell->config->num_memory_regions && !err;
	     n++) {
		if (mem[n].flags & BRIG_MEM_ROOTSHARED)
			continue;
		if (only_flags && !(mem[n].flags & only_flags))
			continue;
		if (map)
			err = paging_map(root, mem[n].phys_start,
					 mem[n].phys_start, mem[n].size,
					 x86_root_flags_at(mem[n].phys_start));
		else
			err = paging_unmap(root, mem[n].phys_start,
					   mem[n].size);
	}
	return err;
}

/* Exclusive ports of the cell trap in the root (or stop trapping). */
static void root_claim_ports(const struct cell *cell, bool claim)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(cell->config);

	for (unsigned int n = 0; n < cell->config->num_port_ranges; n++)
		if (!(pio[n].flags & BRIG_PIO_SHARED))
			vcpu->port_trap(&root_cell, pio[n].base, pio[n].length,
					claim);
}

int arch_cell_create(struct cell *cell)
{
	int err = x86_map_cell_memory(cell);

	if (!err)
		err = vcpu->cell_init(cell);
	if (!err)
		err = root_map_regions(cell, false, 0);
	if (!err)
		err = iommu_cell_create(cell);
	if (!err) {
		err = x86_pci_cell_create(cell);
		if (err)
			iommu_cell_destroy(cell);
	}
	if (err) {
		/* Whatever left the root comes back; tables go. */
		root_map_regions(cell, true, 0);
		vcpu->cell_exit(cell);
		paging_destroy(&cell->arch.npt);
		printk("brig: cannot set up the cell's tables: %d\n", err);
		return err;
	}
	root_claim_ports(cell, true);
	x86_ioapic_cell_create(cell);
	return 0;
}

void arch_cell_destroy(struct cell *cell)
{
	x86_ioapic_cell_destroy(cell);
	x86_pci_cell_destroy(cell);
	iommu_cell_destroy(cell);
	if (root_map_regions(cell, true, 0))
		panic("cannot give cell %u's memory back to the root",
		      cell->id);
	root_claim_ports(cell, false);
	vcpu->cell_exit(cell);
	paging_destroy(&cell->arch.npt);
}

int arch_cell_map_loadable(struct cell *cell, bool map)
{
	return root_map_regions(cell, map, BRIG_MEM_LOADABLE);
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
