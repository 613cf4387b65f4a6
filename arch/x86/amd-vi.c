// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-Vi: DMA remapping and, for cells' devices, interrupt remapping
 * (arch/iommu.h).
 *
 * Linux boots with amd_iommu=off and never touches the unit: brig takes it
 * fresh. One device table covers every device id (65536 entries); each
 * entry selects a domain's I/O page tables (the root cell's, domain 1: its
 * DMA memory 1:1; a cell's, domain id + 1: its DMA memory at its guest
 * addresses). The root's devices keep their interrupts as they are
 * (interrupt map not valid: forwarded untranslated). A cell's device gets
 * an interrupt remapping table of its own (the device id is the key, so
 * only that device can use it), whose entries the hypervisor fills from
 * the cell's validated MSI/MSI-X wishes; the device sends the entry's index
 * as its MSI data. Anything else a cell's device sends is blocked.
 *
 * Commands go through a command buffer of the hypervisor's, completion
 * waits store to hypervisor memory; faults come from the event log, read
 * whenever faults are polled (arch_poll_device_faults()). The register
 * block traps in the root (Linux has no business there) and reads as
 * all-ones. Register and table layouts: AMD I/O Virtualization Technology
 * (IOMMU) Specification, chapters 2 and 3.
 */
#include <brig/config.h>
#include <hv/cell.h>
#include <hv/pci.h>
#include <hv/control.h>
#include <hv/page-pool.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <arch/iommu.h>
#include <arch/layout.h>
#include <arch/paging.h>
#include <arch/pci.h>
#include <arch/x86.h>

/* Registers */
#define AMD_DEV_TABLE 0x0000
#define AMD_CMD_BASE 0x0008
#define AMD_EVT_BASE 0x0010
#define AMD_CONTROL 0x0018
#define AMD_EXT_FEATURES 0x0030
#define AMD_CMD_HEAD 0x2000
#define AMD_CMD_TAIL 0x2008
#define AMD_EVT_HEAD 0x2010
#define AMD_EVT_TAIL 0x2018
#define AMD_STATUS 0x2020

#define CTRL_IOMMU_EN BIT_ULL(0)
#define CTRL_EVT_LOG_EN BIT_ULL(2)
#define CTRL_CMD_BUF_EN BIT_ULL(12)
#define STATUS_EVT_OVERFLOW BIT_ULL(0)
#define RING_LEN_256 (8ULL << 56) /* 2^8 entries of 16 bytes: a page */
#define RING_ENTRIES 256

/* Device table entries: four quadwords */
#define DTE_V BIT_ULL(0)
#define DTE_TV BIT_ULL(1)
#define DTE_MODE(levels) ((u64)(levels) << 9)
#define DTE_IR BIT_ULL(61)
#define DTE_IW BIT_ULL(62)
#define DTE_IV BIT_ULL(0) /* quadword 2 */
#define DTE_INT_TAB_LEN(log2) ((u64)(log2) << 1)
#define DTE_INT_CTL_REMAP (2ULL << 60)
#define DEV_TABLE_PAGES 512 /* 65536 entries of 32 bytes */

/* Commands: the opcode in bits 63:60 of the first quadword */
#define CMD_COMPLETION_WAIT (1ULL << 60)
#define CMD_INV_DEV_ENTRY (2ULL << 60)
#define CMD_INV_PAGES (3ULL << 60)
#define CMD_INV_INT_TABLE (5ULL << 60)
#define WAIT_STORE BIT_ULL(0)
#define INV_PAGES_ALL 0x7ffffffffffff000ULL
#define INV_PAGES_S BIT_ULL(0)
#define INV_PAGES_PDE BIT_ULL(1)

/* Events */
#define EVT_CODE(q0) ((unsigned int)((q0) >> 60))
#define EVT_IO_PAGE_FAULT 2
#define EVT_ILLEGAL_DEV_ENTRY 1
#define EVT_FLAG_INTERRUPT BIT_ULL(51)
#define EVT_FLAG_WRITE BIT_ULL(53)

/* Interrupt remapping table entries, 32-bit (guest virtual APIC off) */
#define IRTE_REMAP_EN BIT(0)
#define IRTE_TYPE_LOWEST (1u << 2)
#define IRT_LOG2 7 /* 128 entries a device: MSI + 64 MSI-X, rounded up */

