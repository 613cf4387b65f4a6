// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel VT-x backend: feature checks, VMXON and one VMCS per CPU built
 * from the live Linux state, EPT for second-stage translation, and leaving
 * VMX operation again on disable. The exit handlers are in vmx-exit.c.
 *
 * What exits, and why (everything else runs natively):
 *  - CPUID, INIT, triple fault, GETSEC, INVD, XSETBV and the VMX
 *    instructions: unconditionally, by the architecture. CPUID hides VMX;
 *    VMX instructions raise #UD in the guest;
 *  - VMCALL: the hypercall instruction;
 *  - NMIs (NMI exiting, virtual NMIs): management requests between CPUs
 *    arrive as NMIs; Linux's own NMIs are injected back into it;
 *  - MOV to CR0/CR4 changing a bit owned by VMX (CR0.NE, CR4.VMXE and the
 *    other fixed bits): the guest sees its own values through the read
 *    shadows, so CR4.VMXE reads as clear;
 *  - MSR accesses set in the MSR bitmap (see init_root_msr_bitmap());
 *  - I/O ports set in the I/O bitmaps (none in the root until a cell takes
 *    some);
 *  - EPT violations: the root touching the hypervisor or a cell's memory,
 *    a cell touching anything not its own.
 *  - HLT, in a cell whose description says halt = "exits" (an OS cell).
 * External interrupts, HLT otherwise, CR3 and PAT/EFER writes do not exit: EFER,
 * PAT, DEBUGCTL, the SYSENTER MSRs and FS/GS bases are VMCS state,
 * switched by VM entry and exit.
 *
 * Host mode keeps Linux's TR (base from the descriptor Linux loaded), FS and
 * GS bases, PAT and EFER, like the SVM backend; only CR3, GDT and IDT are
 * the hypervisor's own (setup.c).
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/panic.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/string.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/paging.h>
#include <arch/vcpu.h>
#include <arch/vmx.h>
#include <arch/x86.h>

#define ROOT_VPID 1
#define MSR_BITMAP_SIZE PAGE_SIZE
#define IO_BITMAP_SIZE (2 * PAGE_SIZE) /* A: ports 0-7fff, B: 8000-ffff */

/* Controls and limits found once by vmx_init(), the same on every CPU. */
static u32 pin_ctl, cpu_ctl, cpu2_ctl, exit_ctl, entry_ctl;
static u64 ept_vpid_cap;
static u32 vmcs_revision;
static u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
static bool vmx_has_vpid;
/* HLT exiting allowed, and the HLT activity state to enter a guest in. */
static bool vmx_can_exit_hlt, vmx_has_activity_hlt;

static struct guest_regs *guest_regs_of(struct per_cpu *cpu)
{
	return (struct guest_regs *)(cpu->stack + HV_STACK_SIZE -
				     GUEST_REGS_SIZE);
}

/*
 * A control MSR's low half holds the bits that must be 1, its high half
 * those that may be 1. Returns the wanted controls as the CPU allows
 * them, or reports the first required one that is missing.
 */
static bool adjust_controls(u32 msr, u32 want, u32 required,
			    const char *const names[32], u32 *out)
{
	u64 caps = read_msr(msr);
	u32 val = (want | (u32)caps) & (u32)(caps >> 32);

	for (unsigned int bit = 0; bit < 32; bit++)
		if ((required & BIT(bit)) && !(val & BIT(bit))) {
			printk("brig: the CPU's VT-x lacks %s, which brig requires\n",
			       names[bit] ? names[bit] : "a required control");
			return false;
		}
	*out = val;
	return true;
}

static const char *const pin_names[32] = {
	[3] = "NMI exiting",
	[5] = "virtual NMIs",
};
static const char *const cpu_names[32] = {
	[25] = "I/O bitmaps",
	[28] = "MSR bitmaps",
	[31] = "secondary controls",
};
static const char *const cpu2_names[32] = {
	[1] = "EPT",
	[7] = "unrestricted guest",
};
static const char *const exit_names[32] = {
	[2] = "saving debug controls", [9] = "64-bit hosts",
	[18] = "saving PAT",	       [19] = "loading PAT",
	[20] = "saving EFER",	       [21] = "loading EFER",
};
static const char *const entry_names[32] = {
	[2] = "loading debug controls",
	[14] = "loading PAT",
	[15] = "loading EFER",
};

static bool find_controls(void)
{
	bool true_ctls = read_msr(MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;
	u32 want_exit = EXIT_SAVE_DEBUG_CONTROLS | EXIT_HOST_ADDR_SPACE_SIZE |
			EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER |
			EXIT_LOAD_EFER;
	u32 want_entry = ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_LOAD_PAT |
			 ENTRY_LOAD_EFER;
	u32 want_cpu = CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
		       CPU_SECONDARY_CONTROLS;

	vmx_can_exit_hlt =
		(read_msr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				      MSR_IA32_VMX_PROCBASED_CTLS) >>
		 32) &
		CPU_HLT_EXITING;
	vmx_has_activity_hlt = read_msr(MSR_IA32_VMX_MISC) &
			       VMX_MISC_ACTIVITY_HLT;
	return adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					   MSR_IA32_VMX_PINBASED_CTLS,
			       PIN_NMI_EXITING | PIN_VIRTUAL_NMIS,
			       PIN_NMI_EXITING | PIN_VIRTUAL_NMIS, pin_names,
			       &pin_ctl) &&
	       adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					   MSR_IA32_VMX_PROCBASED_CTLS,
			       want_cpu, want_cpu, cpu_names, &cpu_ctl) &&
	       /* RDTSCP, INVPCID, XSAVES: Linux uses them where they exist. */
	       adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS2,
			       CPU2_EPT | CPU2_UNRESTRICTED_GUEST | CPU2_VPID |
				       CPU2_RDTSCP | CPU2_INVPCID | CPU2_XSAVES,
			       CPU2_EPT | CPU2_UNRESTRICTED_GUEST, cpu2_names,
			       &cpu2_ctl) &&
	       adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
					   MSR_IA32_VMX_EXIT_CTLS,
			       want_exit, want_exit, exit_names, &exit_ctl) &&
	       adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
					   MSR_IA32_VMX_ENTRY_CTLS,
			       want_entry, want_entry, entry_names, &entry_ctl);
}

/* EPT as brig builds it: 4-level, write-back, INVEPT; VPID optional. */
static bool check_ept_vpid(void)
{
	u64 cap = read_msr(MSR_IA32_VMX_EPT_VPID_CAP);

	ept_vpid_cap = cap;
	if (!(cap & EPT_CAP_WALK_4) || !(cap & EPT_CAP_WB) ||
	    !(cap & EPT_CAP_INVEPT) ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		printk("brig: the CPU's EPT lacks 4-level tables, write-back tables or INVEPT, which brig requires\n");
		return false;
	}
	if (!(cap & EPT_CAP_1G))
		x86_ept_paging.leaf_levels &= ~BIT(1);
	if (!(cap & EPT_CAP_2M))
		x86_ept_paging.leaf_levels &= ~BIT(2);
	vmx_has_vpid = (cpu2_ctl & CPU2_VPID) && (cap & VPID_CAP_INVVPID) &&
		       (cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL));
	if (!vmx_has_vpid)
		cpu2_ctl &= ~CPU2_VPID;
	return true;
}

/* VMXON is allowed outside SMX, or the firmware left the MSR unlocked. */
static bool feature_control_ok(void)
{
	u64 fc = read_msr(MSR_IA32_FEATURE_CONTROL);

	return !(fc & FEATURE_CONTROL_LOCKED) ||
	       (fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
}

/* --- permission bitmaps -------------------------------------------------- */

/*
 * The MSR bitmap: read bits for MSRs 0-1fff at byte 0, for c0000000-
 * c0001fff at 1024; write bits at 2048 and 3072. MSRs outside both ranges
 * always exit.
 */
static void msr_bitmap_set(u8 *map, u32 msr, bool read, bool write, bool trap)
{
	unsigned int base, bit = msr & 0x1fff;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base = 1024;
	else
		return;
	for (unsigned int n = 0; n < 2; n++) {
		u8 *byte = &map[base + n * 2048 + bit / 8];

		if (!(n ? write : read))
			continue;
		if (trap)
			*byte |= (u8)(1u << (bit % 8));
		else
			*byte &= (u8) ~(1u << (bit % 8));
	}
}

/*
 * The root's MSR traps: x2APIC ICR writes (INIT and SIPI are emulated)
 * and the APIC base (below). What svm.c also traps needs no trap here: EFER and PAT are
 * VMCS state that VM entry and exit switch (and VMX has no EFER bit for a
 * guest to clear); VM_HSAVE_PA and VM_CR are AMD MSRs, and MSRs outside
 * the bitmap's ranges always exit. IA32_FEATURE_CONTROL is locked and
 * CPUID hides VMX, so it may be read as it is.
 */
static void init_root_msr_bitmap(u8 *map)
{
	/* Writes the root may not make (x86_msr_write(), root_kept_msr()). */
	static const u32 kept[] = { 0x570 /* RTIT_CTL */, 0xda0 /* XSS */ };

	for (unsigned int n = 0; n < ARRAY_SIZE(kept); n++)
		msr_bitmap_set(map, kept[n], false, true, true);
	msr_bitmap_set(map, MSR_X2APIC_ICR, false, true, true);
	/* Linux keeps its xAPIC view of a CPU a cell left in x2APIC. */
	msr_bitmap_set(map, MSR_IA32_APICBASE, true, true, true);
}

/*
 * A cell's MSR traps: everything except the cell's own x2APIC (ICR writes
 * are checked), the TSC deadline, the per-CPU state a kernel switches
 * freely (segment bases, syscall entry, TSC_AUX) and EFER (VMCS state,
 * switched on entry and exit, nothing to isolate). PAT traps so that the
 * shared policy checks it, as with SVM.
 */
static void init_cell_msr_bitmap(u8 *map)
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
		MSR_EFER,
	};

	memset(map, 0xff, MSR_BITMAP_SIZE);
	for (u32 msr = MSR_X2APIC_BASE; msr <= MSR_X2APIC_END; msr++)
		msr_bitmap_set(map, msr, true,
			       msr != MSR_X2APIC_ICR && !x86_cell_lint_msr(msr),
			       false);
	for (unsigned int n = 0; n < ARRAY_SIZE(direct); n++)
		msr_bitmap_set(map, direct[n], true, true, false);
}

