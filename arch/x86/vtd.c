// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-d: DMA remapping and interrupt remapping (arch/iommu.h).
 *
 * Linux boots with intel_iommu=off: it does not translate DMA, but keeps
 * interrupt remapping on (it needs it for x2APIC), with its own remapping
 * table (IRT) and invalidation queue. When brig is enabled it takes each
 * unit over:
 *
 *  - DMA: a root table of its own, every bus pointing at one shared
 *    context table whose entries all select the root cell's domain: a
 *    second-level table mapping the root's DMA memory 1:1. Memory a cell
 *    takes leaves that table; the hypervisor region is never in it.
 *  - Interrupts: an IRT of its own (65536 entries). The root's entries are
 *    copied in from Linux's table each time Linux invalidates them, after
 *    validation (present, remapped not posted, destination CPUs all the
 *    root's, source not a cell's device); an invalid entry is left
 *    not-present, so the interrupt is blocked and the unit records a fault.
 *    The top ROOT_IRTE_LIMIT.. entries are kept for cells.
 *  - Invalidation: a queue of its own. Linux's register page traps; its
 *    queue is emulated: each descriptor it posts is carried out when it
 *    writes the tail (interrupt-entry invalidations resync the entries,
 *    wait descriptors write their status), so its head catches up with
 *    its tail before the write returns, unless the queue is in error
 *    (FSTS.IQE, as the hardware reports it: arch/vtd-queue.h). The walk
 *    never takes more than one turn of the queue, whatever Linux wrote.
 *
 * On disable Linux gets its IRT, its queue (its head where it expects it)
 * and its fault-event settings back, and translation goes off again.
 * Register layout: Intel VT-d specification, chapter 11; descriptor and
 * table formats, chapters 6, 9 and 10.
 */
#include <brig/config.h>
#include <hv/cell.h>
#include <hv/pci.h>
#include <hv/control.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <arch/apic.h>
#include <arch/iommu.h>
#include <arch/layout.h>
#include <arch/mmio.h>
#include <arch/paging.h>
#include <arch/pci.h>
#include <arch/vtd-queue.h>
#include <arch/x86.h>

/* Registers (offsets in the unit's page) */
#define VTD_VER 0x00
#define VTD_CAP 0x08
#define VTD_ECAP 0x10
#define VTD_GCMD 0x18
#define VTD_GSTS 0x1c
#define VTD_RTADDR 0x20
#define VTD_CCMD 0x28
#define VTD_FSTS 0x34
#define VTD_FECTL 0x38
#define VTD_FEDATA 0x3c
#define VTD_FEADDR 0x40
#define VTD_FEUADDR 0x44
#define VTD_PMEN 0x64
#define VTD_IQH 0x80
#define VTD_IQT 0x88
#define VTD_IQA 0x90
#define VTD_ICS 0x9c
#define VTD_IECTL 0xa0
#define VTD_IEDATA 0xa4
#define VTD_IEADDR 0xa8
#define VTD_IEUADDR 0xac
#define VTD_IRTA 0xb8

/* GCMD bits; the persistent ones have their status at the same bit */
#define GCMD_TE BIT(31)
#define GCMD_SRTP BIT(30)
#define GCMD_QIE BIT(26)
#define GCMD_IRE BIT(25)
#define GCMD_SIRTP BIT(24)
#define GCMD_CFI BIT(23)
#define GSTS_PERSISTENT (GCMD_TE | GCMD_QIE | GCMD_IRE | GCMD_CFI)

#define CAP_SAGAW(c) (((c) >> 8) & 0x1f)
#define CAP_FRO(c) ((((c) >> 24) & 0x3ff) * 16)
#define CAP_NFR(c) ((((c) >> 40) & 0xff) + 1)
#define CAP_SLLPS(c) (((c) >> 34) & 0x3)
#define ECAP_C BIT_ULL(0)
#define ECAP_QI BIT_ULL(1)
#define ECAP_IR BIT_ULL(3)

#define FSTS_PFO BIT(0)
#define FSTS_PPF BIT(1)
#define FSTS_IQE BIT(4)
#define FSTS_ICE BIT(5)
#define FSTS_ITE BIT(6)
#define FSTS_FRI(s) (((s) >> 8) & 0xff)
#define FECTL_IM BIT(31)
#define FRCD_F BIT_ULL(63)
#define FRCD_T BIT_ULL(62)

#define IRTA_EIME BIT_ULL(11)
#define ADDR_4K GENMASK_ULL(63, 12)

/* Invalidation descriptors (128-bit; 256-bit queues append zeroes) */
#define QI_CC 0x1 /* context cache */
#define QI_IOTLB 0x2
#define QI_DEVTLB 0x3
#define QI_IEC 0x4 /* interrupt entry cache */
#define QI_WAIT 0x5
#define QI_CC_GLOBAL (1ULL << 4)
#define QI_IOTLB_GLOBAL (1ULL << 4)
#define QI_IOTLB_DOMAIN (2ULL << 4)
#define QI_IOTLB_DR BIT_ULL(7) /* drain reads */
#define QI_IOTLB_DW BIT_ULL(6) /* drain writes */
#define QI_IEC_INDEXED BIT_ULL(4)
#define QI_WAIT_IF BIT_ULL(4)
#define QI_WAIT_SW BIT_ULL(5)
#define QI_WAIT_FN BIT_ULL(6)
#define QI_ENTRIES 256 /* the hypervisor's queue: one page */

/* Interrupt remapping table entries */
#define IRTE_P BIT_ULL(0)
#define IRTE_DM_LOGICAL BIT_ULL(2)
#define IRTE_POSTED BIT_ULL(15)
#define IRT_ENTRIES 65536
#define IRT_SIZE_FIELD 15 /* 2^(15 + 1) entries */
#define ROOT_IRTE_LIMIT 61440 /* entries from here on are the cells' */
_Static_assert(ROOT_IRTE_LIMIT + IOMMU_SLOTS_PCI + IOMMU_SLOTS_PINS <=
		       IRT_ENTRIES,
	       "the cells' interrupt remapping slots fit the table");

struct qi_desc {
	u64 lo, hi;
};

struct irte {
	u64 lo, hi;
};

