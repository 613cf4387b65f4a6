// SPDX-License-Identifier: GPL-2.0
/*
 * VMX exit handling: decode each VM exit into the vendor-neutral policy of
 * exits.c and the core's hypercalls, then act on the CPU's requests before
 * the next VMRESUME. Every exit is counted, by reason, here at the single
 * entry point (vmx_handle_exit, called from entry.S).
 *
 * VMX gives the length of the exiting instruction, the port of an I/O
 * exit and the guest-physical address of an EPT violation; MMIO still
 * needs the shared instruction decoder (mmio.c). An event the CPU was
 * delivering when the exit hit (IDT-vectoring information) is injected
 * again, so that no interrupt is lost to an exit.
 */
#include <hv/cell.h>
#include <hv/control.h>
#include <hv/panic.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/string.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/exits.h>
#include <arch/mmio.h>
#include <arch/pci.h>
#include <arch/scrub.h>
#include <arch/vcpu.h>
#include <arch/vmx.h>
#include <arch/x86.h>

void vmx_skip_instruction(struct per_cpu *cpu, unsigned int len)
{
	vmcs_write(GUEST_RIP,
		   vmcs_read(GUEST_RIP) + vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

static void skip_instruction(void)
{
	vmx_skip_instruction(NULL, 0);
}

void vmx_inject_exception(struct per_cpu *cpu, unsigned int vector,
			  bool has_error, u32 error)
{
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
		   INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector |
			   (has_error ? INTR_INFO_DELIVER_CODE : 0));
	vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
}

static void inject_exception(unsigned int vector, bool has_error, u32 error)
{
	vmx_inject_exception(NULL, vector, has_error, error);
}

/* The current privilege level is SS.DPL (Intel SDM 27.3.4). */
unsigned int vmx_guest_cpl(struct per_cpu *cpu)
{
	return (vmcs_read(GUEST_SS_AR_BYTES) >> 5) & 3;
}

/* EFER and PAT live in the VMCS: the policy edits copies written back. */
static void handle_msr(struct per_cpu *cpu, const struct x86_gprs *g,
		       bool write)
{
	u64 efer = vmcs_read(GUEST_IA32_EFER), pat = vmcs_read(GUEST_IA32_PAT);
	const struct x86_msr_state st = { &efer, &pat, vmcs_read(GUEST_CR0) };

	if (!x86_exit_msr(cpu, g, write, &st))
		return;
	/* The shared policy is AMD's about EFER.SVME; VMX has no such bit. */
	vmcs_write(GUEST_IA32_EFER, efer & ~(u64)EFER_SVME);
	vmcs_write(GUEST_IA32_PAT, pat);
}

static void handle_io(struct per_cpu *cpu, const struct x86_gprs *g)
{
	u64 qual = vmcs_read(EXIT_QUALIFICATION);

	if (x86_exit_io(cpu, g, (u16)(qual >> IO_QUAL_PORT_SHIFT),
			(unsigned int)(qual & IO_QUAL_SIZE_MASK) + 1,
			qual & IO_QUAL_IN,
			qual & (IO_QUAL_STRING | IO_QUAL_REP)))
		skip_instruction();
}

/*
 * The CR4 the guest sees: the read shadow only for the bits it does not own
 * (the guest/host mask); the rest, PAE and LA57 among them, change without
 * exits and so only GUEST_CR4 has them. (After INIT the shadow holds 0
 * while the restarted CPU runs with paging on.)
 */
static u64 guest_cr4(void)
{
	u64 mask = vmcs_read(CR4_GUEST_HOST_MASK);

	return (vmcs_read(GUEST_CR4) & ~mask) |
	       (vmcs_read(CR4_READ_SHADOW) & mask);
}

/* The guest's 16 GPRs in x86 numbering; RSP is copied from the VMCS. */
static void vmx_gprs(struct x86_gprs *g, struct guest_regs *r, u64 *rsp)
{
	u64 *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, rsp,     &r->rbp,
			  &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
			  &r->r12, &r->r13, &r->r14, &r->r15 };

	memcpy(g->reg, regs, sizeof(regs));
}

