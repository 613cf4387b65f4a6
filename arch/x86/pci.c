// SPDX-License-Identifier: GPL-2.0
/*
 * PCI devices of cells (arch/pci.h).
 *
 * The hypervisor reaches configuration space through MMCONFIG only: the
 * root keeps using 0xcf8/0xcfc as it likes, and a cell's accesses to them
 * are emulated, so the address latch of the real mechanism is never shared.
 *
 * What a cell may do to its device's configuration space:
 *  - read everything (the MSI capability shows what the cell wrote);
 *  - command register: I/O, memory and bus-master enable, INTx disable;
 *  - BARs: size them (write all-ones) and write the original value back,
 *    nothing else (a moved BAR would claim someone else's addresses);
 *  - device-specific registers (0x40 and up) as they are;
 *  - MSI: address and data are the cell's wish, validated (a fixed or
 *    lowest-priority interrupt to one of its own CPUs, physical
 *    destination) and turned into an interrupt remapping entry tied to the
 *    device's source id; the device gets the remappable address of it.
 *    A wish for someone else's CPU stops the cell.
 *  - MSI-X: the same, per table entry. The table's pages leave the
 *    cell's second-stage tables; its accesses there trap and are decoded:
 *    entries hold what the cell wrote, and an unmasked entry of an enabled
 *    function becomes a validated remapping entry; the rest of those
 *    pages (the pending bits, say) is passed through.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/memory.h>
#include <hv/mmio.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/spinlock.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/exits.h>
#include <arch/iommu.h>
#include <arch/layout.h>
#include <arch/mmio.h>
#include <arch/pci.h>
#include <arch/vcpu.h>
#include <arch/x86.h>

#define PCI_COMMAND 0x04
#define PCI_STATUS_CAPS BIT(20) /* in the command/status dword */
#define PCI_HEADER_TYPE 0x0c /* byte 2 of the dword */
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34
#define PCI_CAP_MSI 0x05
#define PCI_CAP_MSIX 0x11
#define PCI_CMD_ALLOWED 0x0407 /* I/O, memory, master, INTx disable */
#define MSI_ENABLE BIT(0)
#define MSI_64BIT BIT(7)
#define MSI_MASKABLE BIT(8)
#define MSIX_ENABLE BIT(15)
#define MSIX_FMASK BIT(14)
#define MSIX_MAX 64 /* table entries offered to a cell */
#define IRTES_PER_DEVICE (1 + MSIX_MAX) /* MSI, then the MSI-X entries */

#define CF8_ENABLE BIT(31)
#define MAX_ASSIGNED 32 /* devices given to cells at once */
_Static_assert(MAX_ASSIGNED * IRTES_PER_DEVICE <= IOMMU_SLOTS_PCI,
	       "interrupt remapping slots of PCI devices");

struct assignment {
	struct cell *cell; /* NULL: free slot */
	u16 bdf;
	unsigned int unit; /* IOMMU index */
	u32 bars[6]; /* as the device had them when the cell got it */
	u8 msi; /* MSI capability offset, 0: none */
	u8 msix; /* MSI-X capability offset, 0: none */
	u16 msi_ctrl; /* what the cell wrote (enable bit only) */
	u64 msi_addr;
	u32 msi_data;
	/* MSI-X: the table at msix_hpa, seen by the cell at msix_gpa */
	unsigned int msix_n; /* entries offered, 0: none */
	u16 msix_ctrl; /* enable and function mask as the cell set them */
	u64 msix_hpa, msix_gpa;
	struct {
		u64 addr;
		u32 data, ctrl;
	} msix_table[MSIX_MAX];
	bool reported; /* a refused write was reported */
};

/*
 * The devices given to cells. Changed by cell management (under cell_lock
 * and pci_lock), read by the cells' and the root's trapped accesses under
 * pci_lock alone: those must never wait for cell_lock, whose holder may be
 * waiting for them to acknowledge a request.
 */
