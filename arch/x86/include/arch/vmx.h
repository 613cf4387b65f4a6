/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-x definitions the VMX backend uses (vmx.c, vmx-exit.c): VMCS
 * field encodings, control bits, exit reasons, capability MSRs, and the
 * VMX instructions. Values are architectural facts from the Intel SDM,
 * volume 3, appendices A to C.
 */
#ifndef _ARCH_VMX_H
#define _ARCH_VMX_H

#include <hv/types.h>

/* Capability and control MSRs */
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_MISC 0x485
#define VMX_MISC_ACTIVITY_HLT BIT_ULL(6)
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490

#define VMX_BASIC_TRUE_CTLS BIT_ULL(55)

#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_WALK_4 BIT_ULL(6)
#define EPT_CAP_WB BIT_ULL(14)
#define EPT_CAP_2M BIT_ULL(16)
#define EPT_CAP_1G BIT_ULL(17)
#define EPT_CAP_INVEPT BIT_ULL(20)
#define EPT_CAP_INVEPT_SINGLE BIT_ULL(25)
#define EPT_CAP_INVEPT_ALL BIT_ULL(26)
#define VPID_CAP_INVVPID BIT_ULL(32)
#define VPID_CAP_INVVPID_SINGLE BIT_ULL(41)
#define VPID_CAP_INVVPID_ALL BIT_ULL(42)

#define INVEPT_SINGLE 1
#define INVEPT_ALL 2
#define INVVPID_SINGLE 1
#define INVVPID_ALL 2

/* EPT pointer: write-back tables, 4-level walk (length - 1 in bits 5:3) */
#define EPTP_WB 6ULL
#define EPTP_WALK_4 (3ULL << 3)

/* Pin-based controls */
#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)

/* Primary processor-based controls */
#define CPU_HLT_EXITING BIT(7)
#define CPU_NMI_WINDOW_EXITING BIT(22)
#define CPU_USE_IO_BITMAPS BIT(25)
#define CPU_USE_MSR_BITMAPS BIT(28)
#define CPU_SECONDARY_CONTROLS BIT(31)

/* Secondary processor-based controls */
#define CPU2_EPT BIT(1)
#define CPU2_RDTSCP BIT(3)
#define CPU2_VPID BIT(5)
#define CPU2_UNRESTRICTED_GUEST BIT(7)
#define CPU2_INVPCID BIT(12)
#define CPU2_XSAVES BIT(20)

/* VM-exit controls */
#define EXIT_SAVE_DEBUG_CONTROLS BIT(2)
#define EXIT_HOST_ADDR_SPACE_SIZE BIT(9)
#define EXIT_SAVE_PAT BIT(18)
#define EXIT_LOAD_PAT BIT(19)
#define EXIT_SAVE_EFER BIT(20)
#define EXIT_LOAD_EFER BIT(21)

/* VM-entry controls */
#define ENTRY_LOAD_DEBUG_CONTROLS BIT(2)
#define ENTRY_IA32E_MODE_GUEST BIT(9)
#define ENTRY_LOAD_PAT BIT(14)
#define ENTRY_LOAD_EFER BIT(15)

/* Interruption information (entry injection, exit, IDT vectoring) */
#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_TYPE_MASK (7u << 8)
#define INTR_TYPE_NMI (2u << 8)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)
#define INTR_TYPE_SW_INTERRUPT (4u << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION (5u << 8)
#define INTR_TYPE_SW_EXCEPTION (6u << 8)
#define INTR_INFO_DELIVER_CODE BIT(11)
#define INTR_INFO_NMI_UNBLOCKED BIT(12)
#define INTR_INFO_VALID BIT(31)

/* Guest interruptibility state */
#define INTERRUPTIBILITY_STI BIT(0)
#define INTERRUPTIBILITY_MOV_SS BIT(1)
#define INTERRUPTIBILITY_NMI BIT(3)
#define ACTIVITY_HLT 1

