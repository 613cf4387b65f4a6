/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor backend interface: AMD-V (svm.c) and Intel VT-x (vmx.c) each
 * provide one struct vcpu_ops; arch_init() picks the one that matches the
 * CPU, and the rest of the x86 code calls through `backend`. Everything that
 * is not vendor-specific (entry, page tables, cells, the guest policy of
 * exits.c, INIT/SIPI, scrubbing) is shared.
 */
#ifndef _ARCH_VCPU_H
#define _ARCH_VCPU_H

#include <hv/types.h>

struct arch_entry_state;
struct cell;
struct paging_format;
struct per_cpu;

struct vcpu_ops {
	const char *name;
	unsigned int vendor; /* BRIG_VENDOR_* */
	/*
	 * A guest's NMI blocking is its own (VT-x virtual NMIs): the
	 * hypervisor's kicks still reach a CPU whose guest handles an NMI
	 * and never returns from it. Without it (AMD-V before vNMI) an NMI
	 * injected into a cell would let the cell hold off every kick.
	 */
	bool virtual_nmis;
	/* the format of second-stage tables (NPT or EPT) */
	const struct paging_format *second_stage;

	/*
	 * Check the CPU's features (naming what is missing) and set up the
	 * root cell's permission maps; the core has set up the pool.
	 */
	int (*init)(void);
	/* A new cell's I/O and MSR permission maps; freed by cell_exit. */
	int (*cell_init)(struct cell *cell);
	void (*cell_exit)(struct cell *cell);
	/* Make ports [base, base + length) trap (or not) in cell's map. */
	void (*port_trap)(struct cell *cell, u32 base, u32 length, bool trap);

	/* Switch virtualization on and build the guest from Linux's state. */
	int (*cpu_init)(struct per_cpu *cpu, struct arch_entry_state *state);
	/* Undo cpu_init after another CPU failed. */
	void (*cpu_exit)(struct per_cpu *cpu);
	void __noreturn (*cpu_activate)(struct per_cpu *cpu);
	void __noreturn (*cpu_deactivate)(struct per_cpu *cpu);

	/* Run the CPU's cell: its tables, its permission maps, its tag. */
	void (*set_context)(struct per_cpu *cpu);
	/* Reset the guest to real mode at cs_base + ip (INIT/SIPI, start). */
	void (*reset)(struct per_cpu *cpu, u64 cs_base, u64 ip);
	/* Flush the guest's TLB before its next entry. */
	void (*flush_guest_tlb)(struct per_cpu *cpu);
	/*
	 * While the CPU waits in the hypervisor: let a pending NMI in (it is
	 * one of ours), then spin politely.
	 */
	void (*wait_relax)(void);
	/*
	 * One of the hypervisor's kicks reached the CPU in host mode, after
	 * it may have looked at its requests for the last time before its
	 * next entry: have the guest exit again at once (NULL where the
	 * kick stays pending until the guest runs, as under SVM's GIF).
	 */
	void (*kick_in_host)(void);

	/*
	 * What the shared exit handlers (exits.c) need of the exit being
	 * handled on the calling CPU: move past the instruction (len: its
	 * architectural length, for a backend that cannot tell), inject a
	 * hardware exception, the guest's privilege level.
	 */
	void (*skip_instruction)(struct per_cpu *cpu, unsigned int len);
	void (*inject_exception)(struct per_cpu *cpu, unsigned int vector,
				 bool has_error, u32 error);
	unsigned int (*guest_cpl)(struct per_cpu *cpu);
};

extern const struct vcpu_ops *backend;
extern const struct vcpu_ops svm_ops;
extern const struct vcpu_ops vmx_ops;

#endif /* _ARCH_VCPU_H */
