/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Where a started CPU arrives: the page its SIPI names (vector = page
 * number), in real mode with CS = that page and IP 0. It takes the boot
 * CPU's path into long mode (its GDT, its page tables from smp_ap_cr3:
 * mode.h), takes the next free stack and calls smp_ap_start().
 *
 * CPUs may arrive together (a SIPI to all but the sender): the stack slot
 * is taken with an atomic add. A CPU finding no slot left halts.
 *
 * The page is linked at its physical address; in 16-bit code only
 * offsets from its start are used, because CS is based at the page.
 */

#include "mode.h"

#define SMP_STACK_SHIFT 14 /* 16 KiB, inmate.h's SMP_STACK_SIZE */
#define SMP_MAX_SLOTS 15 /* inmate.h's SMP_MAX_STARTS */

	.section .ap_boot, "ax"

	.code16
	.globl __ap_reset
__ap_reset:
	cli
	cld
	/* The boot CPU's GDT (entry.S), in the first 64 KiB. */
	xorw %ax, %ax
	movw %ax, %ds
	protected_mode_on
	ljmpl $SEL_CODE32, $ap_start32

	.code32
ap_start32:
	flat_data_segments
	movl smp_ap_cr3, %eax
	long_mode_on
	ljmpl $SEL_CODE64, $ap_start64

	.code64
ap_start64:
	movw $SEL_DATA, %ax
	movw %ax, %ss
	movl $1, %eax
	lock xaddl %eax, smp_next_slot(%rip)
	cmpl $SMP_MAX_SLOTS, %eax
	jae 2f
	movl %eax, %edi
	incl %eax
	shll $SMP_STACK_SHIFT, %eax
	leaq smp_stacks(%rip), %rsp
	addq %rax, %rsp
	xorl %ebp, %ebp
	call smp_ap_start
2:	cli
	hlt
	jmp 2b

