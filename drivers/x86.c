// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 side of the driver: hypercalls, the check for another
 * hypervisor, and the early page tables that let the hypervisor run its
 * own code before it has its own address space.
 *
 * The early tables are built from Linux's current top-level table: the
 * kernel half is copied as is (the entry trampoline is module text, and the
 * hypervisor reads Linux's GDT while it takes the CPU over), and the lower
 * half maps only the hypervisor region at the image's link address, with
 * 2 MiB pages. Nothing here needs an unexported kernel interface.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>

#include <brig/hypercall.h>

#include "brig.h"

#define PT_P BIT_ULL(0)
#define PT_RW BIT_ULL(1)
#define PT_PS BIT_ULL(7)
#define EARLY_MAX_TABLES 4 /* top, then PML4 (5-level), PDPT, PD */

int brig_x86_trampoline(u64 early_cr3, u64 entry, u64 cpu_id);
long brig_x86_leave_amd(u64 offline_cpus);
long brig_x86_leave_intel(u64 offline_cpus);

static bool amd_style; /* VMMCALL (AMD, Hygon) rather than VMCALL */
static u64 *early_tables[EARLY_MAX_TABLES];
static u64 early_cr3;

static bool cpu_is_amd(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
}

long brig_hypercall(unsigned long code, unsigned long arg1, unsigned long arg2)
{
	long ret;

	if (amd_style)
		asm volatile("vmmcall"
			     : "=a"(ret)
			     : "a"(code), "D"(arg1), "S"(arg2)
			     : "memory");
	else
		asm volatile("vmcall"
			     : "=a"(ret)
			     : "a"(code), "D"(arg1), "S"(arg2)
			     : "memory");
	return ret;
}

static void check_cpu(void *info)
{
	atomic_t *busy = info;
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if ((efer & EFER_SVME) || (__read_cr4() & X86_CR4_VMXE))
		atomic_inc(busy);
}

int brig_arch_check_cpus(struct brig_file *bf)
{
	atomic_t busy = ATOMIC_INIT(0);

	amd_style = cpu_is_amd();
	on_each_cpu(check_cpu, &busy, 1);
	if (atomic_read(&busy))
		return brig_fail(
			bf, -EBUSY,
			"another hypervisor holds %s on %d CPU(s): unload it (e.g. `rmmod %s`), or boot with kvm.enable_virt_at_load=0",
			amd_style ? "AMD-V (EFER.SVME is set)" :
				    "VT-x (CR4.VMXE is set)",
			atomic_read(&busy),
			amd_style ? "kvm_amd" : "kvm_intel");
	return 0;
}

static u64 *new_table(unsigned int *n)
{
	u64 *t = (u64 *)get_zeroed_page(GFP_KERNEL);

	if (t)
		early_tables[(*n)++] = t;
	return t;
}

void brig_arch_free_early_tables(void)
{
	for (unsigned int n = 0; n < EARLY_MAX_TABLES; n++) {
		free_page((unsigned long)early_tables[n]);
		early_tables[n] = NULL;
	}
	early_cr3 = 0;
}

int brig_arch_early_tables(struct brig_file *bf, u64 hv_phys, u64 hv_size,
			   u64 link_base)
{
	unsigned int levels = (__read_cr4() & X86_CR4_LA57) ? 5 : 4;
	const u64 *linux_top = __va(read_cr3_pa());
	unsigned int n = 0, shift;
	u64 *table, *next;

	if (!IS_ALIGNED(link_base, SZ_1G) || hv_size > SZ_1G ||
	    link_base >= (1ULL << 47))
		return brig_fail(
			bf, -EINVAL,
			"hypervisor image linked at %llx, or a region of %llu bytes, is not what this driver can map",
			link_base, hv_size);
	table = new_table(&n);
	if (!table)
		goto nomem;
	/* The kernel half is the upper half of the top-level table. */
	memcpy(table + 256, linux_top + 256, 256 * sizeof(u64));
	early_cr3 = __pa(table);

	for (shift = 12 + 9 * (levels - 1); shift > 21; shift -= 9) {
		next = new_table(&n);
		if (!next)
			goto nomem;
		table[(link_base >> shift) & 511] = __pa(next) | PT_P | PT_RW;
		table = next;
	}
	for (u64 off = 0; off < hv_size; off += SZ_2M)
		table[((link_base + off) >> 21) & 511] = (hv_phys + off) |
							 PT_P | PT_RW | PT_PS;
	return 0;

nomem:
	brig_arch_free_early_tables();
	return brig_fail(bf, -ENOMEM,
			 "out of memory for the early page tables");
}

int brig_arch_enter(u64 entry)
{
	return brig_x86_trampoline(early_cr3, entry, smp_processor_id());
}

int brig_arch_leave(u64 offline_cpus)
{
	return (int)(amd_style ? brig_x86_leave_amd(offline_cpus) :
				 brig_x86_leave_intel(offline_cpus));
}