static void handle_ept_violation(struct per_cpu *cpu, struct guest_regs *regs)
{
	u64 qual = vmcs_read(EXIT_QUALIFICATION);
	u64 rsp = vmcs_read(GUEST_RSP);
	struct x86_fault f = {
		.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS),
		.write = qual & EPT_QUAL_WRITE,
		.fetch = qual & EPT_QUAL_FETCH,
		.delivering = vmcs_read(IDT_VECTORING_INFO_FIELD) &
			      INTR_INFO_VALID,
		.rip = vmcs_read(GUEST_RIP),
		.cr3 = vmcs_read(GUEST_CR3),
		.cr4 = guest_cr4(),
		.efer = vmcs_read(GUEST_IA32_EFER),
	};
	struct x86_gprs gprs;
	int len;

	vmx_gprs(&gprs, regs, &rsp);
	len = x86_stage2_fault(cpu, &gprs, &f);
	if (len < 0) {
		inject_exception(X86_GP_VECTOR, true, 0);
	} else if (len > 0) {
		/* A read may have had RSP as its destination. */
		vmcs_write(GUEST_RSP, rsp);
		vmcs_write(GUEST_RIP, f.rip + (unsigned int)len);
	}
}

/* Take an NMI still held since the exit: an IRET to here unblocks them. */
static void unblock_nmis(void)
{
	asm volatile("mov %%rsp, %%rax\n\t"
		     "pushq %q0\n\t"
		     "pushq %%rax\n\t"
		     "pushfq\n\t"
		     "pushq %q1\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "iretq\n"
		     "1:"
		     :
		     : "r"((u64)read_ss()), "r"((u64)read_cs())
		     : "rax", "memory");
}

/*
 * An NMI hit the guest (and is blocked since the exit). One of the
 * hypervisor's own kicks (x86_nmi_is_ours()), or Linux's, which goes back
 * to Linux (cells get none but ours). Told apart before NMIs are unblocked
 * and another one may reach the host handler.
 */
static void handle_nmi(struct per_cpu *cpu)
{
	bool ours = x86_nmi_is_ours(cpu);

	cpu->stats[BRIG_EXIT_NMI]++;
	unblock_nmis();
	if (ours) {
		cpu->stats[BRIG_EXIT_MANAGEMENT]++;
		x86_check_init_sipi(cpu);
	} else {
		cpu->arch.nmi_pending = x86_is_root(cpu);
	}
}

/*
 * HLT in an OS cell (x86_exit_hlt()). Done either way: its STI shadow is
 * over. To wait for an interrupt the guest enters the HLT activity state,
 * where an interrupt wakes it with no exit; where VT-x lacks that state
 * the guest goes on at once and its idle loop halts again (an exit each
 * time, but no interrupt is missed).
 */
static void handle_hlt(struct per_cpu *cpu)
{
	u64 rflags = vmcs_read(GUEST_RFLAGS);
	bool wait = x86_exit_hlt(cpu, rflags);

	skip_instruction();
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
		   vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
			   ~(u64)(INTERRUPTIBILITY_STI |
				  INTERRUPTIBILITY_MOV_SS));
	/*
	 * Single-stepping (TF) over the HLT: the guest goes on instead, as
	 * without the HLT state (entering it would want the single-step
	 * trap pending, which a skipped instruction does not raise here).
	 */
	if (wait && vmx_activity_hlt() && !(rflags & X86_RFLAGS_TF))
		vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
}

