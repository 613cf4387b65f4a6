/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 processor primitives the core uses through <arch/processor.h>:
 * cpu_relax() in spin loops and the barriers.
 */
#ifndef _ARCH_PROCESSOR_H
#define _ARCH_PROCESSOR_H

/* PAUSE: tells the core we spin, saving power and the sibling's cycles. */
static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline void memory_barrier(void)
{
	asm volatile("mfence" ::: "memory");
}

#endif /* _ARCH_PROCESSOR_H */
