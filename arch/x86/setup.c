// SPDX-License-Identifier: GPL-2.0
/*
 * x86 setup shared by the vendor backends: CPU feature checks, the
 * hypervisor's own page tables, descriptor tables for host mode, and taking
 * a CPU over from Linux and giving it back.
 *
 * Host mode keeps as much of Linux's CPU state as it can: CR0, CR4, EFER,
 * PAT, FS/GS, TR and the syscall MSRs stay what Linux had, so the guest
 * finds them untouched without the hypervisor saving and restoring them on
 * every exit. Only CR3, the GDT and the IDT are the hypervisor's own: its
 * code is not mapped in Linux's tables, and an exception or NMI in host
 * mode must find the hypervisor's handlers, not Linux's.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/panic.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <arch/apic.h>
#include <arch/entry.h>
#include <arch/ioapic.h>
#include <arch/iommu.h>
#include <arch/paging.h>
#include <arch/pci.h>
#include <arch/scrub.h>
#include <arch/vcpu.h>
#include <arch/x86.h>

/* Long-mode code and flat data segments: base 0, limit 4G, present, DPL 0. */
#define GDT_CODE64 0x00af9a000000ffffULL
#define GDT_DATA 0x00cf92000000ffffULL
#define HOST_CS (HOST_GDT_CODE * 8)
#define HOST_DS (HOST_GDT_DATA * 8)

#define IDT_VECTORS 22 /* exceptions 0..21 */
#define IDT_STUB_SIZE 16 /* see EXC_STUB in entry.S */

struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr; /* 0x8e: present, DPL 0, 64-bit interrupt gate */
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __packed;

static struct idt_gate host_idt[IDT_VECTORS] __aligned(16);
/*
 * The IDT while a CPU drains interrupts in host mode: exceptions below 16
 * as usual (NMI among them), every vector from 16 up acknowledged by
 * x86_irq_stub (a cell may have used 16..31 for its device).
 */
static struct idt_gate drain_idt[256] __aligned(16);
extern char x86_exception_stubs[], x86_irq_stub[], __text_start[], __text_end[];

static unsigned int paging_levels;
static unsigned int vendor;

unsigned int arch_paging_levels(void)
{
	return paging_levels;
}

unsigned int arch_vendor(void)
{
	return vendor;
}

unsigned int arch_cpu_id(void)
{
	return this_cpu()->cpu_id;
}

void arch_cpu_stop(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

void x86_exception(struct exception_frame *f)
{
	if (f->vector == X86_NMI_VECTOR) {
		struct per_cpu *cpu = this_cpu();

		/*
		 * Taken in host mode (SVM: handle_nmi() opens GIF for it;
		 * VT-x does not hold NMIs there). Our own kicks are counted
		 * (x86_nmi_is_ours()), so one arriving after its request was
		 * served is still known as ours. Anything else on a root CPU
		 * is Linux's, delivered on re-entry; a cell never gets one.
		 */
		if (cpu->cell == &root_cell && !x86_nmi_is_ours(cpu))
			cpu->arch.nmi_pending = true;
		else if (backend->kick_in_host)
			backend->kick_in_host();
		return;
	}
	panic("exception %llu in the hypervisor at %llx, error %llx, cr2 %llx",
	      (unsigned long long)f->vector, (unsigned long long)f->rip,
	      (unsigned long long)f->error, (unsigned long long)read_cr2());
}

static struct idt_gate gate(u64 addr)
{
	return (struct idt_gate){
		.offset_low = (u16)addr,
		.selector = HOST_CS,
		.type_attr = 0x8e,
		.offset_mid = (u16)(addr >> 16),
		.offset_high = (u32)(addr >> 32),
	};
}

static void init_idt(void)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++)
		host_idt[v] =
			gate((u64)x86_exception_stubs + v * IDT_STUB_SIZE);
	for (unsigned int v = 0; v < 256; v++)
		drain_idt[v] = v < 16 ? host_idt[v] : gate((u64)x86_irq_stub);
}

void x86_drain_interrupts(bool (*pending)(void))
{
	struct desc_ptr drain = { sizeof(drain_idt) - 1, (u64)drain_idt };
	struct desc_ptr host = { sizeof(host_idt) - 1, (u64)host_idt };
	bool svm = read_msr(MSR_EFER) & EFER_SVME;

	load_idt(&drain);
	/* Each round lets in what is pending, highest priority first. */
	for (unsigned int round = 0; round < 256 && pending(); round++) {
		if (svm)
			asm volatile("stgi"); /* SVM's host runs with GIF 0 */
		asm volatile("sti; nop; nop; cli" ::: "memory");
		if (svm)
			asm volatile("clgi");
	}
	load_idt(&host);
}

void x86_read_segment(const struct desc_ptr *gdt, u16 selector,
		      struct vmcb_seg *seg)
{
	const u64 *table = (const u64 *)gdt->base;
	u64 d;