static void handle_exception_nmi(struct per_cpu *cpu)
{
	u32 info = (u32)vmcs_read(VM_EXIT_INTR_INFO);

	if ((info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI) {
		handle_nmi(cpu);
		return;
	}
	x86_exit_unexpected(cpu, "unexpected exception exit", info, 0,
			    vmcs_read(GUEST_RIP));
}

static u64 *gpr(struct guest_regs *regs, unsigned int n, u64 *rsp)
{
	struct x86_gprs g;

	vmx_gprs(&g, regs, rsp);
	return g.reg[n];
}

/*
 * MOV to CR0 or CR4 that changes a bit VMX owns. Setting CR4.VMXE is
 * refused with #GP, as on a CPU without VMX (CPUID hides it).
 */
static void handle_cr(struct per_cpu *cpu, struct guest_regs *regs)
{
	u64 qual = vmcs_read(EXIT_QUALIFICATION);
	u64 rsp = vmcs_read(GUEST_RSP);
	u64 val = *gpr(regs, CR_QUAL_GPR(qual), &rsp);
	unsigned int cr = CR_QUAL_NUMBER(qual);

	cpu->stats[BRIG_EXIT_CR]++;
	if (cr == 3 && CR_QUAL_TYPE(qual) <= 1) {
		/* Only where the CPU cannot turn CR3 exiting off (no TRUE
		 * controls): moves are emulated, a load flushes the TLB. */
		if (CR_QUAL_TYPE(qual) == 1) {
			*gpr(regs, CR_QUAL_GPR(qual), &rsp) =
				vmcs_read(GUEST_CR3);
			vmcs_write(GUEST_RSP, rsp);
		} else {
			vmcs_write(GUEST_CR3, val & ~BIT_ULL(63));
			backend->flush_guest_tlb(cpu);
		}
		skip_instruction();
		return;
	}
	if (CR_QUAL_TYPE(qual) != 0 || (cr != 0 && cr != 4)) {
		x86_exit_unexpected(cpu, "unexpected control-register exit",
				    qual, 0, vmcs_read(GUEST_RIP));
		return;
	}
	if (cr == 4 && (val & X86_CR4_VMXE)) {
		if (!x86_is_root(cpu))
			cell_fail(cpu, "set CR4.VMXE");
		inject_exception(X86_GP_VECTOR, true, 0);
		return;
	}
	if (!vmx_cr_write_valid(cr, val)) {
		/* What the hardware does with it, for a cell and the root. */
		inject_exception(X86_GP_VECTOR, true, 0);
		return;
	}
	if (cr == 0)
		vmx_update_cr0(val);
	else
		vmx_update_cr4(val);
	skip_instruction();
}

/* Both bits of a pair of XCR0 components, or neither. */
static bool both_or_neither(u64 val, u64 pair)
{
	return !(val & pair) || (val & pair) == pair;
}

/*
 * What XSETBV itself refuses with #GP (Intel SDM, XSETBV), which would
 * otherwise fault in the hypervisor: components the CPU lacks, no x87,
 * AVX without SSE, AVX-512's three parts not together or without AVX,
 * MPX's two (BNDREGS, BNDCSR) and AMX's two (TILECFG, TILEDATA) not
 * together.
 */
static bool xcr0_valid(u64 val)
{
	struct cpuid_regs r;

	cpuid_count(0xd, 0, &r);
	if (val & ~((u64)r.edx << 32 | r.eax) || !(val & 1))
		return false;
	if ((val & 4) && !(val & 2))
		return false;
	if ((val & 0xe0) && ((val & 0xe0) != 0xe0 || !(val & 4)))
		return false;
	return both_or_neither(val, 0x18) &&
	       both_or_neither(val, BIT_ULL(17) | BIT_ULL(18));
}

/* XSETBV always exits under VMX; Linux sets XCR0 whenever a CPU boots. */
static void handle_xsetbv(struct per_cpu *cpu, struct guest_regs *regs)
{
	u64 val = (regs->rax & 0xffffffff) | regs->rdx << 32;

	cpu->stats[BRIG_EXIT_XSETBV]++;
	if (regs->rcx != 0 || !xcr0_valid(val) || vmx_guest_cpl(cpu) != 0 ||
	    !(guest_cr4() & X86_CR4_OSXSAVE)) {
		inject_exception(X86_GP_VECTOR, true, 0);
		return;
	}
	x86_xsetbv(val);
	skip_instruction();
}

static void dispatch(struct per_cpu *cpu, struct guest_regs *regs, u32 reason)
{
	u64 unused_rsp = 0;
	struct x86_gprs g;

	/*
	 * CPUID, MSRs, I/O and VMCALL never have RSP as an operand: no
	 * VMREAD of it on every exit (the EPT handler reads its own).
	 */
	vmx_gprs(&g, regs, &unused_rsp);
	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		handle_exception_nmi(cpu);
		break;
	case EXIT_REASON_NMI_WINDOW:
		cpu->stats[BRIG_EXIT_NMI]++;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
			   vmcs_read(CPU_BASED_VM_EXEC_CONTROL) &
				   ~(u64)CPU_NMI_WINDOW_EXITING);
		break;
	case EXIT_REASON_CPUID:
		x86_exit_cpuid(cpu, &g);
		break;
	case EXIT_REASON_VMCALL:
		x86_exit_hypercall(cpu, &g, 3);
		break;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		handle_msr(cpu, &g, reason == EXIT_REASON_MSR_WRITE);
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		handle_io(cpu, &g);
		break;
	case EXIT_REASON_EPT_VIOLATION:
		handle_ept_violation(cpu, regs);
		break;
	case EXIT_REASON_INIT_SIGNAL:
		x86_exit_init(cpu);
		break;
	case EXIT_REASON_SIPI_SIGNAL:
		/* Only in wait-for-SIPI, which brig does not use. */
		cpu->stats[BRIG_EXIT_INIT_SIPI]++;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		x86_exit_triple_fault(cpu, vmcs_read(GUEST_RIP));
		break;
	case EXIT_REASON_CR_ACCESS:
		handle_cr(cpu, regs);
		break;
	case EXIT_REASON_XSETBV:
		handle_xsetbv(cpu, regs);
		break;
	case EXIT_REASON_HLT:
		handle_hlt(cpu);
		break;
	case EXIT_REASON_INVD: /* always exits under VMX */
		x86_exit_invd(cpu);
		break;
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMXOFF:
	case EXIT_REASON_VMXON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		x86_exit_virt_insn(cpu, "VMX", reason, vmcs_read(GUEST_RIP));
		break;
	default:
		x86_exit_unexpected(cpu, "unexpected VMX exit", reason,
				    vmcs_read(EXIT_QUALIFICATION),
				    vmcs_read(GUEST_RIP));
	}
}

