/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 processor primitives the core uses through <arch/processor.h>
 * (one of the arch headers the core may include): cpu_relax() in spin
 * loops, the barriers and the stack pointer this_cpu() starts from.
 */
#ifndef _ARCH_PROCESSOR_H
#define _ARCH_PROCESSOR_H

/* PAUSE: tells the core we spin, saving power and the sibling's cycles. */
static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline unsigned long arch_stack_pointer(void)
{
	unsigned long sp;

	asm("mov %%rsp, %0" : "=r"(sp));
	return sp;
}

static inline void memory_barrier(void)
{
	asm volatile("mfence" ::: "memory");
}

#endif /* _ARCH_PROCESSOR_H */