/* One bit per port, A then B contiguous: the same layout as SVM's map. */
static void io_bitmap_set(u8 *map, u32 base, u32 length, bool trap)
{
	for (u32 port = base; port < base + length && port <= 0xffff; port++) {
		if (trap)
			map[port / 8] |= (u8)(1u << (port % 8));
		else
			map[port / 8] &= (u8) ~(1u << (port % 8));
	}
}

static int alloc_bitmaps(struct cell_arch *a)
{
	a->msrpm = page_alloc(&mem_pool, MSR_BITMAP_SIZE / PAGE_SIZE);
	a->iopm = page_alloc(&mem_pool, IO_BITMAP_SIZE / PAGE_SIZE);
	return a->msrpm && a->iopm ? 0 : -ENOMEM;
}

static void vmx_cell_exit(struct cell *cell)
{
	if (cell->arch.msrpm)
		page_free(&mem_pool, cell->arch.msrpm,
			  MSR_BITMAP_SIZE / PAGE_SIZE);
	if (cell->arch.iopm)
		page_free(&mem_pool, cell->arch.iopm,
			  IO_BITMAP_SIZE / PAGE_SIZE);
	cell->arch.msrpm = NULL;
	cell->arch.iopm = NULL;
}

/*
 * A cell's ports: exclusive ranges it may read and write go straight to
 * the hardware; shared read-only ranges trap (reads are emulated, writes
 * refused); every other port traps and stops the cell.
 */
static int vmx_cell_init(struct cell *cell)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(cell->config);
	int err;

	if ((cell->config->flags & BRIG_CELL_HALT_EXITS) && !vmx_can_exit_hlt) {
		printk("brig: cell \"%s\": halt = \"exits\", but this CPU's VT-x cannot exit on HLT\n",
		       cell->config->name);
		return -EINVAL;
	}
	err = alloc_bitmaps(&cell->arch);

	if (err) {
		vmx_cell_exit(cell);
		return err;
	}
	init_cell_msr_bitmap(cell->arch.msrpm);
	memset(cell->arch.iopm, 0xff, IO_BITMAP_SIZE);
	for (unsigned int n = 0; n < cell->config->num_port_ranges; n++)
		if (!(pio[n].flags & BRIG_PIO_SHARED) &&
		    (pio[n].flags & BRIG_PIO_READ) &&
		    (pio[n].flags & BRIG_PIO_WRITE))
			io_bitmap_set(cell->arch.iopm, pio[n].base,
				      pio[n].length, false);
	return 0;
}

static void vmx_port_trap(struct cell *cell, u32 base, u32 length, bool trap)
{
	io_bitmap_set(cell->arch.iopm, base, length, trap);
}

static int vmx_init(void)
{
	struct cpuid_regs r;
	int err;

	cpuid_count(1, 0, &r);
	if (!(r.ecx & BIT(5))) {
		printk("brig: the CPU has no Intel VT-x (VMX)\n");
		return -ENODEV;
	}
	if (!feature_control_ok()) {
		printk("brig: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL locked without VMXON outside SMX): enable Intel Virtualization Technology in the firmware setup\n");
		return -ENODEV;
	}
	if (!find_controls() || !check_ept_vpid())
		return -ENODEV;
	vmcs_revision = (u32)read_msr(MSR_IA32_VMX_BASIC) & 0x7fffffff;
	cr0_fixed0 = read_msr(MSR_IA32_VMX_CR0_FIXED0);
	cr0_fixed1 = read_msr(MSR_IA32_VMX_CR0_FIXED1);
	cr4_fixed0 = read_msr(MSR_IA32_VMX_CR4_FIXED0);
	cr4_fixed1 = read_msr(MSR_IA32_VMX_CR4_FIXED1);
	printk("brig: VMX: EPT, unrestricted guest, VPID %s, RDTSCP %s, INVPCID %s, XSAVES %s\n",
	       vmx_has_vpid ? "yes" : "no",
	       (cpu2_ctl & CPU2_RDTSCP) ? "yes" : "no",
	       (cpu2_ctl & CPU2_INVPCID) ? "yes" : "no",
	       (cpu2_ctl & CPU2_XSAVES) ? "yes" : "no");

	/* The root owns every port until a cell takes some. */
	err = alloc_bitmaps(&root_cell.arch);
	if (err) {
		vmx_cell_exit(&root_cell);
		return err;
	}
	init_root_msr_bitmap(root_cell.arch.msrpm);
	err = cell_map_memory(&root_cell);
	if (err)
		printk("brig: cannot build the root cell's EPT tables: %d\n",
		       err);
	return err;
}

