// SPDX-License-Identifier: GPL-2.0
/*
 * PCI devices of cells and virtual PCI devices (hv/pci.h).
 *
 * The hypervisor reaches configuration space through ECAM only: the root
 * keeps using the arch's legacy mechanism as it likes, and a cell's
 * accesses to it are emulated, so no address latch is ever shared.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/memory.h>
#include <hv/mmio.h>
#include <hv/paging.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/spinlock.h>
#include <hv/string.h>

#define PCI_COMMAND 0x04
#define PCI_STATUS_CAPS BIT(20) /* in the command/status dword */
#define PCI_HEADER_TYPE 0x0c /* byte 2 of the dword */
#define PCI_CAP_PTR 0x34
#define PCI_CAP_MSI 0x05
#define PCI_CAP_MSIX 0x11
#define PCI_CAP_EXP 0x10 /* PCI Express */
#define PCI_MULTI_FUNCTION BIT(23) /* in the header-type dword */
#define PCI_BUS_NUMBERS 0x18 /* type 1: primary, secondary, subordinate */
/* PCI Express capability: port type, Device Capabilities and Control */
#define PCI_EXP_TYPE(dword0) (((dword0) >> 20) & 0xf)
#define PCI_EXP_ROOT_PORT 4
#define PCI_EXP_UPSTREAM 5
#define PCI_EXP_DOWNSTREAM 6
#define PCI_EXP_TO_PCI 7 /* PCI Express to PCI/PCI-X bridge */
#define PCI_EXP_DEVCAP 4u
#define PCI_EXP_DEVCTL 8u /* Device Control, Device Status above it */
#define DEVCAP_PHANTOM (3u << 3) /* phantom functions supported */
#define DEVCTL_PHANTOM BIT(9) /* phantom functions enable */
#define DEVCTL_FLR BIT(15) /* initiate function level reset */
#define PCI_CMD_ALLOWED 0x0407 /* I/O, memory, master, INTx disable */
#define MSI_ENABLE BIT(0)
#define MSI_64BIT BIT(7)
#define MSI_MASKABLE BIT(8)
#define MSIX_ENABLE BIT(15)
#define MSIX_FMASK BIT(14)

struct assignment {
	struct cell *cell; /* NULL: free slot */
	u16 bdf;
	unsigned int unit; /* IOMMU index */
	u32 bars[6]; /* as the device had them when the cell got it: kept */
	u32 bar_probe[6]; /* what each BAR register read after all-ones */
	u8 sizing; /* BAR registers the cell sizes: they read bar_probe */
	u8 msi; /* MSI capability offset, 0: none */
	u8 msix; /* MSI-X capability offset, 0: none */
	u8 pcie; /* PCI Express capability offset, 0: none */
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
	} msix_table[PCI_MSIX_MAX];
	bool reported; /* a refused write was reported */
	/* Bridges above it (and the host bridge), guarded while it is a cell's. */
	u16 upstream[8];
	unsigned int num_upstream;
};

/*
 * The devices given to cells and the virtual ones. Changed by cell
 * management (under cell_lock and pci_lock), read by the cells' and the
 * root's trapped accesses under pci_lock alone: those must never wait
 * for cell_lock, whose holder may be waiting for them to acknowledge a
 * request.
 */
static struct assignment assigned[PCI_MAX_ASSIGNED];
static unsigned int num_assigned;
static struct pci_vdev *vdevs[PCI_MAX_VDEVS];
static unsigned int root_vdevs;
static DEFINE_SPINLOCK(pci_lock);

static void detach_locked(struct pci_vdev *dev);

/* --- configuration space through ECAM ------------------------------------ */

static u64 mmcfg_base;
static unsigned int mmcfg_buses;

static u32 cfg_read(u16 bdf, unsigned int reg)
{
	return pci_ecam_read(bdf, reg & ~3u, 4);
}

static void cfg_write(u16 bdf, unsigned int reg, u32 val)
{
	pci_ecam_write(bdf, reg & ~3u, 4, val);
}

int pci_init(void)
{
	const struct brig_platform *p = &system_config->platform;

	if (!p->pci_mmconfig_base)
		return 0;
	mmcfg_base = p->pci_mmconfig_base;
	mmcfg_buses = p->pci_mmconfig_end_bus + 1u;
	return paging_map(&hv_paging, PHYS_MAP_BASE + mmcfg_base, mmcfg_base,
			  (u64)mmcfg_buses << 20, PAGE_RW | PAGE_DEVICE);
}

bool pci_device_present(u16 bdf)
{
	if (!mmcfg_base)
		return arch_pci_function_present(bdf);
	if ((bdf >> 8) >= mmcfg_buses)
		return false;
	return (cfg_read(bdf, 0) & 0xffff) != 0xffff;
}

/* --- ownership ----------------------------------------------------------- */

static struct assignment *find(const struct cell *cell, u16 bdf)
{
	for (unsigned int n = 0; n < PCI_MAX_ASSIGNED; n++)
		if (assigned[n].cell && assigned[n].bdf == bdf &&
		    (!cell || assigned[n].cell == cell))
			return &assigned[n];
	return NULL;
}

static struct pci_vdev *find_vdev(const struct cell *cell, u16 bdf)
{
	for (unsigned int n = 0; n < PCI_MAX_VDEVS; n++)
		if (vdevs[n] && vdevs[n]->cell == cell && vdevs[n]->bdf == bdf)
			return vdevs[n];
	return NULL;
}

struct cell *pci_owner(u16 bdf)
{
	struct assignment *a = find(NULL, bdf);

