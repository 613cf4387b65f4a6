// SPDX-License-Identifier: GPL-2.0
/*
 * Trapped guest memory accesses on x86: fetching the faulting instruction
 * through the guest's own page tables, and what the root cell sees when it
 * touches memory that it does not own.
 *
 * The root cell is never stopped for such an access (DESIGN.md, promise 5):
 * a read returns all-ones, as from a bus with nothing behind it, a write is
 * dropped, and the console names the first access to each page so that the
 * offender can be found without flooding the console.
 */
#include <hv/cell.h>
#include <hv/control.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/spinlock.h>
#include <hv/string.h>
#include <arch/apic.h>
#include <arch/exits.h>
#include <arch/ioapic.h>
#include <arch/iommu.h>
#include <arch/mmio.h>
#include <arch/pci.h>
#include <arch/x86.h>

#define MAX_INSN_LEN 15
#define PTE_P BIT_ULL(0)
#define PTE_PS BIT_ULL(7)
#define PTE_ADDR GENMASK_ULL(51, 12)

/*
 * The hypervisor's pointer to [gpa, gpa + len) of a cell's RAM (within
 * one page), or NULL. The root's RAM is mapped 1:1; a cell's goes through
 * its second-stage tables (its RAM is root RAM the hypervisor maps).
 */
static void *guest_ram(const struct cell *cell, u64 gpa, unsigned int len)
{
	unsigned int flags;
	u64 hpa;

	if (cell == &root_cell)
		return root_owns_ram(gpa, len) ? phys_to_hv(gpa) : NULL;
	hpa = paging_virt_to_phys_walk(&cell->arch.npt, gpa, &flags);
	if (hpa == INVALID_PHYS || !(flags & PAGE_READ) ||
	    (flags & PAGE_DEVICE) || !root_owns_ram(hpa, len))
		return NULL;
	return phys_to_hv(hpa);
}

/* Guest-physical address of gva, walking the guest's own page tables. */
static u64 guest_virt_to_phys(const struct cell *cell, u64 cr3, u64 cr4,
			      u64 gva)
{
	unsigned int levels = (cr4 & X86_CR4_LA57) ? 5 : 4;
	u64 table = cr3 & PTE_ADDR;

	for (unsigned int l = 0; l < levels; l++) {
		unsigned int shift = 12 + 9 * (levels - 1 - l);
		u64 *t = guest_ram(cell, table, PAGE_SIZE);
		u64 entry;

		if (!t)
			return INVALID_PHYS;
		entry = t[(gva >> shift) & 511];
		if (!(entry & PTE_P))
			return INVALID_PHYS;
		if (l == levels - 1 || (l > 0 && (entry & PTE_PS)))
			return (entry & PTE_ADDR & ~((1ULL << shift) - 1)) |
			       (gva & ((1ULL << shift) - 1));
		table = entry & PTE_ADDR;
	}
	return INVALID_PHYS;
}

bool x86_read_guest_virt(const struct cell *cell, u64 cr3, u64 cr4, u64 gva,
			 void *buf, unsigned int len)
{
	u8 *out = buf;

	while (len) {
		unsigned int n = (unsigned int)MIN(
			(u64)len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa = guest_virt_to_phys(cell, cr3, cr4, gva);
		void *p = gpa == INVALID_PHYS ? NULL : guest_ram(cell, gpa, n);

		if (!p)
			return false;
		memcpy(out, p, n);
		out += n;
		gva += n;
		len -= n;
	}
	return true;
}

bool x86_decode_mmio(const struct cell *cell, const struct x86_gprs *gprs,
		     u64 rip, u64 cr3, u64 cr4, u64 efer,
		     struct x86_mmio_access *acc)
{
	unsigned int to_page_end =
		(unsigned int)(PAGE_SIZE - (rip & ~PAGE_MASK));
	unsigned int avail = MAX_INSN_LEN;
	bool is_write = acc->is_write;
	u8 insn[MAX_INSN_LEN];

	if (!(efer & EFER_LMA) || !(cr4 & X86_CR4_PAE))
		return false; /* the root runs in long mode */
	/* A short instruction may end just before an unmapped page. */
	if (!x86_read_guest_virt(cell, cr3, cr4, rip, insn, avail)) {
		if (to_page_end >= avail ||
		    !x86_read_guest_virt(cell, cr3, cr4, rip, insn,
					 to_page_end))
			return false;
		avail = to_page_end;
	}
	if (!x86_decode_insn(insn, avail, gprs, acc))
		return false;
	/* The exit knows which way the access went; they must agree. */
	return acc->is_write == is_write;
}

#define REPORTED_PAGES 32

static DEFINE_SPINLOCK(report_lock);
static u64 reported[REPORTED_PAGES];
static unsigned int num_reported;

/* True the first time a key is reported (and while the table has room). */
bool x86_first_report(u64 page)
{
	bool first = true;

	spin_lock(&report_lock);
	for (unsigned int n = 0; n < num_reported; n++)
		if (reported[n] == page)
			first = false;
	if (first && num_reported < REPORTED_PAGES)
		reported[num_reported++] = page;
	else if (first)
		first = false;
	spin_unlock(&report_lock);
	return first;
}

void x86_root_mmio(struct per_cpu *cpu, const struct x86_gprs *gprs,
		   struct x86_mmio_access *acc)
{
	if (x86_root_xapic && (acc->gpa & PAGE_MASK) == X86_XAPIC_PAGE)
		x86_xapic_access(cpu, gprs, acc);
	else if (iommu_root_mmio(cpu, gprs, acc))
		return;
	else if (x86_ioapic_root_mmio(cpu, gprs, acc))
		return;
	else
		x86_root_forbidden_access(cpu, gprs, acc);
}

bool x86_cell_mmio_trap(const struct cell *cell, u64 gpa)
{
	return x86_pci_msix_trap(cell, gpa) || x86_ioapic_cell_trap(cell, gpa);
}

bool x86_cell_mmio(struct per_cpu *cpu, const struct x86_gprs *gprs,
		   struct x86_mmio_access *acc)
{
	if (x86_ioapic_cell_trap(cpu->cell, acc->gpa))
		return x86_ioapic_cell_mmio(cpu, gprs, acc);
	return x86_pci_msix_access(cpu, gprs, acc);
}

void x86_root_forbidden_access(struct per_cpu *cpu, const struct x86_gprs *gprs,
			       const struct x86_mmio_access *acc)
{
	const struct brig_memory *hv = &system_config->hypervisor_memory;
	bool in_hv = acc->gpa >= hv->phys_start &&
		     acc->gpa < hv->phys_start + hv->size;

	if (x86_first_report(acc->gpa & PAGE_MASK))
		printk("brig: root cell CPU %u: %u-byte %s at %llx denied (%s); reads return all-ones, writes are dropped\n",
		       cpu->cpu_id, acc->size, acc->is_write ? "write" : "read",
		       (unsigned long long)acc->gpa,
		       in_hv ? "hypervisor memory" : "not the root's memory");
	if (!acc->is_write)
		x86_mmio_complete_read(gprs, acc, ~0ULL);
}