static struct assignment assigned[MAX_ASSIGNED];
static unsigned int num_assigned;
static DEFINE_SPINLOCK(pci_lock);

/* --- configuration space through MMCONFIG -------------------------------- */

static u64 mmcfg_base;
static unsigned int mmcfg_buses;

static volatile u32 *cfg(u16 bdf, unsigned int reg)
{
	return phys_to_hv(mmcfg_base + ((u64)bdf << 12) + (reg & ~3u));
}

static u32 cfg_read(u16 bdf, unsigned int reg)
{
	return *cfg(bdf, reg);
}

static void cfg_write(u16 bdf, unsigned int reg, u32 val)
{
	*cfg(bdf, reg) = val;
}

int x86_pci_init(void)
{
	const struct brig_platform *p = &system_config->platform;

	if (!p->pci_mmconfig_base)
		return 0;
	mmcfg_base = p->pci_mmconfig_base;
	mmcfg_buses = p->pci_mmconfig_end_bus + 1u;
	return paging_map(&hv_paging, PHYS_MAP_BASE + mmcfg_base, mmcfg_base,
			  (u64)mmcfg_buses << 20, PAGE_RW | PAGE_DEVICE);
}

bool x86_pci_present(u16 bdf)
{
	if (!mmcfg_base)
		return (bdf >> 8) == 0;
	if ((bdf >> 8) >= mmcfg_buses)
		return false;
	return (cfg_read(bdf, 0) & 0xffff) != 0xffff;
}

/* --- ownership ----------------------------------------------------------- */

static struct assignment *find(const struct cell *cell, u16 bdf)
{
	for (unsigned int n = 0; n < MAX_ASSIGNED; n++)
		if (assigned[n].cell && assigned[n].bdf == bdf &&
		    (!cell || assigned[n].cell == cell))
			return &assigned[n];
	return NULL;
}

struct cell *x86_pci_owner(u16 bdf)
{
	struct assignment *a = find(NULL, bdf);

	return a ? READ_ONCE(a->cell) : &root_cell;
}

/* Interrupt remapping slots: the device's MSI, then MSI-X entry n. */
static unsigned int slot_of(const struct assignment *a)
{
	return (unsigned int)(a - assigned) * IRTES_PER_DEVICE;
}

/* Switch the device's remapping entry index off (0: MSI, 1 + n: MSI-X). */
static void clear_message(const struct assignment *a, unsigned int index)
{
	iommu_clear_cell_irte(a->unit, a->bdf, slot_of(a) + index, index);
}

#define BDF_FMT "%02x:%02x.%u"
#define BDF_ARGS(b) (b) >> 8, ((b) >> 3) & 0x1f, (b)&7

int x86_pci_check(const struct brig_cell_desc *config)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(config);
	unsigned int free = MAX_ASSIGNED - num_assigned;

	for (unsigned int n = 0; n < config->num_pci_devices; n++) {
		u16 bdf = pci[n].bdf;
		struct assignment *a = find(NULL, bdf);
		const char *why = NULL;

		if (!mmcfg_base || (bdf >> 8) >= mmcfg_buses)
			why = "the platform has no MMCONFIG for its bus";
		else if (!iommu_unit_usable(pci[n].iommu))
			why = "no IOMMU unit with interrupt remapping is driven for it (platform/iommu)";
		else if ((cfg_read(bdf, 0) & 0xffff) == 0xffff)
			why = "there is no such device";
		else if (((cfg_read(bdf, PCI_HEADER_TYPE) >> 16) & 0x7f) != 0)
			why = "it is not a plain device (a bridge?)";
		else if (a)
			why = "it belongs to another cell";
		else if (free-- == 0)
			why = "too many devices are given to cells already";
		if (why) {
			printk("brig: cell description refused: PCI device " BDF_FMT
			       ": %s\n",
			       BDF_ARGS(bdf), why);
			return -EINVAL;
		}
	}
	return 0;
}