	return a ? READ_ONCE(a->cell) : &root_cell;
}

bool pci_cell_has_devices(const struct cell *cell)
{
	bool any = false;

	spin_lock(&pci_lock);
	for (unsigned int n = 0; n < PCI_MAX_ASSIGNED && !any; n++)
		any = assigned[n].cell == cell;
	for (unsigned int n = 0; n < PCI_MAX_VDEVS && !any; n++)
		any = vdevs[n] && vdevs[n]->cell == cell;
	spin_unlock(&pci_lock);
	return any;
}

/* Interrupt remapping slots: the device's MSI, then MSI-X entry n. */
static unsigned int slot_of(const struct assignment *a)
{
	return (unsigned int)(a - assigned) * PCI_MSGS_PER_DEVICE;
}

/* Switch the device's remapping entry index off (0: MSI, 1 + n: MSI-X). */
static void clear_message(const struct assignment *a, unsigned int index)
{
	arch_pci_msi_clear(a->unit, a->bdf, slot_of(a) + index, index);
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
 * Devices whose DMA reaches the IOMMU under a requester id not their own.
 * Every bridge whose bus range holds the device's bus is upstream of it;
 * one that is not a PCI Express root or switch port forwards DMA under
 * its own id (a conventional PCI bridge) or its secondary bus's (a PCI
 * Express to PCI/PCI-X bridge), which is some other context's: the
 * device's DMA would land in another domain, or another device's in the
 * cell's. Bus numbers are the root's to program, so rather than follow
 * them upwards (they could loop) the whole window is scanned once.
 */

/* How many functions to look at in slot bus:dev (its function 0). */
static unsigned int functions_at(u16 dev0)
{
	if ((cfg_read(dev0, 0) & 0xffff) == 0xffff)
		return 0;
	return (cfg_read(dev0, PCI_HEADER_TYPE) & PCI_MULTI_FUNCTION) ? 8 : 1;
}

/* Whether function bdf is a bridge that forwards to bus. */
static bool bridge_holds(u16 bdf, unsigned int bus)
{
	u32 nums;
	unsigned int secondary, subordinate;

	if ((cfg_read(bdf, 0) & 0xffff) == 0xffff ||
	    ((cfg_read(bdf, PCI_HEADER_TYPE) >> 16) & 0x7f) != 1)
		return false;
	nums = cfg_read(bdf, PCI_BUS_NUMBERS);
	secondary = (nums >> 8) & 0xff;
	subordinate = (nums >> 16) & 0xff;
	/* Secondary bus 0 is never one: a bridge not set up forwards nothing. */
	return secondary && secondary <= bus && bus <= subordinate;
}

/* What kind of bridge gives forwarded DMA another id; NULL: none. */
static const char *bridge_alias(u16 bridge)
{
	u8 exp = find_cap(bridge, PCI_CAP_EXP);

	if (!exp)
		return "a conventional PCI bridge";
	switch (PCI_EXP_TYPE(cfg_read(bridge, exp))) {
	case PCI_EXP_ROOT_PORT:
	case PCI_EXP_UPSTREAM:
	case PCI_EXP_DOWNSTREAM:
		return NULL;
	case PCI_EXP_TO_PCI:
		return "a PCI Express to PCI/PCI-X bridge";
	default:
		return "a bridge that is not a PCI Express port";
	}
}

/* The first bridge above bdf that aliases its DMA (*what: its kind), or -1. */
/*
 * The first function at or after from that is a bridge forwarding to bus,
 * or -1: the scan of the whole window, one step at a time.
 */
static int next_bridge_above(unsigned int bus, unsigned int from)
{
	for (unsigned int bdf = from; bdf < mmcfg_buses << 8; bdf++) {
		if ((bdf & 7) >= functions_at((u16)(bdf & ~7u))) {
			bdf |= 7; /* the rest of this slot is empty */
			continue;
		}
		if (bridge_holds((u16)bdf, bus))
			return (int)bdf;
	}
	return -1;
}

static int aliasing_bridge(u16 bdf, const char **what)
{
	for (int b = next_bridge_above(bdf >> 8, 0); b >= 0;
	     b = next_bridge_above(bdf >> 8, (unsigned int)b + 1))
		if ((*what = bridge_alias((u16)b)))
			return b;
	return -1;
}

/* A device whose DMA may carry another requester id: refused, says why. */
static bool refuse_alias(u16 bdf)
{
	const char *what;
	int bridge = aliasing_bridge(bdf, &what);

	if (bridge < 0)
		return false;
	printk("brig: cell description refused: PCI device " BDF_FMT
	       ": it sits behind " BDF_FMT
	       ", %s, so its DMA reaches the IOMMU under another requester id\n",
	       BDF_ARGS(bdf), BDF_ARGS((u16)bridge), what);
	return true;
}

int pci_cell_check(const struct brig_cell_desc *config)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(config);
	unsigned int free = PCI_MAX_ASSIGNED - num_assigned;

	for (unsigned int n = 0; n < config->num_pci_devices; n++) {
		u16 bdf = pci[n].bdf;
		struct assignment *a = find(NULL, bdf);
		const char *why = NULL;

		if (pci[n].type != BRIG_PCI_TYPE_DEVICE)
			continue; /* virtual: its own code attaches it */
		if (!mmcfg_base || (bdf >> 8) >= mmcfg_buses)
			why = "the platform has no MMCONFIG for its bus";
		else if (!arch_iommu_unit_usable(pci[n].iommu))
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
		if (refuse_alias(bdf))
			return -EINVAL;
	}
	return 0;
}

