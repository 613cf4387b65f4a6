/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 architectural definitions the hypervisor uses: control-register
 * and EFER bits, MSR numbers, CPUID, descriptor tables, and the accessors
 * for them. Values are architectural facts (Intel SDM, AMD APM).
 */
#ifndef _ARCH_X86_H
#define _ARCH_X86_H

#include <hv/types.h>
#include <arch/percpu-types.h> /* struct desc_ptr */

#define X86_CR0_PE BIT(0)
#define X86_CR0_ET BIT(4)
#define X86_CR0_NE BIT(5)
#define X86_CR0_WP BIT(16)
#define X86_CR0_NW BIT(29)
#define X86_CR0_CD BIT(30)
#define X86_CR0_PG BIT(31)

#define X86_CR4_PAE BIT(5)
#define X86_CR4_PGE BIT(7)
#define X86_CR4_LA57 BIT(12)
#define X86_CR4_VMXE BIT(13)
#define X86_CR4_PCIDE BIT(17)
#define X86_CR4_OSXSAVE BIT(18)

#define X86_RFLAGS_RESERVED1 BIT(1)
#define X86_RFLAGS_TF BIT(8)
#define X86_RFLAGS_IF BIT(9)

#define MSR_IA32_APICBASE 0x0000001b
#define MSR_IA32_APICBASE_BSP BIT(8)
#define MSR_IA32_APICBASE_EXTD BIT(10) /* x2APIC mode */
#define MSR_IA32_APICBASE_EN BIT(11)
#define MSR_IA32_FEATURE_CONTROL 0x0000003a
#define MSR_IA32_SYSENTER_CS 0x00000174
#define MSR_IA32_SYSENTER_ESP 0x00000175
#define MSR_IA32_SYSENTER_EIP 0x00000176
#define MSR_IA32_DEBUGCTL 0x000001d9
#define MSR_IA32_PAT 0x00000277
#define MSR_X2APIC_BASE 0x00000800
#define MSR_X2APIC_APICID 0x00000802
#define MSR_X2APIC_ICR 0x00000830
#define MSR_X2APIC_END 0x000008ff
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_VM_CR 0xc0010114
#define MSR_VM_HSAVE_PA 0xc0010117

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)

#define VM_CR_LOCK BIT(3)
#define VM_CR_SVMDIS BIT(4)

/* PAT as the architecture sets it at reset: WB, WT, UC-, UC, repeated. */
#define PAT_RESET_VALUE 0x0007040600070406ULL

/* Exception vectors */
#define X86_NMI_VECTOR 2
#define X86_UD_VECTOR 6
#define X86_GP_VECTOR 13

/* Segment descriptor access bits, as in a GDT entry's bits 40..55. */
#define DESC_TYPE_CODE_RX 0xa
#define DESC_TYPE_DATA_RW 0x2
#define DESC_TYPE_TSS64_AVAIL 0x9
#define DESC_TYPE_TSS64_BUSY 0xb

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline void cpuid_count(u32 leaf, u32 sub, struct cpuid_regs *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(sub));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static inline u64 read_msr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (u64)hi << 32 | lo;
}

static inline void write_msr(u32 msr, u64 val)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
}

#define DEFINE_CR_ACCESS(n)                                                    \
	static inline u64 read_cr##n(void)                                     \
	{                                                                      \
		u64 v;                                                         \
		asm volatile("mov %%cr" #n ", %0" : "=r"(v));                  \
		return v;                                                      \
	}                                                                      \
	static inline void write_cr##n(u64 v)                                  \
	{                                                                      \
		asm volatile("mov %0, %%cr" #n ::"r"(v) : "memory");           \
	}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)

static inline u64 read_dr7(void)
{
	u64 v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline u64 read_rflags(void)
{
	u64 v;

	asm volatile("pushfq; pop %0" : "=r"(v));
	return v;
}

static inline void store_gdt(struct desc_ptr *d)
{
	asm volatile("sgdt %0" : "=m"(*d));
}

static inline void store_idt(struct desc_ptr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}

static inline void load_gdt(const struct desc_ptr *d)
{
	asm volatile("lgdt %0" ::"m"(*d));
}

static inline void load_idt(const struct desc_ptr *d)
{
	asm volatile("lidt %0" ::"m"(*d));
}

#define DEFINE_SEG_READ(seg)                                                   \
	static inline u16 read_##seg(void)                                     \
	{                                                                      \
		u16 v;                                                         \
		asm volatile("mov %%" #seg ", %0" : "=r"(v));                  \
		return v;                                                      \
	}
DEFINE_SEG_READ(cs)
DEFINE_SEG_READ(ds)
DEFINE_SEG_READ(es)
DEFINE_SEG_READ(ss)
DEFINE_SEG_READ(fs)
DEFINE_SEG_READ(gs)

static inline u16 read_tr(void)
{
	u16 v;

	asm volatile("str %0" : "=r"(v));
	return v;
}

static inline u16 read_ldtr(void)
{
	u16 v;

	asm volatile("sldt %0" : "=r"(v));
	return v;
}

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif /* _ARCH_X86_H */