#define MAX_CELL_DEVICES 32

struct amd_unit {
	const struct brig_iommu *desc;
	unsigned int index;
	volatile u8 *regs;
	bool taken, released;
	u64 *dev_table;
	u64 *cmd_ring;
	unsigned int cmd_tail;
	u64 *evt_ring;
	/* Interrupt remapping tables of the cells' devices */
	struct {
		u16 devid;
		u32 *irt; /* NULL: free */
	} irts[MAX_CELL_DEVICES];
};

static struct amd_unit units[BRIG_MAX_IOMMU_UNITS];
static unsigned int num_units;
static unsigned int dma_levels = 4;
static volatile u64 wait_done;
static DEFINE_SPINLOCK(amd_lock);

static u64 rd64(const struct amd_unit *u, unsigned int off)
{
	return *(volatile u64 *)(u->regs + off);
}

static void wr64(struct amd_unit *u, unsigned int off, u64 v)
{
	*(volatile u64 *)(u->regs + off) = v;
}

/* --- commands ------------------------------------------------------------ */

static void post(struct amd_unit *u, u64 q0, u64 q1)
{
	u->cmd_ring[2 * u->cmd_tail] = q0;
	u->cmd_ring[2 * u->cmd_tail + 1] = q1;
	u->cmd_tail = (u->cmd_tail + 1) % RING_ENTRIES;
}

/*
 * Post what is queued plus a completion wait, and spin until the unit
 * stored its data. At most RING_ENTRIES - 2 commands between two calls.
 */
static bool run_commands(struct amd_unit *u)
{
	u64 addr = hv_virt_to_phys((const void *)&wait_done);
	u64 end = rdtsc() + (hv_header.tsc_khz ?: 3000000) * 1000;

	WRITE_ONCE(wait_done, 0);
	post(u, CMD_COMPLETION_WAIT | WAIT_STORE | (addr & GENMASK_ULL(51, 3)),
	     1);
	asm volatile("mfence" ::: "memory");
	wr64(u, AMD_CMD_TAIL, (u64)u->cmd_tail << 4);
	while (!READ_ONCE(wait_done)) {
		if (rdtsc() > end) {
			printk("brig: AMD-Vi unit %u: commands not completed (status %llx)\n",
			       u->index,
			       (unsigned long long)rd64(u, AMD_STATUS));
			return false;
		}
		cpu_relax();
	}
	return true;
}

static void inv_device(struct amd_unit *u, u16 devid)
{
	post(u, CMD_INV_DEV_ENTRY | devid, 0);
	post(u, CMD_INV_INT_TABLE | devid, 0);
}

static void inv_domain(struct amd_unit *u, unsigned int domain)
{
	post(u, CMD_INV_PAGES | (u64)domain << 32,
	     INV_PAGES_ALL | INV_PAGES_PDE | INV_PAGES_S);
}

/* --- device table -------------------------------------------------------- */

static void set_dte(struct amd_unit *u, u16 devid, const struct cell *cell,
		    const u32 *irt)
{
	u64 *dte = &u->dev_table[4 * devid];

	/* Valid bit last: the unit never sees a half-written entry. */
	dte[0] = 0;
	asm volatile("" ::: "memory");
	dte[1] = cell->id + 1; /* domain id */
	dte[2] = irt ? DTE_IV | DTE_INT_TAB_LEN(IRT_LOG2) |
				 (hv_virt_to_phys(irt) & GENMASK_ULL(51, 6)) |
				 DTE_INT_CTL_REMAP :
		       0;
	dte[3] = 0;
	asm volatile("" ::: "memory");
	dte[0] = DTE_V | DTE_TV | DTE_MODE(dma_levels) |
		 paging_virt_to_phys(cell->dma.root) | DTE_IR | DTE_IW;
}

/* --- faults -------------------------------------------------------------- */

/* A ring pointer register as an entry index of our one-page rings. */
static unsigned int ring_index(struct amd_unit *u, unsigned int off)
{
	return (unsigned int)(rd64(u, off) >> 4) % RING_ENTRIES;
}

/*
 * The event log is the unit's to fill and nobody else's: the root never
 * reaches these registers. Its pointers are still taken modulo the ring
 * and the walk counted, so that a unit gone astray cannot keep the
 * hypervisor here.
 */