/*
 * What each BAR register of a quiesced device (decoding off) answers to
 * the sizing probe: all-ones written, read, the value put back. Once, at
 * assignment: from then on the device's BARs never change while the cell
 * has it, and its sizing is emulated from these answers.
 */
static void probe_bars(struct assignment *a)
{
	for (unsigned int n = 0; n < 6; n++) {
		unsigned int reg = PCI_BAR0 + 4 * n;

		cfg_write(a->bdf, reg, ~0u);
		a->bar_probe[n] = cfg_read(a->bdf, reg);
		cfg_write(a->bdf, reg, a->bars[n]);
	}
}

/* Whether BAR register n is the upper half of a 64-bit memory BAR. */
static bool bar_upper_half(const struct assignment *a, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		bool is64 = (a->bars[i] & 0x7) == 0x4;

		if (is64 && i + 1 == n)
			return true;
		if (is64)
			i++; /* its upper half is no BAR of its own */
	}
	return false;
}

/*
 * The address bits BAR register n decodes, which are the bits that take
 * a write: its probe answer without the read-only type bits (an upper
 * half has none). 0: no BAR there.
 */
static u32 bar_decodes(const struct assignment *a, unsigned int n)
{
	if (bar_upper_half(a, n))
		return a->bar_probe[n];
	return a->bar_probe[n] & ((a->bars[n] & 1) ? ~0x3u : ~0xfu);
}

/*
 * Memory BAR n: its base and size, from the saved value and probe.
 * Returns how many BAR registers it takes (2 for a 64-bit BAR), with
 * *size 0 for none or an I/O BAR.
 */
static unsigned int mem_bar(const struct assignment *a, unsigned int n,
			    u64 *base, u64 *size)
{
	u32 lo = a->bars[n], hi = 0, mlo, mhi = ~0u;
	bool is64 = (lo & 0x7) == 0x4;

	*size = 0;
	if (lo & 1)
		return 1; /* I/O BAR: its ports stay as described */
	if (is64 && n == 5)
		return 1;
	mlo = a->bar_probe[n] & ~0xfu;
	if (is64) {
		hi = a->bars[n + 1];
		mhi = a->bar_probe[n + 1];
	}
	*base = ((u64)hi << 32 | lo) & ~0xfULL;
	if (mlo)
		*size = ~((u64)mhi << 32 | mlo) + 1;
	if (!is64)
		*size &= 0xffffffffULL;
	return is64 ? 2 : 1;
}

/*
 * The description's bar_mask, where it gives one, must be what the BAR
 * decodes: a description written for another device (or another revision
 * of it) is refused rather than believed.
 */
