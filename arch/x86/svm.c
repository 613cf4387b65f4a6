// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD-V (SVM) backend: VMCB set-up from the live Linux state, nested
 * paging for the root cell, the VMRUN loop's exit handlers, and leaving SVM
 * again on disable.
 *
 * What is intercepted, and why (everything else runs natively):
 *  - CPUID: to hide SVM from guests and announce brig at 0x40000000;
 *  - VMMCALL: the hypercall instruction;
 *  - VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA: SVM instructions a
 *    guest must not use (they raise #UD); VMRUN must be intercepted anyway;
 *  - MSR accesses in the MSR permission map (see init_msrpm());
 *  - I/O ports in the I/O permission map (none yet: the root owns all);
 *  - INIT: a real INIT would reset the CPU under the hypervisor's feet;
 *  - NMI: management requests between CPUs arrive as NMIs; Linux's own
 *    NMIs (backtraces, watchdog, perf) are handed back to it;
 *  - SHUTDOWN: a triple fault, which would otherwise reset the machine.
 * External interrupts are not intercepted: they reach the guest directly,
 * with no exit. HLT is not intercepted either.
 *
 * QEMU's SVM has neither NRIP save nor decode assists, so the next RIP is
 * computed from the fixed length of each intercepted instruction when NRIP
 * save is absent.
 */
#include <hv/arch.h>
#include <hv/control.h>
#include <hv/page-pool.h>
#include <hv/panic.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/string.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/mmio.h>
#include <arch/paging.h>
#include <arch/x86.h>

#define ROOT_ASID 1

/* The root cell's second-stage state, shared by all its CPUs. */
static struct paging_structs root_npt;
static u8 *root_msrpm; /* SVM_MSRPM_SIZE, physically contiguous */
static u8 *root_iopm; /* SVM_IOPM_SIZE */
static bool has_nrips;

static struct guest_regs *guest_regs_of(struct per_cpu *cpu)
{
	return (struct guest_regs *)(cpu->stack + HV_STACK_SIZE -
				     GUEST_REGS_SIZE);
}

/* Two bits per MSR (read, write) in three 8 KiB-bit ranges. */
static void msrpm_intercept(u8 *map, u32 msr, bool read, bool write)
{
	u32 base;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base = 0x800;
	else if (msr >= 0xc0010000 && msr <= 0xc0011fff)
		base = 0x1000;
	else
		panic("MSR %x is outside the MSR permission map", msr);
	msr &= 0x1fff;
	if (read)
		map[base + msr / 4] |= (u8)(1u << (msr % 4 * 2));
	if (write)
		map[base + msr / 4] |= (u8)(2u << (msr % 4 * 2));
}

/*
 * EFER: SVME must stay set while a guest runs; a guest cannot clear it.
 * VM_HSAVE_PA and VM_CR: the host save area and the SVM lock belong to
 * the hypervisor. ICR (x2APIC): INIT and SIPI are emulated.
 */
static void init_msrpm(u8 *map)
{
	msrpm_intercept(map, MSR_EFER, true, true);
	msrpm_intercept(map, MSR_VM_HSAVE_PA, true, true);
	msrpm_intercept(map, MSR_VM_CR, true, true);
	msrpm_intercept(map, MSR_X2APIC_ICR, false, true);
}

/* The root sees its own memory 1:1; the hypervisor region is absent. */
static int map_root_memory(void)
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);
	int err = paging_init(&root_npt, &x86_npt_paging, &mem_pool);

	for (unsigned int n = 0; n < root->num_memory_regions && !err; n++) {
		unsigned int flags = 0;

		if (mem[n].flags & BRIG_MEM_READ)
			flags |= PAGE_READ;
		if (mem[n].flags & BRIG_MEM_WRITE)
			flags |= PAGE_WRITE;
		if (mem[n].flags & BRIG_MEM_EXECUTE)
			flags |= PAGE_EXEC;
		if (mem[n].type == BRIG_MEM_TYPE_MMIO)
			flags |= PAGE_DEVICE;
		err = paging_map(&root_npt, mem[n].virt_start,
				 mem[n].phys_start, mem[n].size, flags);
	}
	return err;
}

