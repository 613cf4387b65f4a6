// SPDX-License-Identifier: GPL-2.0
/*
 * SVM exit handling: decode each #VMEXIT into the vendor-neutral policy of
 * exits.c and the core's hypercalls, then act on the CPU's requests before
 * the next VMRUN. Every exit is counted, by reason, here at the single
 * entry point.
 *
 * QEMU's SVM has neither NRIP save nor decode assists, so the next RIP is
 * computed from the fixed length of each intercepted instruction when NRIP
 * save is absent; IOIO exits always give it in EXITINFO2.
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
#include <arch/x86.h>

/* EXITINFO1 of an IOIO exit */
#define IOIO_IN BIT(0)
#define IOIO_STR BIT(2)
#define IOIO_REP BIT(3)
#define IOIO_SIZE_SHIFT 4 /* one-hot: 1, 2 or 4 bytes in bits 4..6 */
#define IOIO_PORT_SHIFT 16

static bool is_root(const struct per_cpu *cpu)
{
	return cpu->cell == &root_cell;
}

static void skip_instruction(struct vmcb *vmcb, unsigned int len)
{
	if (svm_has_nrips && vmcb->control.next_rip)
		vmcb->save.rip = vmcb->control.next_rip;
	else
		vmcb->save.rip += len;
}