static int check_bar_masks(const struct assignment *a,
			   const struct brig_pci_device *pci)
{
	for (unsigned int n = 0; n < 6; n++) {
		if (!pci->bar_mask[n] || pci->bar_mask[n] == bar_decodes(a, n))
			continue;
		printk("brig: cell description refused: PCI device " BDF_FMT
		       ": BAR %u decodes %x, its bar-mask says %llx\n",
		       BDF_ARGS(a->bdf), n, bar_decodes(a, n),
		       (unsigned long long)pci->bar_mask[n]);
		return -EINVAL;
	}
	return 0;
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
	if (a->pcie)
		/* Phantom functions off, whoever turned them on; status as is. */
		cfg_write(a->bdf, a->pcie + PCI_EXP_DEVCTL,
			  cfg_read(a->bdf, a->pcie + PCI_EXP_DEVCTL) & 0xffff &
				  ~DEVCTL_PHANTOM);
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
	if (a->msix_n > PCI_MSIX_MAX || bir > 5 || (a->bars[bir] & 1)) {
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

/*
 * Bridges above a cell's device, and the host bridge. Their bus numbers
 * decide which requester id the device's DMA carries and which context
 * the IOMMU gives it: renumbered, the cell's DMA could land in the root's
 * domain or a root device's in the cell's. A secondary bus reset resets
 * the cell's device under it. And an Intel host bridge's PCIEXBAR moves
 * MMCONFIG itself. While a cell holds a device below them, the root's
 * configuration accesses to these functions trap (their ECAM pages leave
 * its tables, and 0xcf8/0xcfc traps anyway): everything passes but those
 * writes, which keep the registers as they were and are reported once.
 */
#define PCI_MAX_GUARDED 32
#define PCI_BRIDGE_CONTROL 0x3c /* dword: interrupt line/pin, bridge control */
#define PCI_BRIDGE_SBR BIT(22) /* secondary bus reset, in that dword */
#define PCI_HOST_PCIEXBAR 0x60 /* Intel host bridges: 0x60-0x67 */

static struct guarded {
	u16 bdf;
	unsigned int refs; /* 0: free slot */
} guarded[PCI_MAX_GUARDED];

static enum mmio_result guarded_ecam_mmio(struct per_cpu *cpu,
					  struct mmio_access *acc, void *arg);
static void ecam_access(u16 bdf, unsigned int reg, unsigned int size,
			bool is_write, u32 *val);

static struct guarded *find_guarded(u16 bdf)
{
	for (unsigned int n = 0; n < PCI_MAX_GUARDED; n++)
		if (guarded[n].refs && guarded[n].bdf == bdf)
			return &guarded[n];
	return NULL;
}

static u64 ecam_page(u16 bdf)
{
	return mmcfg_base + ((u64)bdf << 12);
}

static int guard(u16 bdf)
{
	struct guarded *g = find_guarded(bdf);
	int err;

	if (g) {
		g->refs++;
		return 0;
	}
	for (g = guarded; g < guarded + PCI_MAX_GUARDED && g->refs; g++)
		;
	if (g == guarded + PCI_MAX_GUARDED) {
		printk("brig: more than %u bridges above cells' devices\n",
		       PCI_MAX_GUARDED);
		return -ENOSPC;
	}
	err = root_unmap(ecam_page(bdf), PAGE_SIZE);
	if (!err)
		err = mmio_register(&root_cell, ecam_page(bdf), PAGE_SIZE,
				    guarded_ecam_mmio, g);
	if (err) {
		root_restore(ecam_page(bdf), PAGE_SIZE);
		return err;
	}
	*g = (struct guarded){ .bdf = bdf, .refs = 1 };
	return 0;
}

static void unguard(u16 bdf)
{
	struct guarded *g = find_guarded(bdf);

	if (!g || --g->refs)
		return;
	mmio_unregister(&root_cell, ecam_page(bdf));
	if (root_restore(ecam_page(bdf), PAGE_SIZE))
		printk("brig: cannot give bridge " BDF_FMT
		       "'s configuration page back to the root\n",
		       BDF_ARGS(bdf));
}

/* Is bdf an Intel host bridge (whose PCIEXBAR places MMCONFIG)? */
static bool intel_host_bridge(u16 bdf)
{
	return bdf == 0 && (cfg_read(0, 0) & 0xffff) == 0x8086 &&
	       (cfg_read(0, 8) >> 16) == 0x0600;
}

/*
 * The functions to guard for a device at bdf: every bridge whose bus range
 * holds its bus, and an Intel host bridge; the first max of them go to
 * out. Returns how many there are.
 */
static unsigned int upstream_of(u16 bdf, u16 *out, unsigned int max)
{
	unsigned int n = 0;

	if (intel_host_bridge(0))
		out[n++] = 0;
	for (int b = next_bridge_above(bdf >> 8, 0); b >= 0;
	     b = next_bridge_above(bdf >> 8, (unsigned int)b + 1)) {
		if (n < max)
			out[n] = (u16)b;
		n++;
	}
	return n;
}

/* Guard what is above a's device (on) or let it go again (!on). */
static int guard_upstream(struct assignment *a, bool on)
{
	unsigned int n, max = ARRAY_SIZE(a->upstream);
	int err = 0;

	if (!on) {
		for (unsigned int i = 0; i < a->num_upstream; i++)
			unguard(a->upstream[i]);
		a->num_upstream = 0;
		return 0;
	}
	n = upstream_of(a->bdf, a->upstream, max);
	if (n > max) {
		printk("brig: PCI device " BDF_FMT
		       " sits below %u bridges, brig guards at most %u\n",
		       BDF_ARGS(a->bdf), n, max);
		return -E2BIG;
	}
	for (unsigned int i = 0; i < n && !err; i++) {
		err = guard(a->upstream[i]);
		if (err)
			while (i--)
				unguard(a->upstream[i]);
	}
	a->num_upstream = err ? 0 : n;
	return err;
}

/*
 * The root's write of size bytes at reg of a guarded function: the bytes
 * it may not change keep their value, the rest are written.
 */
static void guarded_write(struct per_cpu *cpu, u16 bdf, unsigned int reg,
			  unsigned int size, u32 val)
{
	unsigned int dword = reg & ~3u, shift = 8 * (reg & 3);
	u32 mask = (size == 4 ? ~0u : ((1u << (8 * size)) - 1)) << shift;
	u32 cur = pci_ecam_read(bdf, dword, 4), keep = 0, want, out;

	if (bdf == 0 && intel_host_bridge(0) &&
	    (dword == PCI_HOST_PCIEXBAR || dword == PCI_HOST_PCIEXBAR + 4))
		keep = ~0u;
	else if (dword == PCI_BUS_NUMBERS)
		keep = 0x00ffffff; /* primary, secondary, subordinate */
	else if (dword == PCI_BRIDGE_CONTROL)
		keep = PCI_BRIDGE_SBR;
	want = (cur & ~mask) | ((val << shift) & mask);
	out = (want & ~keep) | (cur & keep);
	if (want != out && report_once(0x30000 | (u64)bdf << 8 | dword))
		printk("brig: root cell CPU %u: write of %x to register %x of PCI function " BDF_FMT
		       " dropped (a cell's device depends on it: bus numbers, secondary bus reset, MMCONFIG base)\n",
		       cpu->cpu_id, val, reg, BDF_ARGS(bdf));
	val = (out & mask) >> shift;
	ecam_access(bdf, reg, size, true, &val);
}

/* Is the root's legacy mechanism to trap? Caller holds pci_lock. */
static void update_root_trap(void)
{
	static bool trapping;
	bool trap = num_assigned || root_vdevs;

	if (trap != trapping)
		arch_pci_root_config_trap(trap);
	trapping = trap;
}

static void release(struct assignment *a)
{
	u64 first, size;

	quiesce(a);
	if (a->msix_n) {
		msix_pages(a, a->msix_hpa, &first, &size);
		paging_unmap(&hv_paging, PHYS_MAP_BASE + first, size);
	}
	arch_iommu_unassign_device(a->unit, a->bdf);
	guard_upstream(a, false);
	if (root_device_access(a, true))
		printk("brig: cannot give PCI device " BDF_FMT
		       "'s configuration space back to the root\n",
		       BDF_ARGS(a->bdf));
	WRITE_ONCE(a->cell, NULL);
	num_assigned--;
	update_root_trap();
}

/* What quiesce() turns off, as the root had it (control halves only). */
struct root_view {
	u32 cmd, devctl, msi, msix;
};

static void save_root_view(const struct assignment *a, struct root_view *v)
{
	v->cmd = cfg_read(a->bdf, PCI_COMMAND) & 0xffff;
	v->devctl = a->pcie ? cfg_read(a->bdf, a->pcie + PCI_EXP_DEVCTL) &
				      0xffff :
			      0;
	v->msi = a->msi ? cfg_read(a->bdf, a->msi) : 0;
	v->msix = a->msix ? cfg_read(a->bdf, a->msix) : 0;
}

/* A refused assignment leaves the device as the root had it. */
static void restore_root_view(const struct assignment *a,
			      const struct root_view *v)
{
	if (a->msi)
		cfg_write(a->bdf, a->msi,
			  (cfg_read(a->bdf, a->msi) &
			   ~((u32)MSI_ENABLE << 16)) |
				  (v->msi & ((u32)MSI_ENABLE << 16)));
	if (a->msix)
		cfg_write(a->bdf, a->msix,
			  (cfg_read(a->bdf, a->msix) &
			   ~((u32)(MSIX_ENABLE | MSIX_FMASK) << 16)) |
				  (v->msix &
				   ((u32)(MSIX_ENABLE | MSIX_FMASK) << 16)));
	if (a->pcie)
		cfg_write(a->bdf, a->pcie + PCI_EXP_DEVCTL, v->devctl);
	/* The status half as it reads, as quiesce() writes it. */
	cfg_write(a->bdf, PCI_COMMAND,
		  (cfg_read(a->bdf, PCI_COMMAND) & 0xffff0000) | v->cmd);
}

/* Take one described device from the root; on failure nothing changed. */
static int assign(struct cell *cell, const struct brig_pci_device *pci)
{
	struct assignment *a;
	struct root_view view;
	unsigned int s;
	int err;

	for (s = 0; s < PCI_MAX_ASSIGNED && assigned[s].cell; s++)
		;
	a = &assigned[s]; /* pci_cell_check() made sure of a slot */
	*a = (struct assignment){ .bdf = pci->bdf, .unit = pci->iommu };
	for (unsigned int b = 0; b < 6; b++)
		a->bars[b] = cfg_read(a->bdf, PCI_BAR0 + 4 * b);
	a->msi = find_cap(a->bdf, PCI_CAP_MSI);
	a->msix = find_cap(a->bdf, PCI_CAP_MSIX);
	a->pcie = find_cap(a->bdf, PCI_CAP_EXP);
	a->cell = cell;
	save_root_view(a, &view);
	quiesce(a);
	probe_bars(a);
	err = check_bar_masks(a, pci);
	if (err) {
		restore_root_view(a, &view);
		a->cell = NULL;
		return err;
	}
	err = setup_msix(cell, a);
	if (!err)
		err = arch_iommu_assign_device(cell, a->unit, a->bdf);
	if (!err)
		err = root_device_access(a, false);
	if (!err)
		err = guard_upstream(a, true);
	if (err) {
		arch_iommu_unassign_device(a->unit, a->bdf);
		root_device_access(a, true);
		restore_root_view(a, &view);
		a->cell = NULL;
		return err;
	}
	num_assigned++;
	update_root_trap();
	printk("brig: PCI device " BDF_FMT
	       " (%04x:%04x) goes to cell \"%s\"%s\n",
	       BDF_ARGS(a->bdf), cfg_read(a->bdf, 0) & 0xffff,
	       cfg_read(a->bdf, 0) >> 16, cell->config->name,
	       a->msix_n ? ", MSI-X" :
	       a->msi	 ? ", MSI" :
			   ", no MSI");
	return 0;
}

int pci_cell_create(struct cell *cell)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(cell->config);
	int err = 0;

	spin_lock(&pci_lock);
	for (unsigned int n = 0; n < cell->config->num_pci_devices && !err; n++)
		if (pci[n].type == BRIG_PCI_TYPE_DEVICE)
			err = assign(cell, &pci[n]);
	if (err)
		for (unsigned int n = 0; n < PCI_MAX_ASSIGNED; n++)
			if (assigned[n].cell == cell)
				release(&assigned[n]);
	spin_unlock(&pci_lock);
	return err;
}

/*
 * Until the root's TLBs are flushed after create, another root CPU may
 * still reach a device's configuration space through a stale translation
 * (or have raced the assignment through 0xcf8 before it trapped): what
 * assign() set up must still be so.
 */
static const char *changed_behind(const struct assignment *a, unsigned int *bar)
{
	for (*bar = 0; *bar < 6; (*bar)++)
		if (cfg_read(a->bdf, PCI_BAR0 + 4 * *bar) != a->bars[*bar])
			return "a BAR moved";
	if (cfg_read(a->bdf, PCI_COMMAND) & 0x7)
		return "decoding or bus mastering on";
	if (a->pcie &&
	    (cfg_read(a->bdf, a->pcie + PCI_EXP_DEVCTL) & DEVCTL_PHANTOM))
		return "phantom functions on";
	if (a->msi && (cfg_read(a->bdf, a->msi) & ((u32)MSI_ENABLE << 16)))
		return "MSI on";
	if (a->msix && (cfg_read(a->bdf, a->msix) & ((u32)MSIX_ENABLE << 16)))
		return "MSI-X on";
	return NULL;
}

int pci_cell_verify(const struct cell *cell)
{
	const char *why = NULL;
	unsigned int n, bar;

	spin_lock(&pci_lock);
	for (n = 0; n < PCI_MAX_ASSIGNED && !why; n++)
		if (assigned[n].cell == cell)
			why = changed_behind(&assigned[n], &bar);
	spin_unlock(&pci_lock);
	if (!why)
		return 0;
	printk("brig: PCI device " BDF_FMT
	       " changed while it went to cell \"%s\" (%s): refused\n",
	       BDF_ARGS(assigned[n - 1].bdf), cell->config->name, why);
	return -EBUSY;
}

void pci_cell_destroy(struct cell *cell)
{
	spin_lock(&pci_lock);
	for (unsigned int n = 0; n < PCI_MAX_ASSIGNED; n++)
		if (assigned[n].cell == cell)
			release(&assigned[n]);
	for (unsigned int n = 0; n < PCI_MAX_VDEVS; n++)
		if (vdevs[n] && vdevs[n]->cell == cell)
			detach_locked(vdevs[n]);
	spin_unlock(&pci_lock);
}

/* --- the cell's view of a physical device -------------------------------- */

static unsigned int msi_len(u32 ctrl)
{
	return 12 + ((ctrl & MSI_64BIT) ? 4 : 0) +
	       ((ctrl & MSI_MASKABLE) ? 8 : 0);
}

static unsigned int msi_data_reg(const struct assignment *a, u32 ctrl)
{
	return a->msi + ((ctrl & MSI_64BIT) ? 0xc : 0x8);
}

/* BAR register n as the cell sees it: the saved value, or its size. */
static u32 bar_view(const struct assignment *a, unsigned int n)
{
	return (a->sizing & BIT(n)) ? a->bar_probe[n] : a->bars[n];
}

/* One dword of configuration space as the cell sees it. */
static u32 cell_dword(const struct assignment *a, unsigned int reg)
{
	u32 real, ctrl;

	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 24)
		return bar_view(a, (reg - PCI_BAR0) / 4);
	real = cfg_read(a->bdf, reg);
	if (a->pcie && reg == a->pcie + PCI_EXP_DEVCAP)
		return real & ~DEVCAP_PHANTOM; /* offered as unsupported */
	if (!a->msi || reg < a->msi)
		return real;
	ctrl = cfg_read(a->bdf, a->msi) >> 16;
	if (reg >= a->msi + msi_len(ctrl))
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
 * The cell's message for its device (index 0: MSI, 1 + n: MSI-X entry
 * n): validated and remapped by the arch.
 */
