// SPDX-License-Identifier: GPL-2.0
/*
 * DMA domains (hv/iommu.h): the second-stage tables IOMMUs walk, one for
 * the root and one for each cell with devices, built in the table format
 * of the unit type that drives them.
 */
#include <brig/config.h>
#include <hv/cell.h>
#include <hv/iommu.h>
#include <hv/ivshmem.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/paging.h>
#include <hv/setup.h>

static unsigned int dma_flags(const struct brig_memory *mem)
{
	return ((mem->flags & BRIG_MEM_READ) ? PAGE_READ : 0) |
	       ((mem->flags & BRIG_MEM_WRITE) ? PAGE_WRITE : 0);
}

static bool is_dma_ram(const struct brig_memory *mem)
{
	return mem->type == BRIG_MEM_TYPE_RAM && (mem->flags & BRIG_MEM_DMA);
}

int iommu_build_root_domain(const struct paging_format *fmt)
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);
	struct paging_structs *dma = &root_cell.dma;
	int err = paging_init(dma, fmt, &mem_pool);

	for (unsigned int n = 0; n < root->num_memory_regions && !err; n++)
		if (is_dma_ram(&mem[n]))
			err = paging_map(dma, mem[n].phys_start,
					 mem[n].phys_start, mem[n].size,
					 PAGE_RW);
	/* The root's devices get its channels' rights, as its CPUs do. */
	if (!err)
		err = ivshmem_root_restrict(dma);
	return err;
}

int iommu_build_cell_domain(struct cell *cell, const struct paging_format *fmt)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	const struct brig_pci_device *pci = brig_cell_pci_devices(cell->config);
	unsigned int physical = 0;
	int err;

	/* Virtual functions (ivshmem) do no DMA: no domain for them alone. */
	for (unsigned int n = 0; n < cell->config->num_pci_devices; n++)
		physical += pci[n].type == BRIG_PCI_TYPE_DEVICE;
	if (!physical)
		return 0;
	err = paging_init(&cell->dma, fmt, &mem_pool);
	for (unsigned int n = 0; n < cell->config->num_memory_regions && !err;
	     n++)
		if (is_dma_ram(&mem[n]))
			err = paging_map(&cell->dma, mem[n].virt_start,
					 mem[n].phys_start, mem[n].size,
					 dma_flags(&mem[n]));
	if (err && cell->dma.root)
		paging_destroy(&cell->dma);
	return err;
}

/* What the root's own description lets its devices reach in a region. */
static unsigned int root_dma_flags(const struct brig_memory *mem)
{
	return is_dma_ram(mem) ? PAGE_RW : 0;
}

int iommu_root_dma_regions(const struct cell *cell, bool map)
{
	return root_move_regions(&root_cell.dma, cell, map, 0, root_dma_flags);
}
