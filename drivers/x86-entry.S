/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entry trampoline and the leave stubs: the only driver code that runs
 * with the hypervisor's early page tables loaded.
 *
 * int brig_x86_trampoline(u64 early_cr3, u64 entry, u64 cpu_id)
 *
 * Saves the callee-saved registers and Linux's CR3 on Linux's stack, loads
 * the early tables (Linux's kernel half plus the hypervisor region; this
 * code is module text, so it stays mapped) and calls the hypervisor's entry
 * with where to resume. On success the hypervisor resumes us at .Lresume
 * as its guest, with Linux's CR3 and RAX = 0; on failure the entry returns
 * the error here and we restore CR3 ourselves.
 *
 * long brig_x86_leave_{amd,intel}(void)
 *
 * Issues BRIG_HC_DISABLE. On success the CPU comes back native on the early
 * tables with Linux's CR3 in RDI; loading it is the last step of leaving.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

	.text

SYM_FUNC_START(brig_x86_trampoline)
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%cr3, %rax
	push	%rax

	mov	%rsi, %r11
	mov	%rdi, %cr3
	mov	%rdx, %rdi		/* cpu_id */
	mov	%rax, %rsi		/* Linux's CR3 */
	lea	.Lresume(%rip), %rdx	/* resume RIP */
	mov	%rsp, %rcx		/* resume RSP */
	ANNOTATE_RETPOLINE_SAFE
	call	*%r11
	test	%eax, %eax
	jz	.Lresume

	/* Failure: the hypervisor left us on the early tables. */
	pop	%rdx
	mov	%rdx, %cr3
	jmp	.Lout

.Lresume:
	add	$8, %rsp		/* Linux's CR3: already loaded */
.Lout:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(brig_x86_trampoline)

SYM_FUNC_START(brig_x86_leave_amd)
	mov	%rdi, %rsi		/* arg2: CPUs to release with us */
	xor	%eax, %eax		/* BRIG_HC_DISABLE */
	vmmcall
	test	%rax, %rax
	jnz	1f
	mov	%rdi, %cr3
1:	RET
SYM_FUNC_END(brig_x86_leave_amd)

SYM_FUNC_START(brig_x86_leave_intel)
	mov	%rdi, %rsi		/* arg2: CPUs to release with us */
	xor	%eax, %eax		/* BRIG_HC_DISABLE */
	vmcall
	test	%rax, %rax
	jnz	1f
	mov	%rdi, %cr3
1:	RET
SYM_FUNC_END(brig_x86_leave_intel)
