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
 *  - I/O ports in the I/O permission map: for the root the ports cells
 *    own, and 0xcfc..0xcff while cells hold PCI devices; for a cell every
 *    port it was not given, and shared read-only ones (writes refused);
 *  - INVD: it would drop dirty cache lines of memory that is not the
 *    guest's (carried out as WBINVD);
 *  - INIT: a real INIT would reset the CPU under the hypervisor's feet;
 *  - NMI: management requests between CPUs arrive as NMIs; Linux's own
 *    NMIs (backtraces, watchdog, perf) are handed back to it;
 *  - SHUTDOWN: a triple fault, which would otherwise reset the machine;
 *  - HLT, in a cell whose description says halt = "exits" (an OS
 *    cell), and while such a cell's CPU waits in HLT, physical
 *    interrupts (handle_hlt() in svm-exit.c).
 * External interrupts are not intercepted otherwise: they reach the
 * guest directly, with no exit. HLT is not intercepted otherwise either.
 *
 * QEMU's SVM has neither NRIP save nor decode assists, so the next RIP is
 * computed from the fixed length of each intercepted instruction when NRIP
 * save is absent.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/memory.h>
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
#include <arch/vcpu.h>

#define ROOT_ASID 1

bool svm_has_nrips;

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
 * The root's MSR traps. EFER: SVME must stay set while a guest runs; a
 * guest cannot clear it. PAT: with nested paging the guest's PAT is the
 * VMCB's g_pat, which a WRMSR does not reach by itself. VM_HSAVE_PA and
 * VM_CR: the host save area and the SVM lock belong to the hypervisor.
 * ICR (x2APIC): INIT and SIPI are emulated. APIC base: see below.
 * Nothing else traps.
 */
static void init_root_msrpm(u8 *map)
{
	/* Writes the root may not make (x86_msr_write(), root_kept_msr()). */
	static const u32 kept[] = { 0xc0010010, 0xc0010016, 0xc0010017,
				    0xc0010018, 0xc0010019, 0xc001001a,
				    0xc001001d, 0xc0010058 };

	for (unsigned int n = 0; n < ARRAY_SIZE(kept); n++)
		msrpm_intercept(map, kept[n], false, true);
	msrpm_intercept(map, MSR_EFER, true, true);
	msrpm_intercept(map, MSR_IA32_PAT, true, true);
	msrpm_intercept(map, MSR_VM_HSAVE_PA, true, true);
	msrpm_intercept(map, MSR_VM_CR, true, true);
	msrpm_intercept(map, MSR_X2APIC_ICR, false, true);
	/* Linux keeps its xAPIC view of a CPU a cell left in x2APIC. */
	msrpm_intercept(map, MSR_IA32_APICBASE, true, true);
}

/* Clear both trap bits of an MSR: the guest reaches it directly. */
static void msrpm_allow(u8 *map, u32 msr, bool read, bool write)
{
	u32 base = msr <= 0x1fff ? 0 : msr <= 0xc0001fff ? 0x800 : 0x1000;
	u32 bit = (msr & 0x1fff) % 4 * 2;

	if (read)
		map[base + (msr & 0x1fff) / 4] &= (u8) ~(1u << bit);
	if (write)
		map[base + (msr & 0x1fff) / 4] &= (u8) ~(2u << bit);
}

/*
 * A cell's MSR traps: everything traps except the x2APIC registers (the
 * cell's own local APIC; ICR writes are checked), the TSC deadline and
 * the per-CPU state a kernel switches freely (segment bases, syscall
 * entry, TSC_AUX). What traps is emulated or refused in exits.c.
 */
static void init_cell_msrpm(u8 *map)
{
	static const u32 direct[] = {
		0x6e0 /* TSC_DEADLINE */,
		MSR_FS_BASE,
		MSR_GS_BASE,
		MSR_KERNEL_GS_BASE,
		MSR_IA32_SYSENTER_CS,
		MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP,
		MSR_STAR,
		MSR_LSTAR,
		MSR_CSTAR,
		MSR_SFMASK,
		0xc0000103 /* TSC_AUX */,
	};

	memset(map, 0xff, SVM_MSRPM_SIZE);
	for (u32 msr = MSR_X2APIC_BASE; msr <= MSR_X2APIC_END; msr++)
		msrpm_allow(map, msr, true,
			    msr != MSR_X2APIC_ICR && !x86_cell_lint_msr(msr));
	for (unsigned int n = 0; n < ARRAY_SIZE(direct); n++)
		msrpm_allow(map, direct[n], true, true);
}