static bool remap_message(struct per_cpu *cpu, struct assignment *a,
			  const char *kind, u64 addr, u32 data,
			  unsigned int index, u32 *out_addr, u32 *out_data)
{
	return arch_pci_msi_remap(cpu, a->unit, a->bdf, slot_of(a) + index,
				  index, kind, addr, data, out_addr, out_data);
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

/*
 * The cell writes BAR register reg: nothing reaches the device. All-ones
 * in every bit the BAR decodes starts sizing, the original address ends
 * it (bits it does not decode are ignored, as the device would), anything
 * else would move the BAR and is refused. A register without a BAR takes
 * nothing, as on the device.
 */
static void bar_write(struct assignment *a, unsigned int reg, u32 val)
{
	unsigned int n = (reg - PCI_BAR0) / 4;
	u32 decodes = bar_decodes(a, n);

	if ((val & decodes) == (a->bars[n] & decodes))
		a->sizing &= (u8)~BIT(n);
	else if ((val & decodes) == decodes)
		a->sizing |= (u8)BIT(n);
	else
		refuse(a, reg, val);
}

/*
 * PCI Express Device Control and Status, written by the cell. Phantom
 * functions stay off: their requests carry other function numbers'
 * requester ids, whose contexts are not the cell's. The status bits are
 * write-1-to-clear: only those the cell wrote are passed on.
 */
/*
 * Device Control as the cell writes it: phantom functions stay off, and
 * so does Initiate Function Level Reset (bit 15), which would reset the
 * BARs under the emulation that keeps them (the cell gets no FLR).
 */
static void devctl_write(const struct assignment *a, u32 val, u32 touched)
{
	cfg_write(a->bdf, a->pcie + PCI_EXP_DEVCTL,
		  (val & 0xffff & ~(DEVCTL_PHANTOM | DEVCTL_FLR)) |
			  (val & touched & 0xffff0000));
}

/* The MSI capability's registers, written by the cell. */
static bool msi_write(struct per_cpu *cpu, struct assignment *a,
		      unsigned int reg, u32 val, u32 ctrl)
{
	if (reg == a->msi)
		a->msi_ctrl = (u16)(val >> 16) & MSI_ENABLE;
	else if (reg == a->msi + 4u)
		a->msi_addr = (a->msi_addr & ~0xffffffffULL) | val;
	else if ((ctrl & MSI_64BIT) && reg == a->msi + 8u)
		a->msi_addr = (a->msi_addr & 0xffffffffULL) | (u64)val << 32;
	else if (reg == msi_data_reg(a, ctrl))
		a->msi_data = val & 0xffff;
	else
		cfg_write(a->bdf, reg, val); /* mask bits */
	return apply_msi(cpu, a);
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
		bar_write(a, reg, val);
		return true;
	}
	if (reg < 0x40)
		return true; /* IDs, class, ROM, interrupt line: read-only */
	if (a->pcie && reg == a->pcie + PCI_EXP_DEVCTL) {
		devctl_write(a, val, touched);
		return true;
	}
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
		if (reg < a->msi + msi_len(ctrl))
			return msi_write(cpu, a, reg, val, ctrl);
	}
	cfg_write(a->bdf, reg, val);
	return true;
}

