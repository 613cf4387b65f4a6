// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * latency: APIC timer interrupt latency with no VM exit in the hot path.
 *
 * Command line:
 *   period-us=N        timer period, 10..1000000, default 1000
 *   mode=M             auto (TSC deadline if offered, else one-shot),
 *                      deadline, oneshot or periodic
 *   cpuid-per-tick=1   add a CPUID per tick, as the control demo does
 *   start-late-us=N    stall N us between the first due time and arming
 *                      the timer (a test of the retry; 0..1000000)
 *   report-buckets=1   the UART summary also lists every fine bucket of
 *                      brig/latency.h with samples, as BUCKET:COUNT
 *   deny-shutdown=1    deny the hypervisor's shutdown requests
 */
#include "latency.h"

void inmate_main(void)
{
	latency_run("latency", cmdline_parse_bool("cpuid-per-tick", false));
}