/* The unit as the root cell sees it: the registers Linux programs. */
struct vtd_virt {
	u32 gsts, fsts, fectl, fedata, feaddr, feuaddr, ics;
	u32 iectl, iedata, ieaddr, ieuaddr, pmen;
	u64 rtaddr, iqa, iqh, iqt, irta;
	u64 irta_active; /* IRTA as of Linux's last "set IRT pointer" */
};

struct vtd_unit {
	const struct brig_iommu *desc;
	unsigned int index;
	volatile u8 *regs;
	u64 cap, ecap;
	bool ir; /* interrupt remapping in use (Linux had it on) */
	bool taken; /* running on the hypervisor's tables */
	bool released; /* given back: the root's accesses pass through */
	u64 *root_table;
	u64 *bus_ctx[256]; /* a bus's own context table (cell devices on it) */
	struct qi_desc *queue;
	unsigned int qtail;
	struct irte *irt;
	unsigned int rejected; /* root IRTEs refused so far (reported) */
	struct vtd_virt v;
};

static struct vtd_unit units[BRIG_MAX_IOMMU_UNITS];
static unsigned int num_units;
static u64 *shared_ctx; /* one context table: everyone -> root domain */
static unsigned int dma_levels; /* second-level table depth, 3 or 4 */
static volatile u32 qi_done; /* wait-descriptor status, hypervisor side */
static DEFINE_SPINLOCK(vtd_lock);

/* --- register access ----------------------------------------------------- */

static u32 rd32(const struct vtd_unit *u, unsigned int off)
{
	return *(volatile u32 *)(u->regs + off);
}

static u64 rd64(const struct vtd_unit *u, unsigned int off)
{
	return *(volatile u64 *)(u->regs + off);
}

static void wr32(struct vtd_unit *u, unsigned int off, u32 v)
{
	*(volatile u32 *)(u->regs + off) = v;
}

static void wr64(struct vtd_unit *u, unsigned int off, u64 v)
{
	*(volatile u64 *)(u->regs + off) = v;
}

static u64 deadline_1s(void)
{
	return rdtsc() + (hv_header.tsc_khz ?: 3000000) * 1000;
}

/* Wait until the status bits in mask read as want; false on timeout. */
static bool wait_gsts(const struct vtd_unit *u, u32 mask, u32 want)
{
	u64 end = deadline_1s();

	while ((rd32(u, VTD_GSTS) & mask) != want)
		if (rdtsc() > end)
			return false;
	return true;
}

/* Turn a persistent function (TE, QIE, IRE, CFI) on or off. */
static bool set_function(struct vtd_unit *u, u32 bit, bool on)
{
	u32 sts = rd32(u, VTD_GSTS) & GSTS_PERSISTENT;

	wr32(u, VTD_GCMD, on ? sts | bit : sts & ~bit);
	return wait_gsts(u, bit, on ? bit : 0);
}

/* A one-shot command (SRTP, SIRTP): its status bit says it is done. */
static bool one_shot(struct vtd_unit *u, u32 bit)
{
	wr32(u, VTD_GCMD, (rd32(u, VTD_GSTS) & GSTS_PERSISTENT) | bit);
	return wait_gsts(u, bit, bit);
}

/* Tables the unit reads may bypass the caches: write them back. */
static void sync(const struct vtd_unit *u, const void *p, size_t len)
{
	if (!(u->ecap & ECAP_C))
		x86_clflush_range(p, len);
}

/* --- the hypervisor's invalidation queue --------------------------------- */

/*
 * Post n descriptors and a wait descriptor, then spin until the unit has
 * carried them all out. Caller holds vtd_lock (or runs alone at setup).
 */
static bool qi_submit(struct vtd_unit *u, const struct qi_desc *d,
		      unsigned int n)
{
	u64 end;

	WRITE_ONCE(qi_done, 0);
	for (unsigned int i = 0; i <= n; i++) {
		struct qi_desc *slot = &u->queue[u->qtail];

		if (i < n)
			*slot = d[i];
		else
			*slot = (struct qi_desc){
				QI_WAIT | QI_WAIT_SW | QI_WAIT_FN |
					(1ULL << 32),
				hv_virt_to_phys((const void *)&qi_done),
			};
		sync(u, slot, sizeof(*slot));
		u->qtail = (u->qtail + 1) % QI_ENTRIES;
	}
	wr64(u, VTD_IQT, (u64)u->qtail << 4);
	end = deadline_1s();
	while (!READ_ONCE(qi_done)) {
		if (rd32(u, VTD_FSTS) & (FSTS_IQE | FSTS_ITE) ||
		    rdtsc() > end) {
			printk("brig: VT-d unit %u: invalidation failed (status %x)\n",
			       u->index, rd32(u, VTD_FSTS));
			return false;
		}
		cpu_relax();
	}
	return true;
}

static bool flush_iec(struct vtd_unit *u)
{
	const struct qi_desc d = { QI_IEC, 0 };

	return !u->ir || qi_submit(u, &d, 1);
}

static bool flush_dma(struct vtd_unit *u, unsigned int domain)
{
	const struct qi_desc d[2] = {
		{ QI_CC | QI_CC_GLOBAL, 0 },
		{ QI_IOTLB |
			  (domain ? QI_IOTLB_DOMAIN | (u64)domain << 16 :
				    QI_IOTLB_GLOBAL) |
			  QI_IOTLB_DR | QI_IOTLB_DW,
		  0 },
	};

	return qi_submit(u, domain ? &d[1] : d, domain ? 1 : 2);
}

/* --- validation of interrupt destinations -------------------------------- */

/* A cell being created: its CPUs are still the root's, but not for long. */
static const struct cell *leaving_root;

static bool is_root_apic(u32 apic_id)
{
	struct per_cpu *cpu = x86_cpu_by_apic_id(apic_id);

	return cpu && cpu->cell == &root_cell &&
	       !(leaving_root &&
		 brig_cell_has_cpu(leaving_root->config, cpu->cpu_id));
}

/*
 * Every CPU an interrupt with this destination reaches is the root's.
 * x2APIC logical destinations are cluster (bits 31:16) and a bitmap of
 * the 16 CPUs in it; xAPIC logical destinations depend on what each
 * CPU's LDR holds, which brig does not track: refused.
 */