/* A capability's offset, 0 if the device has none. */
static u8 find_cap(u16 bdf, u8 id)
{
	unsigned int n = 48; /* a bound: broken lists loop */
	u8 pos;

	if (!(cfg_read(bdf, PCI_COMMAND) & PCI_STATUS_CAPS))
		return 0;
	pos = (u8)cfg_read(bdf, PCI_CAP_PTR) & 0xfc;
	while (pos >= 0x40 && n--) {
		u32 hdr = cfg_read(bdf, pos);

		if ((hdr & 0xff) == id)
			return pos;
		pos = (u8)(hdr >> 8) & 0xfc;
	}
	return 0;
}

/*
 * Memory BAR n of a quiesced device (decoding off): its base and size,
 * found by the usual all-ones probe. Returns how many BAR registers it
 * takes (2 for a 64-bit BAR), with *size 0 for none or an I/O BAR.
 */
static unsigned int mem_bar(const struct assignment *a, unsigned int n,
			    u64 *base, u64 *size)
{
	unsigned int reg = PCI_BAR0 + 4 * n;
	u32 lo = a->bars[n], hi = 0, mlo, mhi = ~0u;
	bool is64 = (lo & 0x7) == 0x4;

	*size = 0;
	if (lo & 1)
		return 1; /* I/O BAR: its ports stay as described */
	if (is64 && n == 5)
		return 1;
	cfg_write(a->bdf, reg, ~0u);
	mlo = cfg_read(a->bdf, reg) & ~0xfu;
	cfg_write(a->bdf, reg, lo);
	if (is64) {
		hi = a->bars[n + 1];
		cfg_write(a->bdf, reg + 4, ~0u);
		mhi = cfg_read(a->bdf, reg + 4);
		cfg_write(a->bdf, reg + 4, hi);
	}
	*base = ((u64)hi << 32 | lo) & ~0xfULL;
	if (mlo)
		*size = ~((u64)mhi << 32 | mlo) + 1;
	if (!is64)
		*size &= 0xffffffffULL;
	return is64 ? 2 : 1;
}

/*
 * The root keeps its hands off a cell's device (or gets it back): its
 * configuration page and the memory its BARs decode leave the root's
 * second-stage tables, whether or not the cell's description maps them.
 */
static int root_device_access(const struct assignment *a, bool map)
{
	u64 page = mmcfg_base + ((u64)a->bdf << 12), base, size;
	int err = map ? root_restore(page, PAGE_SIZE) :
			root_unmap(page, PAGE_SIZE);

	for (unsigned int n = 0; n < 6 && !err;) {
		n += mem_bar(a, n, &base, &size);
		if (!size || !IS_ALIGNED(base | size, PAGE_SIZE))
			continue; /* sub-page BARs: the page is not the device's alone */
		err = map ? root_restore(base, size) : root_unmap(base, size);
	}
	return err;
}

/* Quiet: no DMA, no interrupts, BARs as they were, MSI off. */
static void quiesce(struct assignment *a)
{
	u32 cmd = cfg_read(a->bdf, PCI_COMMAND);

	if (a->msi)
		cfg_write(a->bdf, a->msi,
			  cfg_read(a->bdf, a->msi) & ~((u32)MSI_ENABLE << 16));
	if (a->msix)
		cfg_write(a->bdf, a->msix,
			  cfg_read(a->bdf, a->msix) &
				  ~((u32)MSIX_ENABLE << 16));
	cfg_write(a->bdf, PCI_COMMAND, cmd & 0xffff0000 & ~0x7u);
	for (unsigned int n = 0; n < 6; n++)
		cfg_write(a->bdf, PCI_BAR0 + 4 * n, a->bars[n]);
	for (unsigned int n = 0; n <= a->msix_n; n++)
		clear_message(a, n);
}

