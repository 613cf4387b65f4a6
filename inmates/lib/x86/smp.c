// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Starting the cell's other CPUs, the way firmware and operating systems
 * do it on x86: INIT, then a SIPI naming the page where the CPU starts in
 * real mode (smp-entry.S). Under brig both are the cell's own business:
 * they may only name the cell's CPUs, and a broadcast means the cell's.
 *
 * The CPUs share the boot CPU's page tables and IDT and run with their
 * own stacks. A CPU knows its index by its APIC id.
 */
#include <inmate.h>

extern char __ap_reset[];
void smp_ap_start(unsigned int slot);

/* Read by smp-entry.S. */
volatile __u32 smp_ap_cr3;
volatile __u32 smp_next_slot;
/* Aligned to their size: printk() tells CPUs apart by their stacks. */
__u8 smp_stacks[SMP_MAX_STARTS][SMP_STACK_SIZE]
	__attribute__((aligned(SMP_STACK_SIZE)));

/* In .bss, zeroed by each start (.data keeps what the last run left). */
volatile unsigned int smp_cpus_up;
volatile __u32 smp_apic_ids[SMP_MAX_CPUS];
static volatile unsigned int next_index;
static volatile smp_fn_t ap_fn;
static volatile bool ids_valid[SMP_MAX_CPUS];

static __u32 read_cr3(void)
{
	__u64 cr3;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
	return (__u32)cr3;
}

unsigned int smp_cpu_index(void)
{
	__u32 id = apic_id();

	for (unsigned int n = 0; n < SMP_MAX_CPUS; n++)
		if (ids_valid[n] && smp_apic_ids[n] == id)
			return n;
	return SMP_MAX_CPUS; /* not started through this library */
}

/* A CPU seen before (restarted) keeps its index; a new one takes the next. */
static unsigned int claim_index(__u32 id)
{
	unsigned int n;

	for (n = 0; n < SMP_MAX_CPUS; n++)
		if (ids_valid[n] && smp_apic_ids[n] == id)
			return n;
	n = __atomic_fetch_add(&next_index, 1, __ATOMIC_SEQ_CST);
	if (n >= SMP_MAX_CPUS)
		return SMP_MAX_CPUS;
	smp_apic_ids[n] = id;
	__atomic_store_n(&ids_valid[n], true, __ATOMIC_RELEASE);
	/* Counted once its id is there: the caller may IPI it right away. */
	__atomic_add_fetch(&smp_cpus_up, 1, __ATOMIC_SEQ_CST);
	return n;
}

void smp_ap_start(unsigned int slot)
{
	unsigned int index;

	(void)slot;
	idt_load();
	apic_init();
	index = claim_index(apic_id());
	if (index >= SMP_MAX_CPUS)
		cpu_stop();
	ap_fn(index);
	for (;;)
		__asm__ __volatile__("sti; hlt" ::: "memory");
}

static void prepare(smp_fn_t fn)
{
	smp_ap_cr3 = read_cr3();
	ap_fn = fn;
	if (!ids_valid[0]) {
		smp_cpus_up = 1;
		next_index = 1;
		smp_apic_ids[0] = apic_id();
		__atomic_store_n(&ids_valid[0], true, __ATOMIC_RELEASE);
	}
}

/* INIT, 10 ms, SIPI, 200 us, SIPI (Intel SDM vol. 3, 9.4.4.1). */
static void init_sipi_sipi(__u32 dest, __u32 shorthand)
{
	__u32 vector = (__u32)((__u64)__ap_reset >> 12);

	apic_send_ipi(dest, shorthand | APIC_ICR_INIT | APIC_ICR_ASSERT |
				    APIC_ICR_LEVEL);
	delay_us(10000);
	apic_send_ipi(dest, shorthand | APIC_ICR_STARTUP | vector);
	delay_us(200);
	/* Dropped by a CPU the first one started. */
	apic_send_ipi(dest, shorthand | APIC_ICR_STARTUP | vector);
}

unsigned int smp_start_cpus(smp_fn_t fn, unsigned int want,
			    unsigned int timeout_ms)
{
	__u64 end = rdtsc() + (__u64)timeout_ms * tsc_khz;

	prepare(fn);
	init_sipi_sipi(0, APIC_ICR_OTHERS);
	while (smp_cpus_up < want && rdtsc() < end)
		cpu_relax();
	return smp_cpus_up;
}

void smp_start_cpu(__u32 apic_id, smp_fn_t fn)
{
	prepare(fn);
	init_sipi_sipi(apic_id, 0);
}
