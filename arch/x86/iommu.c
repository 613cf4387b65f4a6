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

/* The one place that says which type remaps IO-APIC pins: VT-d. */
bool iommu_described_remaps_ioapic(unsigned int unit)
{
	const struct brig_platform *p = &system_config->platform;

	return unit < p->num_iommu_units &&
	       p->iommu_units[unit].type == BRIG_IOMMU_VTD;
}

bool iommu_remaps_ioapic(unsigned int unit)
{
	return iommu_described_remaps_ioapic(unit) && iommu_unit_usable(unit);
}

void iommu_clear_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
			   unsigned int index)
{
	if (ops)
		ops->clear_cell_irte(unit, sid, slot, index);
}

const char *iommu_root_msi(u16 sid, u64 addr, u32 data,
			   struct iommu_root_irq *irq)
{
	if (!ops || !ops->root_msi)
		return "interrupt-remapping format, but no unit remaps the root's interrupts";
	return ops->root_msi(sid, addr, data, irq);
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
