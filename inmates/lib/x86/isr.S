/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Interrupt and exception entry stubs, one per vector.
 *
 * Each stub is 16 bytes long (so idt.c finds stub N at isr_stubs + 16 * N),
 * pushes a zero where the CPU pushes no error code (so every frame has the
 * same layout), pushes its vector and jumps to isr_common. isr_common saves
 * the general-purpose registers (the library is built with
 * -mgeneral-regs-only, so no FPU/SSE state needs saving) and calls
 * isr_dispatch(struct isr_frame *) in idt.c.
 */

	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
vec = 0
	.rept 256
	.balign 16
	/* the CPU pushes an error code for #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX */
	.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
vec = vec + 1
	.endr

/*
 * Frame as built below, lowest address first: r15 .. r8, rdi, rsi, rbp,
 * rbx, rdx, rcx, rax, vector, error code, then the CPU's rip, cs, rflags,
 * rsp, ss. 22 quadwords on a stack the CPU aligned to 16: still aligned
 * at the call, as the ABI wants.
 */
isr_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rbx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call isr_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rbx
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp /* vector and error code */
	iretq
