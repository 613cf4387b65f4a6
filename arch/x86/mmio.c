// SPDX-License-Identifier: GPL-2.0
/*
 * Trapped guest memory accesses on x86: fetching the faulting instruction
 * through the guest's own page tables, decoding it into the core's access
 * record and completing it. Which ranges trap and what an access there
 * does is the core's business (hv/mmio.h), the root's forbidden accesses
 * included.
 */
#include <hv/cell.h>
#include <hv/control.h>
#include <hv/memory.h>
#include <hv/mmio.h>
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
	hpa = paging_virt_to_phys_walk(&cell->stage2, gpa, &flags);
	if (hpa == INVALID_PHYS || !(flags & PAGE_READ) ||
	    (flags & PAGE_DEVICE) || !ram_described(hpa, len))
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

/*
 * A root CPU that cannot go on waits for a SIPI as after INIT, still
 * serving the hypervisor's requests, as after a triple fault
 * (x86_exit_triple_fault()): stopping the hypervisor would take the cells
 * along, and a CPU that stops answering is something Linux reports.
 */
static int root_cpu_stop(struct per_cpu *cpu)
{
	cpu->arch.init_pending = true;
	x86_check_init_sipi(cpu);
	return 0;
}

/*
 * The root's access the hypervisor cannot emulate: #GP, which Linux turns
 * into an oops or a signal. Two states never get past it, and would print
 * a line per exit for ever. Page tables (CR3, long mode) outside the root's
 * memory: every instruction fetch and every exception delivery walks them
 * first, and a walk that faults at the top table names that table as the
 * address (this is what a root CPU looks like that was given the
 * hypervisor's own RIP and CR3). And a #GP whose delivery faults too: the
 * same instruction faults again at once (x86_fault_repeat()). Both are
 * reported once and stop the CPU.
 */
static int root_cannot_emulate(struct per_cpu *cpu, const struct x86_fault *f)
{
	u64 tables = f->cr3 & PTE_ADDR;

	if ((f->efer & EFER_LMA) && !root_owns_ram(tables, PAGE_SIZE)) {
		printk("brig: root cell CPU %u cannot run on: its page tables at %llx are not its memory (access to %llx, instruction at %llx); it waits for a SIPI, as after INIT\n",
		       cpu->cpu_id, (unsigned long long)tables,
		       (unsigned long long)f->gpa, (unsigned long long)f->rip);
		return root_cpu_stop(cpu);
	}
	switch (x86_fault_repeat(&cpu->arch.root_fault, f->rip, f->gpa,
				 cpu->stats[BRIG_EXIT_TOTAL])) {
	case X86_REPEAT_REPORT:
		printk("brig: root cell CPU %u: cannot emulate the access to %llx by the instruction at %llx; injecting #GP\n",
		       cpu->cpu_id, (unsigned long long)f->gpa,
		       (unsigned long long)f->rip);
		break;
	case X86_REPEAT_QUIET:
		break;
	case X86_REPEAT_STOP:
		/*
		 * A #GP that reaches Linux may well bring it back to the same
		 * instruction (a signal handler that returns, a fixup that
		 * retries): only a fault in the delivery itself is no
		 * progress for sure.
		 */
		if (!f->delivering)
			break;
		printk("brig: root cell CPU %u: the access to %llx by the instruction at %llx repeats without progress (%u times: the #GP does not reach Linux); it waits for a SIPI, as after INIT\n",
		       cpu->cpu_id, (unsigned long long)f->gpa,
		       (unsigned long long)f->rip, X86_REPEAT_LIMIT);
		return root_cpu_stop(cpu);
	}
	return -1;
}

int x86_stage2_fault(struct per_cpu *cpu, const struct x86_gprs *gprs,
		     const struct x86_fault *f)
{
	struct x86_mmio_access acc = { .gpa = f->gpa, .is_write = f->write };
	struct mmio_access m;
	bool root = cpu->cell == &root_cell;

	cpu->stats[BRIG_EXIT_MMIO]++;
	/*
	 * A cell's access nothing traps is a violation, named before any
	 * decoding. (The root's are all answered: no look-up here, its
	 * xAPIC page exits on every EOI.)
	 */
	if (!root && (f->fetch || !mmio_is_trapped(cpu->cell, f->gpa))) {
		x86_cell_memory_violation(cpu, f->gpa, f->write, f->fetch,
					  f->rip);
		return 0;
	}
	if (f->fetch || f->delivering ||
	    !x86_decode_mmio(cpu->cell, gprs, f->rip, f->cr3, f->cr4, f->efer,
			     &acc)) {
		if (!root) {
			cell_fail(
				cpu,
				"cannot emulate the access to %llx %s at %llx",
				(unsigned long long)f->gpa,
				f->delivering ?
					"while delivering an interrupt or exception" :
					"by the instruction",
				(unsigned long long)f->rip);
			return 0;
		}
		return root_cannot_emulate(cpu, f);
	}
	m = (struct mmio_access){ .address = acc.gpa,
				  .value = acc.value,
				  .size = acc.size,
				  .is_write = acc.is_write };
	switch (mmio_handle_access(cpu, &m)) {
	case MMIO_HANDLED:
		if (!m.is_write)
			x86_mmio_complete_read(gprs, &acc, m.value);
		return (int)acc.inst_len;
	case MMIO_UNHANDLED:
		/* Trapped a moment ago, gone now: the cell is being torn down. */
		x86_cell_memory_violation(cpu, f->gpa, f->write, false, f->rip);
		return 0;
	default:
		return 0; /* the cell was stopped */
	}
}