/* --- control registers --------------------------------------------------- */

/* Bits VMX fixes in CR0 beyond what unrestricted guests may clear. */
static u64 cr0_vmx_bits(void)
{
	return cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);
}

/* The guest owns every CR0/CR4 bit but those VMX fixes, and CR4.VMXE. */
static u64 cr0_mask(void)
{
	return cr0_vmx_bits() | (~cr0_fixed1 & 0xffffffffULL);
}

static u64 cr4_mask(void)
{
	return cr4_fixed0 | (~cr4_fixed1 & 0xffffffffULL) | X86_CR4_VMXE;
}

/*
 * A guest's CR0: what it wrote shows in the read shadow, the CPU runs
 * with the bits VMX needs. Paging on with EFER.LME makes a 64-bit guest.
 */
void vmx_update_cr0(u64 val)
{
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	u64 entry = vmcs_read(VM_ENTRY_CONTROLS);

	vmcs_write(GUEST_CR0,
		   (val | cr0_vmx_bits()) & (cr0_fixed1 | ~0xffffffffULL));
	vmcs_write(CR0_READ_SHADOW, val);
	if ((val & X86_CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_MODE_GUEST;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~(u64)ENTRY_IA32E_MODE_GUEST;
	}
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(VM_ENTRY_CONTROLS, entry);
}

/*
 * Whether a MOV to CR0 or CR4 that exited is one the hardware would take
 * (else it raises #GP): only such a value reaches the VMCS, so no guest,
 * the root included, can make a VM entry fail with its control registers.
 */
static bool cr0_write_valid(u64 val, bool long_mode)
{
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return false;
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return false;
	/* Paging off from 64-bit code (CS.L). */
	if (long_mode && !(val & X86_CR0_PG) &&
	    (vmcs_read(GUEST_CS_AR_BYTES) & BIT(13)))
		return false;
	/* Paging on into long mode needs PAE. */
	return !((val & X86_CR0_PG) &&
		 (vmcs_read(GUEST_IA32_EFER) & EFER_LME) &&
		 !(vmcs_read(GUEST_CR4) & X86_CR4_PAE));
}

static bool cr4_write_valid(u64 val, bool long_mode)
{
	if (val & ~cr4_fixed1 & ~(u64)X86_CR4_VMXE)
		return false; /* reserved on this CPU */
	/* Long mode keeps PAE, and its paging depth. */
	return !(long_mode && (!(val & X86_CR4_PAE) ||
			       ((val ^ vmcs_read(GUEST_CR4)) & X86_CR4_LA57)));
}

bool vmx_cr_write_valid(unsigned int cr, u64 val)
{
	bool long_mode = vmcs_read(VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST;

	if (val >> 32)
		return false;
	return cr == 0 ? cr0_write_valid(val, long_mode) :
			 cr4_write_valid(val, long_mode);
}

void vmx_update_cr4(u64 val)
{
	vmcs_write(GUEST_CR4, val | cr4_fixed0 | X86_CR4_VMXE);
	vmcs_write(CR4_READ_SHADOW, val);
}

/* --- the VMCS ------------------------------------------------------------ */

/* ES, CS, SS, DS, FS, GS, LDTR, TR: 2 apart in each group of fields. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

/*
 * vmcb_seg's 12-bit attributes are the descriptor's access byte and its
 * flags nibble; the VMCS keeps the flags at bits 12-15 and marks a null
 * selector "unusable" in bit 16.
 */
static void write_guest_segment(unsigned int n, const struct vmcb_seg *seg,
				bool usable)
{
	u32 ar = (seg->attrib & 0xffu) | (u32)(seg->attrib & 0xf00u) << 4;

	vmcs_write((enum vmcs_field)(GUEST_ES_SELECTOR + 2 * n), seg->selector);
	vmcs_write((enum vmcs_field)(GUEST_ES_BASE + 2 * n), seg->base);
	vmcs_write((enum vmcs_field)(GUEST_ES_LIMIT + 2 * n), seg->limit);
	vmcs_write((enum vmcs_field)(GUEST_ES_AR_BYTES + 2 * n),
		   usable ? ar : VMX_AR_UNUSABLE);
}

/* Linux's segments, from its GDT (only the early tables map it). */
static void write_linux_segments(const struct per_cpu_arch *a)
{
	const struct desc_ptr *gdt = &a->linux_gdt;
	const u16 sel[8] = { a->linux_es, a->linux_cs, a->linux_ss, a->linux_ds,
			     read_fs(),	  read_gs(),   read_ldtr(), read_tr() };
	struct vmcb_seg seg;

	for (unsigned int n = 0; n < 8; n++) {
		x86_read_segment(gdt, sel[n], &seg);
		if (n == SEG_FS)
			seg.base = read_msr(MSR_FS_BASE);
		else if (n == SEG_GS)
			seg.base = read_msr(MSR_GS_BASE);
		write_guest_segment(n, &seg, seg.attrib != 0);
	}
	vmcs_write(GUEST_GDTR_BASE, gdt->base);
	vmcs_write(GUEST_GDTR_LIMIT, gdt->limit);
	vmcs_write(GUEST_IDTR_BASE, a->linux_idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, a->linux_idt.limit);
}

static void write_controls(void)
{
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, pin_ctl);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, cpu_ctl);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, cpu2_ctl);
	vmcs_write(VM_EXIT_CONTROLS, exit_ctl);
	vmcs_write(VM_ENTRY_CONTROLS, entry_ctl);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(CR0_GUEST_HOST_MASK, cr0_mask());
	vmcs_write(CR4_GUEST_HOST_MASK, cr4_mask());
}