static bool dest_in_root(bool x2apic, bool logical, u32 dest)
{
	if (!logical)
		return is_root_apic(x2apic ? dest : dest & 0xff);
	if (!x2apic || !(dest & 0xffff))
		return false;
	for (unsigned int b = 0; b < 16; b++)
		if ((dest & BIT(b)) && !is_root_apic((dest >> 16) << 4 | b))
			return false;
	return true;
}

/* Why the root may not have this IRT entry, or NULL if it may. */
static const char *root_irte_problem(const struct irte *e, bool x2apic)
{
	u32 dest = (u32)(e->lo >> 32);

	if (e->lo & IRTE_POSTED)
		return "posted interrupts are not supported";
	if (!x2apic)
		dest = (dest >> 8) & 0xff;
	if (!dest_in_root(x2apic, e->lo & IRTE_DM_LOGICAL, dest))
		return "destination is not a root CPU";
	return NULL;
}

/* --- the root's interrupt remapping table -------------------------------- */

static void set_irte(struct vtd_unit *u, unsigned int n, u64 lo, u64 hi)
{
	/* Full resyncs touch every entry: most have not changed. */
	if (u->irt[n].lo == lo && u->irt[n].hi == hi)
		return;
	/* Present bit last: the unit never sees a half-written entry. */
	WRITE_ONCE(u->irt[n].lo, 0);
	WRITE_ONCE(u->irt[n].hi, hi);
	WRITE_ONCE(u->irt[n].lo, lo);
	sync(u, &u->irt[n], sizeof(u->irt[n]));
}

/*
 * Copy the root's entries [first, first + count) from Linux's table into
 * the hypervisor's, each validated; entries past Linux's table are cleared.
 */
static void sync_root_irtes(struct vtd_unit *u, unsigned int first,
			    unsigned int count)
{
	u64 irta = u->v.irta_active;
	u64 base = irta & ADDR_4K;
	unsigned int entries = 2u << (irta & 0xf);
	bool x2apic = irta & IRTA_EIME;
	bool ok = (u->v.gsts & GCMD_SIRTP) &&
		  root_owns_ram(base, (u64)entries * sizeof(struct irte));
	unsigned int end = MIN(first + count, (unsigned int)ROOT_IRTE_LIMIT);

	for (unsigned int n = first; n < end; n++) {
		const struct irte *src =
			(const struct irte *)phys_to_hv(base) + n;
		struct irte e = { 0, 0 };
		const char *why;

		if (ok && n < entries)
			e = *src;
		if (!(e.lo & IRTE_P)) {
			set_irte(u, n, 0, 0);
			continue;
		}
		why = root_irte_problem(&e, x2apic);
		if (why) {
			if (u->rejected++ < 16)
				printk("brig: VT-d unit %u: root interrupt entry %u (%llx %llx) refused: %s\n",
				       u->index, n, (unsigned long long)e.hi,
				       (unsigned long long)e.lo, why);
			set_irte(u, n, 0, 0);
			continue;
		}
		set_irte(u, n, e.lo, e.hi);
	}
}

/*
 * A remappable-format message (VT-d 5.1.5.2): handle in address bits
 * 19:5 and 2, plus the data's subhandle if bit 3 says so. The entry must
 * be one the root's Linux set up for this very source id (or, with one
 * unit, one that does not verify the source).
 */
static unsigned int msi_index(u64 addr, u32 data)
{
	unsigned int handle = (unsigned int)((addr >> 5) & 0x7fff) |
			      (unsigned int)((addr >> 2) & 1) << 15;

	return (addr & BIT(3)) ? handle + (data & 0xffff) : handle;
}

/*
 * One entry, consistent without the lock: set_irte() clears lo, writes
 * hi, then lo, so a lo read the same before and after hi goes with it.
 */
static struct irte read_irte(const struct irte *p)
{
	struct irte e = { 0, 0 };

	for (unsigned int tries = 0; tries < 8; tries++) {
		e.lo = READ_ONCE(p->lo);
		e.hi = READ_ONCE(p->hi);
		if (READ_ONCE(p->lo) == e.lo)
			return e;
	}
	return (struct irte){ 0, 0 }; /* changing all along: not present */
}

static const char *vtd_root_msi(u16 sid, u64 addr, u32 data,
				struct iommu_root_irq *irq)
{
	unsigned int index = msi_index(addr, data);
	const char *why = "names no root entry present for this device";
	struct irte e = { 0, 0 };

	if (index >= ROOT_IRTE_LIMIT)
		return "names an entry beyond the root's";
	/*
	 * Without vtd_lock: a doorbell comes here under a channel lock, and
	 * a fault found under vtd_lock stops a cell, which signals its
	 * channels. The units' tables stay put from takeover to release.
	 */
	for (unsigned int n = 0; n < num_units && why; n++) {
		const struct vtd_unit *u = &units[n];
		unsigned int svt;

		if (!READ_ONCE(u->ir) || !READ_ONCE(u->taken) ||
		    READ_ONCE(u->released) || !u->irt)
			continue;
		e = read_irte(&u->irt[index]);
		svt = (unsigned int)(e.hi >> 18) & 3;
		if (!(e.lo & IRTE_P) ||
		    (svt == 1 ? (u16)e.hi != sid : num_units > 1))
			continue;
		why = NULL;
		irq->x2apic = u->v.irta_active & IRTA_EIME;
	}
	if (why)
		return why;
	irq->dest = (u32)(e.lo >> 32);
	if (!irq->x2apic)
		irq->dest = (irq->dest >> 8) & 0xff;
	irq->logical = e.lo & IRTE_DM_LOGICAL;
	irq->vector = (u8)(e.lo >> 16);
	irq->delivery = (u8)((e.lo >> 5) & 7);
	return NULL;
}

/* --- fault reporting ----------------------------------------------------- */

static const char *sid_owner(u16 sid)
{
	return pci_owner(sid)->config->name;
}

/* A cell's device broke the rules: the cell stops (docs/design.md, promise 3). */
static void fault_stops_cell(u16 sid, const char *what, u64 addr)
{
	struct cell *cell = pci_owner(sid);

	if (cell != &root_cell)
		cell_fail_remote(cell, "its PCI device %02x:%02x.%u: %s %llx",
				 sid >> 8, (sid >> 3) & 0x1f, sid & 7, what,
				 (unsigned long long)addr);
}