/* Segment access rights as the VMCS holds them */
#define VMX_AR_UNUSABLE BIT(16)

/* VMCS field encodings */
enum vmcs_field {
	VIRTUAL_PROCESSOR_ID = 0x0000,
	GUEST_ES_SELECTOR = 0x0800,
	GUEST_CS_SELECTOR = 0x0802,
	GUEST_SS_SELECTOR = 0x0804,
	GUEST_DS_SELECTOR = 0x0806,
	GUEST_FS_SELECTOR = 0x0808,
	GUEST_GS_SELECTOR = 0x080a,
	GUEST_LDTR_SELECTOR = 0x080c,
	GUEST_TR_SELECTOR = 0x080e,
	HOST_ES_SELECTOR = 0x0c00,
	HOST_CS_SELECTOR = 0x0c02,
	HOST_SS_SELECTOR = 0x0c04,
	HOST_DS_SELECTOR = 0x0c06,
	HOST_FS_SELECTOR = 0x0c08,
	HOST_GS_SELECTOR = 0x0c0a,
	HOST_TR_SELECTOR = 0x0c0c,
	IO_BITMAP_A = 0x2000,
	IO_BITMAP_B = 0x2002,
	MSR_BITMAP = 0x2004,
	VM_EXIT_MSR_STORE_ADDR = 0x2006,
	VM_EXIT_MSR_LOAD_ADDR = 0x2008,
	VM_ENTRY_MSR_LOAD_ADDR = 0x200a,
	EPT_POINTER = 0x201a,
	GUEST_PHYSICAL_ADDRESS = 0x2400,
	VMCS_LINK_POINTER = 0x2800,
	GUEST_IA32_DEBUGCTL = 0x2802,
	GUEST_IA32_PAT = 0x2804,
	GUEST_IA32_EFER = 0x2806,
	HOST_IA32_PAT = 0x2c00,
	HOST_IA32_EFER = 0x2c02,
	PIN_BASED_VM_EXEC_CONTROL = 0x4000,
	CPU_BASED_VM_EXEC_CONTROL = 0x4002,
	EXCEPTION_BITMAP = 0x4004,
	PAGE_FAULT_ERROR_CODE_MASK = 0x4006,
	PAGE_FAULT_ERROR_CODE_MATCH = 0x4008,
	CR3_TARGET_COUNT = 0x400a,
	VM_EXIT_CONTROLS = 0x400c,
	VM_EXIT_MSR_STORE_COUNT = 0x400e,
	VM_EXIT_MSR_LOAD_COUNT = 0x4010,
	VM_ENTRY_CONTROLS = 0x4012,
	VM_ENTRY_MSR_LOAD_COUNT = 0x4014,
	VM_ENTRY_INTR_INFO_FIELD = 0x4016,
	VM_ENTRY_EXCEPTION_ERROR_CODE = 0x4018,
	VM_ENTRY_INSTRUCTION_LEN = 0x401a,
	SECONDARY_VM_EXEC_CONTROL = 0x401e,
	VM_INSTRUCTION_ERROR = 0x4400,
	VM_EXIT_REASON = 0x4402,
	VM_EXIT_INTR_INFO = 0x4404,
	VM_EXIT_INTR_ERROR_CODE = 0x4406,
	IDT_VECTORING_INFO_FIELD = 0x4408,
	IDT_VECTORING_ERROR_CODE = 0x440a,
	VM_EXIT_INSTRUCTION_LEN = 0x440c,
	GUEST_ES_LIMIT = 0x4800,
	GUEST_CS_LIMIT = 0x4802,
	GUEST_SS_LIMIT = 0x4804,
	GUEST_DS_LIMIT = 0x4806,
	GUEST_FS_LIMIT = 0x4808,
	GUEST_GS_LIMIT = 0x480a,
	GUEST_LDTR_LIMIT = 0x480c,
	GUEST_TR_LIMIT = 0x480e,
	GUEST_GDTR_LIMIT = 0x4810,
	GUEST_IDTR_LIMIT = 0x4812,
	GUEST_ES_AR_BYTES = 0x4814,
	GUEST_CS_AR_BYTES = 0x4816,
	GUEST_SS_AR_BYTES = 0x4818,
	GUEST_DS_AR_BYTES = 0x481a,
	GUEST_FS_AR_BYTES = 0x481c,
	GUEST_GS_AR_BYTES = 0x481e,
	GUEST_LDTR_AR_BYTES = 0x4820,
	GUEST_TR_AR_BYTES = 0x4822,
	GUEST_INTERRUPTIBILITY_INFO = 0x4824,
	GUEST_ACTIVITY_STATE = 0x4826,
	GUEST_SYSENTER_CS = 0x482a,
	HOST_IA32_SYSENTER_CS = 0x4c00,
	CR0_GUEST_HOST_MASK = 0x6000,
	CR4_GUEST_HOST_MASK = 0x6002,
	CR0_READ_SHADOW = 0x6004,
	CR4_READ_SHADOW = 0x6006,
	EXIT_QUALIFICATION = 0x6400,
	GUEST_LINEAR_ADDRESS = 0x640a,
	GUEST_CR0 = 0x6800,
	GUEST_CR3 = 0x6802,
	GUEST_CR4 = 0x6804,
	GUEST_ES_BASE = 0x6806,
	GUEST_CS_BASE = 0x6808,
	GUEST_SS_BASE = 0x680a,
	GUEST_DS_BASE = 0x680c,
	GUEST_FS_BASE = 0x680e,
	GUEST_GS_BASE = 0x6810,
	GUEST_LDTR_BASE = 0x6812,
	GUEST_TR_BASE = 0x6814,
	GUEST_GDTR_BASE = 0x6816,
	GUEST_IDTR_BASE = 0x6818,
	GUEST_DR7 = 0x681a,
	GUEST_RSP = 0x681c,
	GUEST_RIP = 0x681e,
	GUEST_RFLAGS = 0x6820,
	GUEST_PENDING_DBG_EXCEPTIONS = 0x6822,
	GUEST_SYSENTER_ESP = 0x6824,
	GUEST_SYSENTER_EIP = 0x6826,
	HOST_CR0 = 0x6c00,
	HOST_CR3 = 0x6c02,
	HOST_CR4 = 0x6c04,
	HOST_FS_BASE = 0x6c06,
	HOST_GS_BASE = 0x6c08,
	HOST_TR_BASE = 0x6c0a,
	HOST_GDTR_BASE = 0x6c0c,
	HOST_IDTR_BASE = 0x6c0e,
	HOST_IA32_SYSENTER_ESP = 0x6c10,
	HOST_IA32_SYSENTER_EIP = 0x6c12,
	HOST_RSP = 0x6c14,
	HOST_RIP = 0x6c16,
};