/* The guest continues exactly where Linux called in, with RAX = 0. */
static void init_vmcs_from_linux(struct per_cpu *cpu,
				 struct arch_entry_state *state)
{
	u64 efer = cpu->arch.linux_efer;

	write_controls();
	write_linux_segments(&cpu->arch);
	vmcs_write(GUEST_CR0, read_cr0());
	vmcs_write(CR0_READ_SHADOW, read_cr0());
	vmcs_write(GUEST_CR3, state->linux_cr3);
	vmx_update_cr4(cpu->arch.linux_cr4);
	vmcs_write(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		vmcs_write(VM_ENTRY_CONTROLS,
			   entry_ctl | ENTRY_IA32E_MODE_GUEST);
	vmcs_write(GUEST_IA32_PAT, read_msr(MSR_IA32_PAT));
	vmcs_write(GUEST_IA32_DEBUGCTL, read_msr(MSR_IA32_DEBUGCTL));
	vmcs_write(GUEST_DR7, read_dr7());
	vmcs_write(GUEST_RFLAGS, state->rflags);
	vmcs_write(GUEST_RIP, state->resume_rip);
	vmcs_write(GUEST_RSP, state->resume_rsp);
	vmcs_write(GUEST_SYSENTER_CS, read_msr(MSR_IA32_SYSENTER_CS));
	vmcs_write(GUEST_SYSENTER_ESP, read_msr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(GUEST_SYSENTER_EIP, read_msr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

static void vmx_cpu_exit(struct per_cpu *cpu)
{
	WRITE_ONCE(cpu->arch.vmcs_loaded, false);
	vmclear(hv_virt_to_phys(cpu->arch.vmcs));
	vmxoff();
	write_cr4(read_cr4() & ~X86_CR4_VMXE);
}

static int vmx_cpu_init(struct per_cpu *cpu, struct arch_entry_state *state)
{
	u64 fc = read_msr(MSR_IA32_FEATURE_CONTROL);

	if (read_cr4() & X86_CR4_VMXE) {
		printk("brig: CPU %u: CR4.VMXE is already set: another hypervisor holds VT-x; unload it first (rmmod kvm_intel)\n",
		       cpu->cpu_id);
		return -EBUSY;
	}
	if (!(fc & FEATURE_CONTROL_LOCKED))
		write_msr(MSR_IA32_FEATURE_CONTROL,
			  fc | FEATURE_CONTROL_LOCKED |
				  FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	*(u32 *)cpu->arch.vmxon_region = vmcs_revision;
	*(u32 *)cpu->arch.vmcs = vmcs_revision;
	write_cr4(read_cr4() | X86_CR4_VMXE);
	if (!vmxon(hv_virt_to_phys(cpu->arch.vmxon_region))) {
		write_cr4(read_cr4() & ~X86_CR4_VMXE);
		printk("brig: CPU %u: VMXON failed (CR0 %llx, CR4 %llx)\n",
		       cpu->cpu_id, (unsigned long long)read_cr0(),
		       (unsigned long long)read_cr4());
		return -EIO;
	}
	if (!vmclear(hv_virt_to_phys(cpu->arch.vmcs)) ||
	    !vmptrld(hv_virt_to_phys(cpu->arch.vmcs))) {
		printk("brig: CPU %u: cannot load the VMCS\n", cpu->cpu_id);
		vmx_cpu_exit(cpu);
		return -EIO;
	}
	WRITE_ONCE(cpu->arch.vmcs_loaded, true);
	init_vmcs_from_linux(cpu, state);
	return 0;
}

/* The VMCS runs the CPU's cell: its EPT tables, its bitmaps, its VPID. */
static void vmx_flush_guest_tlb(struct per_cpu *cpu)
{
	u16 vpid = (u16)(ROOT_VPID + cpu->cell->id);

	if (ept_vpid_cap & EPT_CAP_INVEPT_SINGLE)
		invept(INVEPT_SINGLE, vmcs_read(EPT_POINTER));
	else
		invept(INVEPT_ALL, 0);
	if (!vmx_has_vpid)
		return;
	if (ept_vpid_cap & VPID_CAP_INVVPID_SINGLE)
		invvpid(INVVPID_SINGLE, vpid);
	else
		invvpid(INVVPID_ALL, 0);
}

bool vmx_activity_hlt(void)
{
	return vmx_has_activity_hlt;
}

static void vmx_set_context(struct per_cpu *cpu)
{
	struct cell *cell = cpu->cell;
	u64 io = hv_virt_to_phys(cell->arch.iopm);
	u64 old_eptp = vmcs_read(EPT_POINTER);
	u16 old_vpid = (u16)vmcs_read(VIRTUAL_PROCESSOR_ID);

	vmcs_write(IO_BITMAP_A, io);
	vmcs_write(IO_BITMAP_B, io + PAGE_SIZE);
	vmcs_write(MSR_BITMAP, hv_virt_to_phys(cell->arch.msrpm));
	vmcs_write(EPT_POINTER,
		   hv_virt_to_phys(cell->stage2.root) | EPTP_WB | EPTP_WALK_4);
	if (vmx_has_vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, ROOT_VPID + cell->id);
	/*
	 * The CPU changes cells: nothing the previous one left in the TLB
	 * may be used, whatever its tags. Bochs's VT-x keeps translations
	 * across an EPTP and VPID change when only the new context is
	 * flushed (a new cell then ran on the root's mappings), so the old
	 * context goes too. Rare, and cheap.
	 */
	if (old_eptp && (ept_vpid_cap & EPT_CAP_INVEPT_SINGLE))
		invept(INVEPT_SINGLE, old_eptp);
	if (vmx_has_vpid && old_vpid &&
	    (ept_vpid_cap & VPID_CAP_INVVPID_SINGLE))
		invvpid(INVVPID_SINGLE, old_vpid);
	vmx_flush_guest_tlb(cpu);
}

/*
 * Host state: the hypervisor's CR3, GDT and IDT (loaded after cpu_init),
 * and Linux's TR, segment bases, PAT and EFER, which host mode keeps.
 */
static void write_host_state(struct per_cpu *cpu)
{
	struct desc_ptr gdt, idt;

	store_gdt(&gdt);
	store_idt(&idt);
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, read_cr3());
	vmcs_write(HOST_CR4, read_cr4());
	vmcs_write(HOST_CS_SELECTOR, read_cs());
	vmcs_write(HOST_SS_SELECTOR, read_ss());
	vmcs_write(HOST_DS_SELECTOR, read_ds());
	vmcs_write(HOST_ES_SELECTOR, read_es());
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, read_tr());
	vmcs_write(HOST_TR_BASE, vmcs_read(GUEST_TR_BASE));
	vmcs_write(HOST_FS_BASE, read_msr(MSR_FS_BASE));
	vmcs_write(HOST_GS_BASE, read_msr(MSR_GS_BASE));
	vmcs_write(HOST_GDTR_BASE, gdt.base);
	vmcs_write(HOST_IDTR_BASE, idt.base);
	vmcs_write(HOST_IA32_SYSENTER_CS, read_msr(MSR_IA32_SYSENTER_CS));
	vmcs_write(HOST_IA32_SYSENTER_ESP, read_msr(MSR_IA32_SYSENTER_ESP));
	vmcs_write(HOST_IA32_SYSENTER_EIP, read_msr(MSR_IA32_SYSENTER_EIP));
	vmcs_write(HOST_IA32_PAT, read_msr(MSR_IA32_PAT));
	vmcs_write(HOST_IA32_EFER, read_msr(MSR_EFER));
	/* Exits push the guest's registers into the frame (entry.S). */
	vmcs_write(HOST_RSP,
		   (u64)guest_regs_of(cpu) + offsetof(struct guest_regs, pad));
	vmcs_write(HOST_RIP, (u64)vmx_vm_exit);
}

static void __noreturn vmx_cpu_activate(struct per_cpu *cpu)
{
	struct guest_regs *regs = guest_regs_of(cpu);

	write_host_state(cpu);
	vmx_set_context(cpu);
	memset(regs, 0, sizeof(*regs));
	if (cpu->arch.nmi_pending) {
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
			   INTR_INFO_VALID | INTR_TYPE_NMI | X86_NMI_VECTOR);
		cpu->arch.nmi_pending = false;
	}
	vmx_vm_loop(regs);
}

/*
 * The state after INIT (and a SIPI, or a cell's start): real mode with CS
 * based at cs_base, executing at cs_base + ip, paging and caches as after
 * reset (Intel SDM 9.1.1). Unrestricted guest makes real mode legal.
 */
static void vmx_cpu_reset(struct per_cpu *cpu, u64 cs_base, u64 ip)
{
	struct vmcb_seg seg = { .limit = 0xffff, .attrib = 0x93 };

	for (unsigned int n = 0; n < 8; n++) {
		seg.attrib = n == SEG_LDTR ? 0x82 : n == SEG_TR ? 0x8b : 0x93;
		write_guest_segment(n, &seg, true);
	}
	seg = (struct vmcb_seg){ .selector = (u16)(cs_base >> 4),
				 .attrib = 0x9b,
				 .limit = 0xffff,
				 .base = cs_base };
	write_guest_segment(SEG_CS, &seg, true);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmx_update_cr0(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_write(GUEST_CR3, 0);
	vmx_update_cr4(0);
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, PAT_RESET_VALUE);
	vmcs_write(GUEST_RFLAGS, X86_RFLAGS_RESERVED1);
	vmcs_write(GUEST_RIP, ip);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* HLT exits only where the description asks (vmx-exit.c). */
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
		   cpu_ctl | (cpu->cell->config->flags & BRIG_CELL_HALT_EXITS ?
				      CPU_HLT_EXITING :
				      0));
	memset(guest_regs_of(cpu), 0, offsetof(struct guest_regs, pad));
	/* Not VMCS state: the previous guest's would leak into the next. */
	write_msr(MSR_STAR, 0);
	write_msr(MSR_LSTAR, 0);
	write_msr(MSR_CSTAR, 0);
	write_msr(MSR_SFMASK, 0);
	write_msr(MSR_KERNEL_GS_BASE, 0);
}

/* --- disable ------------------------------------------------------------ */

static void write_dr7(u64 v)
{
	asm volatile("mov %0, %%dr7" ::"r"(v));
}

/* The guest's state that leaves with the VMCS, read before VMCLEAR. */
struct vmx_linux_state {
	struct desc_ptr gdt, idt;
	u16 ds, es, ss, tr;
	u64 cr0, cr4, dr7, pat, efer, debugctl, fs_base, gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
};

static void read_guest_state(struct vmx_linux_state *s,
			     struct linux_return_frame *f)
{
	s->gdt = (struct desc_ptr){ (u16)vmcs_read(GUEST_GDTR_LIMIT),
				    vmcs_read(GUEST_GDTR_BASE) };
	s->idt = (struct desc_ptr){ (u16)vmcs_read(GUEST_IDTR_LIMIT),
				    vmcs_read(GUEST_IDTR_BASE) };
	s->ds = (u16)vmcs_read(GUEST_DS_SELECTOR);
	s->es = (u16)vmcs_read(GUEST_ES_SELECTOR);
	s->ss = (u16)vmcs_read(GUEST_SS_SELECTOR);
	s->tr = (u16)vmcs_read(GUEST_TR_SELECTOR);
	s->cr0 = (vmcs_read(GUEST_CR0) & ~cr0_mask()) |
		 (vmcs_read(CR0_READ_SHADOW) & cr0_mask());
	s->cr4 = vmcs_read(GUEST_CR4) & ~(u64)X86_CR4_VMXE;
	s->dr7 = vmcs_read(GUEST_DR7);
	s->pat = vmcs_read(GUEST_IA32_PAT);
	s->efer = vmcs_read(GUEST_IA32_EFER);
	s->debugctl = vmcs_read(GUEST_IA32_DEBUGCTL);
	s->fs_base = vmcs_read(GUEST_FS_BASE);
	s->gs_base = vmcs_read(GUEST_GS_BASE);
	s->sysenter_cs = vmcs_read(GUEST_SYSENTER_CS);
	s->sysenter_esp = vmcs_read(GUEST_SYSENTER_ESP);
	s->sysenter_eip = vmcs_read(GUEST_SYSENTER_EIP);
	f->cr3 = vmcs_read(GUEST_CR3);
	f->rip = vmcs_read(GUEST_RIP);
	f->cs = vmcs_read(GUEST_CS_SELECTOR);
	f->rflags = vmcs_read(GUEST_RFLAGS);
	f->rsp = vmcs_read(GUEST_RSP);
	f->ss = s->ss;
}

/*
 * A VM exit sets TR's limit to 0x67 (SDM 28.5.2), which cuts Linux's I/O
 * bitmap off the TSS: ioperm() users would fault. Reload TR from Linux's
 * descriptor, whose type LTR wants "available": clear its busy bit first.
 * Linux maps its GDT read-only, hence CR0.WP off for the write (and CET,
 * which forbids clearing WP, off around it).
 */
#define X86_CR4_CET BIT(23)
static void reload_linux_tr(const struct desc_ptr *gdt, u16 sel)
{
	u8 *type = (u8 *)(gdt->base + (sel & ~7u) + 5);
	u64 cr0 = read_cr0(), cr4 = read_cr4();

	if (cr4 & X86_CR4_CET)
		write_cr4(cr4 & ~X86_CR4_CET);
	write_cr0(cr0 & ~X86_CR0_WP);
	WRITE_ONCE(*type, (u8)(*type & ~0x2));
	asm volatile("ltr %0" ::"r"(sel) : "memory");
	write_cr0(cr0);
	if (cr4 & X86_CR4_CET)
		write_cr4(cr4);
}

static void __noreturn vmx_cpu_deactivate(struct per_cpu *cpu)
{
	struct guest_regs *regs = guest_regs_of(cpu);
	struct vmx_linux_state s;
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
	};