static void poll_unit(struct vtd_unit *u)
{
	unsigned int fro = CAP_FRO(u->cap), nfr = CAP_NFR(u->cap);
	u32 fsts = rd32(u, VTD_FSTS);
	unsigned int first = FSTS_FRI(fsts);

	for (unsigned int i = 0; i < nfr && (fsts & FSTS_PPF); i++) {
		unsigned int off = fro + ((first + i) % nfr) * 16;
		u64 hi = rd64(u, off + 8), lo = rd64(u, off);
		u16 sid = (u16)hi;
		unsigned int reason = (unsigned int)(hi >> 32) & 0xff;

		if (!(hi & FRCD_F))
			continue;
		/* Reasons 0x20.. are interrupt requests; lo holds the index. */
		/* The F bit is write-1-to-clear. */
		wr32(u, off + 12, (u32)(FRCD_F >> 32));
		if (reason >= 0x20) {
			printk("brig: VT-d unit %u: interrupt from device %02x:%02x.%u (cell \"%s\") blocked: entry %llu, reason %x\n",
			       u->index, sid >> 8, (sid >> 3) & 0x1f, sid & 7,
			       sid_owner(sid), (unsigned long long)(lo >> 48),
			       reason);
			fault_stops_cell(sid, "interrupt request, entry",
					 lo >> 48);
		} else {
			printk("brig: VT-d unit %u: DMA %s at %llx by device %02x:%02x.%u (cell \"%s\") blocked: reason %x\n",
			       u->index, (hi & FRCD_T) ? "read" : "write",
			       (unsigned long long)(lo & ADDR_4K), sid >> 8,
			       (sid >> 3) & 0x1f, sid & 7, sid_owner(sid),
			       reason);
			fault_stops_cell(sid,
					 "DMA outside the cell's memory at",
					 lo & ADDR_4K);
		}
	}
	if (fsts & FSTS_PFO) {
		printk("brig: VT-d unit %u: fault records overflowed, some faults were not recorded\n",
		       u->index);
		wr32(u, VTD_FSTS, FSTS_PFO);
	}
}

static void vtd_poll_faults(void)
{
	spin_lock(&vtd_lock);
	for (unsigned int n = 0; n < num_units; n++)
		if (units[n].taken && !units[n].released)
			poll_unit(&units[n]);
	spin_unlock(&vtd_lock);
}

/*
 * The fault-event interrupt is Linux's (its dmar_fault handler then reads
 * the status register, which traps: that is when the hypervisor reports
 * the faults). Its destination must be a root CPU; otherwise it stays
 * masked and faults are found by polling.
 */
static void apply_fault_event(struct vtd_unit *u)
{
	const struct vtd_virt *v = &u->v;
	bool logical = v->feaddr & BIT(2);
	bool x2apic = u->v.irta_active & IRTA_EIME;
	u32 dest = (v->feuaddr & 0xffffff00) | ((v->feaddr >> 12) & 0xff);

	if (!(v->fectl & FECTL_IM) && !dest_in_root(x2apic, logical, dest)) {
		printk("brig: VT-d unit %u: fault interrupt aimed at %x, not a root CPU: kept masked\n",
		       u->index, dest);
		wr32(u, VTD_FECTL, FECTL_IM);
		return;
	}
	wr32(u, VTD_FEDATA, v->fedata);
	wr32(u, VTD_FEADDR, v->feaddr);
	wr32(u, VTD_FEUADDR, v->feuaddr);
	wr32(u, VTD_FECTL, v->fectl & FECTL_IM);
}

/* --- the root's invalidation queue, emulated ----------------------------- */

/* One pass over the root's queue. */
struct root_pass {
	struct vtd_unit *u;
	u64 base;
	bool resync; /* entries copied since the last interrupt-cache flush */
};

/* Carry out the root's descriptor at offset; false: not one we know. */
static bool root_descriptor(u64 offset, void *arg)
{
	struct root_pass *p = arg;
	struct vtd_virt *v = &p->u->v;
	const struct qi_desc *d = phys_to_hv(p->base + offset);
	/* Read once: another root CPU may be rewriting it. */
	u64 lo = READ_ONCE(d->lo), addr = READ_ONCE(d->hi) & ~3ULL;

	switch (lo & 0xf) {
	case QI_IEC:
		if (lo & QI_IEC_INDEXED)
			sync_root_irtes(p->u, (unsigned int)(lo >> 32) & 0xffff,
					1u << ((lo >> 27) & 0x1f));
		else
			sync_root_irtes(p->u, 0, IRT_ENTRIES);
		p->resync = true;
		return true;
	case QI_WAIT:
		/* Everything before it is done: flush, then report. */
		if (p->resync && !flush_iec(p->u))
			v->fsts |= FSTS_ITE;
		p->resync = false;
		if ((lo & QI_WAIT_SW) && root_owns_ram(addr, 4))
			*(volatile u32 *)phys_to_hv(addr) = (u32)(lo >> 32);
		if (lo & QI_WAIT_IF)
			v->ics |= 1;
		return true;
	case QI_CC:
	case QI_IOTLB:
	case QI_DEVTLB:
		/* Linux does not translate DMA: nothing cached. */
		return true;
	default:
		return false;
	}
}

/*
 * Carry out what Linux queued between its head and its tail. A queue
 * outside the root's RAM, a head or tail that is not a descriptor
 * boundary inside the queue (a tail with bit 4 set under 256-bit
 * descriptors, a head left over from another IQA), or an unknown
 * descriptor is an invalidation queue error, as on the hardware: the head
 * stays where it is and nothing more is fetched until the root clears
 * FSTS.IQE. The walk is bounded by the queue's size (arch/vtd-queue.h).
 */
static void run_root_queue(struct vtd_unit *u)
{
	struct vtd_virt *v = &u->v;
	struct vtd_queue q = vtd_queue_of(v->iqa);
	struct root_pass p = { .u = u, .base = q.base };

	if (v->fsts & FSTS_IQE)
		return;
	if (!root_owns_ram(q.base, q.bytes) ||
	    !vtd_queue_walk(&q, &v->iqh, v->iqt, root_descriptor, &p))
		v->fsts |= FSTS_IQE;
	if (p.resync)
		flush_iec(u);
}

/* --- the root's register page, emulated ---------------------------------- */

