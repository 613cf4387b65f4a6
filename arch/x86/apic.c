// SPDX-License-Identifier: GPL-2.0
/*
 * IPIs, INIT/SIPI emulation, CPU requests and scrubbing a CPU.
 *
 * A real INIT would reset a CPU that runs the hypervisor, so INIT and SIPI
 * never reach the hardware while brig is enabled. When the root brings a
 * CPU back online (INIT, SIPI, SIPI from the sender's x2APIC ICR, which is
 * intercepted), the sender posts the request in the target's per-CPU data
 * and sends it an NMI; the target parks until its SIPI arrives and restarts
 * the guest in real mode at the SIPI vector, as the hardware would have. A
 * SIPI that finds the CPU not waiting for one is dropped, as on hardware.
 *
 * A cell's IPIs may only reach its own CPUs, with fixed delivery: anything
 * else (another cell's or the root's CPUs, broadcasts, NMI, SMI, INIT,
 * SIPI) stops the cell.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/x86.h>

#define X2APIC_EOI 0x80b
#define X2APIC_ISR0 0x810
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_LVT_ERROR 0x837
#define X2APIC_TMICT 0x838
#define APIC_LVT_MASKED BIT(16)

void x86_send_nmi(struct per_cpu *target)
{
	/* The root runs x2APIC here: the only mode ICR interception covers. */
	write_msr(MSR_X2APIC_ICR,
		  (u64)target->arch.apic_id << 32 | APIC_DM_NMI << 8);
}

/* Is cpu a destination of icr, sent by sender? (x2APIC addressing) */
static bool is_destination(const struct per_cpu *sender,
			   const struct per_cpu *cpu, u64 icr)
{
	u32 dest = (u32)(icr >> 32), id = cpu->arch.apic_id;

	switch (APIC_ICR_SHORTHAND(icr)) {
	case APIC_SH_SELF:
		return cpu == sender;
	case APIC_SH_ALL:
		return true;
	case APIC_SH_OTHERS:
		return cpu != sender;
	}
	if (!(icr & APIC_ICR_LOGICAL))
		return dest == 0xffffffff || dest == id;
	/* Logical x2APIC: cluster in bits 16..31, one bit per member. */
	if (dest == 0xffffffff)
		return true;
	return (dest >> 16) == (id >> 4) && (dest & (1u << (id & 0xf)));
}

static void post_init_sipi(struct per_cpu *target, u64 icr)
{
	if (APIC_ICR_DM(icr) == APIC_DM_INIT)
		WRITE_ONCE(target->arch.init_pending, true);
	else
		WRITE_ONCE(target->arch.sipi_vector, (int)APIC_ICR_VECTOR(icr));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	x86_send_nmi(target);
}

static bool root_icr_write(struct per_cpu *cpu, u64 icr)
{
	unsigned int dm = APIC_ICR_DM(icr);

	if (dm != APIC_DM_INIT && dm != APIC_DM_STARTUP) {
		write_msr(MSR_X2APIC_ICR, icr);
		return true;
	}
	/* INIT level de-assert: a no-op on every CPU since the P4. */
	if (dm == APIC_DM_INIT && !(icr & APIC_ICR_LEVEL_ASSERT))
		return true;
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		struct per_cpu *target = per_cpu(n);

		/* A cell's CPUs are not the root's to reset. */
		if (!target->online || target->cell != &root_cell ||
		    target == cpu || !is_destination(cpu, target, icr))
			continue;
		post_init_sipi(target, icr);
	}
	return true;
}

static const char *const delivery_modes[8] = {
	"fixed", "lowest-priority", "SMI", "reserved", "NMI", "INIT",
	"SIPI", "ExtINT"
};

