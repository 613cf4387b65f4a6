/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the x86 entry path knows about the Linux CPU that called in, and
 * the internal interface between the generic x86 code and the vendor
 * backends (SVM and VMX).
 */
#ifndef _ARCH_ENTRY_H
#define _ARCH_ENTRY_H

#include <hv/types.h>
#include <arch/svm.h>
#include <arch/percpu-types.h>
#include <brig/config.h>

/* Built by arch_entry on the hypervisor stack (see entry.S). */
struct arch_entry_state {
	u64 linux_cr3;
	u64 resume_rip; /* Linux continues here as a guest */
	u64 resume_rsp;
	u64 rflags;
	u64 linux_rsp; /* failure returns here */
	u64 pad;
};

/* The frame x86_return_to_linux() consumes (see entry.S). */
struct linux_return_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rdi, rsi, rbp, rbx, rdx, rcx;
	u64 cr3;
	u64 rip, cs, rflags, rsp, ss; /* the IRET frame */
};

/* The registers exception_common saves, then what the CPU pushed. */
struct exception_frame {
	u64 r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

struct per_cpu;

void __noreturn x86_return_to_linux(struct linux_return_frame *frame);
void __noreturn svm_vm_loop(struct guest_regs *regs);
void x86_exception(struct exception_frame *frame);

/*
 * Load Linux's descriptor tables and selectors back after the hypervisor's
 * (the CS reload happens with the final IRET or return).
 */
void x86_restore_linux_tables(struct per_cpu *cpu, const struct desc_ptr *gdt,
			      const struct desc_ptr *idt, u16 ds, u16 es,
			      u16 ss);

/* Decode a GDT entry into the VMCB's segment format. */
void x86_read_segment(const struct desc_ptr *gdt, u16 selector,
		      struct vmcb_seg *seg);

/*
 * Take and acknowledge, in host mode, every interrupt pending at the
 * calling CPU's local APIC (in x2APIC mode) while pending() says there
 * are any: what a cell's devices raised after its CPU parked must not
 * reach the root (apic.c, scrubbing a CPU that leaves a cell).
 */
void x86_drain_interrupts(bool (*pending)(void));

/* The SVM backend (svm.c, svm-exit.c); the rest is in struct vcpu_ops. */
struct cell;
extern bool svm_has_nrips;
void svm_skip_instruction(struct per_cpu *cpu, unsigned int len);
void svm_inject_exception(struct per_cpu *cpu, unsigned int vector,
			  bool has_error, u32 error);
unsigned int svm_guest_cpl(struct per_cpu *cpu);

/* The same for VMX (vmx-exit.c); they act on the current VMCS. */
void vmx_skip_instruction(struct per_cpu *cpu, unsigned int len);
void vmx_inject_exception(struct per_cpu *cpu, unsigned int vector,
			  bool has_error, u32 error);
unsigned int vmx_guest_cpl(struct per_cpu *cpu);

#endif /* _ARCH_ENTRY_H */