int svm_init(void)
{
	struct cpuid_regs r;
	int err;

	cpuid_count(0x80000001, 0, &r);
	if (!(r.ecx & X86_FEATURE_SVM_ECX)) {
		printk("brig: the CPU has no AMD-V (SVM)\n");
		return -ENODEV;
	}
	if (read_msr(MSR_VM_CR) & VM_CR_SVMDIS) {
		printk("brig: AMD-V is disabled by the firmware (VM_CR.SVMDIS): enable SVM in the firmware setup\n");
		return -ENODEV;
	}
	cpuid_count(0x8000000a, 0, &r);
	if (!(r.edx & SVM_FEATURE_NPT)) {
		printk("brig: the CPU has no nested paging (NPT), which brig requires\n");
		return -ENODEV;
	}
	has_nrips = r.edx & SVM_FEATURE_NRIPS;
	printk("brig: SVM: NPT, NRIP save %s, decode assists %s\n",
	       has_nrips ? "yes" : "no",
	       (r.edx & SVM_FEATURE_DECODE_ASSISTS) ? "yes" : "no");

	root_msrpm = page_alloc(&mem_pool, SVM_MSRPM_SIZE / PAGE_SIZE);
	root_iopm = page_alloc(&mem_pool, SVM_IOPM_SIZE / PAGE_SIZE);
	if (!root_msrpm || !root_iopm)
		return -ENOMEM;
	init_msrpm(root_msrpm);
	err = map_root_memory();
	if (err)
		printk("brig: cannot build the root cell's nested page tables: %d\n",
		       err);
	return err;
}

static void read_linux_segments(struct vmcb_save *save,
				const struct per_cpu_arch *a)
{
	const struct desc_ptr *gdt = &a->linux_gdt;

	x86_read_segment(gdt, a->linux_cs, &save->cs);
	x86_read_segment(gdt, a->linux_ds, &save->ds);
	x86_read_segment(gdt, a->linux_es, &save->es);
	x86_read_segment(gdt, a->linux_ss, &save->ss);
	/* FS, GS, TR and LDTR stay live in the CPU (no VMLOAD/VMSAVE). */
	x86_read_segment(gdt, read_fs(), &save->fs);
	x86_read_segment(gdt, read_gs(), &save->gs);
	x86_read_segment(gdt, read_tr(), &save->tr);
	x86_read_segment(gdt, read_ldtr(), &save->ldtr);
	save->fs.base = read_msr(MSR_FS_BASE);
	save->gs.base = read_msr(MSR_GS_BASE);
	save->gdtr.base = gdt->base;
	save->gdtr.limit = gdt->limit;
	save->idtr.base = a->linux_idt.base;
	save->idtr.limit = a->linux_idt.limit;
}

