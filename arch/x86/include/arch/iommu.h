/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMUs of an x86 system (VT-d and AMD-Vi), as the rest of the
 * x86 code sees them. Which units exist comes from the system description
 * (platform/iommu@...), never from the CPU vendor.
 *
 * What brig does with them: every device's DMA goes through second-level
 * tables the hypervisor builds (the root cell's devices reach only the
 * root's DMA memory, never the hypervisor or a cell), the hypervisor owns
 * the interrupt remapping table and validates each entry Linux writes, and
 * DMA faults are reported on the hypervisor console naming device, address
 * and cell. Linux keeps the unit it set up for interrupt remapping: its
 * register page traps and is emulated (vtd.c), and on disable Linux gets
 * its own tables and queue back.
 *
 * Locking: one lock serialises every unit operation (the root's register
 * accesses from any CPU, cell management, fault polling).
 */
#ifndef _ARCH_IOMMU_H
#define _ARCH_IOMMU_H

#include <hv/types.h>

struct cell;
struct per_cpu;

/*
 * arch_init(), first CPU, no device touched yet: check the described
 * units are of a supported type, map their registers for the hypervisor
 * and take them out of the root's second-stage tables.
 */
int iommu_init(void);

/*
 * Every CPU is inside the hypervisor with interrupts off (no CPU can be
 * half-way through a Linux invalidation): check each unit is there and
 * free for brig (Linux must not translate DMA with it), then switch it to
 * the hypervisor's tables, queue and interrupt remapping table. On
 * failure every unit is as Linux left it.
 */
int iommu_takeover(void);

/* Disable: give every unit back to Linux, with its own state. Once. */
void iommu_release(void);

/*
 * A cell was created / is being destroyed: its memory leaves / rejoins
 * the root's DMA tables, and root interrupt entries aimed at its CPUs are
 * dropped / admitted again. Caller holds cell_lock.
 */
int iommu_cell_create(struct cell *cell);
void iommu_cell_destroy(struct cell *cell);

/* Report and clear the units' recorded faults (DMA and interrupts). */
void iommu_poll_faults(void);

/* Unit index names a unit brig drives, with interrupt remapping. */
bool iommu_unit_usable(unsigned int unit);

/*
 * A device's DMA goes through the cell's domain from now on / the root's
 * again. The cell's domain exists (iommu_cell_create() ran first).
 */
int iommu_assign_device(struct cell *cell, unsigned int unit, u16 bdf);
void iommu_unassign_device(unsigned int unit, u16 bdf);

/* How a remapped interrupt is delivered (iommu_set_cell_irte() flags). */
#define IOMMU_IRQ_LOWEST BIT(0) /* lowest priority, else fixed */
#define IOMMU_IRQ_LEVEL BIT(1) /* level-triggered (IO-APIC pins) */

/*
 * Interrupt remapping slots of cells: the PCI devices' (pci.c), then the
 * IO-APIC pins' (ioapic.c).
 */
#define IOMMU_SLOTS_PCI 2080 /* 32 devices, 65 messages each */
#define IOMMU_SLOTS_PINS 1024 /* 4 IO-APICs, 256 pins each */

/*
 * The interrupt remapping entry of a cell's device sid: a validated
 * interrupt to apic_id (its validity is the caller's business). slot
 * numbers the entry among all cells' (unique), index among the device's
 * (below 65; an IO-APIC's: its pin). *msi_addr and *msi_data are what the
 * device must send to raise it. Returns 0 or a negative errno.
 */
int iommu_set_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
			unsigned int index, u32 apic_id, u8 vector,
			unsigned int flags, u32 *msi_addr, u32 *msi_data);

/*
 * Unit index is of a type that can remap an IO-APIC's pins for cells
 * (VT-d: the pins' remappable entries carry the same handle as an MSI),
 * as described / and driven by brig now.
 */
bool iommu_described_remaps_ioapic(unsigned int unit);
bool iommu_remaps_ioapic(unsigned int unit);
void iommu_clear_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
			   unsigned int index);

/*
 * Where a message in the interrupt-remapping format, sent by the root's
 * device sid, goes now: the hypervisor's validated copy of the root's
 * entry it names (arch_msi_target()). NULL and *irq filled, or why not.
 */
struct iommu_root_irq {
	u32 dest; /* APIC id, or logical destination */
	bool x2apic; /* dest is in x2APIC format (32 bits) */
	bool logical;
	u8 vector;
	u8 delivery; /* 0 fixed, 1 lowest priority, ... */
};
const char *iommu_root_msi(u16 sid, u64 addr, u32 data,
			   struct iommu_root_irq *irq);

/*
 * One implementation per IOMMU type (vtd.c, amd-vi.c), each with the
 * functions above; a system's units are all of one type.
 */
struct iommu_ops {
	const char *name;
	int (*init)(void);
	int (*takeover)(void);
	void (*release)(void);
	int (*cell_create)(struct cell *cell);
	void (*cell_destroy)(struct cell *cell);
	void (*poll_faults)(void);
	bool (*unit_usable)(unsigned int unit);
	int (*assign_device)(struct cell *cell, unsigned int unit, u16 bdf);
	void (*unassign_device)(unsigned int unit, u16 bdf);
	int (*set_cell_irte)(unsigned int unit, u16 sid, unsigned int slot,
			     unsigned int index, u32 apic_id, u8 vector,
			     unsigned int flags, u32 *msi_addr, u32 *msi_data);
	void (*clear_cell_irte)(unsigned int unit, u16 sid, unsigned int slot,
				unsigned int index);
	/* NULL if the root's interrupts are never remapped (AMD-Vi). */
	const char *(*root_msi)(u16 sid, u64 addr, u32 data,
				struct iommu_root_irq *irq);
};

/* Helpers both implementations share (iommu.c). */
struct paging_format;
struct brig_iommu;

/*
 * A unit's register block: mapped for the hypervisor, taken out of the
 * root's second-stage tables (its accesses trap). The registers' address,
 * *err set on failure.
 */
volatile u8 *iommu_map_registers(const struct brig_iommu *d, int *err);

/* The domains themselves are the core's (hv/iommu.h). */
#include <hv/iommu.h>

extern const struct iommu_ops vtd_iommu_ops;
extern const struct iommu_ops amdvi_iommu_ops;

#endif /* _ARCH_IOMMU_H */
