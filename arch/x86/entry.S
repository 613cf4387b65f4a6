/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 entry and exit paths of the hypervisor.
 *
 * arch_entry: the driver's trampoline calls it on each CPU, interrupts off,
 * on Linux's stack, with the early page tables loaded (Linux's kernel half
 * plus the hypervisor region at HV_LINK_BASE):
 *
 *   int arch_entry(unsigned int cpu_id, u64 linux_cr3, u64 resume_rip,
 *                  u64 resume_rsp)
 *
 * resume_rip/resume_rsp are where Linux continues as a guest on success
 * (with RAX = 0). On failure arch_entry returns the error on Linux's stack.
 *
 * svm_vm_loop: the VMRUN loop. struct guest_regs sits at the top of the
 * CPU's stack; every exit pushes the guest's registers into it and calls
 * svm_handle_exit() with a pointer to it.
 */
#include <arch/layout.h>

#define ERANGE 34

	.text
	.code64

	.globl arch_entry
	.type arch_entry, @function
arch_entry:
	endbr64
	cmp	$CONFIG_MAX_CPUS, %edi
	jae	.Lbad_cpu

	/*
	 * This CPU's struct per_cpu; its stack ends HV_STACK_SIZE in, and
	 * the top GUEST_REGS_SIZE bytes are the guest register frame of
	 * svm_vm_loop, so nothing below ever overlaps it.
	 */
	mov	%edi, %eax
	imul	$PER_CPU_ALIGN, %rax
	add	$per_cpu_area, %rax
	add	$(HV_STACK_SIZE - GUEST_REGS_SIZE), %rax
	mov	%rsp, %r8
	mov	%rax, %rsp

	/*
	 * struct arch_entry_state, lowest address first: linux_cr3,
	 * resume_rip, resume_rsp, rflags, linux_rsp, padding (keeps the
	 * stack 16-byte aligned at the call).
	 */
	push	$0
	push	%r8
	pushfq
	push	%rcx
	push	%rdx
	push	%rsi
	mov	%rsp, %rsi
	call	hv_entry

	/* Only failures come back; the arch code restored Linux's tables. */
	mov	32(%rsp), %rsp
	ret

.Lbad_cpu:
	mov	$-ERANGE, %eax
	ret
	.size arch_entry, . - arch_entry

/* void svm_vm_loop(struct guest_regs *regs) -- never returns */
	.globl svm_vm_loop
	.type svm_vm_loop, @function
svm_vm_loop:
	mov	%rdi, %rsp
.Lvmrun:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rbp
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rax		/* the VMCB's physical address */
	vmrun	%rax
	/* #VMEXIT: host RSP and RAX are back; GIF is 0. */
	.globl svm_vmrun_return
svm_vmrun_return:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	push	%rbp
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	call	svm_handle_exit
	jmp	.Lvmrun
	.size svm_vm_loop, . - svm_vm_loop

/*
 * void vmx_vm_loop(struct guest_regs *regs) -- never returns. The VMX
 * counterpart of svm_vm_loop: VMX saves neither RAX nor the other GPRs,
 * so the frame's 15th slot (vmcb_pa under SVM) holds the guest's RAX
 * (struct guest_regs calls it rax).
 * HOST_RSP points just above that slot (regs + 120), so an exit pushes
 * the registers into the very same frame; HOST_RIP is vmx_vm_exit.
 */
#ifdef CONFIG_X86_VMX
.macro VMX_POP_GUEST
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rbp
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rax
.endm

.macro VMX_PUSH_GUEST
	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	push	%rbp
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
.endm

	.globl vmx_vm_loop
	.type vmx_vm_loop, @function
vmx_vm_loop:
	mov	%rdi, %rsp
	VMX_POP_GUEST
	vmlaunch
	jmp	.Lvmx_failed
	.size vmx_vm_loop, . - vmx_vm_loop

	.globl vmx_vm_exit
	.type vmx_vm_exit, @function
vmx_vm_exit:
	/* VM exit: RSP = HOST_RSP, interrupts off, guest GPRs live. */
	VMX_PUSH_GUEST
	mov	%rsp, %rdi
	call	vmx_handle_exit
	VMX_POP_GUEST
	vmresume
.Lvmx_failed:
	/* VMfail: the flags say why; the C side reads the error field. */
	VMX_PUSH_GUEST
	mov	%rsp, %rdi
	call	vmx_entry_failed
	ud2
	.size vmx_vm_exit, . - vmx_vm_exit
#endif /* CONFIG_X86_VMX */

/*
 * void x86_return_to_linux(struct linux_return_frame *frame) -- never
 * returns. Loads the guest's registers, RAX = 0 (the hypercall's result)
 * and RDI = the guest's CR3 (the driver loads it: our code is not mapped in
 * Linux's tables), then IRETs to the guest's RIP with its CS, RFLAGS, RSP
 * and SS.
 */
	.globl x86_return_to_linux
	.type x86_return_to_linux, @function
x86_return_to_linux:
	mov	%rdi, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rbp
	pop	%rbx
	pop	%rdx
	pop	%rcx
	pop	%rdi		/* the guest's CR3, for the driver */
	xor	%eax, %eax
	iretq
	.size x86_return_to_linux, . - x86_return_to_linux

/*
 * Host-mode exception entry points: one stub per vector pushes a dummy
 * error code where the CPU pushes none, then the vector, and joins the
 * common path, which hands the frame to x86_exception().
 */
.macro EXC_STUB vec, has_error
	.align 16
	endbr64
	.if \has_error == 0
	push	$0
	.endif
	push	$\vec
	jmp	exception_common
.endm

	.align 16
	.globl x86_exception_stubs
x86_exception_stubs:
	EXC_STUB 0, 0
	EXC_STUB 1, 0
	EXC_STUB 2, 0
	EXC_STUB 3, 0
	EXC_STUB 4, 0
	EXC_STUB 5, 0
	EXC_STUB 6, 0
	EXC_STUB 7, 0
	EXC_STUB 8, 1
	EXC_STUB 9, 0
	EXC_STUB 10, 1
	EXC_STUB 11, 1
	EXC_STUB 12, 1
	EXC_STUB 13, 1
	EXC_STUB 14, 1
	EXC_STUB 15, 0
	EXC_STUB 16, 0
	EXC_STUB 17, 1
	EXC_STUB 18, 0
	EXC_STUB 19, 0
	EXC_STUB 20, 0
	EXC_STUB 21, 1

/*
 * A device interrupt taken in host mode, only while a CPU changing owner
 * drains what is pending (x86_drain_interrupts()): acknowledged to the
 * local APIC, in whichever mode it is (a CPU going to a cell may still be
 * in Linux's xAPIC mode), nothing else.
 */
	.align 16
	.globl x86_irq_stub
x86_irq_stub:
	endbr64
	push	%rax
	push	%rcx
	push	%rdx
	mov	$0x1b, %ecx	/* IA32_APIC_BASE */
	rdmsr
	test	$0x400, %eax	/* x2APIC mode */
	jz	1f
	mov	$0x80b, %ecx	/* X2APIC_EOI */
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	jmp	2f
1:	movabs	$(PHYS_MAP_BASE + 0xfee000b0), %rax	/* xAPIC EOI */
	movl	$0, (%rax)
2:	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq

exception_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	%rsp, %rdi
	/* Align the stack for C; the frame pointer keeps the old value. */
	push	%rbp
	mov	%rsp, %rbp
	and	$~15, %rsp
	call	x86_exception
	mov	%rbp, %rsp
	pop	%rbp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp	/* vector and error code */
	iretq