/* Basic exit reasons (bits 15:0 of VM_EXIT_REASON) */
#define EXIT_REASON_EXCEPTION_NMI 0
#define EXIT_REASON_TRIPLE_FAULT 2
#define EXIT_REASON_INIT_SIGNAL 3
#define EXIT_REASON_SIPI_SIGNAL 4
#define EXIT_REASON_NMI_WINDOW 8
#define EXIT_REASON_TASK_SWITCH 9
#define EXIT_REASON_CPUID 10
#define EXIT_REASON_GETSEC 11
#define EXIT_REASON_HLT 12
#define EXIT_REASON_INVD 13
#define EXIT_REASON_VMCALL 18
#define EXIT_REASON_VMCLEAR 19
#define EXIT_REASON_VMLAUNCH 20
#define EXIT_REASON_VMPTRLD 21
#define EXIT_REASON_VMPTRST 22
#define EXIT_REASON_VMREAD 23
#define EXIT_REASON_VMRESUME 24
#define EXIT_REASON_VMWRITE 25
#define EXIT_REASON_VMXOFF 26
#define EXIT_REASON_VMXON 27
#define EXIT_REASON_CR_ACCESS 28
#define EXIT_REASON_IO_INSTRUCTION 30
#define EXIT_REASON_MSR_READ 31
#define EXIT_REASON_MSR_WRITE 32
#define EXIT_REASON_INVALID_STATE 33
#define EXIT_REASON_MSR_LOAD_FAIL 34
#define EXIT_REASON_MCE_DURING_VMENTRY 41
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_EPT_MISCONFIG 49
#define EXIT_REASON_INVEPT 50
#define EXIT_REASON_INVVPID 53
#define EXIT_REASON_XSETBV 55
#define EXIT_REASON_VMFUNC 59
#define EXIT_REASON_FAILED_ENTRY BIT(31)

