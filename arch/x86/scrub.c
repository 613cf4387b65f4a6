// SPDX-License-Identifier: GPL-2.0
/*
 * A CPU changing owner (root -> cell when a cell starts, cell -> root when
 * it is destroyed) carries state that no VMCS or VMCB switch covers: the
 * FPU/SSE/AVX registers, CR2 (VMX keeps it in the CPU), DR0-DR3 and DR6,
 * the syscall MSRs and KERNEL_GS_BASE a cell reaches without an exit,
 * TSC_AUX, and IA32_XSS (what XSAVES, open to guests, saves). Left alone
 * they tell a cell where Linux's kernel is (LSTAR), which CPU it runs on
 * and what Linux last computed, and tell the root what the cell computed. Both ways every one of them is reset; the branch
 * predictors are flushed with IBPB where the CPU offers it, so the next
 * owner cannot be steered by what the last one trained.
 *
 * The local APIC is scrubbed separately (apic.c); PAT, DR7, EFER and the
 * segment state live in the VMCS/VMCB and are reset with it.
 */
#include <hv/percpu.h>
#include <hv/printk.h>
#include <arch/scrub.h>
#include <arch/x86.h>

#define MSR_IA32_PRED_CMD 0x49
#define PRED_CMD_IBPB BIT(0)
#define MSR_TSC_AUX 0xc0000103
/*
 * The supervisor state components XSAVES saves and XRSTORS loads: Linux's
 * (CET user state, PASID) are no cell's business; a cell gets none.
 */
#define MSR_IA32_XSS 0xda0
#define DR6_RESET 0xffff0ff0ULL
#define MXCSR_RESET 0x1f80
#define X86_CR4_OSFXSR BIT(9)

/* The MSRs a cell reaches without an exit and no VM switch replaces. */
static const u32 scrubbed_msrs[SCRUB_MSRS] = {
	MSR_KERNEL_GS_BASE, MSR_STAR,	 MSR_LSTAR,    MSR_CSTAR,
	MSR_SFMASK,	    MSR_TSC_AUX, MSR_IA32_XSS,
};

/*
 * An XSAVE area in standard form with an all-zero header: XRSTOR from it
 * puts every component it is asked for in its initial state (zeroed
 * registers). MXCSR is the one field it still loads from the legacy
 * area, so it holds the reset value (byte 24).
 */
static const u32 xstate_init[(512 + 64) / 4] __attribute__((aligned(64))) = {
	[24 / 4] = MXCSR_RESET,
};

static bool has_tsc_aux(void)
{
	struct cpuid_regs r;

	cpuid_count(0x80000001, 0, &r);
	if (r.edx & BIT(27)) /* RDTSCP */
		return true;
	cpuid_count(0, 0, &r);
	if (r.eax < 7)
		return false;
	cpuid_count(7, 0, &r);
	return r.ecx & BIT(22); /* RDPID */
}

static bool has_ibpb(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	if (r.eax >= 7) {
		cpuid_count(7, 0, &r);
		if (r.edx & BIT(26)) /* Intel: IBRS and IBPB */
			return true;
	}
	cpuid_count(0x80000000, 0, &r);
	if (r.eax < 0x80000008)
		return false;
	cpuid_count(0x80000008, 0, &r);
	return r.ebx & BIT(12); /* AMD: IBPB */
}

static bool has_xsaves(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	if (r.eax < 0xd)
		return false;
	cpuid_count(0xd, 1, &r);
	return r.eax & BIT(3);
}

static bool msr_present(unsigned int n)
{
	if (scrubbed_msrs[n] == MSR_TSC_AUX)
		return has_tsc_aux();
	if (scrubbed_msrs[n] == MSR_IA32_XSS)
		return has_xsaves();
	return true;
}