static void poll_unit(struct amd_unit *u)
{
	unsigned int head = ring_index(u, AMD_EVT_HEAD),
		     tail = ring_index(u, AMD_EVT_TAIL);

	for (unsigned int n = 0; n < RING_ENTRIES && head != tail;
	     n++, head = (head + 1) % RING_ENTRIES) {
		u64 q0 = u->evt_ring[2 * head], q1 = u->evt_ring[2 * head + 1];
		u16 devid = (u16)q0;
		struct cell *owner = pci_owner(devid);
		bool irq = q0 & EVT_FLAG_INTERRUPT;

		if (EVT_CODE(q0) == EVT_IO_PAGE_FAULT)
			printk("brig: AMD-Vi unit %u: %s %s at %llx by device %02x:%02x.%u (cell \"%s\") blocked\n",
			       u->index, irq ? "interrupt" : "DMA",
			       (q0 & EVT_FLAG_WRITE) ? "write" : "read",
			       (unsigned long long)q1, devid >> 8,
			       (devid >> 3) & 0x1f, devid & 7,
			       owner->config->name);
		else
			printk("brig: AMD-Vi unit %u: event %u for device %02x:%02x.%u (cell \"%s\"): %llx %llx\n",
			       u->index, EVT_CODE(q0), devid >> 8,
			       (devid >> 3) & 0x1f, devid & 7,
			       owner->config->name, (unsigned long long)q0,
			       (unsigned long long)q1);
		if (owner != &root_cell)
			cell_fail_remote(
				owner,
				"its PCI device %02x:%02x.%u: %s outside the cell's reach at %llx",
				devid >> 8, (devid >> 3) & 0x1f, devid & 7,
				irq ? "interrupt" : "DMA",
				(unsigned long long)q1);
	}
	wr64(u, AMD_EVT_HEAD, (u64)tail << 4);
	if (rd64(u, AMD_STATUS) & STATUS_EVT_OVERFLOW) {
		printk("brig: AMD-Vi unit %u: event log overflowed, some faults were not recorded\n",
		       u->index);
		wr64(u, AMD_STATUS, STATUS_EVT_OVERFLOW);
	}
}

static void amdvi_poll_faults(void)
{
	spin_lock(&amd_lock);
	for (unsigned int n = 0; n < num_units; n++)
		if (units[n].taken && !units[n].released)
			poll_unit(&units[n]);
	spin_unlock(&amd_lock);
}

/* --- setup --------------------------------------------------------------- */

static int amdvi_init(void)
{
	const struct brig_platform *p = &system_config->platform;
	int err = 0;

	for (unsigned int n = 0; n < p->num_iommu_units && !err; n++) {
		units[n].desc = &p->iommu_units[n];
		units[n].index = n;
		units[n].regs = iommu_map_registers(units[n].desc, &err);
		num_units = n + 1;
	}
	return err;
}

static int check_unit(struct amd_unit *u)
{
	u64 efr = rd64(u, AMD_EXT_FEATURES);

	if (efr == 0 || efr == ~0ULL) {
		printk("brig: no AMD-Vi unit at %llx (extended features read %llx): the system description does not match this machine\n",
		       (unsigned long long)u->desc->base,
		       (unsigned long long)efr);
		return -ENODEV;
	}
	if (rd64(u, AMD_CONTROL) & CTRL_IOMMU_EN) {
		printk("brig: Linux uses the AMD-Vi unit at %llx: boot it with amd_iommu=off\n",
		       (unsigned long long)u->desc->base);
		return -EBUSY;
	}
	return 0;
}

/* Map the root's DMA memory 1:1 (everything else faults). */
static int build_root_domain(void)
{
	x86_amdvi_paging_init(dma_levels);
	return iommu_build_root_domain(&x86_amdvi_paging);
}

static int alloc_unit(struct amd_unit *u)
{
	u->dev_table = page_alloc_aligned(&mem_pool, DEV_TABLE_PAGES, 1);
	u->cmd_ring = page_alloc(&mem_pool, 1);
	u->evt_ring = page_alloc(&mem_pool, 1);
	if (!u->dev_table || !u->cmd_ring || !u->evt_ring)
		return -ENOMEM;
	for (unsigned int d = 0; d < 65536; d++)
		set_dte(u, (u16)d, &root_cell, NULL);
	return 0;
}

