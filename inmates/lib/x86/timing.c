// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Time: the TSC, the ACPI PM timer and busy waiting.
 *
 * Under brig the comm region gives the TSC frequency, and reading the TSC
 * causes no VM exit, so the TSC is the inmate's clock. Outside brig (or if
 * the hypervisor leaves tsc_khz at 0) the TSC is calibrated against the PM
 * timer (3.579545 MHz, q35 puts it at port 0x608 once firmware enabled it)
 * or, when that does not tick, against channel 2 of the PIT (1.193182 MHz),
 * which runs without any firmware set-up.
 */
#include <inmate.h>

#define PM_TIMER_HZ 3579545ULL
#define PM_TIMER_MASK 0xffffff /* 24 bits are always there, 32 maybe */
#define PM_TIMER_Q35_PORT 0x608

#define PIT_HZ 1193182ULL
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
/* Port 0x61: bit 0 gates PIT channel 2, bit 1 drives the speaker, bit 5
 * reads channel 2's output. */
#define PORT_61 0x61
#define P61_GATE2 0x01
#define P61_SPEAKER 0x02
#define P61_OUT2 0x20
/* PIT mode byte: channel 2, lobyte/hibyte access, mode 0 (interrupt on
 * terminal count: OUT goes high when the count reaches zero), binary. */
#define PIT_CH2_MODE0 0xb0

#define CALIBRATION_MS 10
#define CALIBRATION_RUNS 5

__u64 tsc_khz;
const char *tsc_khz_source = "unknown";
static __u16 pm_port;

__u16 pm_timer_port(void)
{
	return pm_port;
}

__u32 pm_timer_read(void)
{
	return pm_port ? inl(pm_port) & PM_TIMER_MASK : 0;
}

/*
 * A PM timer port that reads all-ones or does not move is absent or not
 * enabled (no firmware programmed the chipset's PM base).
 */
static bool pm_timer_ticks(void)
{
	__u32 first = inl(pm_port);
	unsigned int i;

	if (first == 0xffffffff)
		return false;
	for (i = 0; i < 100000; i++)
		if (inl(pm_port) != first)
			return true;
	return false;
}

static __u64 calibrate_with_pm_timer(void)
{
	__u32 ticks = (__u32)(PM_TIMER_HZ * CALIBRATION_MS / 1000);
	__u32 start = pm_timer_read(), elapsed;
	__u64 tsc_start = rdtsc();

	do
		elapsed = (pm_timer_read() - start) & PM_TIMER_MASK;
	while (elapsed < ticks);
	return (rdtsc() - tsc_start) * PM_TIMER_HZ / elapsed / 1000;
}

static __u64 calibrate_with_pit(void)
{
	__u16 count = (__u16)(PIT_HZ * CALIBRATION_MS / 1000);
	__u8 p61 = inb(PORT_61);
	__u64 tsc_start, tsc_end;

	outb(PORT_61, (__u8)((p61 & ~P61_SPEAKER) | P61_GATE2));
	outb(PIT_MODE, PIT_CH2_MODE0);
	outb(PIT_CH2_DATA, (__u8)count);
	outb(PIT_CH2_DATA, (__u8)(count >> 8));
	tsc_start = rdtsc();
	while (!(inb(PORT_61) & P61_OUT2))
		;
	tsc_end = rdtsc();
	outb(PORT_61, p61);
	return (tsc_end - tsc_start) * PIT_HZ / count / 1000;
}

/*
 * The median of a few short measurements: a single long one is spoiled by
 * any stall in the middle (an emulator's thread being descheduled, an SMI),
 * while the median of five shrugs off two.
 */
__u64 calibration_median(__u64 (*measure)(void))
{
	__u64 v[CALIBRATION_RUNS], t;
	unsigned int i, j;

	for (i = 0; i < CALIBRATION_RUNS; i++) {
		v[i] = measure();
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	}
	return v[CALIBRATION_RUNS / 2];
}

void timing_init(void)
{
	volatile struct brig_comm_region *comm = comm_region();

	pm_port = comm ? comm->pm_timer_port : PM_TIMER_Q35_PORT;
	if (pm_port && !pm_timer_ticks())
		pm_port = 0;

	if (comm && comm->tsc_khz) {
		tsc_khz = comm->tsc_khz;
		tsc_khz_source = "comm region";
	} else if (pm_port) {
		tsc_khz = calibration_median(calibrate_with_pm_timer);
		tsc_khz_source = "PM timer";
	} else {
		tsc_khz = calibration_median(calibrate_with_pit);
		tsc_khz_source = "PIT";
	}
}

__u64 tsc_to_ns(__u64 tsc)
{
	return tsc / tsc_khz * 1000000 + tsc % tsc_khz * 1000000 / tsc_khz;
}

__u64 ns_to_tsc(__u64 ns)
{
	return ns / 1000000 * tsc_khz + ns % 1000000 * tsc_khz / 1000000;
}

void delay_us(__u64 us)
{
	__u64 end = rdtsc() + ns_to_tsc(us * 1000);

	while ((__s64)(rdtsc() - end) < 0)
		cpu_relax();
}
