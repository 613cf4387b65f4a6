/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * What the boot CPU's entry (entry.S) and the other CPUs' (smp-entry.S)
 * share on their way from real mode to long mode: control-register bits,
 * the selectors of the flat GDT in entry.S, and two steps as macros.
 */
#ifndef _INMATE_X86_MODE_H
#define _INMATE_X86_MODE_H

#define CR0_PE (1 << 0)
#define CR0_NW (1 << 29) /* not write-through: reset value 1 */
#define CR0_CD (1 << 30) /* cache disable: reset value 1 */
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define EFER_LME (1 << 8)
#define MSR_EFER 0xc0000080

/* Selectors into the GDT in entry.S: index * 8, RPL 0. */
#define SEL_CODE32 0x08
#define SEL_DATA 0x10
#define SEL_CODE64 0x18

#ifdef __ASSEMBLY__
/* Assembler macros: clang-format would take them for C. */
/* clang-format off */

/*
 * 16-bit code at reset, DS = 0: the GDT from gdt_desc (entry.S; lgdtl
 * takes all 32 bits of the base), caches on (leave CD/NW set and every
 * access bypasses them, which a real-time inmate cannot afford),
 * protected mode on; the far jump to 32-bit code follows.
 */
.macro protected_mode_on
	lgdtl gdt_desc
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
.endm

/* 32-bit code: every data segment flat. */
.macro flat_data_segments
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
.endm

/*
 * 32-bit code, the PML4's address in %eax: PAE, CR3, EFER.LME, then
 * paging on activates long mode; the far jump to 64-bit code follows.
 */
.macro long_mode_on
	movl %eax, %cr3
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
.endm

/* clang-format on */
#endif

#endif /* _INMATE_X86_MODE_H */
