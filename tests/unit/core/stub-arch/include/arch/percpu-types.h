/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stub of the arch part of a CPU's hypervisor data (embedded in
 * struct per_cpu): only what the stub's hooks keep per CPU.
 */
#ifndef _ARCH_PERCPU_TYPES_H
#define _ARCH_PERCPU_TYPES_H

#include <hv/types.h>
#include <arch/layout.h>

struct per_cpu_arch {
	unsigned long kicks; /* arch_cpu_kick() aimed at this CPU */
	unsigned long flushes; /* arch_cpu_flush_stage2() on this CPU */
	bool kick_pending; /* a deferred kick not yet delivered */
	unsigned int park_turns; /* arch_cpu_park_relax() in this park */
};

#endif /* _ARCH_PERCPU_TYPES_H */
