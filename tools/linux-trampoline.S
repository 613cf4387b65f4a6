/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a Linux cell runs first (brig cell linux): the cell's CPU starts at
 * guest-physical 0 in real mode, and the kernel wants the 32-bit boot
 * protocol (Documentation/arch/x86/boot.rst): flat protected mode with
 * __BOOT_CS = 0x10 and __BOOT_DS = 0x18, interrupts off, %esi = the boot
 * parameters, %ebp, %edi and %ebx zero, a jump to the 32-bit entry.
 *
 * The tool copies these bytes to guest-physical 0 and fills in the two
 * words at linux_tramp_params; since they run at 0 with every segment
 * based at 0, an offset from linux_tramp_start is an address.
 */

#define OFF(x) ((x) - linux_tramp_start)

	.section .rodata
	.globl linux_tramp_start, linux_tramp_end, linux_tramp_params

	.code16
linux_tramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl OFF(gdt_desc)
	/* Caches on (CD, NW clear), protected mode on. */
	movl %cr0, %eax
	andl $~0x60000000, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x10, $OFF(start32)

	.code32
start32:
	movl $0x18, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl OFF(linux_tramp_params), %esi
	xorl %ebp, %ebp
	xorl %edi, %edi
	xorl %ebx, %ebx
	jmpl *OFF(linux_tramp_params) + 4

	.balign 8
gdt:
	.quad 0
	.quad 0
	.quad 0x00cf9a000000ffff /* 0x10: code, 32-bit, flat */
	.quad 0x00cf92000000ffff /* 0x18: data, flat */
gdt_end:
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long OFF(gdt)

	.balign 4
linux_tramp_params:
	.long 0 /* the boot parameters' address */
	.long 0 /* the kernel's 32-bit entry */
linux_tramp_end:

	.section .note.GNU-stack, "", @progbits