/* One bit per port; an access of several bytes checks each one's bit. */
static void svm_iopm_set(u8 *iopm, u32 base, u32 length, bool trap)
{
	for (u32 port = base; port < base + length; port++) {
		if (trap)
			iopm[port / 8] |= (u8)(1u << (port % 8));
		else
			iopm[port / 8] &= (u8) ~(1u << (port % 8));
	}
}

static int alloc_bitmaps(struct cell_arch *a)
{
	a->msrpm = page_alloc(&mem_pool, SVM_MSRPM_SIZE / PAGE_SIZE);
	a->iopm = page_alloc(&mem_pool, SVM_IOPM_SIZE / PAGE_SIZE);
	return a->msrpm && a->iopm ? 0 : -ENOMEM;
}

/*
 * A cell's ports: exclusive ranges it may read or write go straight to
 * the hardware; shared read-only ranges trap (reads are emulated, writes
 * refused); every other port traps and stops the cell.
 */
static int svm_cell_init(struct cell *cell)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(cell->config);
	int err = alloc_bitmaps(&cell->arch);

	if (err)
		return err;
	init_cell_msrpm(cell->arch.msrpm);
	memset(cell->arch.iopm, 0xff, SVM_IOPM_SIZE);
	for (unsigned int n = 0; n < cell->config->num_port_ranges; n++)
		if (!(pio[n].flags & BRIG_PIO_SHARED) &&
		    (pio[n].flags & BRIG_PIO_READ) &&
		    (pio[n].flags & BRIG_PIO_WRITE))
			svm_iopm_set(cell->arch.iopm, pio[n].base,
				     pio[n].length, false);
	return 0;
}

static void svm_cell_exit(struct cell *cell)
{
	page_free(&mem_pool, cell->arch.msrpm, SVM_MSRPM_SIZE / PAGE_SIZE);
	page_free(&mem_pool, cell->arch.iopm, SVM_IOPM_SIZE / PAGE_SIZE);
	cell->arch.msrpm = NULL;
	cell->arch.iopm = NULL;
}

/* The VMCB runs the CPU's cell: its tables, its traps, its ASID. */
static void svm_set_context(struct per_cpu *cpu)
{
	struct vmcb_control *ctl = &cpu_vmcb(cpu)->control;
	struct cell *cell = cpu->cell;

	ctl->iopm_base_pa = hv_virt_to_phys(cell->arch.iopm);
	ctl->msrpm_base_pa = hv_virt_to_phys(cell->arch.msrpm);
	ctl->nested_cr3 = hv_virt_to_phys(cell->stage2.root);
	ctl->asid = ROOT_ASID + cell->id;
	ctl->tlb_control = SVM_TLB_FLUSH_ALL;
	/* HLT exits only where the description asks (svm-exit.c). */
	ctl->intercept_misc1 &= ~(SVM_INTERCEPT1_HLT | SVM_INTERCEPT1_INTR);
	if (cell->config->flags & BRIG_CELL_HALT_EXITS)
		ctl->intercept_misc1 |= SVM_INTERCEPT1_HLT;
}

static void svm_flush_guest_tlb(struct per_cpu *cpu)
{
	/* QEMU offers no flush-by-ASID; flushing everything is always right. */
	cpu_vmcb(cpu)->control.tlb_control = SVM_TLB_FLUSH_ALL;
}

static int svm_init(void)
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
	svm_has_nrips = r.edx & SVM_FEATURE_NRIPS;
	printk("brig: SVM: NPT, NRIP save %s, decode assists %s\n",
	       svm_has_nrips ? "yes" : "no",
	       (r.edx & SVM_FEATURE_DECODE_ASSISTS) ? "yes" : "no");

	/* The root owns every port until a cell takes some. */
	err = alloc_bitmaps(&root_cell.arch);
	if (err)
		return err;
	init_root_msrpm(root_cell.arch.msrpm);
	err = cell_map_memory(&root_cell);
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
	struct vmcb *vmcb = cpu_vmcb(cpu);
	struct vmcb_control *ctl = &vmcb->control;
	struct vmcb_save *save = &vmcb->save;

	memset(vmcb, 0, sizeof(*vmcb));
	ctl->intercept_misc1 =
		SVM_INTERCEPT1_NMI | SVM_INTERCEPT1_INIT |
		SVM_INTERCEPT1_CPUID | SVM_INTERCEPT1_INVD |
		SVM_INTERCEPT1_INVLPGA | SVM_INTERCEPT1_IOIO_PROT |
		SVM_INTERCEPT1_MSR_PROT | SVM_INTERCEPT1_SHUTDOWN;
	ctl->intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL |
			       SVM_INTERCEPT2_VMLOAD | SVM_INTERCEPT2_VMSAVE |
			       SVM_INTERCEPT2_STGI | SVM_INTERCEPT2_CLGI |
			       SVM_INTERCEPT2_SKINIT;
	ctl->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	svm_set_context(cpu);

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