static bool cell_icr_write(struct per_cpu *cpu, u64 icr)
{
	unsigned int dm = APIC_ICR_DM(icr);

	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		struct per_cpu *target = per_cpu(n);

		if (!target->online || !is_destination(cpu, target, icr))
			continue;
		if (target->cell != cpu->cell) {
			cell_fail(cpu, "%s IPI (ICR %llx) to CPU %u, which is not the cell's",
				  delivery_modes[dm], (unsigned long long)icr,
				  n);
			return false;
		}
	}
	if (dm != APIC_DM_FIXED) {
		cell_fail(cpu, "%s IPI (ICR %llx): only fixed IPIs are allowed",
			  delivery_modes[dm], (unsigned long long)icr);
		return false;
	}
	write_msr(MSR_X2APIC_ICR, icr);
	return true;
}

bool x86_x2apic_icr_write(struct per_cpu *cpu, u64 icr)
{
	if (cpu->cell == &root_cell)
		return root_icr_write(cpu, icr);
	return cell_icr_write(cpu, icr);
}

/* Park after INIT until a SIPI arrives; return its vector. */
static int wait_for_sipi(struct per_cpu *cpu)
{
	int vector;

	cpu->stats[BRIG_EXIT_INIT_SIPI]++;
	cpu->parked = true;
	while ((vector = READ_ONCE(cpu->arch.sipi_vector)) < 0) {
		/*
		 * Root TLB flushes still concern a CPU offline in Linux; and
		 * a cell may take it over before Linux wants it back.
		 */
		__atomic_and_fetch(&cpu->requests,
				   ~(CPU_REQ_FLUSH | CPU_REQ_PARK),
				   __ATOMIC_SEQ_CST);
		if (READ_ONCE(cpu->requests) & CPU_REQ_START)
			break;
		/*
		 * Open GIF briefly so the waking NMI is taken (and counted as
		 * ours) instead of staying pending into the guest.
		 */
		asm volatile("stgi; pause; clgi" ::: "memory");
		if (READ_ONCE(cpu->arch.init_pending))
			WRITE_ONCE(cpu->arch.init_pending, false);
	}
	cpu->parked = false;
	return vector;
}

bool x86_check_init_sipi(struct per_cpu *cpu)
{
	bool init = READ_ONCE(cpu->arch.init_pending);
	int vector;

	if (!init && READ_ONCE(cpu->arch.sipi_vector) < 0)
		return false;
	if (!init) {
		/* A SIPI for a CPU that is not waiting: dropped. */
		WRITE_ONCE(cpu->arch.sipi_vector, -1);
		return true;
	}
	WRITE_ONCE(cpu->arch.init_pending, false);
	vector = wait_for_sipi(cpu);
	WRITE_ONCE(cpu->arch.sipi_vector, -1);
	cpu->arch.nmi_pending = false;
	if (vector < 0)
		return true; /* a cell's now: its START does the rest */
	svm_set_context(cpu);
	svm_cpu_reset(cpu, (u64)vector << 12, 0);
	return true;
}

/* --- scrubbing --------------------------------------------------------- */

/*
 * A CPU leaving a cell must not carry the cell's state into the root: its
 * local APIC timer and LVTs are masked and interrupts the cell left in
 * service are acknowledged, the APIC returns to the mode Linux had,
 * XCR0 to Linux's value and the debug address registers are cleared.
 * (PAT and DR7 live in the VMCB and are reset with it; MTRRs, TSC_ADJUST
 * and the rest are never the cell's to change.)
 */