/*
 * The unit caches device table entries from when a device first did
 * something; invalidate those of every function there is, so the root's
 * entries apply at once (QEMU only starts translating a device then).
 */
static bool invalidate_present(struct amd_unit *u)
{
	unsigned int queued = 0;
	bool ok = true;

	for (unsigned int d = 0; d < 65536 && ok; d++) {
		if (!pci_device_present((u16)d))
			continue;
		inv_device(u, (u16)d);
		if (++queued == 64) {
			ok = run_commands(u);
			queued = 0;
		}
	}
	return ok && run_commands(u);
}

static int switch_unit(struct amd_unit *u)
{
	wr64(u, AMD_CONTROL, 0);
	wr64(u, AMD_DEV_TABLE,
	     hv_virt_to_phys(u->dev_table) | (DEV_TABLE_PAGES - 1));
	wr64(u, AMD_CMD_BASE, hv_virt_to_phys(u->cmd_ring) | RING_LEN_256);
	wr64(u, AMD_EVT_BASE, hv_virt_to_phys(u->evt_ring) | RING_LEN_256);
	wr64(u, AMD_CMD_HEAD, 0);
	wr64(u, AMD_CMD_TAIL, 0);
	wr64(u, AMD_EVT_HEAD, 0);
	wr64(u, AMD_EVT_TAIL, 0);
	u->cmd_tail = 0;
	wr64(u, AMD_CONTROL, CTRL_IOMMU_EN | CTRL_EVT_LOG_EN | CTRL_CMD_BUF_EN);
	inv_domain(u, root_cell.id + 1);
	if (!invalidate_present(u)) {
		wr64(u, AMD_CONTROL, 0);
		return -EIO;
	}
	u->taken = true;
	printk("brig: AMD-Vi unit %u at %llx: DMA remapping on, interrupt remapping for cells' devices\n",
	       u->index, (unsigned long long)u->desc->base);
	return 0;
}

static int amdvi_takeover(void)
{
	int err = 0;

	for (unsigned int n = 0; n < num_units && !err; n++)
		err = check_unit(&units[n]);
	if (err || !num_units)
		return err;
	err = build_root_domain();
	for (unsigned int n = 0; n < num_units && !err; n++)
		err = alloc_unit(&units[n]);
	if (err) {
		printk("brig: no memory for the IOMMU tables\n");
		return err;
	}
	for (unsigned int n = 0; n < num_units && !err; n++)
		err = switch_unit(&units[n]);
	if (err)
		for (unsigned int n = 0; n < num_units; n++)
			wr64(&units[n], AMD_CONTROL, 0);
	return err;
}

static void amdvi_release(void)
{
	spin_lock(&amd_lock);
	for (unsigned int n = 0; n < num_units; n++) {
		struct amd_unit *u = &units[n];

		if (!u->taken || u->released)
			continue;
		poll_unit(u);
		/* As Linux left it: off (it was booted with amd_iommu=off). */
		wr64(u, AMD_CONTROL, 0);
		u->released = true;
	}
	spin_unlock(&amd_lock);
}

/* --- cells --------------------------------------------------------------- */

static void flush_root_domain(void)
{
	for (unsigned int n = 0; n < num_units; n++)
		if (units[n].taken && !units[n].released) {
			inv_domain(&units[n], root_cell.id + 1);
			run_commands(&units[n]);
		}
}

static int amdvi_cell_create(struct cell *cell)
{
	int err = 0;

	spin_lock(&amd_lock);
	if (units[0].taken) {
		err = iommu_build_cell_domain(cell, &x86_amdvi_paging);
		if (!err)
			err = iommu_root_dma_regions(cell, false);
		if (err)
			iommu_root_dma_regions(cell, true);
		flush_root_domain();
	}
	spin_unlock(&amd_lock);
	return err;
}

static void amdvi_cell_destroy(struct cell *cell)
{
	spin_lock(&amd_lock);
	if (units[0].taken) {
		if (iommu_root_dma_regions(cell, true))
			printk("brig: cell %u's memory could not rejoin the root's DMA tables\n",
			       cell->id);
		flush_root_domain();
		if (cell->dma.root)
			paging_destroy(&cell->dma);
	}
	spin_unlock(&amd_lock);
}

