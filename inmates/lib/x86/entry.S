/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Inmate entry: from the reset state to long mode and C.
 *
 * The CPU arrives in 16-bit real mode at guest-physical 0 (CS base 0,
 * IP 0) in reset state: no stack, caches disabled in CR0, paging off,
 * interrupts off. We load a flat GDT, enter 32-bit protected mode, zero
 * .bss, build identity page tables for the first 4 GiB, enable PAE and
 * EFER.LME, turn on paging (which activates long mode), far-jump into a
 * 64-bit code segment and call inmate_start() on our own stack.
 *
 * Everything here runs at its link address, which equals its physical
 * address, so no relocation is needed in any mode.
 */

#include "mode.h"

/*
 * Page-table entry bits (Intel SDM vol. 3, 4.5): present, writable, and in
 * a page-directory entry PS = maps a 2 MiB page. PWT | PCD select PAT entry
 * 3, which is UC in the power-on PAT: used for the device range.
 */
#define PTE_P 0x001
#define PTE_RW 0x002
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS 0x080

/* 0xc0000000 and up (PCI holes, IOAPIC, local APIC at 0xfee00000) is UC. */
#define MMIO_FIRST_2M (0xc0000000 >> 21)
#define NUM_2M_PAGES 2048 /* 4 GiB */

	.section .boot, "ax"

	.code16
	.globl __reset
__reset:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	protected_mode_on
	ljmpl $SEL_CODE32, $start32

	.code32
start32:
	flat_data_segments

	/* .bss holds the page tables and the stack: zero it first. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* PML4[0] -> the one PDPT, which covers 512 GiB. */
	movl $pdpt, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, pml4

	/* PDPT[0..3] -> four page directories, 1 GiB each. */
	movl $pdpt, %edi
	movl $page_dirs, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b

	/* 2048 PDEs of 2 MiB each, identity: entry i maps i << 21. */
	movl $page_dirs, %edi
	xorl %ebx, %ebx
2:	movl %ebx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_RW | PTE_PS), %eax
	cmpl $MMIO_FIRST_2M, %ebx
	jb 3f
	orl $(PTE_PWT | PTE_PCD), %eax
3:	movl %eax, (%edi)
	addl $8, %edi
	incl %ebx
	cmpl $NUM_2M_PAGES, %ebx
	jb 2b

	/* Long mode: PAE tables, EFER.LME, then paging on activates it. */
	movl $pml4, %eax
	long_mode_on
	ljmpl $SEL_CODE64, $start64

	.code64
start64:
	/* Data segments are ignored in long mode, SS must still be valid. */
	movw $SEL_DATA, %ax
	movw %ax, %ss
	movq $stack_top, %rsp
	xorl %ebp, %ebp
	call inmate_start
4:	cli
	hlt
	jmp 4b

/*
 * Flat GDT. A descriptor is limit[15:0], base[15:0], base[23:16], access,
 * flags << 4 | limit[19:16], base[31:24]. Access 0x9a: present, DPL 0,
 * code, readable; 0x92: present, DPL 0, data, writable. Flags 0xc: 4 KiB
 * granularity, 32-bit (D); 0xa: 4 KiB granularity, 64-bit (L, D clear).
 * Base 0 and limit 0xfffff pages: the whole 4 GiB.
 */
	.balign 8
gdt:
	.quad 0 /* the null descriptor */
	.quad 0x00cf9a000000ffff /* SEL_CODE32 */
	.quad 0x00cf92000000ffff /* SEL_DATA */
	.quad 0x00af9a000000ffff /* SEL_CODE64 */
gdt_end:

	.balign 8
	.word 0 /* pad so that the base is 4-byte aligned */
	.globl gdt_desc /* smp-entry.S loads it too */
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.balign 4096
pml4:
	.skip 4096
pdpt:
	.skip 4096
page_dirs:
	.skip 4 * 4096

	/* 16 KiB aligned: printk() knows a CPU by its stack's 16 KiB. */
	.balign 16384
	.globl stack_bottom
stack_bottom:
	.skip 16384
stack_top:
