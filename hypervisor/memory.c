// SPDX-License-Identifier: GPL-2.0
/*
 * Memory moves between the root cell and the cells (hv/memory.h).
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/ivshmem.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/setup.h>

unsigned int mem_region_flags(const struct brig_memory *mem)
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

int cell_map_memory(struct cell *cell)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	int err = paging_init(&cell->stage2, arch_stage2_format(), &mem_pool);

	for (unsigned int n = 0; n < cell->config->num_memory_regions && !err;
	     n++)
		err = paging_map(&cell->stage2, mem[n].virt_start,
				 mem[n].phys_start, mem[n].size,
				 mem_region_flags(&mem[n]));
	if (!err)
		err = ivshmem_map_sections(cell);
	return err;
}

/*
 * A channel's memory leaves the root with its first peer and comes back
 * with its last (ivshmem_channel_held()): not with each cell.
 */
static int
move_channels(const struct paging_structs *pg, const struct cell *cell,
	      bool map, unsigned int (*flags_of)(const struct brig_memory *mem))
{
	const struct brig_pci_device *dev = brig_cell_pci_devices(cell->config);
	int err = 0;

	for (unsigned int n = 0; n < cell->config->num_pci_devices && !err;
	     n++) {
		const struct brig_ivshmem *d = &dev[n].ivshmem;

		/* A root peer keeps its part of the memory throughout. */
		if (dev[n].type != BRIG_PCI_TYPE_IVSHMEM ||
		    ivshmem_root_peer(d->shmem_phys))
			continue;
		if (!map)
			err = paging_unmap(pg, d->shmem_phys,
					   ivshmem_mem_size(d));
		else if (!ivshmem_channel_held(d->shmem_phys, cell))
			err = root_map_described(pg, d->shmem_phys,
						 ivshmem_mem_size(d), flags_of);
	}
	return err;
}

int root_move_regions(const struct paging_structs *pg, const struct cell *cell,
		      bool map, u32 only_flags,
		      unsigned int (*flags_of)(const struct brig_memory *mem))
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	int err = 0;

	for (unsigned int n = 0; n < cell->config->num_memory_regions && !err;
	     n++) {
		if (mem[n].flags & BRIG_MEM_ROOTSHARED)
			continue;
		if (only_flags && !(mem[n].flags & only_flags))
			continue;
		/*
		 * Back with the rights the root's own description gives each
		 * part (a region may span root regions of different rights),
		 * so it merges again into the large pages it had.
		 */
		if (map)
			err = root_map_described(pg, mem[n].phys_start,
						 mem[n].size, flags_of);
		else
			err = paging_unmap(pg, mem[n].phys_start, mem[n].size);
	}
	if (!err && !only_flags)
		err = move_channels(pg, cell, map, flags_of);
	return err;
}

int root_map_regions(const struct cell *cell, bool map, u32 only_flags)
{
	return root_move_regions(&root_cell.stage2, cell, map, only_flags,
				 mem_region_flags);
}

bool ram_described(u64 phys, u64 size)
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);

	if (!size || phys + size < phys)
		return false;
	for (unsigned int n = 0; n < root->num_memory_regions; n++) {
		if (mem[n].type != BRIG_MEM_TYPE_RAM ||
		    !(mem[n].flags & BRIG_MEM_WRITE))
			continue;
		if (phys >= mem[n].phys_start &&
		    phys + size <= mem[n].phys_start + mem[n].size)
			return true;
	}
	return false;
}

/*
 * The description says what the root had at enable; its second-stage
 * tables say what it has now. Both must agree for every page: RAM a cell
 * took (or the hypervisor keeps) is described but no longer mapped.
 */
bool root_owns_ram(u64 gpa, u64 size)
{
	unsigned int flags;

	if (!ram_described(gpa, size))
		return false;
	for (u64 page = ALIGN_DOWN(gpa, PAGE_SIZE); page < gpa + size;
	     page += PAGE_SIZE)
		if (paging_virt_to_phys_walk(&root_cell.stage2, page, &flags) !=
			    page ||
		    (flags & (PAGE_RW | PAGE_DEVICE)) != PAGE_RW)
			return false;
	return true;
}

int root_unmap(u64 base, u64 size)
{
	return paging_unmap(&root_cell.stage2, base, size);
}

int root_map_described(const struct paging_structs *pg, u64 base, u64 size,
		       unsigned int (*flags_of)(const struct brig_memory *mem))
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);
	int err = 0;

	for (unsigned int n = 0; n < root->num_memory_regions && !err; n++) {
		u64 s = MAX(base, mem[n].phys_start);
		u64 e = MIN(base + size, mem[n].phys_start + mem[n].size);
		unsigned int flags = s < e ? flags_of(&mem[n]) : 0;

		if (flags)
			err = paging_map(pg, s, s, e - s, flags);
	}
	return err;
}

int root_restore(u64 base, u64 size)
{
	return root_map_described(&root_cell.stage2, base, size,
				  mem_region_flags);
}