static bool amdvi_unit_usable(unsigned int unit)
{
	return unit < num_units && units[unit].taken && !units[unit].released;
}

static u32 **irt_slot(struct amd_unit *u, u16 devid, bool take)
{
	for (unsigned int n = 0; n < MAX_CELL_DEVICES; n++)
		if (u->irts[n].irt && u->irts[n].devid == devid)
			return &u->irts[n].irt;
	if (!take)
		return NULL;
	for (unsigned int n = 0; n < MAX_CELL_DEVICES; n++)
		if (!u->irts[n].irt) {
			u->irts[n].devid = devid;
			return &u->irts[n].irt;
		}
	return NULL;
}

static int amdvi_assign_device(struct cell *cell, unsigned int unit, u16 bdf)
{
	struct amd_unit *u = &units[unit];
	u32 **irt;
	int err = 0;

	spin_lock(&amd_lock);
	irt = irt_slot(u, bdf, true);
	if (!irt || !(*irt = page_alloc(&mem_pool, 1))) {
		err = -ENOMEM;
		goto out;
	}
	set_dte(u, bdf, cell, *irt);
	inv_device(u, bdf);
	inv_domain(u, cell->id + 1);
	inv_domain(u, root_cell.id + 1);
	if (!run_commands(u))
		err = -EIO;
out:
	spin_unlock(&amd_lock);
	return err;
}

static void amdvi_unassign_device(unsigned int unit, u16 bdf)
{
	struct amd_unit *u = &units[unit];
	u32 **irt;

	spin_lock(&amd_lock);
	set_dte(u, bdf, &root_cell, NULL);
	inv_device(u, bdf);
	inv_domain(u, root_cell.id + 1);
	run_commands(u);
	irt = irt_slot(u, bdf, false);
	if (irt) {
		page_free(&mem_pool, *irt, 1);
		*irt = NULL;
	}
	spin_unlock(&amd_lock);
}

static int amdvi_set_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
			       unsigned int index, u32 apic_id, u8 vector,
			       unsigned int flags, u32 *msi_addr, u32 *msi_data)
{
	struct amd_unit *u = &units[unit];
	u32 **irt;
	int err = 0;

	(void)slot; /* a table per device: the index within it is enough */
	if (!amdvi_unit_usable(unit) || index >= (1u << IRT_LOG2) ||
	    apic_id > 0xff)
		return -EINVAL;
	spin_lock(&amd_lock);
	irt = irt_slot(u, sid, false);
	if (!irt) {
		err = -ENOENT;
		goto out;
	}
	/*
	 * Remapped, physical destination, fixed or lowest priority (the
	 * trigger mode travels in the message: no IO-APIC pins here).
	 */
	(*irt)[index] = IRTE_REMAP_EN |
			((flags & IOMMU_IRQ_LOWEST) ? IRTE_TYPE_LOWEST : 0) |
			apic_id << 8 | (u32)vector << 16;
	post(u, CMD_INV_INT_TABLE | sid, 0);
	if (!run_commands(u))
		err = -EIO;
	/* The device sends the entry's index; the address is the MSI range. */
	*msi_addr = 0xfee00000u;
	*msi_data = index;
out:
	spin_unlock(&amd_lock);
	return err;
}

static void amdvi_clear_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
				  unsigned int index)
{
	struct amd_unit *u = &units[unit];
	u32 **irt;

	(void)slot;
	if (unit >= num_units || index >= (1u << IRT_LOG2))
		return;
	spin_lock(&amd_lock);
	irt = irt_slot(u, sid, false);
	if (irt) {
		(*irt)[index] = 0;
		post(u, CMD_INV_INT_TABLE | sid, 0);
		run_commands(u);
	}
	spin_unlock(&amd_lock);
}

const struct iommu_ops amdvi_iommu_ops = {
	.name = "AMD-Vi",
	.init = amdvi_init,
	.takeover = amdvi_takeover,
	.release = amdvi_release,
	.cell_create = amdvi_cell_create,
	.cell_destroy = amdvi_cell_destroy,
	.poll_faults = amdvi_poll_faults,
	.unit_usable = amdvi_unit_usable,
	.assign_device = amdvi_assign_device,
	.unassign_device = amdvi_unassign_device,
	.set_cell_irte = amdvi_set_cell_irte,
	.clear_cell_irte = amdvi_clear_cell_irte,
};