static void write_gcmd(struct vtd_unit *u, u32 cmd)
{
	struct vtd_virt *v = &u->v;
	u32 changed = (cmd ^ v->gsts) & GSTS_PERSISTENT;

	if ((changed & GCMD_TE) && (cmd & GCMD_TE))
		printk("brig: VT-d unit %u: the root tried to turn DMA translation on (intel_iommu=off missing?): ignored\n",
		       u->index);
	if (cmd & GCMD_SRTP)
		v->gsts |= GCMD_SRTP;
	if (changed & GCMD_QIE) {
		v->gsts ^= GCMD_QIE;
		v->iqh = 0;
		if ((v->gsts & GCMD_QIE) && v->iqt)
			run_root_queue(u);
	}
	if (cmd & GCMD_SIRTP) {
		v->irta_active = v->irta;
		v->gsts |= GCMD_SIRTP;
		sync_root_irtes(u, 0, IRT_ENTRIES);
		flush_iec(u);
	}
	/*
	 * The unit's own remapping stays on (cells need it); Linux turning
	 * its remapping or compatibility format off is only recorded.
	 */
	v->gsts ^= changed & (GCMD_IRE | GCMD_CFI);
}

static u64 read_reg(struct vtd_unit *u, unsigned int off)
{
	const struct vtd_virt *v = &u->v;

	switch (off) {
	case VTD_VER:
	case VTD_CAP:
	case VTD_ECAP:
		return rd64(u, off);
	case VTD_GCMD:
		return (u64)v->gsts << 32;
	case VTD_RTADDR:
		return v->rtaddr;
	case VTD_FSTS - 4:
		poll_unit(u);
		return (u64)v->fsts << 32;
	case VTD_FECTL:
		return v->fectl | (u64)v->fedata << 32;
	case VTD_FEADDR:
		return v->feaddr | (u64)v->feuaddr << 32;
	case VTD_PMEN - 4:
		return (u64)v->pmen << 32;
	case VTD_IQH:
		return v->iqh & VTD_IQ_OFFSET;
	case VTD_IQT:
		return v->iqt;
	case VTD_IQA:
		return v->iqa;
	case VTD_ICS - 4:
		return (u64)v->ics << 32;
	case VTD_IECTL:
		return v->iectl | (u64)v->iedata << 32;
	case VTD_IEADDR:
		return v->ieaddr | (u64)v->ieuaddr << 32;
	case VTD_IRTA:
		return v->irta;
	default:
		return 0; /* fault records and the rest: nothing for Linux */
	}
}

static void write_reg32(struct vtd_unit *u, unsigned int off, u32 val)
{
	struct vtd_virt *v = &u->v;
	bool resume;

	switch (off) {
	case VTD_GCMD:
		write_gcmd(u, val);
		break;
	case VTD_FSTS:
		poll_unit(u);
		resume = (v->fsts & val & FSTS_IQE) && (v->gsts & GCMD_QIE);
		v->fsts &= ~(val & (FSTS_PFO | FSTS_IQE | FSTS_ICE | FSTS_ITE));
		/* The hardware fetches from its head again once IQE is clear. */
		if (resume)
			run_root_queue(u);
		break;
	case VTD_FECTL:
		v->fectl = val & FECTL_IM;
		apply_fault_event(u);
		break;
	case VTD_FEDATA:
		v->fedata = val;
		apply_fault_event(u);
		break;
	case VTD_FEADDR:
		v->feaddr = val;
		apply_fault_event(u);
		break;
	case VTD_FEUADDR:
		v->feuaddr = val;
		apply_fault_event(u);
		break;
	case VTD_PMEN:
		v->pmen = val & BIT(31) ? BIT(31) | BIT(0) : 0;
		break;
	case VTD_ICS:
		v->ics &= ~(val & 1);
		break;
	case VTD_IECTL:
		v->iectl = val;
		break;
	case VTD_IEDATA:
		v->iedata = val;
		break;
	case VTD_IEADDR:
		v->ieaddr = val;
		break;
	case VTD_IEUADDR:
		v->ieuaddr = val;
		break;
	}
}

static void write_reg64(struct vtd_unit *u, unsigned int off, u64 val)
{
	struct vtd_virt *v = &u->v;

	switch (off) {
	case VTD_RTADDR:
		v->rtaddr = val;
		break;
	case VTD_IQT:
		v->iqt = val & VTD_IQ_OFFSET;
		if (v->gsts & GCMD_QIE)
			run_root_queue(u);
		break;
	case VTD_IQA:
		v->iqa = val & VTD_IQA_DEFINED;
		break;
	case VTD_IRTA:
		v->irta = val;
		break;
	default:
		write_reg32(u, off, (u32)val);
		write_reg32(u, off + 4, (u32)(val >> 32));
	}
}

static bool is_reg64(unsigned int off)
{
	return off == VTD_RTADDR || off == VTD_IQT || off == VTD_IQA ||
	       off == VTD_IRTA || off == VTD_CAP || off == VTD_ECAP ||
	       off == VTD_IQH || off == VTD_CCMD;
}

static void passthrough(struct vtd_unit *u, struct mmio_access *acc,
			unsigned int off)
{
	if (acc->is_write && acc->size == 8)
		wr64(u, off, acc->value);
	else if (acc->is_write)
		wr32(u, off, (u32)acc->value);
	else
		acc->value = acc->size == 8 ? rd64(u, off) : rd32(u, off);
}

/* The root's access to a unit's registers (a trapped range per unit). */
static enum mmio_result vtd_root_mmio(struct per_cpu *cpu,
				      struct mmio_access *acc, void *arg)
{
	struct vtd_unit *u = arg;
	unsigned int off = (unsigned int)(acc->address - u->desc->base);
	u64 val;

	if ((acc->size != 4 && acc->size != 8) || (off & (acc->size - 1))) {
		mmio_root_forbidden(cpu, acc);
		return MMIO_HANDLED;
	}
	spin_lock(&vtd_lock);
	if (u->released || !u->taken) {
		passthrough(u, acc, off);
	} else if (acc->is_write) {
		if (acc->size == 8)
			write_reg64(u, off, acc->value);
		else if (is_reg64(off & ~7u))
			/* A half of a 64-bit register: merge, then act. */
			write_reg64(u, off & ~7u,
				    (off & 4) ? (read_reg(u, off & ~7u) &
						 0xffffffffULL) |
							acc->value << 32 :
						(read_reg(u, off) &
						 ~0xffffffffULL) |
							(u32)acc->value);
		else
			write_reg32(u, off, (u32)acc->value);
	} else {
		val = read_reg(u, off & ~7u);
		if (acc->size == 4)
			val = (off & 4) ? val >> 32 : (u32)val;
		acc->value = val;
	}
	spin_unlock(&vtd_lock);
	return MMIO_HANDLED;
}