/* The guest continues exactly where Linux called in, with RAX = 0. */
static void init_vmcb_from_linux(struct per_cpu *cpu,
				 struct arch_entry_state *state)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	struct vmcb_control *ctl = &vmcb->control;
	struct vmcb_save *save = &vmcb->save;

	memset(vmcb, 0, sizeof(*vmcb));
	ctl->intercept_misc1 = SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_INIT |
			       SVM_INTERCEPT1_CPUID |
			       SVM_INTERCEPT1_INVLPGA |
			       SVM_INTERCEPT1_IOIO_PROT |
			       SVM_INTERCEPT1_MSR_PROT |
			       SVM_INTERCEPT1_SHUTDOWN;
	ctl->intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL |
			       SVM_INTERCEPT2_VMLOAD | SVM_INTERCEPT2_VMSAVE |
			       SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |
			       SVM_INTERCEPT2_SKINIT;
	ctl->iopm_base_pa = hv_virt_to_phys(root_iopm);
	ctl->msrpm_base_pa = hv_virt_to_phys(root_msrpm);
	ctl->asid = ROOT_ASID;
	ctl->tlb_control = SVM_TLB_FLUSH_ALL;
	ctl->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	ctl->nested_cr3 = hv_virt_to_phys(root_npt.root);

	read_linux_segments(save, &cpu->arch);
	save->cpl = 0;
	save->efer = cpu->arch.linux_efer | EFER_SVME;
	save->cr0 = read_cr0();
	save->cr2 = read_cr2();
	save->cr3 = state->linux_cr3;
	save->cr4 = cpu->arch.linux_cr4;
	save->dr6 = 0xffff0ff0;
	save->dr7 = read_dr7();
	save->rflags = state->rflags;
	save->rip = state->resume_rip;
	save->rsp = state->resume_rsp;
	save->rax = 0;
	save->star = read_msr(MSR_STAR);
	save->lstar = read_msr(MSR_LSTAR);
	save->cstar = read_msr(MSR_CSTAR);
	save->sfmask = read_msr(MSR_SFMASK);
	save->kernel_gs_base = read_msr(MSR_KERNEL_GS_BASE);
	save->sysenter_cs = read_msr(MSR_IA32_SYSENTER_CS);
	save->sysenter_esp = read_msr(MSR_IA32_SYSENTER_ESP);
	save->sysenter_eip = read_msr(MSR_IA32_SYSENTER_EIP);
	save->g_pat = read_msr(MSR_IA32_PAT);
}

int svm_cpu_init(struct per_cpu *cpu, struct arch_entry_state *state)
{
	u64 efer = read_msr(MSR_EFER);

	if (efer & EFER_SVME) {
		printk("brig: CPU %u: EFER.SVME is already set: another hypervisor (KVM?) holds AMD-V\n",
		       cpu->cpu_id);
		return -EBUSY;
	}
	write_msr(MSR_EFER, efer | EFER_SVME);
	write_msr(MSR_VM_HSAVE_PA, hv_virt_to_phys(cpu->arch.host_save_area));
	init_vmcb_from_linux(cpu, state);
	return 0;
}

void svm_cpu_exit(struct per_cpu *cpu)
{
	write_msr(MSR_VM_HSAVE_PA, 0);
	write_msr(MSR_EFER, read_msr(MSR_EFER) & ~EFER_SVME);
}

void svm_cpu_activate(struct per_cpu *cpu)
{
	struct guest_regs *regs = guest_regs_of(cpu);

	memset(regs, 0, sizeof(*regs));
	regs->vmcb_pa = hv_virt_to_phys(&cpu->arch.vmcb);
	if (cpu->arch.nmi_pending) {
		cpu->arch.vmcb.control.event_inj =
			SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | X86_NMI_VECTOR;
		cpu->arch.nmi_pending = false;
	}
	svm_vm_loop(regs);
}

/* --- exits -------------------------------------------------------------- */

static void skip_instruction(struct vmcb *vmcb, unsigned int len)
{
	if (has_nrips && vmcb->control.next_rip)
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

/* brig's CPUID signature at 0x40000000: "brigbrigbrig". */
#define BRIG_CPUID_SIG 0x67697262

static void handle_cpuid(struct vmcb *vmcb, struct guest_regs *regs)
{
	u32 leaf = (u32)vmcb->save.rax, sub = (u32)regs->rcx;
	struct cpuid_regs r;

	if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
		r = (struct cpuid_regs){ 0 };
		if (leaf == 0x40000000)
			r = (struct cpuid_regs){ 0x40000000, BRIG_CPUID_SIG,
						 BRIG_CPUID_SIG,
						 BRIG_CPUID_SIG };
	} else {
		cpuid_count(leaf, sub, &r);
		if (leaf == 1)
			r.ecx = (r.ecx | BIT(31)) & ~BIT(5); /* hv yes, VMX no */
		else if (leaf == 0x80000001)
			r.ecx &= ~X86_FEATURE_SVM_ECX;
		else if (leaf == 0x8000000a)
			r = (struct cpuid_regs){ 0 };
	}
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

/* EFER bits a guest may change; anything else faults as on hardware. */
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | BIT(14))

