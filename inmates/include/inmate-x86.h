/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * x86 instructions the inmate library and inmates use: port I/O, MSRs,
 * CPUID, the TSC and the interrupt flag.
 *
 * Under brig, which of these cause a VM exit matters: CPUID always exits,
 * port I/O and MSR accesses exit only for ports and MSRs the cell does not
 * own (or that the hypervisor must see, like the x2APIC ICR), RDTSC, CLI,
 * STI and PAUSE never do. The latency demo relies on that.
 */
#ifndef _INMATE_X86_H
#define _INMATE_X86_H

#include <brig/types.h>

/* Model-specific registers the library touches. */
#define MSR_IA32_APIC_BASE 0x0000001b
#define MSR_IA32_TSC_DEADLINE 0x000006e0
#define MSR_X2APIC_BASE 0x00000800 /* + xAPIC offset / 16 */
#define MSR_EFER 0xc0000080

#define barrier() __asm__ __volatile__("" ::: "memory")

/*
 * Memory ordering towards other CPUs, for data shared with them (ivshmem).
 * x86 is TSO: stores become visible to others in program order, loads are
 * not reordered with older loads, and a store to uncached memory (MMIO,
 * a doorbell) is not passed by earlier stores either. Only the compiler
 * must be kept from moving accesses across, so both are compiler barriers.
 * wmb(): stores before it are seen before stores after it (the data, then
 * the flag or doorbell); rmb(): loads after it are not done before loads
 * before it (the flag, then the data).
 */
#define wmb() barrier()
#define rmb() barrier()

static inline void outb(__u16 port, __u8 value)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outw(__u16 port, __u16 value)
{
	__asm__ __volatile__("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(__u16 port, __u32 value)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline __u8 inb(__u16 port)
{
	__u8 value;

	__asm__ __volatile__("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline __u16 inw(__u16 port)
{
	__u16 value;

	__asm__ __volatile__("inw %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline __u32 inl(__u16 port)
{
	__u32 value;

	__asm__ __volatile__("inl %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline __u64 rdmsr(__u32 msr)
{
	__u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (__u64)hi << 32 | lo;
}

static inline void wrmsr(__u32 msr, __u64 value)
{
	__asm__ __volatile__("wrmsr"
			     :
			     : "c"(msr), "a"((__u32)value),
			       "d"((__u32)(value >> 32))
			     : "memory");
}

struct cpuid_regs {
	__u32 eax, ebx, ecx, edx;
};

/* Under brig this always causes a VM exit: keep it out of hot paths. */
static inline struct cpuid_regs cpuid(__u32 leaf, __u32 subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
			     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx),
			       "=d"(r.edx)
			     : "a"(leaf), "c"(subleaf)
			     : "memory");
	return r;
}

static inline __u64 rdtsc(void)
{
	__u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (__u64)hi << 32 | lo;
}

static inline void irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

/* Interrupts on and halt, atomically: STI's shadow covers the HLT. */
static inline void irq_enable_and_halt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline __u64 read_cr2(void)
{
	__u64 cr2;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	return cr2;
}

static inline void mmio_write32(__u64 addr, __u32 value)
{
	*(volatile __u32 *)addr = value;
}

static inline __u32 mmio_read32(__u64 addr)
{
	return *(volatile __u32 *)addr;
}

static inline void mmio_write64(__u64 addr, __u64 value)
{
	*(volatile __u64 *)addr = value;
}

static inline __u64 mmio_read64(__u64 addr)
{
	return *(volatile __u64 *)addr;
}

#endif /* _INMATE_X86_H */