/* --- virtual devices ------------------------------------------------------ */

/* Size mask bits of BAR register n (the upper half of a 64-bit BAR too). */
static u32 vdev_bar_mask(const struct pci_vdev *dev, unsigned int n)
{
	if (dev->bar_size[n])
		return (u32) ~(dev->bar_size[n] - 1);
	if (n > 0 && dev->bar_size[n - 1] && (dev->cfg[4 + n - 1] & 0x6) == 4)
		return (u32)(~(dev->bar_size[n - 1] - 1) >> 32);
	return 0;
}

static u32 vdev_read(const struct pci_vdev *dev, unsigned int reg)
{
	return reg < sizeof(dev->cfg) ? dev->cfg[reg / 4] : 0;
}

static bool vdev_write(struct per_cpu *cpu, struct pci_vdev *dev,
		       unsigned int reg, u32 val, u32 touched)
{
	unsigned int i = reg / 4;
	u32 old, wmask;

	if (reg >= sizeof(dev->cfg))
		return true;
	old = dev->cfg[i];
	wmask = dev->wmask[i] & touched;
	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 24 && dev->fixed_bars) {
		u32 mask = vdev_bar_mask(dev, i - 4);

		/* Sized, or put back: never anywhere else. */
		dev->cfg[i] = mask && (val & mask) == mask ?
				      mask | (dev->bar_fixed[i - 4] & 0xf) :
				      dev->bar_fixed[i - 4];
		return true;
	}
	if (reg >= PCI_BAR0 && reg < PCI_BAR0 + 24)
		/*
		 * Only the address bits a BAR of its size decodes stick; the
		 * type bits are the low register's (not a 64-bit BAR's upper
		 * half's).
		 */
		wmask = touched & vdev_bar_mask(dev, i - 4) &
			(dev->bar_size[i - 4] ? ~0xfu : ~0u);
	dev->cfg[i] = (old & ~wmask) | (val & wmask);
	if (dev->ops && dev->ops->on_write)
		return dev->ops->on_write(cpu, dev, reg, old, dev->cfg[i]);
	return true;
}

