/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AMD SVM: the VMCB layout and the intercept, exit and event-injection
 * encodings used by the SVM backend (AMD APM vol. 2, chapter 15 and
 * appendix B). The offsets are checked at compile time.
 */
#ifndef _ARCH_SVM_H
#define _ARCH_SVM_H

#include <hv/types.h>

struct vmcb_seg {
	u16 selector;
	u16 attrib; /* descriptor bits 40..47 and 52..55, packed to 12 bits */
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr; /* 0x000: reads in 0..15, writes in 16..31 */
	u32 intercept_dr; /* 0x004 */
	u32 intercept_exceptions; /* 0x008: one bit per vector */
	u32 intercept_misc1; /* 0x00c: SVM_INTERCEPT1_* */
	u32 intercept_misc2; /* 0x010: SVM_INTERCEPT2_* */
	u32 intercept_misc3; /* 0x014 */
	u8 reserved0[0x3c - 0x18];
	u16 pause_filter_threshold; /* 0x03c */
	u16 pause_filter_count; /* 0x03e */
	u64 iopm_base_pa; /* 0x040 */
	u64 msrpm_base_pa; /* 0x048 */
	u64 tsc_offset; /* 0x050 */
	u32 asid; /* 0x058 */
	u8 tlb_control; /* 0x05c */
	u8 reserved1[3];
	u32 int_ctl; /* 0x060 */
	u32 int_vector; /* 0x064 */
	u32 int_state; /* 0x068 */
	u8 reserved2[4];
	u32 exit_code; /* 0x070 */
	u32 exit_code_hi; /* 0x074 */
	u64 exit_info1; /* 0x078 */
	u64 exit_info2; /* 0x080 */
	u32 exit_int_info; /* 0x088 */
	u32 exit_int_info_err; /* 0x08c */
	u64 nested_ctl; /* 0x090: bit 0 enables nested paging */
	u64 avic_vapic_bar; /* 0x098 */
	u64 ghcb_gpa; /* 0x0a0 */
	u32 event_inj; /* 0x0a8 */
	u32 event_inj_err; /* 0x0ac */
	u64 nested_cr3; /* 0x0b0 */
	u64 virt_ext; /* 0x0b8 */
	u32 clean_bits; /* 0x0c0 */
	u32 reserved3;
	u64 next_rip; /* 0x0c8: with NRIP save */
	u8 insn_len; /* 0x0d0: with decode assists */
	u8 insn_bytes[15];
	u8 reserved4[0x400 - 0xe0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr,
		tr; /* 0x400 */
	u8 reserved0[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u8 reserved1[4];
	u64 efer; /* 0x4d0 */
	u8 reserved2[0x548 - 0x4d8];
	u64 cr4; /* 0x548 */
	u64 cr3;
	u64 cr0;
	u64 dr7;
	u64 dr6;
	u64 rflags;
	u64 rip; /* 0x578 */
	u8 reserved3[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u8 reserved4[0x5f8 - 0x5e0];
	u64 rax; /* 0x5f8 */
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_esp;
	u64 sysenter_eip; /* 0x638 */
	u64 cr2; /* 0x640 */
	u8 reserved5[0x668 - 0x648];
	u64 g_pat; /* 0x668 */
	u64 dbgctl;
	u8 reserved6[0x1000 - 0x678];
};

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
};

_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

/* A CPU's VMCB: the page struct per_cpu_arch keeps for it. */
#define cpu_vmcb(cpu) ((struct vmcb *)(cpu)->arch.vmcb_page)
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "cpl");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "efer");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "cr4");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "rip");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "rsp");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "rax");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "gpat");
_Static_assert(__builtin_offsetof(struct vmcb, control.next_rip) == 0xc8,
	       "next_rip");

/* intercept_misc1 (the VMCB's 32-bit word at 0x00c) */
#define SVM_INTERCEPT1_INTR BIT(0)
#define SVM_INTERCEPT1_NMI BIT(1)
#define SVM_INTERCEPT1_SMI BIT(2)
#define SVM_INTERCEPT1_INIT BIT(3)
#define SVM_INTERCEPT1_CPUID BIT(18)
#define SVM_INTERCEPT1_INVD BIT(22)
#define SVM_INTERCEPT1_HLT BIT(24)
#define SVM_INTERCEPT1_INVLPGA BIT(26)
#define SVM_INTERCEPT1_IOIO_PROT BIT(27)
#define SVM_INTERCEPT1_MSR_PROT BIT(28)
#define SVM_INTERCEPT1_SHUTDOWN BIT(31)

/* intercept_misc2 (0x010) */
#define SVM_INTERCEPT2_VMRUN BIT(0)
#define SVM_INTERCEPT2_VMMCALL BIT(1)
#define SVM_INTERCEPT2_VMLOAD BIT(2)
#define SVM_INTERCEPT2_VMSAVE BIT(3)
#define SVM_INTERCEPT2_STGI BIT(4)
#define SVM_INTERCEPT2_CLGI BIT(5)
#define SVM_INTERCEPT2_SKINIT BIT(6)
#define SVM_INTERCEPT2_XSETBV BIT(13)

/* exit codes */
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_INIT 0x063
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPGA 0x07a
#define SVM_EXIT_IOIO 0x07b
#define SVM_EXIT_MSR 0x07c
#define SVM_EXIT_SHUTDOWN 0x07f
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_XSETBV 0x08d
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID 0xffffffffu

#define SVM_NESTED_CTL_NP_ENABLE BIT(0)
#define SVM_TLB_FLUSH_ALL 1

/* event_inj */
#define SVM_EVTINJ_VALID BIT(31)
#define SVM_EVTINJ_VALID_ERR BIT(11)
#define SVM_EVTINJ_TYPE_INTR (0u << 8)
#define SVM_EVTINJ_TYPE_NMI (2u << 8)
#define SVM_EVTINJ_TYPE_EXEPT (3u << 8)
#define SVM_EVTINJ_TYPE_SOFT (4u << 8)
#define SVM_EVTINJ_TYPE_MASK (7u << 8)

/*
 * An event of EXITINTINFO as VMRUN takes it back in EVENTINJ. QEMU reports
 * an external interrupt or an NMI whose delivery an exit cut short as an
 * exception of that vector, which its VMRUN refuses (an exception must be
 * below 32 and not the NMI's 2): the entry would fail. Hardware reports
 * them as what they are, and so are they put back.
 */
static inline u32 svm_event_as_injectable(u32 info)
{
	unsigned int vector = info & 0xff;
	u32 base = info & ~(SVM_EVTINJ_TYPE_MASK | SVM_EVTINJ_VALID_ERR);

	if ((info & SVM_EVTINJ_TYPE_MASK) != SVM_EVTINJ_TYPE_EXEPT)
		return info;
	if (vector >= 32)
		return base | SVM_EVTINJ_TYPE_INTR;
	if (vector == 2) /* the NMI's vector */
		return base | SVM_EVTINJ_TYPE_NMI;
	return info;
}

/* NPF exit_info1: the page-fault error code of the nested walk */
#define NPF_WRITE BIT(1)
#define NPF_FETCH BIT(4)

/* CPUID 0x8000000a EDX: SVM features */
#define SVM_FEATURE_NPT BIT(0)
#define SVM_FEATURE_NRIPS BIT(3)
#define SVM_FEATURE_DECODE_ASSISTS BIT(7)
/* CPUID 0x80000001 ECX */
#define X86_FEATURE_SVM_ECX BIT(2)

#define SVM_IOPM_SIZE (3 * 4096)
#define SVM_MSRPM_SIZE (2 * 4096)

#endif /* _ARCH_SVM_H */
