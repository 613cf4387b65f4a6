/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The timer-latency loop shared by the latency and control demos
 * (latency-core.c). It never returns.
 */
#ifndef _DEMOS_LATENCY_H
#define _DEMOS_LATENCY_H

#include <inmate.h>

/*
 * Runs the measurement, printing "<name>: ticks=..." once a second.
 * cpuid_each_tick: execute CPUID in every interrupt (one VM exit each).
 */
__noreturn void latency_run(const char *name, bool cpuid_each_tick);

#endif /* _DEMOS_LATENCY_H */