/* The table's pages: [*first, *first + *size) around [addr, + n * 16). */
static void msix_pages(const struct assignment *a, u64 addr, u64 *first,
		       u64 *size)
{
	*first = ALIGN_DOWN(addr, PAGE_SIZE);
	*size = ALIGN_UP(addr + a->msix_n * 16ULL, PAGE_SIZE) - *first;
}

static enum mmio_result msix_mmio(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg);

/*
 * Offer the device's MSI-X table to the cell: find it, mask every entry,
 * map it for the hypervisor, and take it out of the cell's tables so that
 * the cell's accesses trap.
 */
static int setup_msix(struct cell *cell, struct assignment *a)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);
	u32 ctrl, table, bir;
	u64 bar, first, size;
	int err;

	if (!a->msix)
		return 0;
	ctrl = cfg_read(a->bdf, a->msix) >> 16;
	table = cfg_read(a->bdf, a->msix + 4);
	bir = table & 7;
	a->msix_n = (ctrl & 0x7ff) + 1;
	if (a->msix_n > MSIX_MAX || bir > 5 || (a->bars[bir] & 1)) {
		printk("brig: PCI device " BDF_FMT
		       ": MSI-X with %u entries in BAR %u is not offered to the cell\n",
		       BDF_ARGS(a->bdf), a->msix_n, bir);
		a->msix_n = 0;
		return 0;
	}
	bar = a->bars[bir] & ~0xfULL;
	if ((a->bars[bir] & 0x6) == 0x4 && bir < 5)
		bar |= (u64)a->bars[bir + 1] << 32;
	a->msix_hpa = bar + (table & ~7u);
	a->msix_gpa = INVALID_PHYS;
	for (unsigned int n = 0; n < cell->config->num_memory_regions; n++)
		if (a->msix_hpa >= mem[n].phys_start &&
		    a->msix_hpa - mem[n].phys_start < mem[n].size)
			a->msix_gpa = mem[n].virt_start + a->msix_hpa -
				      mem[n].phys_start;
	msix_pages(a, a->msix_hpa, &first, &size);
	err = paging_map(&hv_paging, PHYS_MAP_BASE + first, first, size,
			 PAGE_RW | PAGE_DEVICE);
	for (unsigned int n = 0; n < a->msix_n && !err; n++) {
		volatile u32 *e = phys_to_hv(a->msix_hpa + n * 16);

		e[3] |= 1; /* masked */
		a->msix_table[n].ctrl = 1;
	}
	/* Not mapped for the cell: it cannot program the table at all. */
	if (!err && a->msix_gpa != INVALID_PHYS) {
		msix_pages(a, a->msix_gpa, &first, &size);
		err = paging_unmap(&cell->stage2, first, size);
		if (!err)
			err = mmio_register(cell, first, size, msix_mmio, a);
	}
	return err;
}

static void release(struct assignment *a)
{
	u64 first, size;

	quiesce(a);
	if (a->msix_n) {
		msix_pages(a, a->msix_hpa, &first, &size);
		paging_unmap(&hv_paging, PHYS_MAP_BASE + first, size);
	}
	iommu_unassign_device(a->unit, a->bdf);
	if (root_device_access(a, true))
		printk("brig: cannot give PCI device " BDF_FMT
		       "'s configuration space back to the root\n",
		       BDF_ARGS(a->bdf));
	WRITE_ONCE(a->cell, NULL);
	if (--num_assigned == 0)
		vcpu->port_trap(&root_cell, 0xcfc, 4, false);
}

