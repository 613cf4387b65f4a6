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
#include <hv/setup.h>
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

void svm_skip_instruction(struct per_cpu *cpu, unsigned int len)
{
	struct vmcb *vmcb = cpu_vmcb(cpu);

	if (svm_has_nrips && vmcb->control.next_rip)
		vmcb->save.rip = vmcb->control.next_rip;
	else
		vmcb->save.rip += len;
}

void svm_inject_exception(struct per_cpu *cpu, unsigned int vector,
			  bool has_error, u32 error)
{
	struct vmcb *vmcb = cpu_vmcb(cpu);

	vmcb->control.event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT |
				  vector |
				  (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = error;
}

unsigned int svm_guest_cpl(struct per_cpu *cpu)
{
	return cpu_vmcb(cpu)->save.cpl;
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

static void handle_msr(struct per_cpu *cpu, struct vmcb *vmcb,
		       const struct x86_gprs *g)
{
	const struct x86_msr_state st = { &vmcb->save.efer, &vmcb->save.g_pat,
					  vmcb->save.cr0 };

	x86_exit_msr(cpu, g, vmcb->control.exit_info1 != 0, &st);
}

static void handle_ioio(struct per_cpu *cpu, struct vmcb *vmcb,
			const struct x86_gprs *g)
{
	u64 info = vmcb->control.exit_info1;
	unsigned int size = (info >> IOIO_SIZE_SHIFT) & 7;

	/* EXITINFO2 holds the next RIP whether or not NRIPS is there. */
	if (x86_exit_io(cpu, g, (u16)(info >> IOIO_PORT_SHIFT),
			size == 4 ? 4 :
			size == 2 ? 2 :
				    1,
			info & IOIO_IN, info & (IOIO_STR | IOIO_REP)))
		vmcb->save.rip = vmcb->control.exit_info2;
}

static void handle_npf(struct per_cpu *cpu, struct vmcb *vmcb,
		       struct guest_regs *regs)
{
	struct x86_fault f = {
		.gpa = vmcb->control.exit_info2,
		.write = vmcb->control.exit_info1 & NPF_WRITE,
		.fetch = vmcb->control.exit_info1 & NPF_FETCH,
		.delivering = vmcb->control.exit_int_info & SVM_EVTINJ_VALID,
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
		svm_inject_exception(cpu, X86_GP_VECTOR, true, 0);
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

/*
 * HLT in an OS cell. SVM has no halted state to enter a guest in, and the
 * hypervisor cannot wait for the guest's interrupt itself (GIF is 0 after
 * the exit). So the guest executes the HLT again, natively, with the HLT
 * intercept off and physical interrupts intercepted: the interrupt that
 * ends the wait exits (still pending, it is delivered at the next VMRUN)
 * and arms the HLT intercept again. The HLT's interrupt shadow (STI; HLT)
 * is still in the VMCB, so the HLT runs in it as it first did.
 */
static void handle_hlt(struct per_cpu *cpu, struct vmcb *vmcb)
{
	struct vmcb_control *ctl = &vmcb->control;

	if (!x86_exit_hlt(cpu, vmcb->save.rflags)) {
		svm_skip_instruction(cpu, 1);
		return;
	}
	ctl->intercept_misc1 = (ctl->intercept_misc1 & ~SVM_INTERCEPT1_HLT) |
			       SVM_INTERCEPT1_INTR;
}

/*
 * Whatever ended a wait of handle_hlt() (the interrupt, or an NMI, the
 * hypervisor's kick among them: the HLT is over either way), HLT exits
 * again and interrupts no longer do. Only a cell with halt = "exits" ever
 * has the INTR intercept.
 */
static void end_hlt_wait(struct per_cpu *cpu, struct vmcb_control *ctl,
			 u32 code)
{
	if (!(ctl->intercept_misc1 & SVM_INTERCEPT1_INTR))
		return;
	if (code == SVM_EXIT_INTR)
		cpu->stats[BRIG_EXIT_HLT]++;
	ctl->intercept_misc1 = (ctl->intercept_misc1 & ~SVM_INTERCEPT1_INTR) |
			       SVM_INTERCEPT1_HLT;
}

static void dispatch(struct per_cpu *cpu, struct vmcb *vmcb,
		     struct guest_regs *regs, u32 code)
{
	struct x86_gprs g;

	svm_gprs(&g, vmcb, regs);
	switch (code) {
	case SVM_EXIT_CPUID:
		x86_exit_cpuid(cpu, &g);
		break;
	case SVM_EXIT_VMMCALL:
		x86_exit_hypercall(cpu, &g, 3);
		break;
	case SVM_EXIT_MSR:
		handle_msr(cpu, vmcb, &g);
		break;
	case SVM_EXIT_IOIO:
		handle_ioio(cpu, vmcb, &g);
		break;
	case SVM_EXIT_NPF:
		handle_npf(cpu, vmcb, regs);
		break;
	case SVM_EXIT_NMI:
		handle_nmi(cpu);
		break;
	case SVM_EXIT_INIT:
		x86_exit_init(cpu);
		break;
	case SVM_EXIT_INVD:
		x86_exit_invd(cpu);
		break;
	case SVM_EXIT_HLT:
		handle_hlt(cpu, vmcb);
		break;
	case SVM_EXIT_INTR: /* counted by end_hlt_wait() */
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		x86_exit_virt_insn(cpu, "SVM", code, vmcb->save.rip);
		break;
	case SVM_EXIT_SHUTDOWN:
		x86_exit_triple_fault(cpu, vmcb->save.rip);
		break;
	case SVM_EXIT_INVALID:
		/*
		 * VMRUN refused the guest state: a cell's is what its own
		 * instructions made it (it fails, and the next start resets
		 * it); the root's would be the hypervisor's own bug, and the
		 * root cannot run on (an injected fault would meet the same
		 * refusal).
		 */
		if (x86_is_root(cpu))
			panic("VMRUN refused the root's state on CPU %u at rip %llx",
			      cpu->cpu_id, (unsigned long long)vmcb->save.rip);
		cpu->stats[BRIG_EXIT_OTHER]++;
		cell_fail(
			cpu,
			"VM entry failed: VMRUN refused the state at rip %llx",
			(unsigned long long)vmcb->save.rip);
		break;
	default:
		x86_exit_unexpected(cpu, "unexpected SVM exit", code,
				    vmcb->control.exit_info1, vmcb->save.rip);
	}
}

/*
 * An event whose delivery the exit cut short (an interrupt or exception
 * whose IDT or stack access faulted in the second stage, one an NMI or
 * another intercept overtook) goes in again at the next VMRUN; left alone
 * it would be lost. A software interrupt is not: its INTn instruction,
 * where RIP still points, raises it again. An exception the handler
 * injects replaces it, as a fault during delivery would on hardware.
 */
static void reinject_interrupted_event(struct vmcb *vmcb)
{
	u32 info = vmcb->control.exit_int_info;

	if (!(info & SVM_EVTINJ_VALID) ||
	    (info & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_SOFT)
		return;
	/* INT3 and INTO are reported as exceptions; they re-execute too. */
	if ((info & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_EXEPT &&
	    ((info & 0xff) == 3 || (info & 0xff) == 4))
		return;
	info = svm_event_as_injectable(info);
	vmcb->control.event_inj = info;
	vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
}

/* Where VMRUN returns to: the host RIP the host-save area holds. */
extern char svm_vmrun_return[];

static struct x86_exit_record *trace_exit(struct per_cpu *cpu,
					  const struct vmcb *vmcb)
{
	struct x86_exit_record *r =
		&cpu->arch.exit_trace[cpu->arch.exit_trace_next++ %
				      X86_EXIT_TRACE];

	*r = (struct x86_exit_record){
		.code = vmcb->control.exit_code,
		.int_info = vmcb->control.exit_int_info,
		.info1 = vmcb->control.exit_info1,
		.info2 = vmcb->control.exit_info2,
		.rip = vmcb->save.rip,
		.cr3 = vmcb->save.cr3,
	};
	return r;
}

static void print_exit_trace(const struct per_cpu *cpu)
{
	unsigned int next = cpu->arch.exit_trace_next;

	for (unsigned int n = next > X86_EXIT_TRACE ? next - X86_EXIT_TRACE : 0;
	     n < next; n++) {
		const struct x86_exit_record *r =
			&cpu->arch.exit_trace[n % X86_EXIT_TRACE];

		printk("brig:   exit %u: code %x info %llx %llx int_info %x at rip %llx cr3 %llx, then injected %x\n",
		       n, r->code, (unsigned long long)r->info1,
		       (unsigned long long)r->info2, r->int_info,
		       (unsigned long long)r->rip, (unsigned long long)r->cr3,
		       r->inject);
	}
}

/*
 * The guest state must never be the host's: a VMCB whose RIP is where
 * VMRUN returns and whose CR3 is the hypervisor's tables runs the
 * hypervisor's code as the guest, and VMRUN must take this CPU's VMCB.
 * Checked on both sides of each VMRUN, it tells which side wrote it; said
 * once per CPU, with the exits before (docs/design.md, "The root's
 * host-state fault").
 */
static void check_guest_state(struct per_cpu *cpu, const struct vmcb *vmcb,
			      const struct guest_regs *regs, const char *when)
{
	const struct vmcb *hsave =
		(const struct vmcb *)cpu->arch.host_save_area;
	/*
	 * Both: a guest may well run at that address, or load such a CR3.
	 * The RIP first: CR3 is read only when it matches (every exit comes
	 * here twice).
	 */
	bool hosts = vmcb->save.rip == (u64)svm_vmrun_return &&
		     ((vmcb->save.cr3 ^ read_cr3()) & GENMASK_ULL(51, 12)) == 0;

	if (!hosts && regs->vmcb_pa == hv_virt_to_phys((void *)vmcb))
		return;
	if (cpu->arch.host_state_said)
		return;
	cpu->arch.host_state_said = true;
	printk("brig: CPU %u (%s): the guest state is the host's %s: rip %llx cr3 %llx cs %x/%llx efer %llx cr0 %llx; VMCB %llx (VMRUN's %llx), host save %llx (VM_HSAVE_PA %llx)\n",
	       cpu->cpu_id, cpu->cell->config->name, when,
	       (unsigned long long)vmcb->save.rip,
	       (unsigned long long)vmcb->save.cr3, vmcb->save.cs.selector,
	       (unsigned long long)vmcb->save.cs.base,
	       (unsigned long long)vmcb->save.efer,
	       (unsigned long long)vmcb->save.cr0,
	       (unsigned long long)hv_virt_to_phys((void *)vmcb),
	       (unsigned long long)regs->vmcb_pa,
	       (unsigned long long)hv_virt_to_phys(cpu->arch.host_save_area),
	       (unsigned long long)read_msr(MSR_VM_HSAVE_PA));
	printk("brig:   rsp %llx rax %llx rflags %llx cpl %u cr2 %llx int_state %x int_ctl %x event_inj %x exit_int_info %x; host save: rip %llx rsp %llx cr3 %llx\n",
	       (unsigned long long)vmcb->save.rsp,
	       (unsigned long long)vmcb->save.rax,
	       (unsigned long long)vmcb->save.rflags, vmcb->save.cpl,
	       (unsigned long long)vmcb->save.cr2, vmcb->control.int_state,
	       vmcb->control.int_ctl, vmcb->control.event_inj,
	       vmcb->control.exit_int_info, (unsigned long long)hsave->save.rip,
	       (unsigned long long)hsave->save.rsp,
	       (unsigned long long)hsave->save.cr3);
	printk("brig:   rcx %llx rdx %llx rbx %llx rbp %llx rsi %llx rdi %llx r8 %llx r9 %llx r10 %llx r11 %llx r12 %llx r13 %llx r14 %llx r15 %llx\n",
	       (unsigned long long)regs->rcx, (unsigned long long)regs->rdx,
	       (unsigned long long)regs->rbx, (unsigned long long)regs->rbp,
	       (unsigned long long)regs->rsi, (unsigned long long)regs->rdi,
	       (unsigned long long)regs->r8, (unsigned long long)regs->r9,
	       (unsigned long long)regs->r10, (unsigned long long)regs->r11,
	       (unsigned long long)regs->r12, (unsigned long long)regs->r13,
	       (unsigned long long)regs->r14, (unsigned long long)regs->r15);
	print_exit_trace(cpu);
}

void svm_handle_exit(struct guest_regs *regs);

void svm_handle_exit(struct guest_regs *regs)
{
	struct per_cpu *cpu = this_cpu();
	struct vmcb *vmcb = cpu_vmcb(cpu);
	struct x86_exit_record *trace = trace_exit(cpu, vmcb);

	check_guest_state(cpu, vmcb, regs, "at the exit");
	cpu->stats[BRIG_EXIT_TOTAL]++;
	vmcb->control.tlb_control = 0;
	reinject_interrupted_event(vmcb);
	end_hlt_wait(cpu, &vmcb->control, vmcb->control.exit_code);
	dispatch(cpu, vmcb, regs, vmcb->control.exit_code);
	cpu_handle_requests(cpu);
	x86_take_cell_nmi(cpu);
	if (cpu->arch.nmi_pending &&
	    !(vmcb->control.event_inj & SVM_EVTINJ_VALID)) {
		vmcb->control.event_inj = SVM_EVTINJ_VALID |
					  SVM_EVTINJ_TYPE_NMI | X86_NMI_VECTOR;
		cpu->arch.nmi_pending = false;
	}
	trace->inject = vmcb->control.event_inj;
	check_guest_state(cpu, vmcb, regs, "before VMRUN");
}