	seg->selector = selector;
	if ((selector & ~7u) == 0 || (selector | 7u) > gdt->limit ||
	    (selector & 4)) {
		/* Null (or LDT-relative, which Linux does not use). */
		seg->attrib = 0;
		seg->limit = 0;
		seg->base = 0;
		return;
	}
	d = table[selector >> 3];
	seg->attrib = (u16)(((d >> 40) & 0xff) | ((d >> 44) & 0xf00));
	seg->limit = (u32)((d & 0xffff) | ((d >> 32) & 0xf0000));
	if (d & BIT_ULL(55)) /* granularity: limit counts 4 KiB pages */
		seg->limit = seg->limit << 12 | 0xfff;
	seg->base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
	/* System descriptors (TSS, LDT) are 16 bytes: base bits 32..63. */
	if (!(d & BIT_ULL(44)))
		seg->base |= table[(selector >> 3) + 1] << 32;
}

static void load_code_segment(u16 cs)
{
	asm volatile("pushq %q0\n\t"
		     "lea 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:"
		     :
		     : "r"((u64)cs)
		     : "rax", "memory");
}

static void load_data_segments(u16 ds, u16 es, u16 ss)
{
	asm volatile("mov %0, %%ds\n\t"
		     "mov %1, %%es\n\t"
		     "mov %2, %%ss" ::"r"(ds),
		     "r"(es), "r"(ss));
}

void x86_restore_linux_tables(struct per_cpu *cpu, const struct desc_ptr *gdt,
			      const struct desc_ptr *idt, u16 ds, u16 es,
			      u16 ss)
{
	load_gdt(gdt);
	load_idt(idt);
	load_data_segments(ds, es, ss);
}

/* The physical APIC id, the key by which IPIs name this CPU. */
static u32 read_apic_id(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	if (r.eax >= 0xb) {
		cpuid_count(0xb, 0, &r);
		if (r.ebx)
			return r.edx; /* x2APIC id */
	}
	cpuid_count(1, 0, &r);
	return r.ebx >> 24;
}

/* Map the hypervisor region: code read-only, everything else no-execute. */
static int map_hypervisor(void)
{
	u64 phys = system_config->hypervisor_memory.phys_start;
	u64 size = system_config->hypervisor_memory.size;
	u64 text = (u64)__text_start - HV_LINK_BASE;
	u64 text_size = (u64)(__text_end - __text_start);
	int err;

	err = paging_map(&hv_paging, HV_LINK_BASE, phys, text, PAGE_RW);
	if (!err)
		err = paging_map(&hv_paging, HV_LINK_BASE + text, phys + text,
				 text_size, PAGE_READ | PAGE_EXEC);
	if (!err)
		err = paging_map(&hv_paging, HV_LINK_BASE + text + text_size,
				 phys + text + text_size,
				 size - text - text_size, PAGE_RW);
	return err;
}

/* The root's RAM at PHYS_MAP_BASE + phys, and an MMIO debug console. */
static int map_physical_memory(void)
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_memory *mem = brig_cell_mem_regions(root);
	const struct brig_console *con = &system_config->debug_console;
	int err = 0;

	for (unsigned int n = 0; n < root->num_memory_regions && !err; n++)
		if (mem[n].type == BRIG_MEM_TYPE_RAM)
			err = paging_map(&hv_paging,
					 PHYS_MAP_BASE + mem[n].phys_start,
					 mem[n].phys_start, mem[n].size,
					 PAGE_RW);
	/* The local APIC, for IPIs from an xAPIC-mode CPU. */
	if (!err)
		err = paging_map(&hv_paging, PHYS_MAP_BASE + X86_XAPIC_PAGE,
				 X86_XAPIC_PAGE, PAGE_SIZE,
				 PAGE_RW | PAGE_DEVICE);
	if (!err && con->type == BRIG_CON_MMIO_8250)
		err = paging_map(&hv_paging,
				 PHYS_MAP_BASE +
					 ALIGN_DOWN(con->address, PAGE_SIZE),
				 ALIGN_DOWN(con->address, PAGE_SIZE), PAGE_SIZE,
				 PAGE_RW | PAGE_DEVICE);
	return err;
}

const struct vcpu_ops *backend;
bool x86_root_xapic;

static bool is_amd(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	/* "AuthenticAMD" and "HygonGenuine" (a Zen derivative) */
	return (r.ebx == 0x68747541 && r.edx == 0x69746e65 &&
		r.ecx == 0x444d4163) ||
	       (r.ebx == 0x6f677948 && r.edx == 0x6e65476e &&
		r.ecx == 0x656e6975);
}

static bool is_intel(void)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	/* "GenuineIntel" */
	return r.ebx == 0x756e6547 && r.edx == 0x49656e69 &&
	       r.ecx == 0x6c65746e;
}

/* The backend for this CPU, chosen at run time; NULL if none fits. */
static const struct vcpu_ops *pick_backend(void)
{
#ifdef CONFIG_X86_SVM
	if (is_amd())
		return &svm_ops;
#endif
#ifdef CONFIG_X86_VMX
	if (is_intel())
		return &vmx_ops;
#endif
	printk("brig: no virtualization backend in this build for this CPU (%s): enable %s in the configuration\n",
	       is_amd()	  ? "AMD" :
	       is_intel() ? "Intel" :
			    "unknown vendor",
	       is_amd() ? "X86_SVM" : "X86_VMX");
	return NULL;
}

