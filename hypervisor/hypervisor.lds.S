/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of the hypervisor image: the header first (the driver reads it at
 * offset 0 of the file), then code, read-only data, data and bss, each
 * section page aligned so the hypervisor can map code read-only and
 * executable, and everything else non-executable.
 */
#include <arch/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(arch_entry)

SECTIONS
{
	. = HV_LINK_BASE;
	__image_start = .;
	.header : { KEEP(*(.header)) }

	. = ALIGN(4096);
	__text_start = .;
	.text : { *(.text .text.*) }
	. = ALIGN(4096);
	__text_end = .;

	.rodata : { *(.rodata .rodata.*) }
	.data : { *(.data .data.*) }
	.bss : { *(.bss .bss.*) *(COMMON) }
	. = ALIGN(4096);
	__image_end = .;

	__image_size = __image_end - __image_start;
	__entry_offset = arch_entry - __image_start;
	__console_offset = hv_console - __image_start;

	/DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
}
