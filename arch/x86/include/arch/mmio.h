/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Emulating a guest's memory access that faulted in the second-stage
 * tables: decode the instruction (shared by the SVM and VMX backends, as
 * neither QEMU's SVM nor older hardware offers decode assists) and carry
 * out its effect on the guest's registers.
 */
#ifndef _ARCH_MMIO_H
#define _ARCH_MMIO_H

#include <hv/types.h>

struct cell;
struct per_cpu;
struct guest_regs;

struct x86_mmio_access {
	u64 gpa; /* guest-physical address accessed (from the exit) */
	bool is_write;
	unsigned int size; /* 1, 2, 4 or 8 bytes */
	unsigned int inst_len;
	/* reads: the destination register and how to widen the value */
	unsigned int reg;
	u8 rex; /* REX prefix seen (byte registers 4..7 differ with it) */
	bool sign_extend; /* movsx; otherwise zero extension (movzx, mov) */
	unsigned int dest_size; /* bytes written to reg: 1, 2, 4 or 8 */
	/* writes: the value, from a register or an immediate */
	u64 value;
};

/* A guest's registers as the decoder sees them: 16 GPRs in x86 order. */
struct x86_gprs {
	u64 *reg[16];
};

/*
 * Decode the instruction in bytes[0..avail) (64-bit mode). Pure: unit
 * tests drive it directly.
 */
bool x86_decode_insn(const u8 *bytes, unsigned int avail,
		     const struct x86_gprs *gprs, struct x86_mmio_access *acc);

/*
 * Decode the instruction at guest virtual address rip (64-bit mode only)
 * against the guest's paging state. Fills size, inst_len, reg, value and
 * the extension flags; gpa and is_write come from the exit. Returns false
 * for anything that is not a plain MOV-style load or store.
 */
bool x86_decode_mmio(const struct cell *cell, const struct x86_gprs *gprs,
		     u64 rip, u64 cr3, u64 cr4, u64 efer,
		     struct x86_mmio_access *acc);

/*
 * A root access that cannot be emulated gets #GP, which takes the guest to
 * its handler. The same access by the same instruction again and again,
 * with at most X86_REPEAT_WINDOW other exits between two of them, means
 * the #GP never arrives (its delivery faults too) and nothing will change:
 * reported once, then X86_REPEAT_LIMIT of them stop the CPU.
 */
#define X86_REPEAT_WINDOW 64
#define X86_REPEAT_LIMIT 16

enum x86_repeat {
	X86_REPEAT_REPORT, /* the first of a series: say so, inject #GP */
	X86_REPEAT_QUIET, /* a repeat: inject #GP again, print nothing */
	X86_REPEAT_STOP, /* the limit: no progress, the CPU must stop */
};

struct x86_fault_repeat;

/*
 * Count a failed root access by rip to gpa, the exits-th exit of its CPU,
 * into the series r. Pure: unit tests drive it directly.
 */
enum x86_repeat x86_fault_repeat(struct x86_fault_repeat *r, u64 rip, u64 gpa,
				 u64 exits);

/* Deliver the value a read returns into the destination register. */
void x86_mmio_complete_read(const struct x86_gprs *gprs,
			    const struct x86_mmio_access *acc, u64 value);

/* A second-stage fault, as either backend reports it. */
struct x86_fault {
	u64 gpa;
	bool write, fetch;
	/*
	 * The exit cut the delivery of an interrupt or exception short: the
	 * access was the delivery's (IDT, stack), not the instruction's,
	 * and there is nothing to emulate.
	 */
	bool delivering;
	u64 rip, cr3, cr4, efer; /* to fetch and decode the instruction */
};

/*
 * Handle a second-stage fault: a range the cell's registry traps is
 * decoded and emulated (hv/mmio.h); anything else a cell touches stops
 * it, and the root's accesses to memory it does not own are answered by
 * the core. Returns the length of the instruction to skip (0: nothing to
 * skip, the cell was stopped or the root's CPU waited for a SIPI), or -1
 * when the root's instruction cannot be emulated (the backend injects #GP).
 */
int x86_stage2_fault(struct per_cpu *cpu, const struct x86_gprs *gprs,
		     const struct x86_fault *f);

/*
 * Read a cell's memory at a guest virtual address, through its page tables
 * and (for a non-root cell) its second-stage tables; RAM only.
 */
bool x86_read_guest_virt(const struct cell *cell, u64 cr3, u64 cr4, u64 gva,
			 void *buf, unsigned int len);

#endif /* _ARCH_MMIO_H */
