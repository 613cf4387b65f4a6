/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * A 64 KiB "BIOS" for running inmates on QEMU without brig.
 *
 * QEMU maps the -bios image so that it ends at 4 GiB and starts the CPU
 * at the reset vector 0xfffffff0, 16 bytes below the end, in real mode
 * (CS base 0xffff0000). All we do there is what brig does at cell start:
 * jump to 0000:0000, where QEMU's loader device put the inmate, leaving
 * the CPU otherwise in its reset state. QEMU wants the image size to be a
 * multiple of 64 KiB.
 */
	.code16
	.section .text
	.globl _start
_start:
	.org 0xfff0
reset_vector:
	ljmp $0x0000, $0x0000
	.org 0x10000
