/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 part of a CPU's hypervisor data (embedded in struct per_cpu):
 * one of the arch type headers the core may include. It holds no vendor
 * layout: the VMCB is a raw page here, svm.c gives it its shape.
 */
#ifndef _ARCH_PERCPU_TYPES_H
#define _ARCH_PERCPU_TYPES_H

#include <hv/types.h>
#include <arch/layout.h>

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

/*
 * A guest's general-purpose registers while the hypervisor handles an exit,
 * in the order the exit path pushes them (r15 at the lowest address). RSP
 * and RAX live in the VMCB; the last slot holds the VMCB's physical
 * address for the next VMRUN. Under VMX, RSP is in the VMCS and that slot
 * holds the guest's RAX (see vmx_vm_loop in entry.S).
 */
struct guest_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx;
	union {
		u64 vmcb_pa; /* SVM: the VMCB for the next VMRUN */
		u64 rax; /* VMX: the guest's RAX */
	};
	u64 pad; /* keeps the stack 16-byte aligned below the frame */
};

/*
 * A series of root accesses the hypervisor could not emulate, all by one
 * instruction to one address with hardly another exit between them
 * (x86_fault_repeat() in decode.c).
 */
struct x86_fault_repeat {
	u64 rip, gpa;
	u64 exits; /* the CPU's exit count at the latest one */
	unsigned int count; /* 0: no series */
};

/*
 * The last exits of a CPU, oldest overwritten first (svm-exit.c): what a
 * report of a CPU the hypervisor had to stop prints of its history.
 */
#define X86_EXIT_TRACE 16
struct x86_exit_record {
	u32 code; /* the vendor's exit code */
	u32 int_info; /* an event whose delivery the exit cut short */
	u64 info1, info2; /* the vendor's qualification and address */
	u64 rip, cr3;
	u32 inject; /* the event the hypervisor injected at the next entry */
	u32 pad;
};

#define HOST_GDT_CODE 1 /* selector 0x08 */
#define HOST_GDT_DATA 2 /* selector 0x10 */
#define HOST_GDT_ENTRIES 3

/* MSRs scrubbed when a CPU changes owner (scrub.c keeps the list). */
#define SCRUB_MSRS 7

struct per_cpu_arch {
	u8 vmcb_page[4096] __aligned(4096); /* struct vmcb (svm.c) */
	u8 host_save_area[4096] __aligned(4096); /* VM_HSAVE_PA */
	/* VMX (vmx.c): the VMXON region and this CPU's only VMCS */
	u8 vmxon_region[4096] __aligned(4096);
	u8 vmcs[4096] __aligned(4096);
	u64 gdt[HOST_GDT_ENTRIES]; /* host mode: code and data, no TSS */

	/* Linux's state from the moment it called in, to go back to. */
	u64 entry_cr3; /* the driver's early page tables */
	u64 linux_rsp; /* stack of the failed-entry return path */
	struct desc_ptr linux_gdt, linux_idt;
	u16 linux_cs, linux_ds, linux_es, linux_ss;
	u64 linux_cr4;
	u64 linux_efer;
	u64 linux_apicbase; /* APIC mode to restore when a cell gives it back */
	u64 linux_xcr0;
	u64 linux_msrs[SCRUB_MSRS]; /* scrub.c's MSRs as Linux had them */

	u32 apic_id; /* physical APIC id, to find this CPU as an IPI target */
	u32 xapic_icr_high; /* an xAPIC root's ICR_HIGH, sent with ICR_LOW */
	/*
	 * A cell left this CPU's APIC in x2APIC mode while Linux runs it in
	 * xAPIC mode: Linux's (trapped) xAPIC accesses go to the x2APIC
	 * MSRs, and LDR/DFR, which x2APIC does not let software set, are
	 * kept here as Linux wrote them.
	 */
	bool xapic_emulated;
	u32 xapic_ldr, xapic_dfr;
	/*
	 * In a cell: the APIC base MSR as the cell sees it. The APIC itself
	 * runs in x2APIC mode; in the cell's xAPIC mode its APIC page traps
	 * and cell_ldr, cell_dfr and cell_icr_high hold its view (apart from
	 * the root's xapic_* above, which the root's IPIs are routed by).
	 */
	u64 cell_apicbase;
	u32 cell_ldr, cell_dfr, cell_icr_high;
	bool nmi_pending; /* an NMI hit host mode: hand it to the guest */
	bool cell_nmi; /* an NMI IPI of its cell's, atomic: see apic.c */
	bool vmcs_loaded; /* VT-x: in VMX operation with its VMCS current */
	/*
	 * The hypervisor's own NMIs (kicks) sent to this CPU, and those it
	 * has taken: an NMI that arrives while more were sent than taken is
	 * ours even if its request was already served on another exit.
	 */
	u32 kicks_sent, kicks_taken;
	/* INIT/SIPI emulation, written by the sending CPU */
	volatile bool init_pending;
	volatile int sipi_vector; /* -1: none */
	bool wait_for_sipi;
	struct x86_fault_repeat root_fault; /* mmio.c, root CPUs only */
	struct x86_exit_record exit_trace[X86_EXIT_TRACE];
	unsigned int exit_trace_next;
	bool host_state_said; /* svm-exit.c: reported once */
};

_Static_assert(sizeof(struct guest_regs) == GUEST_REGS_SIZE,
	       "entry.S and struct guest_regs disagree");

#endif /* _ARCH_PERCPU_TYPES_H */
