/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stub of the processor primitives the core uses (see hv/arch.h).
 *
 * cpu_relax() is one turn of a core spin loop: tests/unit/core/stub-arch.c
 * decides what a turn does (deliver a kick another "CPU" has pending, run
 * a test's hook, give up on a loop that would never end).
 *
 * arch_stack_pointer() is what this_cpu() starts from: here a variable the
 * test sets (stub_set_cpu()), so the calling CPU is whichever per_cpu the
 * test chooses.
 */
#ifndef _ARCH_PROCESSOR_H
#define _ARCH_PROCESSOR_H

extern unsigned long stub_sp;
void stub_cpu_relax(void);

static inline void cpu_relax(void)
{
	stub_cpu_relax();
}

static inline unsigned long arch_stack_pointer(void)
{
	return stub_sp;
}

static inline void memory_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif /* _ARCH_PROCESSOR_H */