void x86_pt_off(struct per_cpu *cpu)
{
	struct cpuid_regs r;
	u64 ctl;

	cpuid_count(0, 0, &r);
	if (r.eax < 7)
		return;
	cpuid_count(7, 0, &r);
	if (!(r.ebx & BIT(25)))
		return;
	ctl = read_msr(0x570);
	if (!(ctl & 1))
		return;
	write_msr(0x570, ctl & ~1ULL);
	printk("brig: CPU %u: Intel PT was tracing (RTIT_CTL %llx): stopped, it stays off while brig runs\n",
	       cpu->cpu_id, (unsigned long long)ctl);
}

void x86_scrub_save_linux(struct per_cpu *cpu)
{
	for (unsigned int n = 0; n < SCRUB_MSRS; n++)
		cpu->arch.linux_msrs[n] =
			msr_present(n) ? read_msr(scrubbed_msrs[n]) : 0;
}

static void xsetbv(u64 xcr0)
{
	asm volatile("xsetbv" ::"c"(0), "a"((u32)xcr0), "d"((u32)(xcr0 >> 32)));
}

static bool cpu_has_xsave(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	return r.ecx & BIT(26);
}

/*
 * Host mode runs with Linux's CR4, and Linux runs with XSAVE off where
 * its own set-up of it failed (Debian's kernel under Bochs). XCR0 and the
 * extended state are the CPU's all the same, and a cell may use them: so
 * what the hypervisor does to them, it does with OSXSAVE on for the
 * moment. Returns the CR4 to put back.
 */
static u64 osxsave_on(void)
{
	u64 cr4 = read_cr4();

	if (!(cr4 & X86_CR4_OSXSAVE))
		write_cr4(cr4 | X86_CR4_OSXSAVE);
	return cr4;
}

static void osxsave_back(u64 cr4)
{
	if (!(cr4 & X86_CR4_OSXSAVE))
		write_cr4(cr4);
}

void x86_xsetbv(u64 xcr0)
{
	u64 cr4 = osxsave_on();

	xsetbv(xcr0);
	osxsave_back(cr4);
}

/*
 * Every user state component the CPU has, back to its initial state, then
 * XCR0 as the next owner expects it (a Linux without XSAVE: 1, as at
 * reset). (Supervisor components are not XCR0's and are not enabled by
 * brig or handed to a cell.)
 */
static void init_extended_state(u64 next_xcr0)
{
	struct cpuid_regs r;
	u64 all, cr4;

	asm volatile("clts");
	if (!cpu_has_xsave()) {
		if (read_cr4() & X86_CR4_OSFXSR)
			asm volatile("fninit; fxrstor %0" ::"m"(xstate_init));
		return;
	}
	cr4 = osxsave_on();
	cpuid_count(0xd, 0, &r);
	all = (u64)r.edx << 32 | r.eax;
	xsetbv(all);
	asm volatile("xrstor %0" ::"m"(xstate_init), "a"((u32)all),
		     "d"((u32)(all >> 32))
		     : "memory");
	xsetbv(next_xcr0 ? next_xcr0 : 1);
	osxsave_back(cr4);
}

static void scrub(struct per_cpu *cpu, bool to_root)
{
	u64 zero = 0, dr6 = DR6_RESET;

	/* XCR0 at reset is 1 (x87 only); Linux's is what it had. */
	init_extended_state(to_root ? cpu->arch.linux_xcr0 : 1);
	write_cr2(0);
	asm volatile(
		"mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3; mov %1, %%dr6" ::
			"r"(zero),
		"r"(dr6));
	for (unsigned int n = 0; n < SCRUB_MSRS; n++)
		if (msr_present(n))
			write_msr(scrubbed_msrs[n],
				  to_root ? cpu->arch.linux_msrs[n] : 0);
	if (has_ibpb())
		write_msr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
}

void x86_scrub_for_cell(struct per_cpu *cpu)
{
	scrub(cpu, false);
}

void x86_scrub_for_root(struct per_cpu *cpu)
{
	scrub(cpu, true);
}