u64 pci_vdev_bar(const struct pci_vdev *dev, unsigned int n)
{
	u64 base = dev->cfg[4 + n] & ~0xfULL;

	if ((dev->cfg[4 + n] & 0x6) == 4 && n < 5)
		base |= (u64)dev->cfg[5 + n] << 32;
	return base;
}

static enum mmio_result vdev_ecam_mmio(struct per_cpu *cpu,
				       struct mmio_access *acc, void *arg);

int pci_vdev_attach(struct cell *cell, struct pci_vdev *dev)
{
	int slot = -1, err = 0;

	spin_lock(&pci_lock);
	for (unsigned int n = 0; n < PCI_MAX_VDEVS; n++)
		if (!vdevs[n] && slot < 0)
			slot = (int)n;
	/*
	 * Not over a function of the cell's, nor, for the root, over one the
	 * hardware has or a cell holds: detach would hand its page back.
	 */
	if (find_vdev(cell, dev->bdf) || find(cell, dev->bdf) ||
	    (cell == &root_cell &&
	     (find(NULL, dev->bdf) || pci_device_present(dev->bdf)))) {
		printk("brig: virtual PCI function " BDF_FMT
		       " cannot be added: a function %s there already\n",
		       BDF_ARGS(dev->bdf),
		       cell == &root_cell ? "of the hardware or of a cell is" :
					    "of the cell is");
		err = -EEXIST;
	} else if (slot < 0)
		err = -ENOSPC;
	if (!err && cell == &root_cell && mmcfg_base &&
	    (dev->bdf >> 8) < mmcfg_buses) {
		/* The root's ECAM page of that function traps from now on. */
		u64 page = mmcfg_base + ((u64)dev->bdf << 12);

		err = mmio_register(cell, page, PAGE_SIZE, vdev_ecam_mmio, dev);
		if (!err)
			err = root_unmap(page, PAGE_SIZE);
		if (err)
			mmio_unregister(cell, page);
	}
	if (!err) {
		dev->cell = cell;
		memcpy(dev->bar_fixed, &dev->cfg[4], sizeof(dev->bar_fixed));
		vdevs[slot] = dev;
		if (cell == &root_cell) {
			root_vdevs++;
			update_root_trap();
		}
	}
	spin_unlock(&pci_lock);
	return err;
}

void pci_vdev_detach(struct pci_vdev *dev)
{
	spin_lock(&pci_lock);
	detach_locked(dev);
	spin_unlock(&pci_lock);
}

static void detach_locked(struct pci_vdev *dev)
{
	for (unsigned int n = 0; n < PCI_MAX_VDEVS; n++)
		if (vdevs[n] == dev)
			vdevs[n] = NULL;
	if (dev->cell == &root_cell) {
		if (mmcfg_base && (dev->bdf >> 8) < mmcfg_buses) {
			u64 page = mmcfg_base + ((u64)dev->bdf << 12);

			mmio_unregister(&root_cell, page);
			root_restore(page, PAGE_SIZE);
		}
		root_vdevs--;
		update_root_trap();
	}
	dev->cell = NULL;
}

/* --- configuration accesses ---------------------------------------------- */

/*
 * A sub-dword access to the dword at reg & ~3 of a function the caller
 * holds pci_lock for: physical (a) or virtual (dev).
 */
static bool dword_access(struct per_cpu *cpu, struct assignment *a,
			 struct pci_vdev *dev, unsigned int reg,
			 unsigned int size, bool is_write, u32 *val)
{
	unsigned int shift = (reg & 3) * 8;
	u32 mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;
	u32 dword = a ? cell_dword(a, reg & ~3u) : vdev_read(dev, reg & ~3u);

	if (!is_write) {
		*val = (dword & mask) >> shift;
		return true;
	}
	dword = (dword & ~mask) | ((*val << shift) & mask);
	return a ? cell_write(cpu, a, reg & ~3u, dword, mask) :
		   vdev_write(cpu, dev, reg & ~3u, dword, mask);
}