static bool handle_msr_read(struct vmcb *vmcb, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_EFER:
		/*
		 * SVME reads as set, as it is: it is how KVM (and any other
		 * hypervisor) learns that AMD-V is taken and gives up with
		 * -EBUSY. Linux 6.12's KVM checks nothing else (not VM_CR),
		 * and hiding SVME would let it go on to load its own host
		 * save area and, later, VMRUN.
		 */
		*val = vmcb->save.efer;
		return true;
	case MSR_VM_HSAVE_PA:
		*val = 0;
		return true;
	case MSR_VM_CR:
		/* SVM "disabled and locked": what a guest's KVM respects. */
		*val = VM_CR_SVMDIS | VM_CR_LOCK;
		return true;
	default:
		return false;
	}
}

static bool handle_msr_write(struct per_cpu *cpu, struct vmcb *vmcb, u32 msr,
			     u64 val)
{
	switch (msr) {
	case MSR_EFER:
		if (val & ~EFER_GUEST_BITS & ~EFER_SVME)
			return false;
		vmcb->save.efer = val | EFER_SVME;
		return true;
	case MSR_X2APIC_ICR:
		return x86_x2apic_icr_write(cpu, val);
	default:
		/* VM_HSAVE_PA, VM_CR: the hypervisor's; refused. */
		return false;
	}
}

static void handle_msr(struct per_cpu *cpu, struct vmcb *vmcb,
		       struct guest_regs *regs)
{
	u32 msr = (u32)regs->rcx;
	u64 val;

	cpu->stats[msr == MSR_X2APIC_ICR ? BRIG_EXIT_X2APIC_ICR
					 : BRIG_EXIT_MSR]++;
	if (vmcb->control.exit_info1 == 0) {
		if (!handle_msr_read(vmcb, msr, &val))
			goto gp;
		vmcb->save.rax = (u32)val;
		regs->rdx = val >> 32;
	} else {
		val = (vmcb->save.rax & 0xffffffff) | regs->rdx << 32;
		if (!handle_msr_write(cpu, vmcb, msr, val))
			goto gp;
	}
	skip_instruction(vmcb, 2);
	return;
gp:
	inject_exception(vmcb, X86_GP_VECTOR, true, 0);
}

/* The guest's 16 GPRs in x86 numbering, RAX and RSP living in the VMCB. */
static void svm_gprs(struct x86_gprs *g, struct vmcb *vmcb,
		     struct guest_regs *r)
{
	u64 *regs[16] = { &vmcb->save.rax, &r->rcx, &r->rdx, &r->rbx,
			  &vmcb->save.rsp, &r->rbp, &r->rsi, &r->rdi,
			  &r->r8, &r->r9, &r->r10, &r->r11,
			  &r->r12, &r->r13, &r->r14, &r->r15 };

	memcpy(g->reg, regs, sizeof(regs));
}

static void handle_npf(struct per_cpu *cpu, struct vmcb *vmcb,
		       struct guest_regs *regs)
{
	struct x86_mmio_access acc;
	struct x86_gprs gprs;