/* --- setup --------------------------------------------------------------- */

static int vtd_init(void)
{
	const struct brig_platform *p = &system_config->platform;
	int err = 0;

	for (unsigned int n = 0; n < p->num_iommu_units && !err; n++) {
		units[n].desc = &p->iommu_units[n];
		units[n].index = n;
		units[n].regs = iommu_map_registers(units[n].desc, &err);
		num_units = n + 1;
		if (!err)
			err = mmio_register(&root_cell, units[n].desc->base,
					    units[n].desc->size, vtd_root_mmio,
					    &units[n]);
	}
	return err;
}

/* The described unit is there, usable, and not translating for Linux. */
static int check_unit(struct vtd_unit *u)
{
	u32 ver = rd32(u, VTD_VER);

	if (ver == 0 || ver == ~0u) {
		printk("brig: no VT-d unit at %llx (version register reads %x): the system description does not match this machine\n",
		       (unsigned long long)u->desc->base, ver);
		return -ENODEV;
	}
	u->cap = rd64(u, VTD_CAP);
	u->ecap = rd64(u, VTD_ECAP);
	if (rd32(u, VTD_GSTS) & GCMD_TE) {
		printk("brig: Linux translates DMA with the VT-d unit at %llx: boot it with intel_iommu=off\n",
		       (unsigned long long)u->desc->base);
		return -EBUSY;
	}
	if (!(u->ecap & ECAP_QI) || !(CAP_SAGAW(u->cap) & 0x6)) {
		printk("brig: VT-d unit at %llx lacks queued invalidation or 3/4-level tables (cap %llx ecap %llx)\n",
		       (unsigned long long)u->desc->base,
		       (unsigned long long)u->cap, (unsigned long long)u->ecap);
		return -ENODEV;
	}
	return 0;
}

/*
 * A legacy-mode context entry: present, untranslated requests through the
 * cell's second-level tables, its domain id the cell id + 1.
 */
static void set_context(u64 *table, unsigned int devfn, const struct cell *cell)
{
	table[2 * devfn + 1] = (dma_levels == 4 ? 2 : 1) | (u64)(cell->id + 1)
								   << 8;
	table[2 * devfn] = paging_virt_to_phys(cell->dma.root) | 1;
}

/* Map the root's DMA memory 1:1 (everything else faults). */
static int build_root_domain(void)
{
	int err = iommu_build_root_domain(&x86_vtd_paging);

	if (err)
		return err;
	shared_ctx = page_alloc(&mem_pool, 1);
	if (!shared_ctx)
		return -ENOMEM;
	for (unsigned int n = 0; n < 256; n++)
		set_context(shared_ctx, n, &root_cell);
	return 0;
}

static int alloc_unit(struct vtd_unit *u)
{
	u->root_table = page_alloc(&mem_pool, 1);
	u->queue = page_alloc(&mem_pool, 1);
	u->ir = (rd32(u, VTD_GSTS) & GCMD_IRE) && (u->ecap & ECAP_IR);
	if (u->ir)
		u->irt = page_alloc(&mem_pool, IRT_ENTRIES *
						       sizeof(struct irte) /
						       PAGE_SIZE);
	if (!u->root_table || !u->queue || (u->ir && !u->irt))
		return -ENOMEM;
	for (unsigned int bus = 0; bus < 256; bus++)
		u->root_table[2 * bus] = paging_virt_to_phys(shared_ctx) | 1;
	sync(u, u->root_table, PAGE_SIZE);
	sync(u, shared_ctx, PAGE_SIZE);
	return 0;
}

/* What Linux programmed: the root's view starts from it. */
static void capture_linux(struct vtd_unit *u)
{
	struct vtd_virt *v = &u->v;

	v->gsts = rd32(u, VTD_GSTS);
	v->rtaddr = rd64(u, VTD_RTADDR);
	v->fectl = rd32(u, VTD_FECTL) & FECTL_IM;
	v->fedata = rd32(u, VTD_FEDATA);
	v->feaddr = rd32(u, VTD_FEADDR);
	v->feuaddr = rd32(u, VTD_FEUADDR);
	v->iectl = rd32(u, VTD_IECTL);
	v->iedata = rd32(u, VTD_IEDATA);
	v->ieaddr = rd32(u, VTD_IEADDR);
	v->ieuaddr = rd32(u, VTD_IEUADDR);
	v->pmen = rd32(u, VTD_PMEN);
	v->iqa = rd64(u, VTD_IQA) & VTD_IQA_DEFINED;
	v->iqt = rd64(u, VTD_IQT) & VTD_IQ_OFFSET;
	v->iqh = v->iqt;
	v->irta = v->irta_active = rd64(u, VTD_IRTA);
}

/* Switch one checked, allocated unit to the hypervisor's structures. */
static int switch_unit(struct vtd_unit *u)
{
	capture_linux(u);
	poll_unit(u);
	/* Linux's queue is idle (no CPU is inside Linux): let it go. */
	if ((u->v.gsts & GCMD_QIE) &&
	    (rd64(u, VTD_IQH) != u->v.iqt || !set_function(u, GCMD_QIE, false)))
		goto stuck;
	wr64(u, VTD_IQT, 0);
	wr64(u, VTD_IQA, hv_virt_to_phys(u->queue));
	u->qtail = 0;
	if (!set_function(u, GCMD_QIE, true))
		goto stuck;
	if (u->ir) {
		sync_root_irtes(u, 0, IRT_ENTRIES);
		wr64(u, VTD_IRTA,
		     hv_virt_to_phys(u->irt) | (u->v.irta & IRTA_EIME) |
			     IRT_SIZE_FIELD);
		if (!one_shot(u, GCMD_SIRTP) || !flush_iec(u))
			goto stuck;
		/*
		 * Compatibility-format interrupts bypass the table, and so
		 * its validation: blocked while brig drives the unit (Linux
		 * blocks them too; its own setting comes back on release).
		 */
		if (!set_function(u, GCMD_CFI, false))
			goto stuck;
	}
	wr64(u, VTD_RTADDR, hv_virt_to_phys(u->root_table));
	if (!one_shot(u, GCMD_SRTP) || !flush_dma(u, 0) ||
	    !set_function(u, GCMD_TE, true))
		goto stuck;
	u->taken = true;
	apply_fault_event(u);
	printk("brig: VT-d unit %u at %llx: DMA remapping on%s\n", u->index,
	       (unsigned long long)u->desc->base,
	       u->ir ? ", Linux's interrupt remapping validated and emulated" :
		       "");
	return 0;
stuck:
	printk("brig: VT-d unit %u does not respond (status %x)\n", u->index,
	       rd32(u, VTD_GSTS));
	return -EIO;
}