static bool size_ok(unsigned int reg, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && reg < 4096 &&
	       (reg & 3) + size <= 4;
}

bool pci_cell_config(struct per_cpu *cpu, u16 bdf, unsigned int reg,
		     unsigned int size, bool is_write, u32 *val)
{
	struct assignment *a;
	struct pci_vdev *dev = NULL;
	bool ok = true;

	spin_lock(&pci_lock);
	a = find(cpu->cell, bdf);
	if (!a)
		dev = find_vdev(cpu->cell, bdf);
	if ((a || dev) && size_ok(reg, size))
		ok = dword_access(cpu, a, dev, reg, size, is_write, val);
	else if (!is_write)
		*val = ~0u; /* nothing there, as for an empty slot */
	spin_unlock(&pci_lock);
	return ok;
}

/* An access of the root to a function nobody else holds, through ECAM. */
static void ecam_access(u16 bdf, unsigned int reg, unsigned int size,
			bool is_write, u32 *val)
{
	if (reg & (size - 1)) {
		/* Unaligned (a word at offset 1): byte by byte, as ECAM wants. */
		u32 v = 0, b;

		for (unsigned int i = 0; i < size; i++) {
			b = (*val >> (8 * i)) & 0xff;
			ecam_access(bdf, reg + i, 1, is_write, &b);
			v |= (b & 0xff) << (8 * i);
		}
		if (!is_write)
			*val = v;
		return;
	}
	if (is_write)
		pci_ecam_write(bdf, reg, size, *val);
	else
		*val = pci_ecam_read(bdf, reg, size);
}

bool pci_root_config(struct per_cpu *cpu, u16 bdf, unsigned int reg,
		     unsigned int size, bool is_write, u32 *val)
{
	struct pci_vdev *dev;
	struct assignment *a;
	bool done = true;

	spin_lock(&pci_lock);
	dev = find_vdev(&root_cell, bdf);
	a = dev ? NULL : find(NULL, bdf);
	if (dev && size_ok(reg, size)) {
		dword_access(cpu, NULL, dev, reg, size, is_write, val);
	} else if (a || dev) {
		if (a && report_once(0x20000 | a->bdf))
			printk("brig: root cell CPU %u: configuration %s of PCI device " BDF_FMT
			       " denied (cell \"%s\"'s); reads return all-ones, writes are dropped\n",
			       cpu->cpu_id, is_write ? "write" : "read",
			       BDF_ARGS(a->bdf), a->cell->config->name);
		if (!is_write)
			*val = ~0u;
	} else if (mmcfg_base && (bdf >> 8) < mmcfg_buses &&
		   size_ok(reg, size)) {
		/*
		 * Carried out here, under the lock, for the function checked
		 * above: a device cannot change hands between the check and
		 * the access, and no other CPU's latch can redirect it.
		 */
		if (is_write && find_guarded(bdf))
			guarded_write(cpu, bdf, reg, size, *val);
		else
			ecam_access(bdf, reg, size, is_write, val);
	} else {
		done = false;
	}
	spin_unlock(&pci_lock);
	return done;
}

/* The root's access to the ECAM page of one of its virtual devices. */
static enum mmio_result vdev_ecam_mmio(struct per_cpu *cpu,
				       struct mmio_access *acc, void *arg)
{
	struct pci_vdev *dev = arg;
	unsigned int reg = (unsigned int)(acc->address & ~PAGE_MASK);
	u32 val = (u32)acc->value;

	if (!pci_root_config(cpu, dev->bdf, reg, acc->size, acc->is_write,
			     &val))
		mmio_root_forbidden(cpu, acc);
	else if (!acc->is_write)
		acc->value = val;
	return MMIO_HANDLED;
}

/* The root's access to the ECAM page of a guarded bridge. */
static enum mmio_result guarded_ecam_mmio(struct per_cpu *cpu,
					  struct mmio_access *acc, void *arg)
{
	const struct guarded *g = arg;
	unsigned int reg = (unsigned int)(acc->address & ~PAGE_MASK);
	u32 val = (u32)acc->value;

	if (!pci_root_config(cpu, g->bdf, reg, acc->size, acc->is_write, &val))
		mmio_root_forbidden(cpu, acc);
	else if (!acc->is_write)
		acc->value = val;
	return MMIO_HANDLED;
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

/* Around the table (pending bits): the device's own. */
static void msix_passthrough(struct assignment *a, u64 off,
			     struct mmio_access *acc)
{
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
		acc->value = *(volatile u64 *)p;
	else if (acc->size == 4)
		acc->value = *(volatile u32 *)p;
	else if (acc->size == 2)
		acc->value = *(volatile u16 *)p;
	else
		acc->value = *(volatile u8 *)p;
}

/*
 * The cell's access to a page of its device's MSI-X table (a trapped
 * range of its registry, registered by setup_msix()).
 */
static enum mmio_result msix_mmio(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg)
{
	struct assignment *a = arg;
	u64 off;
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
			acc->value = *msix_field(a, n, f);
			if (acc->size == 8)
				acc->value |= (u64)*msix_field(a, n, f + 4)
					      << 32;
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
		msix_passthrough(a, off, acc);
	}
	spin_unlock(&pci_lock);
	return ok ? MMIO_HANDLED : MMIO_CELL_FAILED;
}
