// SPDX-License-Identifier: GPL-2.0
/*
 * INIT/SIPI emulation and management NMIs.
 *
 * A real INIT would reset a CPU that runs the hypervisor, so INIT and SIPI
 * never reach the hardware while brig is enabled. When the root brings a
 * CPU back online (INIT, SIPI, SIPI from the sender's x2APIC ICR, which is
 * intercepted), the sender posts the request in the target's per-CPU data
 * and sends it an NMI; the target's NMI exit finds the request, parks the
 * CPU until its SIPI arrives and restarts the guest in real mode at the
 * SIPI vector, as the hardware would have. A SIPI that finds the CPU not
 * waiting for one is dropped, as on hardware.
 */
#include <hv/percpu.h>
#include <hv/printk.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/x86.h>

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

bool x86_x2apic_icr_write(struct per_cpu *cpu, u64 icr)
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

		if (!target->online || !is_destination(cpu, target, icr))
			continue;
		if (target == cpu) {
			printk("brig: CPU %u sent INIT/SIPI to itself; ignored\n",
			       cpu->cpu_id);
			continue;
		}
		post_init_sipi(target, icr);
	}
	return true;
}

/* Park after INIT until a SIPI arrives; return its vector. */
static int wait_for_sipi(struct per_cpu *cpu)
{
	int vector;

	cpu->stats[BRIG_EXIT_INIT_SIPI]++;
	while ((vector = READ_ONCE(cpu->arch.sipi_vector)) < 0) {
		/*
		 * Open GIF briefly so the waking NMI is taken (and counted as
		 * ours) instead of staying pending into the guest.
		 */
		asm volatile("stgi; pause; clgi" ::: "memory");
		if (READ_ONCE(cpu->arch.init_pending))
			WRITE_ONCE(cpu->arch.init_pending, false);
	}
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
	svm_cpu_reset(cpu, (unsigned int)vector);
	return true;
}