int x86_pci_cell_create(struct cell *cell)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(cell->config);
	int err = 0;

	spin_lock(&pci_lock);
	for (unsigned int n = 0; n < cell->config->num_pci_devices && !err;
	     n++) {
		struct assignment *a;
		unsigned int s;

		for (s = 0; s < MAX_ASSIGNED && assigned[s].cell; s++)
			;
		a = &assigned[s]; /* x86_pci_check() made sure of a slot */
		*a = (struct assignment){ .bdf = pci[n].bdf,
					  .unit = pci[n].iommu };
		for (unsigned int b = 0; b < 6; b++)
			a->bars[b] = cfg_read(a->bdf, PCI_BAR0 + 4 * b);
		a->msi = find_cap(a->bdf, PCI_CAP_MSI);
		a->msix = find_cap(a->bdf, PCI_CAP_MSIX);
		a->cell = cell;
		quiesce(a);
		err = setup_msix(cell, a);
		if (!err)
			err = iommu_assign_device(cell, a->unit, a->bdf);
		if (!err)
			err = root_device_access(a, false);
		if (err) {
			iommu_unassign_device(a->unit, a->bdf);
			root_device_access(a, true);
			a->cell = NULL;
			break;
		}
		if (num_assigned++ == 0)
			vcpu->port_trap(&root_cell, 0xcfc, 4, true);
		printk("brig: PCI device " BDF_FMT
		       " (%04x:%04x) goes to cell \"%s\"%s\n",
		       BDF_ARGS(a->bdf), cfg_read(a->bdf, 0) & 0xffff,
		       cfg_read(a->bdf, 0) >> 16, cell->config->name,
		       a->msix_n ? ", MSI-X" :
		       a->msi	 ? ", MSI" :
				   ", no MSI");
	}
	if (err)
		for (unsigned int n = 0; n < MAX_ASSIGNED; n++)
			if (assigned[n].cell == cell)
				release(&assigned[n]);
	spin_unlock(&pci_lock);
	return err;
}

void x86_pci_cell_destroy(struct cell *cell)
{
	spin_lock(&pci_lock);
	for (unsigned int n = 0; n < MAX_ASSIGNED; n++)
		if (assigned[n].cell == cell)
			release(&assigned[n]);
	spin_unlock(&pci_lock);
}

/* --- the cell's view ----------------------------------------------------- */

static unsigned int msi_len(const struct assignment *a, u32 ctrl)
{
	(void)a;
	return 12 + ((ctrl & MSI_64BIT) ? 4 : 0) +
	       ((ctrl & MSI_MASKABLE) ? 8 : 0);
}

static unsigned int msi_data_reg(const struct assignment *a, u32 ctrl)
{
	return a->msi + ((ctrl & MSI_64BIT) ? 0xc : 0x8);
}

/* One dword of configuration space as the cell sees it. */
static u32 cell_dword(const struct assignment *a, unsigned int reg)
{
	u32 real = cfg_read(a->bdf, reg);
	u32 ctrl;

	if (!a->msi || reg < a->msi)
		return real;
	ctrl = cfg_read(a->bdf, a->msi) >> 16;
	if (reg >= a->msi + msi_len(a, ctrl))
		return real;
	if (reg == a->msi)
		/* Enable as the cell set it; one message only (MME 0). */
		return (real & 0x008effff) | (u32)a->msi_ctrl << 16;
	if (reg == a->msi + 4u)
		return (u32)a->msi_addr;
	if ((ctrl & MSI_64BIT) && reg == a->msi + 8u)
		return (u32)(a->msi_addr >> 32);
	if (reg == msi_data_reg(a, ctrl))
		return a->msi_data & 0xffff;
	return real; /* mask and pending bits */
}

/*
 * A message the cell wants its device to send (compatibility format):
 * validate it, make the device's remapping entry index (0: MSI, 1 + n:
 * MSI-X entry n), and give the address and data the device must send
 * instead. False after the cell was stopped (cell_fail() said why).
 */