/*
 * An event the exit interrupted in its delivery (an interrupt whose
 * delivery an NMI or EPT violation cut short) is delivered again.
 */
static void reinject_vectoring_event(void)
{
	u32 info = (u32)vmcs_read(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_TYPE_MASK;

	if (!(info & INTR_INFO_VALID))
		return;
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_NMI_UNBLOCKED);
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
			   vmcs_read(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SW_INTERRUPT ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN,
			   vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * Linux's NMI goes in at the next entry, or when the guest can take it
 * (NMI-window exiting) if it is blocking NMIs or another event goes first.
 */
static void inject_pending_nmi(struct per_cpu *cpu)
{
	u64 block = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS |
		    INTERRUPTIBILITY_NMI;

	if (!cpu->arch.nmi_pending)
		return;
	if ((vmcs_read(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID) ||
	    (vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & block)) {
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
			   vmcs_read(CPU_BASED_VM_EXEC_CONTROL) |
				   CPU_NMI_WINDOW_EXITING);
		return;
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
		   INTR_INFO_VALID | INTR_TYPE_NMI | X86_NMI_VECTOR);
	cpu->arch.nmi_pending = false;
}

static const char *failed_entry_why(u32 reason)
{
	switch (reason & 0xffff) {
	case EXIT_REASON_INVALID_STATE:
		return "invalid guest state";
	case EXIT_REASON_MSR_LOAD_FAIL:
		return "MSR loading";
	default:
		return "machine check";
	}
}

/*
 * VM entry failed: a cell's guest state is what its own instructions
 * made it, so the cell fails and its CPU parks (the next start resets
 * the state); the root's would be the hypervisor's own bug.
 */
static void failed_entry(struct per_cpu *cpu, u32 reason)
{
	u64 qual = vmcs_read(EXIT_QUALIFICATION);

	if (x86_is_root(cpu))
		panic("VM entry failed on CPU %u: %s (exit reason %x, qualification %llx)",
		      cpu->cpu_id, failed_entry_why(reason), reason,
		      (unsigned long long)qual);
	cell_fail(
		cpu,
		"VM entry failed: %s (exit reason %x, qualification %llx) at rip %llx",
		failed_entry_why(reason), reason, (unsigned long long)qual,
		(unsigned long long)vmcs_read(GUEST_RIP));
	cpu_handle_requests(cpu);
}

void vmx_handle_exit(struct guest_regs *regs)
{
	struct per_cpu *cpu = this_cpu();
	u32 reason = (u32)vmcs_read(VM_EXIT_REASON);

	cpu->stats[BRIG_EXIT_TOTAL]++;
	if (reason & EXIT_REASON_FAILED_ENTRY) {
		failed_entry(cpu, reason);
		return;
	}
	reinject_vectoring_event();
	dispatch(cpu, regs, reason & 0xffff);
	cpu_handle_requests(cpu);
	x86_take_cell_nmi(cpu);
	inject_pending_nmi(cpu);
}

void vmx_entry_failed(struct guest_regs *regs)
{
	(void)regs;
	panic("VMLAUNCH/VMRESUME failed on CPU %u: VM-instruction error %llu",
	      this_cpu()->cpu_id,
	      (unsigned long long)vmcs_read(VM_INSTRUCTION_ERROR));
}
