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
	u64 cr0; /* the guest's, to check an EFER write against */
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
/*
 * The exits both backends take, handled once. The backend decodes its
 * exit information and hands over the guest's registers (struct x86_gprs,
 * x86 numbering); the handler counts the exit, applies the policy, and
 * completes the instruction or refuses it through struct vcpu_ops.
 */
struct x86_gprs;

bool x86_is_root(const struct per_cpu *cpu);
/* Refused: the root gets #GP; a cell has failed and parks. */
void x86_refuse(struct per_cpu *cpu);
void x86_exit_cpuid(struct per_cpu *cpu, const struct x86_gprs *g);
/* INVD (intercepted on both vendors): done as WBINVD, skipped. */
void x86_exit_invd(struct per_cpu *cpu);
/* VMCALL or VMMCALL (len bytes): a hypercall from privilege level 0. */
void x86_exit_hypercall(struct per_cpu *cpu, const struct x86_gprs *g,
			unsigned int len);
/*
 * RDMSR/WRMSR. False if refused; true once done and skipped (a backend
 * keeping EFER or PAT in its control block stores st's copies back).
 */
bool x86_exit_msr(struct per_cpu *cpu, const struct x86_gprs *g, bool write,
		  const struct x86_msr_state *st);
/*
 * IN/OUT of size bytes: false if refused or the cell failed, true when
 * the backend moves past the instruction.
 */
bool x86_exit_io(struct per_cpu *cpu, const struct x86_gprs *g, u16 port,
		 unsigned int size, bool in, bool string);
/*
 * HLT, trapped in a cell with halt = "exits". True: interrupts are on, and
 * the backend lets the CPU wait in the guest for one. False: the CPU has
 * stopped (cpu_stop_halted()); the backend moves past the HLT.
 */
bool x86_exit_hlt(struct per_cpu *cpu, u64 rflags);
/* A hardware INIT: wait for SIPI, as the hardware would. */
void x86_exit_init(struct per_cpu *cpu);
/* Triple fault (shutdown): the cell fails; a root CPU waits as after INIT. */
void x86_exit_triple_fault(struct per_cpu *cpu, u64 rip);
/*
 * An exit the backend has no handler for (what): a cell fails, never the
 * hypervisor; the root gets #UD at that instruction, reported once.
 */
void x86_exit_unexpected(struct per_cpu *cpu, const char *what, u64 code,
			 u64 info, u64 rip);

/* A virtualization instruction (VMX or SVM): #UD, reported for cells. */
void x86_exit_virt_insn(struct per_cpu *cpu, const char *kind, u32 code,
			u64 rip);

/* A cell touched memory outside its own: it fails. */
bool x86_cell_memory_violation(struct per_cpu *cpu, u64 gpa, bool write,
			       bool fetch, u64 rip);

#endif /* _ARCH_EXITS_H */