static bool remap_message(struct per_cpu *cpu, struct assignment *a,
			  const char *kind, u64 addr, u32 data,
			  unsigned int index, u32 *out_addr, u32 *out_data)
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
			kind, BDF_ARGS(a->bdf), (unsigned long long)addr, data);
		return false;
	}
	if (!target || target->cell != a->cell) {
		cell_fail(cpu,
			  "%s of PCI device " BDF_FMT
			  " aimed at APIC id %u (%s), not a CPU of the cell",
			  kind, BDF_ARGS(a->bdf), dest,
			  target ? (target->cell == &root_cell ?
					    "a root CPU" :
					    "another cell's CPU") :
				   "no CPU");
		return false;
	}
	if (iommu_set_cell_irte(a->unit, a->bdf, slot_of(a) + index, index,
				target->arch.apic_id, (u8)vector,
				mode == 1 ? IOMMU_IRQ_LOWEST : 0,
				out_addr, out_data)) {
		cell_fail(
			cpu,
			"no interrupt remapping entry for PCI device " BDF_FMT,
			BDF_ARGS(a->bdf));
		return false;
	}
	return true;
}

/*
 * The cell's MSI wish, now in a->msi_*: validate it and program the
 * device with a remapping entry, or switch its MSI off.
 */
static bool apply_msi(struct per_cpu *cpu, struct assignment *a)
{
	u32 ctrl = cfg_read(a->bdf, a->msi) >> 16, addr, data;

	if (!(a->msi_ctrl & MSI_ENABLE)) {
		cfg_write(a->bdf, a->msi,
			  cfg_read(a->bdf, a->msi) & ~((u32)MSI_ENABLE << 16));
		clear_message(a, 0);
		return true;
	}
	if (!remap_message(cpu, a, "MSI", a->msi_addr, a->msi_data, 0, &addr,
			   &data))
		return false;
	cfg_write(a->bdf, a->msi + 4, addr);
	if (ctrl & MSI_64BIT)
		cfg_write(a->bdf, a->msi + 8, 0);
	cfg_write(a->bdf, msi_data_reg(a, ctrl),
		  (cfg_read(a->bdf, msi_data_reg(a, ctrl)) & 0xffff0000) |
			  data);
	cfg_write(a->bdf, a->msi,
		  (cfg_read(a->bdf, a->msi) & ~(0x70u << 16)) | (u32)MSI_ENABLE
									<< 16);
	return true;
}

/* Table entry n as the cell left it: program it, or keep it masked. */
static bool apply_msix(struct per_cpu *cpu, struct assignment *a,
		       unsigned int n)
{
	volatile u32 *e = phys_to_hv(a->msix_hpa + n * 16);
	u32 addr, data;

	e[3] |= 1;
	if ((a->msix_table[n].ctrl & 1) || !(a->msix_ctrl & MSIX_ENABLE) ||
	    (a->msix_ctrl & MSIX_FMASK)) {
		clear_message(a, 1 + n);
		return true;
	}
	if (!remap_message(cpu, a, "MSI-X", a->msix_table[n].addr,
			   a->msix_table[n].data, 1 + n, &addr, &data))
		return false;
	e[0] = addr;
	e[1] = 0;
	e[2] = data;
	e[3] &= ~1u;
	return true;
}

static void refuse(struct assignment *a, unsigned int reg, u32 val)
{
	if (a->reported)
		return;
	a->reported = true;
	printk("brig: cell \"%s\": write of %x to register %x of PCI device " BDF_FMT
	       " ignored (BARs stay where they are)\n",
	       a->cell->config->name, val, reg, BDF_ARGS(a->bdf));
}