	cpu->stats[BRIG_EXIT_MMIO]++;
	svm_gprs(&gprs, vmcb, regs);
	acc.gpa = vmcb->control.exit_info2;
	acc.is_write = vmcb->control.exit_info1 & NPF_WRITE;
	if (vmcb->control.exit_info1 & NPF_FETCH ||
	    !x86_decode_mmio(&gprs, vmcb->save.rip, vmcb->save.cr3,
			     vmcb->save.cr4, vmcb->save.efer, &acc)) {
		printk("brig: root cell CPU %u: cannot emulate the access to %llx by the instruction at %llx; injecting #GP\n",
		       cpu->cpu_id, (unsigned long long)acc.gpa,
		       (unsigned long long)vmcb->save.rip);
		inject_exception(vmcb, X86_GP_VECTOR, true, 0);
		return;
	}
	x86_root_forbidden_access(cpu, &gprs, &acc);
	vmcb->save.rip += acc.inst_len;
}

/*
 * An NMI arrived in guest mode. It is still pending (GIF is 0 after the
 * exit): open GIF for a moment so the host handler takes it. If a
 * management request was posted to this CPU, the NMI was the hypervisor's
 * own; otherwise it was Linux's and goes back to Linux.
 */
static void handle_nmi(struct per_cpu *cpu)
{
	cpu->stats[BRIG_EXIT_NMI]++;
	asm volatile("stgi; clgi" ::: "memory");
	if (x86_check_init_sipi(cpu)) {
		cpu->stats[BRIG_EXIT_MANAGEMENT]++;
		cpu->arch.nmi_pending = false;
	} else {
		cpu->arch.nmi_pending = true;
	}
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

/* Real-mode segment: base, 64 KiB limit, present, the given type. */
static void real_mode_segment(struct vmcb_seg *seg, u16 selector, u16 attrib)
{
	seg->selector = selector;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = (u64)selector << 4;
}

/*
 * The state after INIT and a SIPI with vector v: real mode at v << 12,
 * paging and caches as after reset (Intel SDM 9.1.1, AMD APM 14.1.3).
 */
void svm_cpu_reset(struct per_cpu *cpu, unsigned int vector)
{
	struct vmcb *vmcb = &cpu->arch.vmcb;
	struct vmcb_save *save = &vmcb->save;

	real_mode_segment(&save->cs, (u16)(vector << 8), 0x9b);
	real_mode_segment(&save->ds, 0, 0x93);
	real_mode_segment(&save->es, 0, 0x93);
	real_mode_segment(&save->ss, 0, 0x93);
	real_mode_segment(&save->fs, 0, 0x93);
	real_mode_segment(&save->gs, 0, 0x93);
	real_mode_segment(&save->ldtr, 0, 0x82);
	real_mode_segment(&save->tr, 0, 0x8b);
	save->gdtr = (struct vmcb_seg){ .limit = 0xffff };
	save->idtr = (struct vmcb_seg){ .limit = 0xffff };
	save->cpl = 0;
	save->efer = EFER_SVME;
	save->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	save->cr2 = 0;
	save->cr3 = 0;
	save->cr4 = 0;
	save->dr6 = 0xffff0ff0;
	save->dr7 = 0x400;
	save->rflags = X86_RFLAGS_RESERVED1;
	save->rip = 0;
	save->rsp = 0;
	save->rax = 0;
	save->star = save->lstar = save->cstar = save->sfmask = 0;
	save->kernel_gs_base = 0;
	save->sysenter_cs = save->sysenter_esp = save->sysenter_eip = 0;
	save->g_pat = PAT_RESET_VALUE;
	vmcb->control.event_inj = 0;
	vmcb->control.int_state = 0;
	vmcb->control.tlb_control = SVM_TLB_FLUSH_ALL;
	memset(guest_regs_of(cpu), 0, offsetof(struct guest_regs, vmcb_pa));
	/* FS, GS, TR, LDTR and the syscall MSRs: only VMLOAD sets them. */
	asm volatile("vmload %%rax" ::"a"(hv_virt_to_phys(vmcb)) : "memory");
}

static void stop_guest(struct per_cpu *cpu, struct vmcb *vmcb)
{
	panic("the root cell triple-faulted on CPU %u at rip %llx",
	      cpu->cpu_id, (unsigned long long)vmcb->save.rip);
}

void svm_handle_exit(struct guest_regs *regs);

void svm_handle_exit(struct guest_regs *regs)
{
	struct per_cpu *cpu = this_cpu();
	struct vmcb *vmcb = &cpu->arch.vmcb;
	u32 code = vmcb->control.exit_code;

	cpu->stats[BRIG_EXIT_TOTAL]++;
	vmcb->control.tlb_control = 0;
	switch (code) {
	case SVM_EXIT_CPUID:
		cpu->stats[BRIG_EXIT_CPUID]++;
		handle_cpuid(vmcb, regs);
		break;
	case SVM_EXIT_VMMCALL:
		handle_vmmcall(cpu, vmcb, regs);
		break;
	case SVM_EXIT_MSR:
		handle_msr(cpu, vmcb, regs);
		break;
	case SVM_EXIT_NPF:
		handle_npf(cpu, vmcb, regs);
		break;
	case SVM_EXIT_NMI:
		handle_nmi(cpu);
		break;
	case SVM_EXIT_INIT:
		handle_init(cpu);
		break;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		cpu->stats[BRIG_EXIT_EXCEPTION]++;
		inject_exception(vmcb, X86_UD_VECTOR, false, 0);
		break;
	case SVM_EXIT_SHUTDOWN:
		stop_guest(cpu, vmcb);
		break;
	default:
		panic("unexpected SVM exit %x (info1 %llx, info2 %llx) at rip %llx",
		      code, (unsigned long long)vmcb->control.exit_info1,
		      (unsigned long long)vmcb->control.exit_info2,
		      (unsigned long long)vmcb->save.rip);
	}
	if (cpu->arch.nmi_pending &&
	    !(vmcb->control.event_inj & SVM_EVTINJ_VALID)) {
		vmcb->control.event_inj =
			SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | X86_NMI_VECTOR;
		cpu->arch.nmi_pending = false;
	}
}

/* --- disable ------------------------------------------------------------ */

static void write_dr7(u64 v)
{
	asm volatile("mov %0, %%dr7" ::"r"(v));
}

void svm_cpu_deactivate(struct per_cpu *cpu)
{
	struct vmcb_save *save = &cpu->arch.vmcb.save;
	struct guest_regs *regs = guest_regs_of(cpu);
	struct desc_ptr gdt = { save->gdtr.limit, save->gdtr.base };
	struct desc_ptr idt = { save->idtr.limit, save->idtr.base };
	struct linux_return_frame frame = {
		.r15 = regs->r15, .r14 = regs->r14, .r13 = regs->r13,
		.r12 = regs->r12, .r11 = regs->r11, .r10 = regs->r10,
		.r9 = regs->r9, .r8 = regs->r8, .rdi = regs->rdi,
		.rsi = regs->rsi, .rbp = regs->rbp, .rbx = regs->rbx,
		.rdx = regs->rdx, .rcx = regs->rcx,
		.cr3 = save->cr3,
		.rip = save->rip, .cs = save->cs.selector,
		.rflags = save->rflags, .rsp = save->rsp,
		.ss = save->ss.selector,
	};

	/* The early tables map both this code and Linux's kernel. */
	write_cr3(cpu->arch.entry_cr3);
	x86_restore_linux_tables(cpu, &gdt, &idt, save->ds.selector,
				 save->es.selector, save->ss.selector);
	if (read_cr4() != save->cr4)
		write_cr4(save->cr4);
	if (read_cr0() != save->cr0)
		write_cr0(save->cr0);
	write_cr2(save->cr2);
	write_dr7(save->dr7);
	write_msr(MSR_IA32_PAT, save->g_pat);
	/* NMIs held since the exit now go to Linux's handlers. */
	asm volatile("stgi");
	write_msr(MSR_VM_HSAVE_PA, 0);
	write_msr(MSR_EFER, save->efer & ~EFER_SVME);
	x86_return_to_linux(&frame);
}