static void scrub_apic(struct per_cpu *cpu)
{
	u64 base = read_msr(MSR_IA32_APICBASE);

	/* Disabled -> xAPIC -> x2APIC: the only legal way up (SDM 10.12.5). */
	if (!(base & MSR_IA32_APICBASE_EN))
		write_msr(MSR_IA32_APICBASE, base |= MSR_IA32_APICBASE_EN);
	if (!(base & MSR_IA32_APICBASE_EXTD))
		write_msr(MSR_IA32_APICBASE, base |= MSR_IA32_APICBASE_EXTD);
	for (u32 lvt = X2APIC_LVT_TIMER; lvt <= X2APIC_LVT_ERROR; lvt++)
		write_msr(lvt, APIC_LVT_MASKED);
	write_msr(X2APIC_TMICT, 0);
	for (u32 reg = X2APIC_ISR0 + 7; reg >= X2APIC_ISR0; reg--)
		for (u64 isr = read_msr(reg); isr; isr &= isr - 1)
			write_msr(X2APIC_EOI, 0);
	if (!(cpu->arch.linux_apicbase & MSR_IA32_APICBASE_EXTD)) {
		/* x2APIC -> xAPIC goes through disabled (SDM 10.12.5). */
		write_msr(MSR_IA32_APICBASE,
			  base & ~(MSR_IA32_APICBASE_EXTD |
				   MSR_IA32_APICBASE_EN));
		write_msr(MSR_IA32_APICBASE, cpu->arch.linux_apicbase);
	}
}

static void scrub_cpu(struct per_cpu *cpu)
{
	u64 zero = 0;

	scrub_apic(cpu);
	if (read_cr4() & X86_CR4_OSXSAVE)
		asm volatile("xsetbv" ::"c"(0), "a"((u32)cpu->arch.linux_xcr0),
			     "d"((u32)(cpu->arch.linux_xcr0 >> 32)));
	asm volatile("mov %0, %%dr0; mov %0, %%dr1; mov %0, %%dr2; mov %0, %%dr3"
		     ::"r"(zero));
}

/* --- requests ---------------------------------------------------------- */

static unsigned int take_request(struct per_cpu *cpu, unsigned int req)
{
	return __atomic_fetch_and(&cpu->requests, ~req, __ATOMIC_SEQ_CST) &
	       req;
}

/* Stopped: wait in the hypervisor for the cell to start or be destroyed. */
static void park(struct per_cpu *cpu)
{
	cpu->parked = true;
	while (!(READ_ONCE(cpu->requests) &
		 (CPU_REQ_START | CPU_REQ_TO_ROOT))) {
		take_request(cpu, CPU_REQ_FLUSH | CPU_REQ_PARK);
		asm volatile("stgi; pause; clgi" ::: "memory");
	}
	/* START or TO_ROOT supersede a PARK that came in meanwhile. */
	take_request(cpu, CPU_REQ_PARK);
	cpu->arch.nmi_pending = false; /* only ours arrive here */
	cpu->parked = false;
}

/* Back in the root as a CPU Linux took offline: wait for its SIPI. */
static void return_to_root(struct per_cpu *cpu)
{
	scrub_cpu(cpu);
	WRITE_ONCE(cpu->arch.sipi_vector, -1);
	WRITE_ONCE(cpu->arch.init_pending, true);
	take_request(cpu, CPU_REQ_TO_ROOT);
	x86_check_init_sipi(cpu);
}

static void start_cell(struct per_cpu *cpu)
{
	u64 entry = cpu->cell->config->entry;

	printk("brig: CPU %u starts cell \"%s\" at %llx\n", cpu->cpu_id,
	       cpu->cell->config->name, (unsigned long long)entry);
	svm_set_context(cpu);
	/* Real mode: CS selects the 64 KiB segment holding the entry. */
	svm_cpu_reset(cpu, entry & ~0xffffULL, entry & 0xffff);
}

/* Act on requests; called on every way back into the guest. */
bool arch_handle_requests(struct per_cpu *cpu)
{
	bool handled = false;

	if (!READ_ONCE(cpu->requests))
		return false;
	if (take_request(cpu, CPU_REQ_FLUSH)) {
		svm_flush_guest_tlb(cpu);
		handled = true;
	}
	if (take_request(cpu, CPU_REQ_PARK)) {
		park(cpu);
		handled = true;
	}
	if (READ_ONCE(cpu->requests) & CPU_REQ_TO_ROOT) {
		return_to_root(cpu);
		return true;
	}
	if (take_request(cpu, CPU_REQ_START)) {
		start_cell(cpu);
		handled = true;
	}
	return handled;
}
