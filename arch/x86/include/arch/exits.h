/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest policy both x86 backends share (exits.c): CPUID view, MSRs,
 * port I/O, memory violations. See there.
 */
#ifndef _ARCH_EXITS_H
#define _ARCH_EXITS_H

#include <hv/types.h>
#include <arch/x86.h>

struct per_cpu;

/* Where the backend keeps the guest state the MSR policy emulates. */
struct x86_msr_state {
	u64 *efer;
	u64 *pat;
};

void x86_cpuid(const struct per_cpu *cpu, u32 leaf, u32 sub,
	       struct cpuid_regs *r);
bool x86_msr_read(struct per_cpu *cpu, u32 msr, u64 *val,
		  const struct x86_msr_state *st);
bool x86_msr_write(struct per_cpu *cpu, u32 msr, u64 val,
		   const struct x86_msr_state *st);
/* A trapped IN or OUT; rax is updated for IN. */
bool x86_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
	     u64 *rax);
/* A cell touched memory outside its own: it fails. */
bool x86_cell_memory_violation(struct per_cpu *cpu, u64 gpa, bool write,
			       bool fetch, u64 rip);

#endif /* _ARCH_EXITS_H */