int arch_init(void)
{
	struct cpuid_regs r;
	int err;

	paging_levels = (read_cr4() & X86_CR4_LA57) ? 5 : 4;
	cpuid_count(0x80000001, 0, &r);
	x86_paging_init(paging_levels, r.edx & BIT(26));
	init_idt();

	backend = pick_backend();
	if (!backend)
		return -ENODEV;
	vendor = backend->vendor;

	err = paging_init(&hv_paging, &x86_long_paging, &mem_pool);
	if (!err)
		err = map_hypervisor();
	if (!err)
		err = map_physical_memory();
	if (err) {
		printk("brig: cannot build the hypervisor's page tables: %d\n",
		       err);
		return err;
	}
	printk("brig: %u-level paging, %s backend\n", paging_levels,
	       backend->name);
	err = backend->init();
	if (err)
		return err;
	/* Linux chose the APIC mode for all its CPUs; the first one tells. */
	x86_root_xapic =
		!(read_msr(MSR_IA32_APICBASE) & MSR_IA32_APICBASE_EXTD);
	if (x86_root_xapic) {
		printk("brig: the root runs its local APICs in xAPIC mode: their page traps\n");
		err = root_unmap(X86_XAPIC_PAGE, PAGE_SIZE);
		if (!err)
			err = mmio_register(&root_cell, X86_XAPIC_PAGE,
					    PAGE_SIZE, x86_xapic_access, NULL);
	}
	if (!err)
		err = iommu_init();
	if (!err)
		err = x86_ioapic_init();
	return err;
}

int arch_cell_check(const struct brig_cell_desc *config)
{
	return x86_ioapic_check(config);
}

int arch_takeover_devices(void)
{
	int err = iommu_takeover();

	return err ? err : x86_ioapic_takeover();
}

void arch_release_devices(void)
{
	x86_ioapic_release();
	iommu_release();
}

void arch_poll_device_faults(void)
{
	iommu_poll_faults();
}

static void save_linux_state(struct per_cpu *cpu,
			     struct arch_entry_state *state)
{
	struct per_cpu_arch *a = &cpu->arch;

	a->entry_cr3 = read_cr3();
	a->linux_rsp = state->linux_rsp;
	store_gdt(&a->linux_gdt);
	store_idt(&a->linux_idt);
	a->linux_cs = read_cs();
	a->linux_ds = read_ds();
	a->linux_es = read_es();
	a->linux_ss = read_ss();
	a->linux_cr4 = read_cr4();
	a->linux_efer = read_msr(MSR_EFER);
	a->apic_id = read_apic_id();
	a->sipi_vector = -1;
	a->linux_apicbase = read_msr(MSR_IA32_APICBASE);
	if (a->linux_cr4 & X86_CR4_OSXSAVE) {
		u32 lo, hi;

		asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		a->linux_xcr0 = (u64)hi << 32 | lo;
	}
	x86_scrub_save_linux(cpu);
	x86_pt_off(cpu);
}

/*
 * IDT first, then the page tables: an NMI between the two must not find
 * Linux's handlers while Linux's kernel is no longer mapped.
 */
static void load_host_tables(struct per_cpu *cpu)
{
	struct desc_ptr gdt = { sizeof(cpu->arch.gdt) - 1, (u64)cpu->arch.gdt };
	struct desc_ptr idt = { sizeof(host_idt) - 1, (u64)host_idt };

	cpu->arch.gdt[0] = 0;
	cpu->arch.gdt[HOST_GDT_CODE] = GDT_CODE64;
	cpu->arch.gdt[HOST_GDT_DATA] = GDT_DATA;
	load_idt(&idt);
	load_gdt(&gdt);
	load_code_segment(HOST_CS);
	load_data_segments(HOST_DS, HOST_DS, HOST_DS);
	write_cr3(paging_virt_to_phys(hv_paging.root));
}

static void restore_linux(struct per_cpu *cpu)
{
	struct per_cpu_arch *a = &cpu->arch;

	write_cr3(a->entry_cr3);
	x86_restore_linux_tables(cpu, &a->linux_gdt, &a->linux_idt, a->linux_ds,
				 a->linux_es, a->linux_ss);
	load_code_segment(a->linux_cs);
}

int arch_cpu_init(struct per_cpu *cpu, struct arch_entry_state *state)
{
	int err;

	save_linux_state(cpu, state);
	/*
	 * The guest state comes from Linux's GDT, which only the early
	 * tables map: build it before switching to the hypervisor's own.
	 */
	err = backend->cpu_init(cpu, state);
	if (!err) {
		load_host_tables(cpu);
		x86_apic_cpu_init(cpu);
	}
	return err;
}

void arch_cpu_restore(struct per_cpu *cpu)
{
	backend->cpu_exit(cpu);
	restore_linux(cpu);
}

void arch_cpu_activate(struct per_cpu *cpu)
{
	backend->cpu_activate(cpu);
}

void arch_cpu_deactivate(struct per_cpu *cpu)
{
	x86_apic_leave(cpu);
	backend->cpu_deactivate(cpu);
}
