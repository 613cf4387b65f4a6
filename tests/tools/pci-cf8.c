// SPDX-License-Identifier: GPL-2.0
/*
 * Reads one dword of a PCI function's configuration space through the
 * legacy mechanism (address to port 0xcf8, data from 0xcfc), as early
 * Linux code and old drivers do, and prints it in hex:
 *
 *   pci-cf8 BUS DEV FN REG
 *
 * The tests use it to show that the root reaches a cell's device through
 * this mechanism no more than through MMCONFIG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	unsigned long bus, dev, fn, reg;

	if (argc != 5) {
		fprintf(stderr, "usage: pci-cf8 BUS DEV FN REG\n");
		return 2;
	}
	bus = strtoul(argv[1], NULL, 0);
	dev = strtoul(argv[2], NULL, 0);
	fn = strtoul(argv[3], NULL, 0);
	reg = strtoul(argv[4], NULL, 0);
	if (bus > 255 || dev > 31 || fn > 7 || reg > 0xfc || (reg & 3)) {
		fprintf(stderr, "pci-cf8: no such function or register\n");
		return 2;
	}
	if (ioperm(0xcf8, 8, 1)) {
		perror("ioperm");
		return 1;
	}
	outl(0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg, 0xcf8);
	printf("%08x\n", inl(0xcfc));
	return 0;
}
