// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * smp: a cell with several CPUs. The boot CPU starts the others with
 * INIT/SIPI; every CPU reports and does a little work; then they exchange
 * IPIs in each form an operating system uses, and each kind is counted
 * where it arrives:
 *
 *   ring       every CPU sends fixed IPIs to the next one (physical APIC id)
 *   broadcast  fixed IPIs to all but self, from the boot CPU
 *   logical    fixed IPIs to the others by logical destination (x2APIC:
 *              cluster and bit; xAPIC: flat, one bit per CPU, set here)
 *   nmi        NMIs to each of the others
 *   self       one self-IPI (shorthand) on every CPU
 *   restart    INIT to the last CPU (it stops: an IPI sent meanwhile is not
 *              taken), then INIT/SIPI again: it comes back
 *
 * Each IPI waits until the one before it arrived, so none merge in the
 * receiver's IRR. The last line is "smp: all N CPUs report, every IPI
 * arrived (R per kind and CPU, MODE), restart done" or names what did not.
 *
 * Command line:
 *   cpus=N             CPUs to expect (default: the comm region's count)
 *   xapic=1            the APIC in xAPIC mode even where x2APIC is offered
 *   nmi=drop           NMI IPIs must not arrive (brig on AMD-V drops a
 *                      cell's NMIs); default deliver
 *   rounds=N           IPIs per CPU and kind (default 50)
 *   outside=APICID     at the end, send an IPI to this APIC id, which should
 *                      not be the cell's: under brig the cell fails
 *   outside-mode=M     its kind: init (default), sipi, nmi or fixed
 *   storm=1            at the end, INIT and SIPI to all but self without
 *                      pause, answering the comm region meanwhile: the
 *                      cell is stopped with starts and stops pending
 *   halt=1             at the end, for a cell whose description says
 *                      halt = "exits": the last CPU halts with interrupts
 *                      off and is started again with INIT/SIPI (it was
 *                      stopped, as by INIT); then every CPU halts so, and
 *                      under brig the cell has shut down
 */
#include <inmate.h>

extern char __ap_reset[];

#define VEC_RING 0x40
#define VEC_BROADCAST 0x41
#define VEC_LOGICAL 0x42
#define VEC_SELF 0x43
#define VEC_HALT 0x44

#define WAIT_MS 1000

enum kind { RING, BROADCAST, LOGICAL, NMI, SELF, KINDS };
static const char *const kind_names[KINDS] = { "ring", "broadcast", "logical",
					       "nmi", "self" };

static volatile __u32 got[KINDS][SMP_MAX_CPUS];
static volatile __u32 work_done[SMP_MAX_CPUS];
static volatile __u32 logical_ids[SMP_MAX_CPUS]; /* for logical IPIs */
static volatile __u32 phase; /* what the boot CPU has asked for */
static volatile __u32 phase_done[SMP_MAX_CPUS];
static unsigned int ncpus, rounds;
static bool nmis_dropped; /* nmi=drop: NMI IPIs must not arrive */

static void count(enum kind k)
{
	unsigned int i = smp_cpu_index();

	if (i < SMP_MAX_CPUS)
		__atomic_add_fetch(&got[k][i], 1, __ATOMIC_SEQ_CST);
}

static void on_ipi(unsigned int vector)
{
	count(vector == VEC_RING      ? RING :
	      vector == VEC_BROADCAST ? BROADCAST :
	      vector == VEC_LOGICAL   ? LOGICAL :
					SELF);
	apic_eoi();
}

/* halt=1: the CPU taking it halts for good, as an OS's halt does. */
static void on_halt(unsigned int vector)
{
	(void)vector;
	apic_eoi();
	printk("smp: CPU %u halts with interrupts off\n", smp_cpu_index());
	cpu_stop();
}

static void on_nmi(unsigned int vector)
{
	(void)vector;
	count(NMI);
}

static bool wait_for(volatile __u32 *p, __u32 value)
{
	__u64 end = rdtsc() + (__u64)WAIT_MS * tsc_khz;

	while (*p < value)
		if (rdtsc() > end)
			return false;
		else
			cpu_relax();
	return true;
}

/* A little work per CPU: the sum of the first 100000 numbers. */
static void work(unsigned int index)
{
	__u64 sum = 0;

	for (__u32 n = 1; n <= 100000; n++) {
		sum += n;
		barrier();
	}
	work_done[index] = sum == 5000050000ULL;
}

/* Every CPU's part of the ring: rounds IPIs to the next CPU. */
static void ring(unsigned int index)
{
	unsigned int next = (index + 1) % ncpus;

	for (__u32 k = 1; k <= rounds; k++) {
		apic_send_ipi(smp_apic_ids[next], VEC_RING);
		if (!wait_for(&got[RING][next], k))
			break;
	}
	apic_send_ipi(0, APIC_ICR_SELF | VEC_SELF);
	wait_for(&got[SELF][index], 1);
}

static void ap_main(unsigned int index)
{
	logical_ids[index] = apic_logical_id_setup(index);
	irq_enable();
	work(index);
	printk("smp: CPU %u (APIC id %u) up, work %s\n", index, apic_id(),
	       work_done[index] ? "done" : "WRONG");
	while (phase < 1)
		cpu_relax();
	ring(index);
	phase_done[index] = 1;
}

static void ap_again(unsigned int index)
{
	irq_enable();
	printk("smp: CPU %u (APIC id %u) up again\n", index, apic_id());
	phase_done[index] = 2;
}

/* NMIs that must not arrive: sent, given time, none taken. */
static void nmis_not_taken(void)
{
	for (__u32 r = 0; r < rounds; r++)
		for (unsigned int i = 1; i < ncpus; i++)
			apic_send_ipi(smp_apic_ids[i], APIC_ICR_NMI);
	delay_us(10000);
}

/* From the boot CPU: rounds IPIs of one kind, each to every other CPU. */
static void from_boot_cpu(enum kind k)
{
	if (k == NMI && nmis_dropped) {
		nmis_not_taken();
		return;
	}
	for (__u32 r = 1; r <= rounds; r++) {
		if (k == BROADCAST)
			apic_send_ipi(0, APIC_ICR_OTHERS | VEC_BROADCAST);
		for (unsigned int i = 1; i < ncpus; i++) {
			if (k == NMI)
				apic_send_ipi(smp_apic_ids[i], APIC_ICR_NMI);
			else if (k == LOGICAL)
				apic_send_ipi(logical_ids[i],
					      APIC_ICR_LOGICAL | VEC_LOGICAL);
			if (!wait_for(&got[k][i], r))
				return;
		}
	}
}

/* INIT stops the last CPU; an IPI meanwhile waits; INIT/SIPI restarts it. */
static bool restart_last(void)
{
	unsigned int last = ncpus - 1;
	__u32 before = got[RING][last];

	apic_send_ipi(smp_apic_ids[last],
		      APIC_ICR_INIT | APIC_ICR_ASSERT | APIC_ICR_LEVEL);
	delay_us(10000);
	apic_send_ipi(smp_apic_ids[last], VEC_RING);
	delay_us(10000);
	if (got[RING][last] != before) {
		printk("smp: CPU %u took an IPI after INIT\n", last);
		return false;
	}
	smp_start_cpu(smp_apic_ids[last], ap_again);
	return wait_for(&phase_done[last], 2);
}

static bool report(void)
{
	bool ok = true;

	for (unsigned int k = 0; k < KINDS; k++) {
		unsigned int want = k == SELF ? 1 : rounds;
		unsigned int from = (k == RING || k == SELF) ? 0 : 1;

		for (unsigned int i = from; i < ncpus; i++)
			if (k == NMI && nmis_dropped && got[k][i]) {
				printk("smp: nmi IPIs: CPU %u got %u, none should arrive\n",
				       i, got[k][i]);
				ok = false;
			} else if (!(k == NMI && nmis_dropped) &&
				   got[k][i] < want) {
				printk("smp: %s IPIs: CPU %u got %u of %u\n",
				       kind_names[k], i, got[k][i], want);
				ok = false;
			}
	}
	return ok;
}

static void quiet(unsigned int index)
{
	(void)index;
}

/* Starts and stops without end, until the cell is stopped. */
static void storm(void)
{
	__u32 vector = (__u32)((__u64)__ap_reset >> 12);

	if (!cmdline_parse_bool("storm", false))
		return;
	printk("smp: INIT/SIPI storm to the other CPUs\n");
	smp_start_cpus(quiet, 0, 0);
	for (;;) {
		apic_send_ipi(0, APIC_ICR_OTHERS | APIC_ICR_INIT |
					 APIC_ICR_ASSERT | APIC_ICR_LEVEL);
		apic_send_ipi(0, APIC_ICR_OTHERS | APIC_ICR_STARTUP | vector);
		comm_region_poll();
	}
}

static void ap_after_halt(unsigned int index)
{
	irq_enable();
	printk("smp: CPU %u (APIC id %u) up again after its halt\n", index,
	       apic_id());
	phase_done[index] = 3;
}

/*
 * HLT with interrupts off (halt=1). Under brig with halt = "exits" the
 * last CPU stops as by INIT, so INIT/SIPI brings it back; then the other
 * CPUs and the boot CPU halt, and nothing is left to wake any of them.
 */
static void halt_all(void)
{
	unsigned int last = ncpus - 1;

	if (!cmdline_parse_bool("halt", false))
		return;
	apic_send_ipi(smp_apic_ids[last], VEC_HALT);
	delay_us(10000);
	smp_start_cpu(smp_apic_ids[last], ap_after_halt);
	if (!wait_for(&phase_done[last], 3)) {
		printk("smp: CPU %u did not come back after its halt\n", last);
		return;
	}
	apic_send_ipi(0, APIC_ICR_OTHERS | VEC_HALT);
	delay_us(10000);
	printk("smp: the boot CPU halts with interrupts off, the last to\n");
	cpu_stop();
}

static void send_outside(void)
{
	long long id = cmdline_parse_int("outside", -1);
	char mode[8];
	__u32 icr;

	if (id < 0)
		return;
	cmdline_parse_str("outside-mode", mode, sizeof(mode), "init");
	icr = !strcmp(mode, "sipi") ?
		      APIC_ICR_STARTUP | (__u32)((__u64)0x9f000 >> 12) :
	      !strcmp(mode, "nmi")   ? APIC_ICR_NMI :
	      !strcmp(mode, "fixed") ? VEC_RING :
				       APIC_ICR_INIT | APIC_ICR_ASSERT |
					       APIC_ICR_LEVEL;
	printk("smp: sending a %s IPI to APIC id %lld, outside the cell\n",
	       mode, id);
	apic_send_ipi((__u32)id, icr);
	delay_us(10000);
	printk("smp: the %s IPI to APIC id %lld was not stopped\n", mode, id);
}

void inmate_main(void)
{
	volatile struct brig_comm_region *comm = comm_region();
	unsigned int up;
	char mode[8];
	bool ok;

	ncpus = (unsigned int)cmdline_parse_int("cpus",
						comm ? comm->num_cpus : 1);
	rounds = (unsigned int)cmdline_parse_int("rounds", 50);
	cmdline_parse_str("nmi", mode, sizeof(mode), "deliver");
	nmis_dropped = !strcmp(mode, "drop");
	if (ncpus < 2 || ncpus > SMP_MAX_CPUS || !rounds) {
		printk("smp: needs 2 to %u CPUs and rounds > 0 (cpus=%u rounds=%u)\n",
		       SMP_MAX_CPUS, ncpus, rounds);
		return;
	}
	irq_register(VEC_RING, on_ipi);
	irq_register(VEC_BROADCAST, on_ipi);
	irq_register(VEC_LOGICAL, on_ipi);
	irq_register(VEC_SELF, on_ipi);
	irq_register(VEC_HALT, on_halt);
	nmi_register(on_nmi);
	logical_ids[0] = apic_logical_id_setup(0);
	irq_enable();
	printk("smp: boot CPU (APIC id %u), %s, starting %u more\n", apic_id(),
	       apic_is_x2apic() ? "x2APIC" : "xAPIC", ncpus - 1);
	up = smp_start_cpus(ap_main, ncpus, WAIT_MS);
	work(0);
	printk("smp: %u of %u CPUs up\n", up, ncpus);
	if (up != ncpus)
		return;
	phase = 1;
	ring(0);
	for (unsigned int i = 1; i < ncpus; i++)
		wait_for(&phase_done[i], 1);
	from_boot_cpu(BROADCAST);
	from_boot_cpu(LOGICAL);
	from_boot_cpu(NMI);
	ok = report();
	for (unsigned int i = 0; i < ncpus; i++)
		ok &= work_done[i] == 1;
	if (!restart_last()) {
		printk("smp: restarting CPU %u failed\n", ncpus - 1);
		ok = false;
	}
	if (ok)
		printk("smp: all %u CPUs report, every IPI arrived (%u per kind and CPU, %s, NMIs %s), restart done\n",
		       ncpus, rounds, apic_is_x2apic() ? "x2APIC" : "xAPIC",
		       nmis_dropped ? "dropped" : "delivered");
	else
		printk("smp: FAILED\n");
	send_outside();
	storm();
	halt_all();
}
