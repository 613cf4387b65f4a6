// SPDX-License-Identifier: GPL-2.0
/*
 * Asks for port 0x80 with ioperm() and writes to it; prints "ok" if the
 * write went through. The I/O bitmap lies beyond the first 0x68 bytes of
 * the TSS, so this fails with SIGSEGV on a CPU whose TR limit is too
 * small (what a VM exit leaves unless the hypervisor restores Linux's TR
 * on disable). Pinned with taskset, it tests one CPU.
 */
#include <stdio.h>
#include <sys/io.h>

int main(void)
{
	if (ioperm(0x80, 1, 1)) {
		perror("ioperm");
		return 1;
	}
	outb(0, 0x80);
	printf("ok\n");
	return 0;
}
