// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Timer-interrupt latency, shared by the latency and control demos.
 *
 * The local APIC timer fires every period; each interrupt reads the TSC
 * and records how late it arrived against the TSC time it was due. The
 * schedule is absolute (due times are start + n * period in TSC clocks),
 * so errors do not accumulate: in one-shot and TSC-deadline modes each
 * interrupt re-arms the timer for the next due time. Periodic mode lets the
 * APIC repeat on its own; there the APIC and TSC clocks must agree (a
 * wrong apic_khz shows up as a drift of the figures).
 *
 * The hot path (interrupt entry, TSC read, statistics, re-arm, EOI) makes
 * no VM exit on brig with x2APIC: re-arm and EOI are MSR writes the
 * hypervisor passes through, and nothing else leaves the CPU. The control
 * demo adds one CPUID per tick, a deliberate exit, to show what one costs.
 * Once a second the main loop prints a summary, the only port I/O.
 *
 * With channel=1 the histogram (brig/latency.h) also goes to the output
 * section of the cell's first ivshmem device, protocol BRIG_LATENCY_PROTO,
 * every publish-ms; the root reads it there (`brig latency`). Memory
 * writes only: no doorbell, no exit. The UART summary is then off unless
 * report-ms is given, so that the cell makes no exit at all after its
 * start.
 */
#include <inmate.h>

#include <brig/latency.h>

#include "latency.h"

#define TIMER_VECTOR 0x20

enum timer_mode { MODE_DEADLINE, MODE_ONESHOT, MODE_PERIODIC };
static const char *const mode_names[] = { "tsc-deadline", "one-shot",
					  "periodic" };

/* The UART summary's buckets (upper bounds in ns; the last is open). */
static const __s64 bucket_limit_ns[] = { 250,	500,   1000,  2000,   5000,
					 10000, 20000, 50000, 100000, 1000000 };

struct stats {
	__u64 ticks; /* interrupts taken */
	__u64 missed; /* due times that passed before we could arm them */
	__s64 min_ns, max_ns, sum_ns;
	__u64 hist[BRIG_LATENCY_BUCKETS]; /* brig/latency.h's buckets */
};

/* Written by the interrupt handler only; read with interrupts off. */
static struct stats stats;
static enum timer_mode mode;
static bool cpuid_per_tick;
static __u64 period_tsc;
static __u64 due; /* TSC time the next interrupt is due */

static __s64 tsc_delta_to_ns(__s64 delta)
{
	return delta >= 0 ? (__s64)tsc_to_ns((__u64)delta) :
			    -(__s64)tsc_to_ns((__u64)-delta);
}

static void record(__s64 late_ns)
{
	stats.hist[brig_latency_bucket(late_ns)]++;
	if (!stats.ticks || late_ns < stats.min_ns)
		stats.min_ns = late_ns;
	if (!stats.ticks || late_ns > stats.max_ns)
		stats.max_ns = late_ns;
	stats.sum_ns += late_ns;
	stats.ticks++;
}

/* Programs the timer for `due`, or reports that it already passed. */
static bool arm(void)
{
	__s64 left;

	switch (mode) {
	case MODE_DEADLINE:
		if ((__s64)(rdtsc() - due) >= 0)
			return false;
		apic_timer_deadline(due);
		return true;
	case MODE_ONESHOT:
		left = (__s64)(due - rdtsc());
		if (left <= 0)
			return false;
		apic_timer_oneshot_ticks(
			(__u32)((__u64)left * apic_khz / tsc_khz + 1));
		return true;
	case MODE_PERIODIC:
		break;
	}
	return true; /* the APIC re-arms itself */
}

/*
 * Periodic mode: the APIC keeps its own grid and latches at most one
 * interrupt while we are busy, so an interrupt a period or more after its
 * due time stands for the latest grid point; the ones before it were
 * coalesced and count as missed.
 */
static void periodic_catch_up(__u64 now)
{
	while ((__s64)(now - due) >= (__s64)period_tsc) {
		due += period_tsc;
		stats.missed++;
	}
}

static void tick(unsigned int vector)
{
	__u64 now = rdtsc();

	(void)vector;
	if (mode == MODE_PERIODIC)
		periodic_catch_up(now);
	record(tsc_delta_to_ns((__s64)(now - due)));
	if (cpuid_per_tick)
		cpuid(0, 0); /* control: one VM exit per tick, on purpose */

	due += period_tsc;
	if (mode != MODE_PERIODIC) {
		while (!arm()) {
			due += period_tsc;
			stats.missed++;
		}
	}
	apic_eoi();
}

