/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Where a started CPU arrives: the page its SIPI names (vector = page
 * number), in real mode with CS = that page and IP 0. It takes the boot
 * CPU's path into long mode (same GDT layout, the boot CPU's page tables
 * from smp_ap_cr3), takes the next free stack and calls smp_ap_start().
 *
 * CPUs may arrive together (a SIPI to all but the sender): the stack slot
 * is taken with an atomic add. A CPU finding no slot left halts.
 *
 * The page is linked at its physical address; in 16-bit code only
 * offsets from its start are used, because CS is based at the page.
 */

#define CR0_PE (1 << 0)
#define CR0_NW (1 << 29)
#define CR0_CD (1 << 30)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define EFER_LME (1 << 8)
#define MSR_EFER 0xc0000080

#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18

#define SMP_STACK_SHIFT 14 /* 16 KiB, inmate.h's SMP_STACK_SIZE */
#define SMP_MAX_SLOTS 15 /* inmate.h's SMP_MAX_STARTS */

	.section .ap_boot, "ax"

	.code16
	.globl __ap_reset
__ap_reset:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_gdt_desc - __ap_reset
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $ap_start32

	.code32
ap_start32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl smp_ap_cr3, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
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

	/* The boot CPU's flat descriptors (entry.S), again. */
	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff /* SEL_CODE32 */
	.quad 0x00cf92000000ffff /* SEL_DATA */
	.quad 0x00af9a000000ffff /* SEL_CODE64 */
ap_gdt_end:

	.balign 8
	.word 0
ap_gdt_desc:
	.word ap_gdt_end - ap_gdt - 1
	.long ap_gdt