static void release_unit(struct vtd_unit *u);

static int vtd_takeover(void)
{
	unsigned int levels = 4, large = 3;
	int err = 0;

	for (unsigned int n = 0; n < num_units && !err; n++) {
		err = check_unit(&units[n]);
		if (!(CAP_SAGAW(units[n].cap) & 0x4))
			levels = 3;
		large &= CAP_SLLPS(units[n].cap);
	}
	if (err || !num_units)
		return err;
	dma_levels = levels;
	x86_vtd_paging_init(levels, large, true);
	for (unsigned int n = 0; n < num_units; n++)
		if (!(units[n].ecap & ECAP_C))
			x86_vtd_paging_init(levels, large, false);
	err = build_root_domain();
	for (unsigned int n = 0; n < num_units && !err; n++)
		err = alloc_unit(&units[n]);
	if (err) {
		printk("brig: no memory for the IOMMU tables\n");
		return err;
	}
	for (unsigned int n = 0; n < num_units && !err; n++) {
		err = switch_unit(&units[n]);
		if (err)
			for (unsigned int m = 0; m <= n; m++)
				release_unit(&units[m]);
	}
	return err;
}

/*
 * Linux's queue back, with its head where Linux left its tail: enabling
 * a queue starts its head at 0, so the slots before Linux's tail (all
 * long completed) are refilled with harmless descriptors and run once.
 * Only a queue the hardware would take, in the root's RAM, is refilled:
 * the tail is the root's value and the slots are written by us.
 */
static bool restore_linux_queue(struct vtd_unit *u)
{
	const struct vtd_virt *v = &u->v;
	struct vtd_queue q = vtd_queue_of(v->iqa);
	u64 slots = v->iqt / q.dsize;
	u8 *q_hv = phys_to_hv(q.base);
	u64 end;

	if (!(v->gsts & GCMD_QIE))
		return true;
	wr64(u, VTD_IQT, 0);
	wr64(u, VTD_IQA, v->iqa);
	if (!set_function(u, GCMD_QIE, true))
		return false;
	if (!root_owns_ram(q.base, q.bytes) || !vtd_queue_offset_ok(&q, v->iqt))
		return false; /* given back empty: head and tail 0 */
	if (!slots)
		return true;
	WRITE_ONCE(qi_done, 0);
	for (u64 n = 0; n < slots; n++) {
		struct qi_desc *d = (struct qi_desc *)(q_hv + n * q.dsize);

		memset(d, 0, q.dsize);
		*d = n + 1 < slots ?
			     (struct qi_desc){ QI_IEC, 0 } :
			     (struct qi_desc){
				     QI_WAIT | QI_WAIT_SW | (1ULL << 32),
				     hv_virt_to_phys((const void *)&qi_done)
			     };
		sync(u, d, q.dsize);
	}
	wr64(u, VTD_IQT, v->iqt);
	end = deadline_1s();
	while (!READ_ONCE(qi_done) || rd64(u, VTD_IQH) != v->iqt)
		if (rdtsc() > end)
			return false;
	return true;
}

static void release_unit(struct vtd_unit *u)
{
	const struct vtd_virt *v = &u->v;
	bool ok = true;

	if (u->released || !u->v.iqa)
		return;
	u->released = true;
	ok &= set_function(u, GCMD_TE, false);
	wr64(u, VTD_RTADDR, v->rtaddr);
	ok &= one_shot(u, GCMD_SRTP);
	if (u->ir) {
		wr64(u, VTD_IRTA, v->irta_active);
		ok &= one_shot(u, GCMD_SIRTP) && flush_iec(u);
	}
	ok &= set_function(u, GCMD_QIE, false);
	ok &= restore_linux_queue(u);
	/* Whatever Linux switched on or off while brig ran. */
	ok &= set_function(u, GCMD_IRE, v->gsts & GCMD_IRE);
	ok &= set_function(u, GCMD_CFI, v->gsts & GCMD_CFI);
	wr32(u, VTD_FEDATA, v->fedata);
	wr32(u, VTD_FEADDR, v->feaddr);
	wr32(u, VTD_FEUADDR, v->feuaddr);
	wr32(u, VTD_FECTL, v->fectl);
	if (!ok)
		printk("brig: VT-d unit %u did not take its Linux state back cleanly (status %x)\n",
		       u->index, rd32(u, VTD_GSTS));
}

static void vtd_release(void)
{
	spin_lock(&vtd_lock);
	for (unsigned int n = 0; n < num_units; n++)
		if (units[n].taken) {
			poll_unit(&units[n]);
			release_unit(&units[n]);
		}
	spin_unlock(&vtd_lock);
}

/* --- cells --------------------------------------------------------------- */

/* After a change of the root's CPUs or memory: every unit catches up. */
static void refresh_units(void)
{
	for (unsigned int n = 0; n < num_units; n++) {
		struct vtd_unit *u = &units[n];

		if (!u->taken || u->released)
			continue;
		flush_dma(u, root_cell.id + 1);
		if (u->ir) {
			sync_root_irtes(u, 0, IRT_ENTRIES);
			flush_iec(u);
		}
	}
}