static enum timer_mode pick_mode(void)
{
	char name[16];

	cmdline_parse_str("mode", name, sizeof(name), "auto");
	if (!strcmp(name, "periodic"))
		return MODE_PERIODIC;
	if (!strcmp(name, "oneshot"))
		return MODE_ONESHOT;
	if (!strcmp(name, "deadline") && !cpu_features.tsc_deadline)
		printk("latency: no TSC-deadline timer, using one-shot\n");
	if (strcmp(name, "auto") && strcmp(name, "deadline"))
		printk("latency: unknown mode=%s, using auto\n", name);
	return cpu_features.tsc_deadline ? MODE_DEADLINE : MODE_ONESHOT;
}

/* Samples of the fine buckets that end at or below limit, from *next. */
static __u64 below(const struct stats *s, __s64 limit, unsigned int *next)
{
	__u64 n = 0;

	for (; *next < BRIG_LATENCY_BUCKETS - 1 &&
	       brig_latency_bucket_limit(*next) <= limit;
	     (*next)++)
		n += s->hist[*next];
	return n;
}

static bool print_buckets;

static void print_summary(const char *name, const struct stats *s)
{
	unsigned int b, fine = 0;

	printk("%s: ticks=%llu min=%lld avg=%lld max=%lld ns missed=%llu\n",
	       name, s->ticks, s->min_ns,
	       s->ticks ? s->sum_ns / (__s64)s->ticks : 0, s->max_ns,
	       s->missed);
	printk("%s: hist(ns)", name);
	for (b = 0; b < ARRAY_SIZE(bucket_limit_ns); b++)
		printk(" <%lld:%llu", bucket_limit_ns[b],
		       below(s, bucket_limit_ns[b], &fine));
	printk(" >=%lld:%llu\n", bucket_limit_ns[b - 1],
	       below(s, 0x7fffffffffffffffLL, &fine) +
		       s->hist[BRIG_LATENCY_BUCKETS - 1]);
	if (!print_buckets)
		return;
	/* Every fine bucket with samples, as BUCKET:COUNT (brig/latency.h). */
	printk("%s: buckets", name);
	for (b = 0; b < BRIG_LATENCY_BUCKETS; b++)
		if (s->hist[b])
			printk(" %u:%llu", b, s->hist[b]);
	printk("\n");
}

/* --- the histogram over a channel ---------------------------------------- */

static volatile struct brig_latency_hist *published;

static bool channel_open(const char *name)
{
	static struct ivshmem dev;

	if (ivshmem_find(0, &dev))
		return false;
	if (dev.protocol != BRIG_LATENCY_PROTO ||
	    dev.out_size < sizeof(*published)) {
		printk("%s: ivshmem device protocol 0x%x, output section 0x%llx bytes: the histogram needs protocol 0x%x and 0x%llx bytes\n",
		       name, dev.protocol, dev.out_size, BRIG_LATENCY_PROTO,
		       (__u64)sizeof(*published));
		return false;
	}
	published = (volatile struct brig_latency_hist *)ivshmem_output_section(
		&dev, dev.id);
	/*
	 * A run before this one (the cell restarted, not destroyed) may have
	 * left its figures, even a half-written update: gone, and the
	 * counter even, before anyone is told to look.
	 */
	published->magic = 0;
	if (published->seq & 1)
		published->seq = published->seq + 1;
	wmb();
	ivshmem_set_state(&dev, 1); /* one exit, before the measurement */
	printk("%s: histogram in peer %u's output section of the channel (ivshmem %02x:%02x.%x)\n",
	       name, dev.id, dev.bdf >> 8, (dev.bdf >> 3) & 0x1f, dev.bdf & 7);
	return true;
}

