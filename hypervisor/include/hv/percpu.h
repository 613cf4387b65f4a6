/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU data. Each CPU's struct per_cpu starts with its hypervisor stack
 * and is aligned to PER_CPU_ALIGN, so code running on that stack finds its
 * own data from the stack pointer alone (this_cpu()), without a segment
 * register that the guest also uses.
 */
#ifndef _HV_PERCPU_H
#define _HV_PERCPU_H

#include <hv/types.h>
#include <brig/hypercall.h>
#include <arch/layout.h>
#include <arch/percpu.h>

/*
 * Requests to a CPU, posted by another CPU (or itself) with an NMI and
 * handled on the way back into the guest: see arch_handle_requests().
 */
#define CPU_REQ_PARK 0x1 /* stop the guest, wait for START or TO_ROOT */
#define CPU_REQ_START 0x2 /* (re)start the cell's guest at its entry */
#define CPU_REQ_TO_ROOT 0x4 /* scrub, return to the root, wait for SIPI */
#define CPU_REQ_FLUSH 0x8 /* flush the guest TLB before the next entry */
#define CPU_REQ_LEAVE 0x10 /* disable: offline in Linux, leave for good */

struct cell;

struct per_cpu {
	u8 stack[HV_STACK_SIZE]; /* must stay first: see this_cpu() */
	unsigned int cpu_id;
	bool online; /* entered the hypervisor and runs a guest */
	struct cell *cell; /* the cell it belongs to; under cell_lock */
	unsigned int requests; /* CPU_REQ_*, atomic */
	volatile bool parked; /* acknowledges CPU_REQ_PARK */
	u64 stats[BRIG_EXIT_COUNT]; /* exits by reason; only this CPU writes */
	struct per_cpu_arch arch;
} __aligned(PER_CPU_ALIGN);

_Static_assert(sizeof(struct per_cpu) == PER_CPU_ALIGN,
	       "struct per_cpu outgrew PER_CPU_ALIGN");

extern struct per_cpu per_cpu_area[CONFIG_MAX_CPUS];

static inline struct per_cpu *per_cpu(unsigned int cpu)
{
	return &per_cpu_area[cpu];
}

/* The calling CPU's data; valid only on a hypervisor stack. */
static inline struct per_cpu *this_cpu(void)
{
	unsigned long sp;

	asm("mov %%rsp, %0" : "=r"(sp));

	return (struct per_cpu *)(sp & ~(unsigned long)(PER_CPU_ALIGN - 1));
}

#endif /* _HV_PERCPU_H */