static void inject_exception(struct vmcb *vmcb, unsigned int vector,
			     bool has_error, u32 error)
{
	vmcb->control.event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT |
				  vector |
				  (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = error;
}

/* Refused: the root gets #GP; a cell has failed and parks. */
static void refuse(struct per_cpu *cpu, struct vmcb *vmcb)
{
	if (is_root(cpu))
		inject_exception(vmcb, X86_GP_VECTOR, true, 0);
}

static void handle_cpuid(struct per_cpu *cpu, struct vmcb *vmcb,
			 struct guest_regs *regs)
{
	struct cpuid_regs r;

	x86_cpuid(cpu, (u32)vmcb->save.rax, (u32)regs->rcx, &r);
	vmcb->save.rax = r.eax;
	regs->rbx = r.ebx;
	regs->rcx = r.ecx;
	regs->rdx = r.edx;
	skip_instruction(vmcb, 2);
}

static void handle_vmmcall(struct per_cpu *cpu, struct vmcb *vmcb,
			   struct guest_regs *regs)
{
	long ret;

	cpu->stats[BRIG_EXIT_HYPERCALL]++;
	skip_instruction(vmcb, 3);
	if (vmcb->save.cpl != 0)
		ret = -EPERM;
	else
		ret = hypercall(cpu, vmcb->save.rax, regs->rdi, regs->rsi);
	vmcb->save.rax = (u64)ret;
}

static void handle_msr(struct per_cpu *cpu, struct vmcb *vmcb,
		       struct guest_regs *regs)
{
	const struct x86_msr_state st = { &vmcb->save.efer, &vmcb->save.g_pat };
	u32 msr = (u32)regs->rcx;
	bool ok;
	u64 val;

	cpu->stats[msr == MSR_X2APIC_ICR ? BRIG_EXIT_X2APIC_ICR :
					   BRIG_EXIT_MSR]++;
	if (vmcb->control.exit_info1 == 0) {
		ok = x86_msr_read(cpu, msr, &val, &st);
		if (ok) {
			vmcb->save.rax = (u32)val;
			regs->rdx = val >> 32;
		}
	} else {
		val = (vmcb->save.rax & 0xffffffff) | regs->rdx << 32;
		ok = x86_msr_write(cpu, msr, val, &st);
	}
	if (ok)
		skip_instruction(vmcb, 2);
	else
		refuse(cpu, vmcb);
}

static void handle_ioio(struct per_cpu *cpu, struct vmcb *vmcb)
{
	u64 info = vmcb->control.exit_info1;
	u16 port = (u16)(info >> IOIO_PORT_SHIFT);
	unsigned int size = (info >> IOIO_SIZE_SHIFT) & 7;

	cpu->stats[BRIG_EXIT_PIO]++;
	if (info & (IOIO_STR | IOIO_REP)) {
		if (is_root(cpu))
			printk("brig: root cell CPU %u: string I/O on port %x denied\n",
			       cpu->cpu_id, port);
		else
			cell_fail(cpu, "string I/O on port %x", port);
		refuse(cpu, vmcb);
		return;
	}
	if (x86_pio(cpu, port,
		    size == 4 ? 4 :
		    size == 2 ? 2 :
				1,
		    info & IOIO_IN, &vmcb->save.rax))
		vmcb->save.rip = vmcb->control.exit_info2;
}

/* The guest's 16 GPRs in x86 numbering, RAX and RSP living in the VMCB. */
static void svm_gprs(struct x86_gprs *g, struct vmcb *vmcb,
		     struct guest_regs *r)
{
	u64 *regs[16] = { &vmcb->save.rax, &r->rcx, &r->rdx, &r->rbx,
			  &vmcb->save.rsp, &r->rbp, &r->rsi, &r->rdi,
			  &r->r8,	   &r->r9,  &r->r10, &r->r11,
			  &r->r12,	   &r->r13, &r->r14, &r->r15 };

	memcpy(g->reg, regs, sizeof(regs));
}

static void handle_npf(struct per_cpu *cpu, struct vmcb *vmcb,
		       struct guest_regs *regs)
{
	struct x86_fault f = {
		.gpa = vmcb->control.exit_info2,
		.write = vmcb->control.exit_info1 & NPF_WRITE,
		.fetch = vmcb->control.exit_info1 & NPF_FETCH,
		.rip = vmcb->save.rip,
		.cr3 = vmcb->save.cr3,
		.cr4 = vmcb->save.cr4,
		.efer = vmcb->save.efer,
	};
	struct x86_gprs gprs;
	int len;

	svm_gprs(&gprs, vmcb, regs);
	len = x86_stage2_fault(cpu, &gprs, &f);
	if (len < 0)
		inject_exception(vmcb, X86_GP_VECTOR, true, 0);
	else
		vmcb->save.rip += (unsigned int)len;
}

/*
 * An NMI arrived in guest mode. It is still pending (GIF is 0 after the
 * exit): open GIF for a moment so the host handler takes it and tells the
 * hypervisor's own kicks from Linux's NMIs, which go back to a root CPU
 * (cells get none but ours; see x86_exception()).
 */
static void handle_nmi(struct per_cpu *cpu)
{
	cpu->stats[BRIG_EXIT_NMI]++;
	asm volatile("stgi; clgi" ::: "memory");
	if (READ_ONCE(cpu->requests) || x86_check_init_sipi(cpu) ||
	    !cpu->arch.nmi_pending)
		cpu->stats[BRIG_EXIT_MANAGEMENT]++;
}

static void handle_init(struct per_cpu *cpu)
{
	/*
	 * A hardware INIT (the root sent it some way the hypervisor does not
	 * intercept): park the CPU until a SIPI, as the hardware would.
	 */
	cpu->arch.init_pending = true;
	x86_check_init_sipi(cpu);
}

static void handle_shutdown(struct per_cpu *cpu, struct vmcb *vmcb)
{
	if (is_root(cpu))
		panic("the root cell triple-faulted on CPU %u at rip %llx",
		      cpu->cpu_id, (unsigned long long)vmcb->save.rip);
	cell_fail(cpu, "triple fault at rip %llx",
		  (unsigned long long)vmcb->save.rip);
}

static void handle_svm_insn(struct per_cpu *cpu, struct vmcb *vmcb, u32 code)
{
	cpu->stats[BRIG_EXIT_EXCEPTION]++;
	inject_exception(vmcb, X86_UD_VECTOR, false, 0);
	/* Harmless (#UD, as without SVM), but a cell trying it is news. */
	if (!is_root(cpu))
		printk("brig: cell \"%s\" CPU %u: SVM instruction (exit %x) at %llx: #UD\n",
		       cpu->cell->config->name, cpu->cpu_id, code,
		       (unsigned long long)vmcb->save.rip);
}

static void dispatch(struct per_cpu *cpu, struct vmcb *vmcb,
		     struct guest_regs *regs, u32 code)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		cpu->stats[BRIG_EXIT_CPUID]++;
		handle_cpuid(cpu, vmcb, regs);
		break;
	case SVM_EXIT_VMMCALL:
		handle_vmmcall(cpu, vmcb, regs);
		break;
	case SVM_EXIT_MSR:
		handle_msr(cpu, vmcb, regs);
		break;
	case SVM_EXIT_IOIO:
		handle_ioio(cpu, vmcb);
		break;
	case SVM_EXIT_NPF:
		handle_npf(cpu, vmcb, regs);
		break;
	case SVM_EXIT_NMI:
		handle_nmi(cpu);
		break;
	case SVM_EXIT_INIT:
		cpu->stats[BRIG_EXIT_INIT_SIPI]++;
		handle_init(cpu);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		handle_svm_insn(cpu, vmcb, code);
		break;
	case SVM_EXIT_SHUTDOWN:
		cpu->stats[BRIG_EXIT_OTHER]++;
		handle_shutdown(cpu, vmcb);
		break;
	default:
		panic("unexpected SVM exit %x (info1 %llx, info2 %llx) at rip %llx",
		      code, (unsigned long long)vmcb->control.exit_info1,
		      (unsigned long long)vmcb->control.exit_info2,
		      (unsigned long long)vmcb->save.rip);
	}
}

void svm_handle_exit(struct guest_regs *regs);

void svm_handle_exit(struct guest_regs *regs)
{
	struct per_cpu *cpu = this_cpu();
	struct vmcb *vmcb = cpu_vmcb(cpu);

	cpu->stats[BRIG_EXIT_TOTAL]++;
	vmcb->control.tlb_control = 0;
	dispatch(cpu, vmcb, regs, vmcb->control.exit_code);
	cpu_handle_requests(cpu);
	if (cpu->arch.nmi_pending &&
	    !(vmcb->control.event_inj & SVM_EVTINJ_VALID)) {
		vmcb->control.event_inj = SVM_EVTINJ_VALID |
					  SVM_EVTINJ_TYPE_NMI | X86_NMI_VECTOR;
		cpu->arch.nmi_pending = false;
	}
}