static void publish(const struct stats *s, __u64 period_ns)
{
	volatile struct brig_latency_hist *h = published;

	h->seq = h->seq + 1; /* odd: being updated */
	wmb();
	h->version = BRIG_LATENCY_VERSION;
	h->mode = mode == MODE_DEADLINE ? BRIG_LATENCY_MODE_DEADLINE :
		  mode == MODE_ONESHOT	? BRIG_LATENCY_MODE_ONESHOT :
					  BRIG_LATENCY_MODE_PERIODIC;
	h->period_ns = period_ns;
	h->tsc_khz = tsc_khz;
	h->samples = s->ticks;
	h->missed = s->missed;
	h->min_ns = s->min_ns;
	h->max_ns = s->max_ns;
	h->sum_ns = s->sum_ns;
	for (unsigned int b = 0; b < BRIG_LATENCY_BUCKETS; b++)
		h->count[b] = s->hist[b];
	h->magic = BRIG_LATENCY_MAGIC;
	wmb();
	h->seq = h->seq + 1; /* even: consistent */
}

/*
 * The first due time is a period from now. A stall between taking it and
 * arming (a vCPU descheduled on a loaded emulator host, an SMI) makes it
 * pass before the timer is set: without a retry the timer would never be
 * armed and no tick would ever come. start-late-us=N stalls that long on
 * purpose, for the test of exactly this.
 */
static void start_timer(__u64 period_ns)
{
	__s64 late_us = cmdline_parse_int("start-late-us", 0);

	irq_register(TIMER_VECTOR, tick);
	apic_timer_init(TIMER_VECTOR);
	period_tsc = ns_to_tsc(period_ns);
	due = rdtsc() + period_tsc;
	if (late_us > 0 && late_us <= 1000000)
		delay_us((__u64)late_us);
	if (mode == MODE_PERIODIC) {
		apic_timer_periodic(period_ns);
		return;
	}
	while (!arm())
		due = rdtsc() + period_tsc;
}

void latency_run(const char *name, bool cpuid_each_tick)
{
	__s64 period_us = cmdline_parse_int("period-us", 1000);
	bool channel = cmdline_parse_bool("channel", false);
	/* Slow emulators (Bochs) want a summary sooner than every second. */
	__s64 report_ms = cmdline_parse_int("report-ms", channel ? 0 : 1000);
	__s64 publish_ms = cmdline_parse_int("publish-ms", 100);
	__u64 next_report, interval, next_publish, publish_every;
	struct stats copy;

	if (period_us < 10 || period_us > 1000000) {
		printk("%s: period-us=%lld out of range 10..1000000, using 1000\n",
		       name, period_us);
		period_us = 1000;
	}
	if ((report_ms < 10 && !(channel && report_ms == 0)) ||
	    report_ms > 60000) {
		printk("%s: report-ms=%lld out of range 10..60000, using 1000\n",
		       name, report_ms);
		report_ms = 1000;
	}
	if (publish_ms < 1 || publish_ms > 60000) {
		printk("%s: publish-ms=%lld out of range 1..60000, using 100\n",
		       name, publish_ms);
		publish_ms = 100;
	}
	if (channel && !channel_open(name))
		printk("%s: no histogram channel, UART summary only\n", name);
	if (!published && !report_ms)
		report_ms = 1000;
	/* report-ms=0 (with a channel): no UART summary, no exit. */
	interval = tsc_khz * (__u64)(report_ms ? report_ms : 1000);
	publish_every = tsc_khz * (__u64)publish_ms;
	cpuid_per_tick = cpuid_each_tick;
	print_buckets = cmdline_parse_bool("report-buckets", false);
	mode = pick_mode();
	comm_region_set_locked(cmdline_parse_bool("deny-shutdown", false));
	printk("%s: period %lld us, %s timer, %s, tsc %llu kHz, apic %llu kHz%s\n",
	       name, period_us, mode_names[mode],
	       apic_is_x2apic() ? "x2APIC" : "xAPIC", tsc_khz, apic_khz,
	       cpuid_per_tick ? ", CPUID on every tick" : "");

	start_timer((__u64)period_us * 1000);
	next_report = rdtsc() + interval;
	next_publish = rdtsc() + publish_every;
	irq_enable();
	for (;;) {
		comm_region_poll();
		if (published && (__s64)(rdtsc() - next_publish) >= 0) {
			next_publish += publish_every;
			irq_disable();
			copy = stats;
			irq_enable();
			publish(&copy, (__u64)period_us * 1000);
		}
		if ((__s64)(rdtsc() - next_report) < 0) {
			cpu_relax();
			continue;
		}
		next_report += interval;
		if (!report_ms)
			continue;
		irq_disable();
		copy = stats;
		irq_enable();
		print_summary(name, &copy);
	}
}
