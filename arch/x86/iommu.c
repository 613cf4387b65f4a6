// SPDX-License-Identifier: GPL-2.0
/*
 * Which IOMMU implementation drives the system's units (arch/iommu.h):
 * the type the system description gives them, VT-d or AMD-Vi, never the
 * CPU vendor. Mixing types is refused; without units every call is a
 * no-op (cells then cannot be given devices: iommu_unit_usable() says no).
 */
#include <brig/config.h>
#include <hv/cell.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/paging.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <arch/iommu.h>
#include <arch/layout.h>

static const struct iommu_ops *ops;

int iommu_init(void)
{
	const struct brig_platform *p = &system_config->platform;

	for (unsigned int n = 0; n < p->num_iommu_units; n++) {
		const struct iommu_ops *o = p->iommu_units[n].type ==
							    BRIG_IOMMU_AMDVI ?
						    &amdvi_iommu_ops :
						    &vtd_iommu_ops;

		if (ops && ops != o) {
			printk("brig: the system description mixes VT-d and AMD-Vi units: not supported\n");
			return -EINVAL;
		}
		ops = o;
	}
	return ops ? ops->init() : 0;
}

int iommu_takeover(void)
{
	return ops ? ops->takeover() : 0;
}

void iommu_release(void)
{
	if (ops)
		ops->release();
}

int iommu_cell_create(struct cell *cell)
{
	return ops ? ops->cell_create(cell) : 0;
}

void iommu_cell_destroy(struct cell *cell)
{
	if (ops)
		ops->cell_destroy(cell);
}

void iommu_poll_faults(void)
{
	if (ops)
		ops->poll_faults();
}

bool iommu_unit_usable(unsigned int unit)
{
	return ops && ops->unit_usable(unit);
}

int iommu_assign_device(struct cell *cell, unsigned int unit, u16 bdf)
{
	return ops ? ops->assign_device(cell, unit, bdf) : -ENODEV;
}

void iommu_unassign_device(unsigned int unit, u16 bdf)
{
	if (ops)
		ops->unassign_device(unit, bdf);
}

int iommu_set_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
			unsigned int index, u32 apic_id, u8 vector,
			unsigned int flags, u32 *msi_addr, u32 *msi_data)
{
	return ops ? ops->set_cell_irte(unit, sid, slot, index, apic_id, vector,
					flags, msi_addr, msi_data) :
		     -ENODEV;
}

bool iommu_remaps_ioapic(unsigned int unit)
{
	return ops == &vtd_iommu_ops && ops->unit_usable(unit);
}

void iommu_clear_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
			   unsigned int index)
{
	if (ops)
		ops->clear_cell_irte(unit, sid, slot, index);
}

/* --- what every type shares ---------------------------------------------- */

volatile u8 *iommu_map_registers(const struct brig_iommu *d, int *err)
{
	u64 base = ALIGN_DOWN(d->base, PAGE_SIZE);
	u64 size = ALIGN_UP(d->base + d->size, PAGE_SIZE) - base;

	*err = paging_map(&hv_paging, PHYS_MAP_BASE + base, base, size,
			  PAGE_RW | PAGE_DEVICE);
	if (!*err)
		*err = root_unmap(base, size);
	return phys_to_hv(d->base);
}

/* --- domains: the same for every type, in the type's table format -------- */

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
	return err;
}

int iommu_build_cell_domain(struct cell *cell, const struct paging_format *fmt)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	int err;

	if (!cell->config->num_pci_devices)
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

/* Whether the root's own description lets its devices DMA to phys. */
static bool root_dma_memory(u64 phys)
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);

	for (unsigned int n = 0; n < root->num_memory_regions; n++)
		if (is_dma_ram(&mem[n]) && phys >= mem[n].phys_start &&
		    phys - mem[n].phys_start < mem[n].size)
			return true;
	return false;
}

int iommu_root_dma_regions(const struct cell *cell, bool map)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	int err = 0;

	for (unsigned int n = 0; n < cell->config->num_memory_regions && !err;
	     n++) {
		if (mem[n].flags & BRIG_MEM_ROOTSHARED)
			continue;
		if (!map)
			err = paging_unmap(&root_cell.dma, mem[n].phys_start,
					   mem[n].size);
		else if (root_dma_memory(mem[n].phys_start))
			err = paging_map(&root_cell.dma, mem[n].phys_start,
					 mem[n].phys_start, mem[n].size,
					 PAGE_RW);
	}
	return err;
}