/* A whole dword the cell wants written (after merging partial writes). */
static bool cell_write(struct per_cpu *cpu, struct assignment *a,
		       unsigned int reg, u32 val, u32 touched)
{
	u32 ctrl;

	if (reg == PCI_COMMAND) {
		u32 cur = cfg_read(a->bdf, reg);
		u32 cmd = (cur & 0xffff & ~PCI_CMD_ALLOWED) |
			  (val & PCI_CMD_ALLOWED);

		/* Status bits are write-1-to-clear: only those written. */
		cfg_write(a->bdf, reg, cmd | (val & touched & 0xffff0000));
		return true;
	}
	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 24) {
		if (val == ~0u || val == a->bars[(reg - PCI_BAR0) / 4])
			cfg_write(a->bdf, reg, val);
		else
			refuse(a, reg, val);
		return true;
	}
	if (reg < 0x40)
		return true; /* IDs, class, ROM, interrupt line: read-only */
	if (a->msix && reg == a->msix) {
		if (!a->msix_n)
			return true; /* not offered: stays off */
		a->msix_ctrl = (u16)(val >> 16) & (MSIX_ENABLE | MSIX_FMASK);
		cfg_write(a->bdf, reg,
			  (cfg_read(a->bdf, reg) &
			   ~((u32)(MSIX_ENABLE | MSIX_FMASK) << 16)) |
				  (u32)a->msix_ctrl << 16);
		for (unsigned int n = 0; n < a->msix_n; n++)
			if (!apply_msix(cpu, a, n))
				return false;
		return true;
	}
	if (a->msi && reg >= a->msi) {
		ctrl = cfg_read(a->bdf, a->msi) >> 16;
		if (reg < a->msi + msi_len(a, ctrl)) {
			if (reg == a->msi)
				a->msi_ctrl = (u16)(val >> 16) & MSI_ENABLE;
			else if (reg == a->msi + 4u)
				a->msi_addr = (a->msi_addr & ~0xffffffffULL) |
					      val;
			else if ((ctrl & MSI_64BIT) && reg == a->msi + 8u)
				a->msi_addr = (a->msi_addr & 0xffffffffULL) |
					      (u64)val << 32;
			else if (reg == msi_data_reg(a, ctrl))
				a->msi_data = val & 0xffff;
			else
				cfg_write(a->bdf, reg, val); /* mask bits */
			return apply_msi(cpu, a);
		}
	}
	cfg_write(a->bdf, reg, val);
	return true;
}

static int cell_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		    u32 *val)
{
	struct cell *cell = cpu->cell;
	u32 addr = cell->arch.pci_addr, shift, mask, dword;
	unsigned int reg = (addr & 0xfc) + (port - 0xcfc);
	struct assignment *a;

	if (port == 0xcf8 && size == 4) {
		if (in)
			*val = addr;
		else
			cell->arch.pci_addr = *val;
		return 1;
	}
	if (port < 0xcfc || port + size > 0xd00)
		return -1; /* 0xcf9 is the reset register: not the cell's */
	a = (addr & CF8_ENABLE) ? find(cell, (u16)(addr >> 8)) : NULL;
	if (!a || (addr & 0x0f000000)) {
		/* Nothing there, as for an empty slot: enumeration goes on. */
		if (in)
			*val = ~0u;
		return 1;
	}
	shift = (reg & 3) * 8;
	mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;
	dword = cell_dword(a, reg & ~3u);
	if (in) {
		*val = (dword & mask) >> shift;
		return 1;
	}
	dword = (dword & ~mask) | ((*val << shift) & mask);
	return cell_write(cpu, a, reg & ~3u, dword, mask) ? 1 : 0;
}

/*
 * The root's 0xcfc..0xcff trap while cells own devices: the address it
 * latched in 0xcf8 (real, the root owns the mechanism) decides.
 */
static int root_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		    u32 *val)
{
	u32 addr;
	struct assignment *a;

	asm volatile("inl %1, %0" : "=a"(addr) : "Nd"((u16)0xcf8));
	a = (addr & CF8_ENABLE) ? find(NULL, (u16)(addr >> 8)) : NULL;
	if (a) {
		if (report_once(0x20000 | a->bdf))
			printk("brig: root cell CPU %u: configuration %s of PCI device " BDF_FMT
			       " denied (cell \"%s\"'s); reads return all-ones, writes are dropped\n",
			       cpu->cpu_id, in ? "read" : "write",
			       BDF_ARGS(a->bdf), a->cell->config->name);
		if (in)
			*val = ~0u;
		return 1;
	}
	if (in && size == 1)
		asm volatile("inb %1, %b0" : "=a"(*val) : "Nd"(port));
	else if (in && size == 2)
		asm volatile("inw %1, %w0" : "=a"(*val) : "Nd"(port));
	else if (in)
		asm volatile("inl %1, %0" : "=a"(*val) : "Nd"(port));
	else if (size == 1)
		asm volatile("outb %b0, %1" ::"a"(*val), "Nd"(port));
	else if (size == 2)
		asm volatile("outw %w0, %1" ::"a"(*val), "Nd"(port));
	else
		asm volatile("outl %0, %1" ::"a"(*val), "Nd"(port));
	return 1;
}

