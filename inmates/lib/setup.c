// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * From the entry code to inmate_main(): the order matters. The comm region
 * comes first because it names the console; the console next so that
 * everything after it can report; exceptions are caught from then on; the
 * TSC frequency is needed to calibrate the APIC timer.
 */
#include <inmate.h>

void inmate_start(void);

void inmate_start(void)
{
	cpu_features_init();
	comm_region_init();
	console_init();
	idt_init();
	timing_init();
	apic_init();
	apic_timer_calibrate();

	inmate_main();
	inmate_idle();
}

void inmate_idle(void)
{
	for (;;) {
		comm_region_poll();
		cpu_relax();
	}
}