static int vtd_cell_create(struct cell *cell)
{
	int err = 0;

	if (!num_units)
		return 0;
	spin_lock(&vtd_lock);
	if (units[0].taken) {
		err = iommu_build_cell_domain(cell, &x86_vtd_paging);
		if (!err)
			err = iommu_root_dma_regions(cell, false);
		if (err)
			iommu_root_dma_regions(cell, true);
		else
			leaving_root = cell;
		refresh_units();
		leaving_root = NULL;
	}
	spin_unlock(&vtd_lock);
	return err;
}

static void vtd_cell_destroy(struct cell *cell)
{
	if (!num_units)
		return;
	spin_lock(&vtd_lock);
	if (units[0].taken) {
		if (iommu_root_dma_regions(cell, true))
			printk("brig: cell %u's memory could not rejoin the root's DMA tables\n",
			       cell->id);
		refresh_units();
		/* Its devices went back to the root before (arch/pci.h). */
		if (cell->dma.root)
			paging_destroy(&cell->dma);
	}
	spin_unlock(&vtd_lock);
}

/* --- devices and interrupts of cells (arch/pci.h calls these) ------------- */

static bool vtd_unit_usable(unsigned int unit)
{
	return unit < num_units && units[unit].taken && !units[unit].released &&
	       units[unit].ir;
}

static int vtd_assign_device(struct cell *cell, unsigned int unit, u16 bdf)
{
	struct vtd_unit *u = &units[unit];
	unsigned int bus = bdf >> 8;
	u64 *ctx;
	int err = 0;

	spin_lock(&vtd_lock);
	ctx = u->bus_ctx[bus];
	if (!ctx) {
		ctx = page_alloc(&mem_pool, 1);
		if (!ctx) {
			err = -ENOMEM;
			goto out;
		}
		memcpy(ctx, shared_ctx, PAGE_SIZE);
		sync(u, ctx, PAGE_SIZE);
		u->bus_ctx[bus] = ctx;
		u->root_table[2 * bus] = paging_virt_to_phys(ctx) | 1;
		sync(u, &u->root_table[2 * bus], 16);
	}
	/* Not present while it changes: no walk sees half an entry. */
	ctx[2 * (bdf & 0xff)] = 0;
	sync(u, &ctx[2 * (bdf & 0xff)], 16);
	flush_dma(u, 0);
	set_context(ctx, bdf & 0xff, cell);
	sync(u, &ctx[2 * (bdf & 0xff)], 16);
	if (!flush_dma(u, 0))
		err = -EIO;
out:
	spin_unlock(&vtd_lock);
	return err;
}

static void vtd_unassign_device(unsigned int unit, u16 bdf)
{
	struct vtd_unit *u = &units[unit];
	unsigned int bus = bdf >> 8;
	u64 *ctx = u->bus_ctx[bus];
	bool own = false;

	if (!ctx)
		return;
	spin_lock(&vtd_lock);
	ctx[2 * (bdf & 0xff)] = 0;
	sync(u, &ctx[2 * (bdf & 0xff)], 16);
	flush_dma(u, 0);
	set_context(ctx, bdf & 0xff, &root_cell);
	sync(u, &ctx[2 * (bdf & 0xff)], 16);
	for (unsigned int n = 0; n < 256; n++)
		if (ctx[2 * n + 1] != shared_ctx[2 * n + 1])
			own = true;
	if (!own) {
		u->root_table[2 * bus] = paging_virt_to_phys(shared_ctx) | 1;
		sync(u, &u->root_table[2 * bus], 16);
		u->bus_ctx[bus] = NULL;
	}
	flush_dma(u, 0);
	if (!own)
		page_free(&mem_pool, ctx, 1);
	spin_unlock(&vtd_lock);
}

static int vtd_set_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
			     unsigned int index, u32 apic_id, u8 vector,
			     unsigned int flags, u32 *msi_addr, u32 *msi_data)
{
	struct vtd_unit *u = &units[unit];
	unsigned int idx = ROOT_IRTE_LIMIT + slot;
	bool x2apic = u->v.irta_active & IRTA_EIME;
	u64 lo, hi;

	if (!vtd_unit_usable(unit) || idx >= IRT_ENTRIES ||
	    (!x2apic && apic_id > 0xff))
		return -EINVAL;
	/*
	 * Present, physical destination, the vector, to one CPU. A level
	 * pin's entry says level, so that the CPU's EOI reaches the IO-APIC.
	 */
	lo = IRTE_P | ((flags & IOMMU_IRQ_LOWEST) ? 1ULL << 5 : 0) |
	     ((flags & IOMMU_IRQ_LEVEL) ? 1ULL << 4 : 0) | (u64)vector << 16 |
	     (x2apic ? (u64)apic_id << 32 : (u64)apic_id << 40);
	/* Only the device itself may raise it: source id verified. */
	hi = (1ULL << 18) | sid;
	spin_lock(&vtd_lock);
	set_irte(u, idx, lo, hi);
	flush_iec(u);
	spin_unlock(&vtd_lock);
	(void)index; /* one table for all: the global slot picks the entry */
	/* Remappable format: handle in bits 19:5 and 2, SHV clear. */
	*msi_addr = 0xfee00000u | (idx & 0x7fff) << 5 | BIT(4) |
		    ((idx >> 15) & 1) << 2;
	*msi_data = 0;
	return 0;
}

static void vtd_clear_cell_irte(unsigned int unit, u16 sid, unsigned int slot,
				unsigned int index)
{
	struct vtd_unit *u = &units[unit];
	unsigned int idx = ROOT_IRTE_LIMIT + slot;

	(void)sid;
	(void)index;
	if (unit >= num_units || !u->ir || idx >= IRT_ENTRIES)
		return;
	spin_lock(&vtd_lock);
	set_irte(u, idx, 0, 0);
	flush_iec(u);
	spin_unlock(&vtd_lock);
}

const struct iommu_ops vtd_iommu_ops = {
	.name = "VT-d",
	.init = vtd_init,
	.takeover = vtd_takeover,
	.release = vtd_release,
	.cell_create = vtd_cell_create,
	.cell_destroy = vtd_cell_destroy,
	.poll_faults = vtd_poll_faults,
	.unit_usable = vtd_unit_usable,
	.assign_device = vtd_assign_device,
	.unassign_device = vtd_unassign_device,
	.set_cell_irte = vtd_set_cell_irte,
	.clear_cell_irte = vtd_clear_cell_irte,
	.root_msi = vtd_root_msi,
};
