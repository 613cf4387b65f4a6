// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The local APIC and its timer, in x2APIC mode when CPUID offers it and in
 * xAPIC mode otherwise; the choice is made once, at run time.
 *
 * Registers are named by their xAPIC MMIO offset (Intel SDM vol. 3, 11.4.1,
 * base 0xfee00000, one register per 16 bytes). In x2APIC mode the same
 * register is MSR 0x800 + offset / 16. Under brig, x2APIC MSRs other than
 * the ICR pass straight through to the cell, while every write to the
 * xAPIC page traps: the x2APIC path is the one that takes timer interrupts
 * and EOIs without VM exits.
 */
#include <inmate.h>

#define APIC_ID 0x020
#define APIC_TPR 0x080 /* task priority: 0 accepts every vector */
#define APIC_EOI 0x0b0
#define APIC_LDR 0x0d0 /* logical destination */
#define APIC_DFR 0x0e0 /* destination format (xAPIC only) */
#define APIC_ICR_LOW 0x300
#define APIC_ICR_HIGH 0x310
#define ICR_BUSY (1u << 12) /* xAPIC: delivery pending */
#define APIC_SVR 0x0f0 /* spurious vector, bit 8: APIC software enable */
#define APIC_LVT_TIMER 0x320
#define APIC_TMICT 0x380 /* timer initial count: writing it arms */
#define APIC_TMCCT 0x390 /* timer current count */
#define APIC_TDCR 0x3e0 /* timer divide configuration */

#define APIC_BASE_EXTD (1ULL << 10) /* IA32_APIC_BASE: x2APIC mode */
#define APIC_BASE_EN (1ULL << 11) /* IA32_APIC_BASE: APIC enabled */
#define APIC_BASE_ADDR_MASK 0xfffff000ULL

#define SVR_ENABLE (1 << 8)

/*
 * LVT timer entry: vector in bits 7:0, bit 16 masks, bits 18:17 select
 * the mode.
 */
#define LVT_MASKED (1 << 16)
#define LVT_TIMER_ONESHOT (0 << 17)
#define LVT_TIMER_PERIODIC (1 << 17)
#define LVT_TIMER_DEADLINE (2 << 17)

/* TDCR 0b1011: divide the input clock by 1, so apic_khz is the rate. */
#define TDCR_DIV_1 0xb

#define CALIBRATION_US 10000

static bool x2apic;
static __u64 xapic_base = 0xfee00000;
static __u32 timer_vector = APIC_SPURIOUS_VECTOR;
static __u32 timer_lvt = LVT_MASKED | APIC_SPURIOUS_VECTOR; /* as written */
__u64 apic_khz;

static __u32 apic_read(__u32 reg)
{
	if (x2apic)
		return (__u32)rdmsr(MSR_X2APIC_BASE + reg / 16);
	return mmio_read32(xapic_base + reg);
}

static void apic_write(__u32 reg, __u32 value)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + reg / 16, value);
	else
		mmio_write32(xapic_base + reg, value);
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