static int svm_cpu_init(struct per_cpu *cpu, struct arch_entry_state *state)
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

static void svm_cpu_exit(struct per_cpu *cpu)
{
	write_msr(MSR_VM_HSAVE_PA, 0);
	write_msr(MSR_EFER, read_msr(MSR_EFER) & ~EFER_SVME);
}

static void __noreturn svm_cpu_activate(struct per_cpu *cpu)
{
	struct guest_regs *regs = guest_regs_of(cpu);

	memset(regs, 0, sizeof(*regs));
	regs->vmcb_pa = hv_virt_to_phys(cpu_vmcb(cpu));
	if (cpu->arch.nmi_pending) {
		cpu_vmcb(cpu)->control.event_inj =
			SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | X86_NMI_VECTOR;
		cpu->arch.nmi_pending = false;
	}
	svm_vm_loop(regs);
}

static void real_mode_segment(struct vmcb_seg *seg, u16 selector, u16 attrib)
{
	seg->selector = selector;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = (u64)selector << 4;
}

/*
 * The state after INIT (and a SIPI, or a cell's start): real mode with CS
 * based at cs_base, executing at cs_base + ip, paging and caches as after
 * reset (Intel SDM 9.1.1, AMD APM 14.1.3).
 */
static void svm_cpu_reset(struct per_cpu *cpu, u64 cs_base, u64 ip)
{
	struct vmcb *vmcb = cpu_vmcb(cpu);
	struct vmcb_save *save = &vmcb->save;

	real_mode_segment(&save->cs, (u16)(cs_base >> 4), 0x9b);
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
	save->rip = ip;
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

/* --- disable ------------------------------------------------------------ */

static void write_dr7(u64 v)
{
	asm volatile("mov %0, %%dr7" ::"r"(v));
}

static void __noreturn svm_cpu_deactivate(struct per_cpu *cpu)
{
	struct vmcb_save *save = &cpu_vmcb(cpu)->save;
	struct guest_regs *regs = guest_regs_of(cpu);
	struct desc_ptr gdt = { save->gdtr.limit, save->gdtr.base };
	struct desc_ptr idt = { save->idtr.limit, save->idtr.base };
	struct linux_return_frame frame = {
		.r15 = regs->r15,
		.r14 = regs->r14,
		.r13 = regs->r13,
		.r12 = regs->r12,
		.r11 = regs->r11,
		.r10 = regs->r10,
		.r9 = regs->r9,
		.r8 = regs->r8,
		.rdi = regs->rdi,
		.rsi = regs->rsi,
		.rbp = regs->rbp,
		.rbx = regs->rbx,
		.rdx = regs->rdx,
		.rcx = regs->rcx,
		.cr3 = save->cr3,
		.rip = save->rip,
		.cs = save->cs.selector,
		.rflags = save->rflags,
		.rsp = save->rsp,
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

static void svm_port_trap(struct cell *cell, u32 base, u32 length, bool trap)
{
	svm_iopm_set(cell->arch.iopm, base, length, trap);
}

/* GIF open for a moment: an NMI held since the exit is taken now. */
static void svm_wait_relax(void)
{
	asm volatile("stgi; pause; clgi" ::: "memory");
}

const struct vcpu_ops svm_ops = {
	.name = "AMD-V",
	.vendor = BRIG_VENDOR_AMD_SVM,
	.virtual_nmis = false, /* no vNMI support yet */
	.second_stage = &x86_npt_paging,
	.init = svm_init,
	.cell_init = svm_cell_init,
	.cell_exit = svm_cell_exit,
	.port_trap = svm_port_trap,
	.cpu_init = svm_cpu_init,
	.cpu_exit = svm_cpu_exit,
	.cpu_activate = svm_cpu_activate,
	.cpu_deactivate = svm_cpu_deactivate,
	.set_context = svm_set_context,
	.reset = svm_cpu_reset,
	.flush_guest_tlb = svm_flush_guest_tlb,
	.wait_relax = svm_wait_relax,
	.skip_instruction = svm_skip_instruction,
	.inject_exception = svm_inject_exception,
	.guest_cpl = svm_guest_cpl,
};
