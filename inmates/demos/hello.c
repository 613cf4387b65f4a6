// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * hello: the smallest useful inmate. It greets, reports what it learnt
 * from the comm region (or that it runs without one), echoes its command
 * line and idles, answering the hypervisor's shutdown request.
 *
 * Command line:
 *   deny-shutdown=1   keep the cell locked: shutdown requests are denied
 *   crash=ud|pf       raise an exception after the greeting (tests the
 *                     library's fatal exception report)
 */
#include <inmate.h>

static void report_comm_region(void)
{
	volatile struct brig_comm_region *comm = comm_region();

	if (!comm) {
		printk("hello: no comm region, using fallbacks\n");
		return;
	}
	printk("hello: comm region rev %u: cell %u, cpus=%u tsc_khz=%llu "
	       "apic_khz=%llu pm_timer_port=0x%x\n",
	       comm->revision, comm->cell_id, comm->num_cpus, comm->tsc_khz,
	       comm->apic_khz, comm->pm_timer_port);
}

static void report_platform(void)
{
	printk("hello: cpu %s%s, apic %u in %s mode, tsc-deadline %s\n",
	       cpu_features.vendor,
	       cpu_features.hypervisor ? " (virtualized)" : "", apic_id(),
	       apic_is_x2apic() ? "x2APIC" : "xAPIC",
	       cpu_features.tsc_deadline ? "yes" : "no");
	printk("hello: tsc %llu kHz (%s), apic timer %llu kHz, "
	       "pm timer port 0x%x, console %s\n",
	       tsc_khz, tsc_khz_source, apic_khz, pm_timer_port(),
	       console_describe());
}

static void maybe_crash(void)
{
	char how[8];

	cmdline_parse_str("crash", how, sizeof(how), "");
	if (!strcmp(how, "ud"))
		__asm__ __volatile__("ud2");
	if (!strcmp(how, "pf"))
		/* beyond the 4 GiB identity map: not present */
		*(volatile __u32 *)0x100000000ULL = 1;
}

/*
 * watch=ADDR: the 64-bit word at guest-physical ADDR, said at start and
 * again when a shutdown request comes: the tests use it to show that
 * nobody else's DMA reached the cell's memory meanwhile.
 */
static long long watch_addr = -1;

static bool say_watched_word(void)
{
	printk("hello: at shutdown the word at 0x%llx is %016llx\n", watch_addr,
	       *(volatile __u64 *)watch_addr);
	return true;
}

static void watch_word(void)
{
	watch_addr = cmdline_parse_int("watch", -1);
	if (watch_addr < 0)
		return;
	printk("hello: the word at 0x%llx is %016llx\n", watch_addr,
	       *(volatile __u64 *)watch_addr);
	comm_region_set_shutdown_handler(say_watched_word);
}

void inmate_main(void)
{
	bool deny = cmdline_parse_bool("deny-shutdown", false);

	printk("\nhello: Hello from a brig inmate!\n");
	report_comm_region();
	report_platform();
	printk("hello: cmdline: \"%s\"\n", cmdline());
	maybe_crash();
	watch_word();

	comm_region_set_locked(deny);
	printk("hello: idling, shutdown requests will be %s\n",
	       deny ? "denied" : "approved");
}