int x86_pci_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
		u32 *val)
{
	int ret;

	if (port < 0xcf8 || port >= 0xd00)
		return -1;
	if (cpu->cell == &root_cell) {
		if (port < 0xcfc)
			return -1;
		spin_lock(&pci_lock);
		ret = root_pio(cpu, port, size, in, val);
		spin_unlock(&pci_lock);
		return ret;
	}
	if (!cpu->cell->config->num_pci_devices)
		return -1;
	spin_lock(&pci_lock);
	ret = cell_pio(cpu, port, size, in, val);
	spin_unlock(&pci_lock);
	return ret;
}

/* --- the cell's MSI-X tables (trapped pages) ------------------------------ */

/* A table field: 0 address, 4 upper address, 8 data, 12 vector control. */
static u32 *msix_field(struct assignment *a, unsigned int n, unsigned int f)
{
	switch (f) {
	case 0:
		return (u32 *)&a->msix_table[n].addr;
	case 4:
		return (u32 *)&a->msix_table[n].addr + 1;
	case 8:
		return &a->msix_table[n].data;
	default:
		return &a->msix_table[n].ctrl;
	}
}

/*
 * The cell's access to a page of its device's MSI-X table (a trapped
 * range of its registry, registered by setup_msix()).
 */
static enum mmio_result msix_mmio(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg)
{
	struct assignment *a = arg;
	u64 off, val = 0;
	bool ok = true;

	spin_lock(&pci_lock);
	off = acc->address - a->msix_gpa; /* wraps below the table: not in it */
	if (off < a->msix_n * 16ULL && (acc->size == 4 || acc->size == 8) &&
	    !(off & (acc->size - 1))) {
		unsigned int n = (unsigned int)(off / 16), f = off % 16;

		if (acc->is_write) {
			*msix_field(a, n, f) = (u32)acc->value;
			if (acc->size == 8)
				*msix_field(a, n, f + 4) =
					(u32)(acc->value >> 32);
			ok = apply_msix(cpu, a, n);
		} else {
			val = *msix_field(a, n, f);
			if (acc->size == 8)
				val |= (u64)*msix_field(a, n, f + 4) << 32;
		}
	} else if (off < a->msix_n * 16ULL) {
		cell_fail(
			cpu,
			"%u-byte access to the MSI-X table of PCI device " BDF_FMT
			" at %llx",
			acc->size, BDF_ARGS(a->bdf),
			(unsigned long long)acc->address);
		ok = false;
	} else {
		/* Around the table (pending bits): the device's own. */
		volatile void *p = phys_to_hv(a->msix_hpa + off);

		if (acc->is_write && acc->size == 8)
			*(volatile u64 *)p = acc->value;
		else if (acc->is_write && acc->size == 4)
			*(volatile u32 *)p = (u32)acc->value;
		else if (acc->is_write && acc->size == 2)
			*(volatile u16 *)p = (u16)acc->value;
		else if (acc->is_write)
			*(volatile u8 *)p = (u8)acc->value;
		else if (acc->size == 8)
			val = *(volatile u64 *)p;
		else if (acc->size == 4)
			val = *(volatile u32 *)p;
		else if (acc->size == 2)
			val = *(volatile u16 *)p;
		else
			val = *(volatile u8 *)p;
	}
	spin_unlock(&pci_lock);
	if (!ok)
		return MMIO_CELL_FAILED;
	if (!acc->is_write)
		acc->value = val;
	return MMIO_HANDLED;
}