	read_guest_state(&s, &frame);
	vmx_cpu_exit(cpu);
	/* The early tables map both this code and Linux's kernel. */
	write_cr3(cpu->arch.entry_cr3);
	x86_restore_linux_tables(cpu, &s.gdt, &s.idt, s.ds, s.es, s.ss);
	reload_linux_tr(&s.gdt, s.tr);
	if (read_cr4() != s.cr4)
		write_cr4(s.cr4);
	if (read_cr0() != s.cr0)
		write_cr0(s.cr0);
	write_dr7(s.dr7);
	/* What VM exits replaced with the host's values. */
	write_msr(MSR_IA32_PAT, s.pat);
	write_msr(MSR_EFER, s.efer);
	write_msr(MSR_IA32_DEBUGCTL, s.debugctl);
	write_msr(MSR_FS_BASE, s.fs_base);
	write_msr(MSR_GS_BASE, s.gs_base);
	write_msr(MSR_IA32_SYSENTER_CS, s.sysenter_cs);
	write_msr(MSR_IA32_SYSENTER_ESP, s.sysenter_esp);
	write_msr(MSR_IA32_SYSENTER_EIP, s.sysenter_eip);
	x86_return_to_linux(&frame);
}

/* NMIs reach the host IDT directly in VMX root mode: nothing to open. */
static void vmx_wait_relax(void)
{
	asm volatile("pause" ::: "memory");
}

