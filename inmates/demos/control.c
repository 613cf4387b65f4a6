// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * control: the latency demo with one CPUID per timer interrupt, so that
 * every tick causes exactly one deliberate VM exit. Compared with latency
 * it shows the price of an exit, and proves that the exit counters see
 * them. Same command line as latency (cpuid-per-tick is always on).
 */
#include "latency.h"

void inmate_main(void)
{
	latency_run("control", true);
}