__u32 apic_id(void)
{
	__u32 id = apic_read(APIC_ID);

	/* xAPIC keeps its 8-bit id in bits 31:24, x2APIC uses all 32. */
	return x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/*
 * The mode transitions allowed by the hardware are disabled -> xAPIC ->
 * x2APIC, so set EN before EXTD.
 */
static void apic_enable_mode(void)
{
	__u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (x2apic && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	if (!x2apic)
		xapic_base = base & APIC_BASE_ADDR_MASK;
}

void apic_init(void)
{
	x2apic = cpu_features.x2apic;
	apic_enable_mode();
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | timer_vector);
	apic_write(APIC_SVR, SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

/* Counts down from the maximum for a while timed by the TSC. */
static __u64 measure_apic_khz(void)
{
	__u32 left;

	apic_write(APIC_TDCR, TDCR_DIV_1);
	apic_write(APIC_LVT_TIMER,
		   LVT_MASKED | LVT_TIMER_ONESHOT | timer_vector);
	apic_write(APIC_TMICT, 0xffffffff);
	delay_us(CALIBRATION_US);
	left = apic_read(APIC_TMCCT);
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, timer_lvt);
	return (0xffffffffULL - left) * 1000 / CALIBRATION_US;
}

/*
 * The timer's rate: the comm region's, else apic-khz= from the command
 * line, else measured. The command line is for boards where reading the
 * current count is not an option: QEMU under -icount aborts on an x2APIC
 * current-count read ("Bad icount read"; its APIC timer runs at 1 GHz).
 */
void apic_timer_calibrate(void)
{
	volatile struct brig_comm_region *comm = comm_region();
	long long given = cmdline_parse_int("apic-khz", 0);

	if (comm && comm->apic_khz)
		apic_khz = comm->apic_khz;
	else if (given > 0 && given <= 100000000)
		apic_khz = (__u64)given;
	else
		apic_khz = calibration_median(measure_apic_khz);
}

void apic_timer_init(unsigned int vector)
{
	timer_vector = vector & 0xff;
	timer_lvt = LVT_MASKED | timer_vector;
	apic_write(APIC_TDCR, TDCR_DIV_1);
	apic_write(APIC_LVT_TIMER, timer_lvt);
}

__u64 apic_timer_ns_to_ticks(__u64 ns)
{
	/* ns * kHz / 1e6, split so that periods of hours do not overflow */
	return ns / 1000000 * apic_khz + ns % 1000000 * apic_khz / 1000000;
}

static __u32 clamp_ticks(__u64 ticks)
{
	if (ticks == 0)
		return 1; /* a zero count would disarm the timer */
	return ticks > 0xffffffffULL ? 0xffffffff : (__u32)ticks;
}

/*
 * Switches the LVT timer entry to mode (unmasked) only when it changes, so
 * that re-arming in the hot path is a single TMICT or deadline write.
 */
static void timer_set_mode(__u32 mode)
{
	__u32 lvt = mode | timer_vector;

	if (lvt != timer_lvt) {
		apic_write(APIC_LVT_TIMER, lvt);
		timer_lvt = lvt;
	}
}

void apic_timer_oneshot_ticks(__u32 ticks)
{
	timer_set_mode(LVT_TIMER_ONESHOT);
	apic_write(APIC_TMICT, ticks);
}

void apic_timer_oneshot(__u64 ns)
{
	apic_timer_oneshot_ticks(clamp_ticks(apic_timer_ns_to_ticks(ns)));
}

void apic_timer_periodic(__u64 ns)
{
	timer_set_mode(LVT_TIMER_PERIODIC);
	apic_write(APIC_TMICT, clamp_ticks(apic_timer_ns_to_ticks(ns)));
}

/*
 * TSC-deadline mode: the timer fires when the TSC reaches the value
 * written to IA32_TSC_DEADLINE; TMICT is unused. The LVT must be in
 * deadline mode first, the MSR write is ignored in the other modes.
 */
void apic_timer_deadline(__u64 tsc)
{
	timer_set_mode(LVT_TIMER_DEADLINE);
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}

void apic_timer_stop(void)
{
	if (timer_lvt == (LVT_TIMER_DEADLINE | timer_vector))
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	timer_lvt = LVT_MASKED | timer_vector;
	apic_write(APIC_LVT_TIMER, timer_lvt);
	apic_write(APIC_TMICT, 0);
}

/*
 * One ICR write in x2APIC mode; in xAPIC mode the destination goes first
 * and the low half sends (after the last IPI left).
 */
void apic_send_ipi(__u32 dest, __u32 icr_low)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + APIC_ICR_LOW / 16,
		      (__u64)dest << 32 | icr_low);
		return;
	}
	while (apic_read(APIC_ICR_LOW) & ICR_BUSY)
		cpu_relax();
	apic_write(APIC_ICR_HIGH, dest << 24);
	apic_write(APIC_ICR_LOW, icr_low);
}

/*
 * The logical id of this CPU, for a logical destination: in x2APIC mode
 * fixed by the APIC id (cluster in 31:16, one bit per member), read from
 * the LDR; in xAPIC mode set here, flat model, bit index (0..7).
 */
__u32 apic_logical_id_setup(unsigned int index)
{
	if (x2apic)
		return apic_read(APIC_LDR);
	apic_write(APIC_DFR, 0xffffffff);
	apic_write(APIC_LDR, (1u << index) << 24);
	return 1u << index;
}