/*
 * VT-x delivers an NMI in host mode at once: a kick that lands between
 * the last look at the requests and VMRESUME would wait for the guest's
 * next exit, which a real-time cell may never make. NMI-window exiting
 * brings it back out as soon as it can take an NMI; the exit handler
 * then serves the request (and clears the control).
 */
static void vmx_kick_in_host(void)
{
	/* Not around VMXON/VMXOFF: a VMREAD outside VMX operation is #UD. */
	if (!READ_ONCE(this_cpu()->arch.vmcs_loaded))
		return;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
		   vmcs_read(CPU_BASED_VM_EXEC_CONTROL) |
			   CPU_NMI_WINDOW_EXITING);
}

const struct vcpu_ops vmx_ops = {
	.name = "Intel VT-x",
	.vendor = BRIG_VENDOR_INTEL_VMX,
	.virtual_nmis = true,
	.second_stage = &x86_ept_paging,
	.init = vmx_init,
	.cell_init = vmx_cell_init,
	.cell_exit = vmx_cell_exit,
	.port_trap = vmx_port_trap,
	.cpu_init = vmx_cpu_init,
	.cpu_exit = vmx_cpu_exit,
	.cpu_activate = vmx_cpu_activate,
	.cpu_deactivate = vmx_cpu_deactivate,
	.set_context = vmx_set_context,
	.reset = vmx_cpu_reset,
	.flush_guest_tlb = vmx_flush_guest_tlb,
	.wait_relax = vmx_wait_relax,
	.kick_in_host = vmx_kick_in_host,
	.skip_instruction = vmx_skip_instruction,
	.inject_exception = vmx_inject_exception,
	.guest_cpl = vmx_guest_cpl,
};
