// SPDX-License-Identifier: GPL-2.0
/*
 * Prints the hypervisor signature at CPUID leaf 0x40000000 of the CPU it
 * runs on ("none" when the hypervisor bit of leaf 1 is clear). Pinned with
 * taskset, the end-to-end tests learn whether that CPU is a guest of brig.
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	unsigned int eax, ebx, ecx, edx;
	char sig[13];

	__cpuid(1, eax, ebx, ecx, edx);
	if (!(ecx & (1u << 31))) {
		printf("none\n");
		return 0;
	}
	__cpuid(0x40000000, eax, ebx, ecx, edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = '\0';
	printf("%s\n", sig);
	return 0;
}
