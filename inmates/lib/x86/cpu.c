// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * CPU identification and the hypercall instruction.
 *
 * CPUID is read once at start-up (each CPUID is a VM exit under brig) and
 * the results kept in cpu_features. The hypercall instruction differs by
 * vendor: VMCALL on Intel VT-x, VMMCALL on AMD-V; executing the wrong one
 * raises #UD in the guest, so the vendor string decides.
 */
#include <inmate.h>

#define CPUID1_ECX_X2APIC (1U << 21)
#define CPUID1_ECX_TSC_DEADLINE (1U << 24)
#define CPUID1_ECX_HYPERVISOR (1U << 31)
#define CPUID80000007_EDX_INVARIANT_TSC (1U << 8)

struct cpu_features cpu_features;

void cpu_features_init(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	__u32 max_ext;

	/* The vendor string is EBX, EDX, ECX in that order. */
	memcpy(&cpu_features.vendor[0], &r.ebx, 4);
	memcpy(&cpu_features.vendor[4], &r.edx, 4);
	memcpy(&cpu_features.vendor[8], &r.ecx, 4);
	cpu_features.vendor[12] = '\0';
	cpu_features.intel = !strcmp(cpu_features.vendor, "GenuineIntel");

	r = cpuid(1, 0);
	/* xapic=1 on the command line: the xAPIC path even so. */
	cpu_features.x2apic = !!(r.ecx & CPUID1_ECX_X2APIC) &&
			      !cmdline_parse_bool("xapic", false);
	cpu_features.tsc_deadline = !!(r.ecx & CPUID1_ECX_TSC_DEADLINE);
	cpu_features.hypervisor = !!(r.ecx & CPUID1_ECX_HYPERVISOR);

	max_ext = cpuid(0x80000000, 0).eax;
	if (max_ext >= 0x80000007)
		cpu_features.invariant_tsc =
			!!(cpuid(0x80000007, 0).edx &
			   CPUID80000007_EDX_INVARIANT_TSC);
}

extern volatile unsigned int msr_fault_armed, msr_faults;

/* One CPU at a time may use these (the flags are not per CPU). */
int rdmsr_safe(__u32 msr, __u64 *value)
{
	unsigned int before = msr_faults;
	__u32 lo = 0, hi = 0;

	msr_fault_armed = 1;
	__asm__ __volatile__("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
	msr_fault_armed = 0;
	*value = (__u64)hi << 32 | lo;
	return msr_faults == before ? 0 : -1;
}

int wrmsr_safe(__u32 msr, __u64 value)
{
	unsigned int before = msr_faults;

	msr_fault_armed = 1;
	wrmsr(msr, value);
	msr_fault_armed = 0;
	return msr_faults == before ? 0 : -1;
}

int xsetbv_safe(__u64 xcr0)
{
	unsigned int before = msr_faults;

	msr_fault_armed = 1;
	__asm__ __volatile__("xsetbv" ::"c"(0), "a"((__u32)xcr0),
			     "d"((__u32)(xcr0 >> 32)));
	msr_fault_armed = 0;
	return msr_faults == before ? 0 : -1;
}

long hypercall(unsigned long code, unsigned long arg1, unsigned long arg2)
{
	long result;

	if (cpu_features.intel)
		__asm__ __volatile__("vmcall"
				     : "=a"(result)
				     : "a"(code), "D"(arg1), "S"(arg2)
				     : "memory");
	else
		__asm__ __volatile__("vmmcall"
				     : "=a"(result)
				     : "a"(code), "D"(arg1), "S"(arg2)
				     : "memory");
	return result;
}

void cpu_stop(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt" ::: "memory");
}