/* Exit qualification of I/O instructions */
#define IO_QUAL_SIZE_MASK 7u /* size - 1 */
#define IO_QUAL_IN BIT(3)
#define IO_QUAL_STRING BIT(4)
#define IO_QUAL_REP BIT(5)
#define IO_QUAL_PORT_SHIFT 16

/* Exit qualification of EPT violations */
#define EPT_QUAL_READ BIT(0)
#define EPT_QUAL_WRITE BIT(1)
#define EPT_QUAL_FETCH BIT(2)
#define EPT_QUAL_NMI_UNBLOCKED BIT(12)

/* Exit qualification of control-register accesses */
#define CR_QUAL_NUMBER(q) ((q)&0xf)
#define CR_QUAL_TYPE(q) (((q) >> 4) & 3) /* 0: MOV to CR */
#define CR_QUAL_GPR(q) (((q) >> 8) & 0xf)

/*
 * The VMX instructions. Each returns true on success: VMfailInvalid sets
 * CF, VMfailValid sets ZF (the error number is in VM_INSTRUCTION_ERROR).
 */
static inline bool vmxon(u64 pa)
{
	bool fail;

	asm volatile("vmxon %1; setna %0"
		     : "=q"(fail)
		     : "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline void vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

static inline bool vmclear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1; setna %0"
		     : "=q"(fail)
		     : "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline bool vmptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1; setna %0"
		     : "=q"(fail)
		     : "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline u64 vmcs_read(enum vmcs_field field)
{
	u64 val;

	asm volatile("vmread %1, %0" : "=rm"(val) : "r"((u64)field) : "cc");
	return val;
}

static inline bool vmcs_write(enum vmcs_field field, u64 val)
{
	bool fail;

	asm volatile("vmwrite %2, %1; setna %0"
		     : "=q"(fail)
		     : "r"((u64)field), "rm"(val)
		     : "cc", "memory");
	return !fail;
}

/* INVEPT and INVVPID take a 128-bit descriptor in memory. */
static inline void invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, zero;
	} desc = { eptp, 0 };

	asm volatile("invept %0, %1" ::"m"(desc), "r"(type) : "cc", "memory");
}

static inline void invvpid(u64 type, u16 vpid)
{
	struct {
		u64 vpid, addr;
	} desc = { vpid, 0 };

	asm volatile("invvpid %0, %1" ::"m"(desc), "r"(type) : "cc", "memory");
}

/* entry.S: the VMLAUNCH/VMRESUME loop and the exit entry (HOST_RIP) */
struct guest_regs;
void __noreturn vmx_vm_loop(struct guest_regs *regs);
void vmx_vm_exit(void);

/* vmx-exit.c */
void vmx_handle_exit(struct guest_regs *regs);
void vmx_entry_failed(struct guest_regs *regs);

/* vmx.c, for vmx-exit.c */
struct per_cpu;
/* The CPU can enter a guest in the HLT activity state. */
bool vmx_activity_hlt(void);
bool vmx_cr_write_valid(unsigned int cr, u64 val);
void vmx_update_cr0(u64 val);
void vmx_update_cr4(u64 val);

#endif /* _ARCH_VMX_H */
