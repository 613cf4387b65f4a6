// SPDX-License-Identifier: GPL-2.0
/*
 * What the x86 guests may do, independent of the vendor backend: the CPUID
 * view, the MSR policy, trapped port I/O and IPIs.
 *
 * The root cell is trusted to manage but not to reach (docs/design.md, promise
 * 5): what it may not touch reads as all-ones, writes are dropped, and the
 * console says so once. A cell that touches what it was not given is
 * stopped and marked failed (promise 3). Each function returns false when
 * the access must not complete: the backend then injects #GP into the root,
 * or leaves a failed cell parked.
 */
#include <brig/comm.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/ivshmem.h>
#include <hv/control.h>
#include <hv/mmio.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <arch/apic.h>
#include <arch/exits.h>
#include <arch/mmio.h>
#include <arch/pci.h>
#include <arch/svm.h>
#include <arch/vcpu.h>
#include <arch/x86.h>

#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_CAP 0xfe
#define MSR_MTRR_FIRST 0x200
#define MSR_MTRR_DEF_TYPE 0x2ff
#define I8042_COMMAND_PORT 0x64
#define I8042_PULSE_RESET 0xfe /* pulse output line 0: the CPU's reset */

/* brig's CPUID signature at 0x40000000: "brigbrigbrig". */
#define BRIG_CPUID_SIG 0x67697262

/*
 * CPUID as a guest sees it: brig announced at 0x40000000 and the
 * hypervisor bit set. A cell sees neither SVM nor VMX. The root keeps the
 * SVM bit: Linux ANDs the features of every CPU it brings up into its
 * global ones, so a CPU hot-plugged while brig runs would otherwise strip
 * SVM from Linux for good, and KVM could not load even after `brig
 * disable`. KVM is refused anyway while brig runs: EFER.SVME reads set.
 */
bool x86_is_root(const struct per_cpu *cpu)
{
	return cpu->cell == &root_cell;
}

void x86_cpuid(const struct per_cpu *cpu, u32 leaf, u32 sub,
	       struct cpuid_regs *r)
{
	bool cell = cpu->cell != &root_cell;

	if (leaf >= 0x40000000 && leaf <= 0x400000ff) {
		*r = (struct cpuid_regs){ 0 };
		if (leaf == 0x40000000)
			*r = (struct cpuid_regs){ 0x40000000, BRIG_CPUID_SIG,
						  BRIG_CPUID_SIG,
						  BRIG_CPUID_SIG };
		return;
	}
	cpuid_count(leaf, sub, r);
	/*
	 * Hypervisor present, no VMX. Nothing else Linux saw at boot may
	 * disappear for the root: Linux ANDs the features of every CPU it
	 * brings up into its own, for good.
	 */
	if (leaf == 1) {
		r->ecx = (r->ecx | BIT(31)) & ~BIT(5);
		/*
		 * Machine checks are the root's (its MCE handler owns the
		 * banks): a cell sees no MCE and MCA, and so does not look for
		 * the MSRs it may not read.
		 */
		if (cell)
			r->edx &= ~(BIT(7) | BIT(14));
	} else if (leaf == 0x80000001 && cell) {
		r->ecx &= ~X86_FEATURE_SVM_ECX;
	} else if (leaf == 0x8000000a && cell) {
		*r = (struct cpuid_regs){ 0 };
	}
}

/* MSRs a cell may read as they are (it cannot change them). */
static bool cell_may_read(u32 msr)
{
	return msr == MSR_IA32_MISC_ENABLE || msr == MSR_MTRR_CAP ||
	       (msr >= MSR_MTRR_FIRST && msr <= MSR_MTRR_DEF_TYPE);
}

/*
 * An MSR the cell may not touch: a cell for an OS (unowned-msrs = "fault")
 * gets the #GP a CPU without that MSR would give and runs on, the first
 * few said on the console; any other cell stops.
 */
static void cell_msr_refused(struct per_cpu *cpu, u32 msr, bool write, u64 val)
{
	struct cell *cell = cpu->cell;

	if (!(cell->config->flags & BRIG_CELL_UNOWNED_MSRS_FAULT)) {
		if (write)
			cell_fail(
				cpu,
				"write of %llx to MSR %x, which is not the cell's",
				(unsigned long long)val, msr);
		else
			cell_fail(cpu,
				  "read of MSR %x, which is not the cell's",
				  msr);
		return;
	}
	if (__atomic_fetch_add(&cell->arch.msr_faults, 1, __ATOMIC_RELAXED) < 8)
		printk("brig: cell \"%s\" CPU %u: %s of MSR %x: #GP (not the cell's; the first 8 are said)\n",
		       cell->config->name, cpu->cpu_id,
		       write ? "write" : "read", msr);
	backend->inject_exception(cpu, X86_GP_VECTOR, true, 0);
}

bool x86_msr_read(struct per_cpu *cpu, u32 msr, u64 *val,
		  const struct x86_msr_state *st)
{
	switch (msr) {
	case MSR_EFER:
		/* SVME reads as set, as it is: see svm.c for why. */
		*val = *st->efer;
		return true;
	case MSR_IA32_PAT:
		*val = *st->pat;
		return true;
	case MSR_VM_HSAVE_PA:
		*val = 0;
		return true;
	case MSR_IA32_APICBASE:
		*val = x86_is_root(cpu) ? x86_root_apicbase(cpu) :
					  x86_cell_apicbase(cpu);
		return true;
	case MSR_VM_CR:
		/*
		 * The real value (SVM not disabled): Linux clears its SVM
		 * feature for good when a CPU it brings up reads SVMDIS set,
		 * which would outlive brig. KVM learns AMD-V is taken from
		 * EFER.SVME instead.
		 */
		*val = read_msr(MSR_VM_CR);
		return true;
	}
	if (!x86_is_root(cpu) && cell_may_read(msr)) {
		*val = read_msr(msr);
		return true;
	}
	if (!x86_is_root(cpu))
		cell_msr_refused(cpu, msr, false, 0);
	return false;
}

/* Each PAT entry must be a defined memory type: 0, 1, 4, 5, 6 or 7. */
static bool pat_valid(u64 pat)
{
	for (unsigned int n = 0; n < 8; n++) {
		u8 type = (pat >> (8 * n)) & 0xff;

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

/* EFER bits a guest may change; anything else faults as on hardware. */
#define EFER_GUEST_BITS (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | BIT(14))

#define MSR_IA32_RTIT_CTL 0x570
#define RTIT_CTL_TRACE_EN BIT_ULL(0)
#define MSR_IA32_XSS 0xda0
#define XSS_PT BIT_ULL(8)

/*
 * Intel PT writes its trace to host-physical addresses in VMX non-root
 * operation (brig does not set "PT uses guest-physical addresses"), past
 * the second-stage tables. The root may turn it off, never on: RTIT_CTL
 * takes 0 and nothing else, and IA32_XSS never the PT bit, so XRSTORS
 * cannot load a running PT state either (x86_pt_off() stops a trace
 * that runs at enable). Returns false for a write the hardware would
 * refuse with #GP (no such MSR, a bit it does not support): the root
 * gets the #GP. *dropped says the write was changed.
 */
static bool root_pt_write(u32 msr, u64 *val, bool *dropped)
{
	struct cpuid_regs r;

	*dropped = false;
	if (msr == MSR_IA32_RTIT_CTL) {
		cpuid_count(7, 0, &r);
		if (!(r.ebx & BIT(25)))
			return false;
		*dropped = *val != 0;
		*val = 0;
		return true;
	}
	cpuid_count(0xd, 1, &r);
	if (!(r.eax & BIT(3)) || (*val & ~((u64)r.edx << 32 | r.ecx)))
		return false; /* no XSAVES, or a bit it does not have */
	*dropped = *val & XSS_PT;
	*val &= ~XSS_PT;
	return true;
}

/*
 * MSRs that decide how physical memory is decoded: AMD's MMCONFIG base,
 * SYSCFG, IORRs and top-of-memory registers. The root keeps them as they
 * were at enable: its writes are dropped and reported once.
 */
static bool root_kept_msr(u32 msr)
{
	switch (msr) {
	case 0xc0010010: /* SYSCFG */
	case 0xc0010016 ... 0xc0010019: /* IORR base/mask */
	case 0xc001001a: /* TOP_MEM */
	case 0xc001001d: /* TOP_MEM2 */
	case 0xc0010058: /* MMIO_CONF_BASE */
		return true;
	}
	return false;
}

bool x86_msr_write(struct per_cpu *cpu, u32 msr, u64 val,
		   const struct x86_msr_state *st)
{
	if (x86_is_root(cpu) &&
	    (msr == MSR_IA32_RTIT_CTL || msr == MSR_IA32_XSS)) {
		u64 asked = val;
		bool dropped;

		if (!root_pt_write(msr, &val, &dropped))
			return false;
		if (dropped && report_once(0x1d0000000000ULL | (u64)msr))
			printk("brig: root cell CPU %u: write of %llx to MSR %x: Intel PT stays off (its output would pass the second-stage tables); reported once\n",
			       cpu->cpu_id, (unsigned long long)asked, msr);
		write_msr(msr, val);
		return true;
	}
	if (x86_is_root(cpu) && root_kept_msr(msr)) {
		if (report_once(0x1d0000000000ULL | (u64)msr))
			printk("brig: root cell CPU %u: write of %llx to MSR %x dropped (it decides how physical memory is decoded); reported once\n",
			       cpu->cpu_id, (unsigned long long)val, msr);
		return true;
	}
	switch (msr) {
	case MSR_EFER:
		if (val & ~EFER_GUEST_BITS & ~EFER_SVME)
			break;
		/* LME changes only with paging off (#GP on hardware). */
		if ((st->cr0 & X86_CR0_PG) && ((val ^ *st->efer) & EFER_LME))
			break;
		/*
		 * LMA says whether long mode is active: the CPU's to set, a
		 * write that differs is ignored (as the hardware does). Left
		 * to the guest (SVM keeps EFER in the VMCB as written), a
		 * cleared LMA in long mode would reach the next VMRUN.
		 */
		val = (val & ~EFER_LMA) | (*st->efer & EFER_LMA);
		*st->efer = val | EFER_SVME;
		return true;
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			break;
		*st->pat = val;
		return true;
	case MSR_X2APIC_ICR:
		return x86_x2apic_icr_write(cpu, val);
	case MSR_X2APIC_BASE + 0x35: /* LINT0 */
	case MSR_X2APIC_BASE + 0x36: /* LINT1 */
		if (!x86_is_root(cpu))
			return x86_cell_lint_write(cpu, msr, val);
		break;
	case MSR_IA32_APICBASE:
		if (!x86_is_root(cpu) && x86_cell_apicbase_write(cpu, val))
			return true;
		if (x86_is_root(cpu))
			return x86_root_apicbase_write(cpu, val);
		break;
	}
	if (!x86_is_root(cpu))
		cell_msr_refused(cpu, msr, true, val);
	return false;
}

static const struct brig_port_range *cell_port(const struct cell *cell,
					       u16 port, unsigned int size)
{
	const struct brig_port_range *pio = brig_cell_port_ranges(cell->config);

	for (unsigned int n = 0; n < cell->config->num_port_ranges; n++)
		if (port >= pio[n].base &&
		    port + size <= pio[n].base + pio[n].length)
			return &pio[n];
	return NULL;
}

static u32 port_in(u16 port, unsigned int size)
{
	u32 v;

	if (size == 1)
		asm volatile("inb %1, %b0" : "=a"(v) : "Nd"(port));
	else if (size == 2)
		asm volatile("inw %1, %w0" : "=a"(v) : "Nd"(port));
	else
		asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void set_low_bytes(u64 *rax, u64 v, unsigned int size)
{
	u64 mask = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;

	/* IN to EAX clears the upper half, as every 32-bit result does. */
	*rax = size == 4 ? (v & mask) : ((*rax & ~mask) | (v & mask));
}

/*
 * Count one access to an unowned port: its entry, claimed on first use
 * (CPUs of the cell may race for it), or "other" once all are taken.
 */
static void count_unowned_port(struct cell *cell, u16 port, bool in)
{
	struct cell_arch *a = &cell->arch;
	u32 key = (u32)port + 1;

	for (unsigned int n = 0; n < BRIG_PORT_STATS_MAX; n++) {
		struct port_stat *p = &a->ports[n];
		u32 seen = __atomic_load_n(&p->key, __ATOMIC_ACQUIRE);

		if (!seen && __atomic_compare_exchange_n(
				     &p->key, &seen, key, false,
				     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			seen = key;
		if (seen != key)
			continue;
		__atomic_add_fetch(in ? &p->reads : &p->writes, 1,
				   __ATOMIC_RELAXED);
		return;
	}
	__atomic_add_fetch(&a->ports_other, 1, __ATOMIC_RELAXED);
}

long arch_cell_port_stat(struct cell *cell, unsigned long which)
{
	unsigned long n = which >> 2, what = which & 3;
	struct port_stat *p;
	u32 key;

	if (n == BRIG_PORT_STATS_MAX && what == 0)
		return __atomic_load_n(&cell->arch.ports_other,
				       __ATOMIC_RELAXED);
	if (n >= BRIG_PORT_STATS_MAX || what > 2)
		return -ENOENT;
	p = &cell->arch.ports[n];
	key = __atomic_load_n(&p->key, __ATOMIC_ACQUIRE);
	if (!key)
		return -ENOENT;
	if (what == 0)
		return key - 1;
	return __atomic_load_n(what == 1 ? &p->reads : &p->writes,
			       __ATOMIC_RELAXED);
}

/*
 * The power and reset control every cell has (include/brig/comm.h), on
 * ports it cannot own: 1 if the access was one and the cell runs on, 0 if
 * it ended the cell, -1 if the port is none of them. A reset or a power
 * off ends the cell in good order; brig does not restart cells.
 */
static int cell_power_pio(struct per_cpu *cpu, u16 port, unsigned int size,
			  bool in, u64 *rax)
{
	u8 v = (u8)*rax;

	if (size != 1)
		return -1;
	switch (port) {
	case BRIG_X86_RESET_PORT:
		if (in) {
			set_low_bytes(rax, 0, 1); /* no reset under way */
		} else if (v & BRIG_X86_RESET_RST_CPU) {
			cell_end(cpu, "asked for a reset (port cf9, value %x)",
				 v);
			return 0;
		}
		return 1;
	case I8042_COMMAND_PORT:
		if (in || v != I8042_PULSE_RESET)
			return -1;
		cell_end(cpu, "asked for a reset (i8042 command fe)");
		return 0;
	case BRIG_X86_SLEEP_PORT:
		if (in) {
			set_low_bytes(rax, 0, 1); /* no wake event pending */
		} else if (v & BRIG_X86_SLEEP_ENABLE) {
			if (BRIG_X86_SLEEP_TYPE(v) != BRIG_X86_SLEEP_TYPE_S5) {
				cell_fail(
					cpu,
					"ACPI sleep type %u requested: only 5 (soft off) is offered",
					BRIG_X86_SLEEP_TYPE(v));
				return 0;
			}
			cell_end(cpu, "powered off (ACPI S5)");
			return 0;
		}
		return 1; /* clearing wake status, or no SLP_EN */
	case BRIG_X86_PVPANIC_PORT:
		if (in) {
			set_low_bytes(rax, BRIG_X86_PVPANIC_PANICKED, 1);
		} else if (v & BRIG_X86_PVPANIC_PANICKED) {
			cell_fail(cpu, "its kernel panicked (pvpanic)");
			return 0;
		}
		return 1;
	}
	return -1;
}

bool x86_pio(struct per_cpu *cpu, u16 port, unsigned int size, bool in,
	     u64 *rax)
{
	const struct brig_port_range *range;
	u32 v = (u32)*rax;
	int pci = x86_pci_pio(cpu, port, size, in, &v), power;

	if (pci >= 0) {
		if (pci && in)
			set_low_bytes(rax, v, size);
		return pci;
	}
	if (x86_is_root(cpu)) {
		/* Only ports given to a cell trap in the root. */
		if (report_once(0x10000 | port))
			printk("brig: root cell CPU %u: %s of I/O port %x denied (a cell's); reads return all-ones, writes are dropped\n",
			       cpu->cpu_id, in ? "read" : "write", port);
		if (in)
			set_low_bytes(rax, ~0ULL, size);
		return true;
	}
	power = cell_power_pio(cpu, port, size, in, rax);
	if (power >= 0)
		return power;
	range = cell_port(cpu->cell, port, size);
	if (range && in && (range->flags & BRIG_PIO_READ)) {
		/* Shared read-only ports trap so that writes can be refused. */
		set_low_bytes(rax, port_in(port, size), size);
		return true;
	}
	/* An OS cell probing hardware it does not own: as if none were there. */
	if (!range &&
	    (cpu->cell->config->flags & BRIG_CELL_UNOWNED_PORTS_IGNORED)) {
		count_unowned_port(cpu->cell, port, in);
		if (in)
			set_low_bytes(rax, ~0ULL, size);
		return true;
	}
	cell_fail(cpu, "%s of I/O port %x (%u bytes), which is not the cell's",
		  in ? "read" : "write", port, size);
	return false;
}

bool x86_cell_memory_violation(struct per_cpu *cpu, u64 gpa, bool write,
			       bool fetch, u64 rip)
{
	char what[96];

	if (ivshmem_describe(cpu->cell, gpa, what, sizeof(what))) {
		cell_fail(
			cpu,
			"%s of %s at guest-physical %llx (instruction at %llx)",
			fetch ? "instruction fetch" :
			write ? "write" :
				"read",
			what, (unsigned long long)gpa, (unsigned long long)rip);
		return false;
	}
	cell_fail(
		cpu,
		"%s at guest-physical %llx, outside the cell's memory (instruction at %llx)",
		fetch ? "instruction fetch" :
		write ? "write" :
			"read",
		(unsigned long long)gpa, (unsigned long long)rip);
	return false;
}

/* --- the exits both backends take ---------------------------------------- */

#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RSI 6
#define RDI 7

void x86_refuse(struct per_cpu *cpu)
{
	if (x86_is_root(cpu))
		backend->inject_exception(cpu, X86_GP_VECTOR, true, 0);
}

void x86_exit_cpuid(struct per_cpu *cpu, const struct x86_gprs *g)
{
	struct cpuid_regs r;

	cpu->stats[BRIG_EXIT_CPUID]++;
	x86_cpuid(cpu, (u32)*g->reg[RAX], (u32)*g->reg[RCX], &r);
	*g->reg[RAX] = r.eax;
	*g->reg[RBX] = r.ebx;
	*g->reg[RCX] = r.ecx;
	*g->reg[RDX] = r.edx;
	backend->skip_instruction(cpu, 2);
}

/*
 * INVD throws away dirty cache lines without writing them back: on a
 * shared cache those include the hypervisor's and other cells' data. It
 * is carried out as WBINVD, which loses nothing.
 */
void x86_exit_invd(struct per_cpu *cpu)
{
	cpu->stats[BRIG_EXIT_OTHER]++;
	asm volatile("wbinvd" ::: "memory");
	backend->skip_instruction(cpu, 2);
}

/*
 * HLT in an OS cell (halt = "exits"; see BRIG_CELL_HALT_EXITS). With
 * interrupts on it is the OS's idle: the CPU waits in the guest. With
 * interrupts off only NMI, SMI or INIT would end it, and an OS halts so
 * for good (halt, a panic's end, a CPU it takes offline and will wake
 * with INIT and SIPI): the CPU stops as after INIT, and when no CPU of the
 * cell runs any more the cell has shut down. An NMI meant for the CPU
 * after that is dropped, as for a CPU waiting for SIPI.
 */
bool x86_exit_hlt(struct per_cpu *cpu, u64 rflags)
{
	cpu->stats[BRIG_EXIT_HLT]++;
	/* Only such a cell's HLT exits; anyone else's (never the root's) waits. */
	if ((rflags & X86_RFLAGS_IF) || x86_is_root(cpu) ||
	    !(cpu->cell->config->flags & BRIG_CELL_HALT_EXITS))
		return true;
	cpu_stop_halted(cpu);
	return false;
}

/* RIP moves on first: a disabling CPU returns to Linux after the call. */
void x86_exit_hypercall(struct per_cpu *cpu, const struct x86_gprs *g,
			unsigned int len)
{
	long ret;

	cpu->stats[BRIG_EXIT_HYPERCALL]++;
	backend->skip_instruction(cpu, len);
	if (backend->guest_cpl(cpu) != 0)
		ret = -EPERM;
	else
		ret = hypercall(cpu, *g->reg[RAX], *g->reg[RDI], *g->reg[RSI]);
	*g->reg[RAX] = (u64)ret;
}

bool x86_exit_msr(struct per_cpu *cpu, const struct x86_gprs *g, bool write,
		  const struct x86_msr_state *st)
{
	u32 msr = (u32)*g->reg[RCX];
	bool ok;
	u64 val;

	cpu->stats[msr == MSR_X2APIC_ICR ? BRIG_EXIT_X2APIC_ICR :
					   BRIG_EXIT_MSR]++;
	if (!write) {
		ok = x86_msr_read(cpu, msr, &val, st);
		if (ok) {
			*g->reg[RAX] = (u32)val;
			*g->reg[RDX] = val >> 32;
		}
	} else {
		val = (*g->reg[RAX] & 0xffffffff) | *g->reg[RDX] << 32;
		ok = x86_msr_write(cpu, msr, val, st);
	}
	if (!ok) {
		x86_refuse(cpu);
		return false;
	}
	backend->skip_instruction(cpu, 2);
	return true;
}

bool x86_exit_io(struct per_cpu *cpu, const struct x86_gprs *g, u16 port,
		 unsigned int size, bool in, bool string)
{
	cpu->stats[BRIG_EXIT_PIO]++;
	if (string) {
		if (x86_is_root(cpu))
			printk("brig: root cell CPU %u: string I/O on port %x denied\n",
			       cpu->cpu_id, port);
		else
			cell_fail(cpu, "string I/O on port %x", port);
		x86_refuse(cpu);
		return false;
	}
	return x86_pio(cpu, port, size, in, g->reg[RAX]);
}

void x86_exit_init(struct per_cpu *cpu)
{
	cpu->stats[BRIG_EXIT_INIT_SIPI]++;
	/* Not the hypervisor's (it emulates a cell's INIT): not the cell's. */
	if (!x86_is_root(cpu)) {
		cell_fail(cpu, "an INIT signal reached its CPU");
		return;
	}
	/*
	 * A hardware INIT (the root sent it some way the hypervisor does not
	 * intercept): park the CPU until a SIPI, as the hardware would.
	 */
	cpu->arch.init_pending = true;
	x86_check_init_sipi(cpu);
}

void x86_exit_triple_fault(struct per_cpu *cpu, u64 rip)
{
	cpu->stats[BRIG_EXIT_OTHER]++;
	if (!x86_is_root(cpu)) {
		cell_fail(cpu, "triple fault at rip %llx",
			  (unsigned long long)rip);
		return;
	}
	/*
	 * The root's CPU is past saving (no fault can be injected into a
	 * shutdown), and resetting the machine would take the cells along.
	 * It waits as after INIT, still serving the hypervisor's requests,
	 * until Linux sends it a SIPI.
	 */
	printk("brig: root cell CPU %u triple-faulted at rip %llx: it waits for a SIPI, as after INIT\n",
	       cpu->cpu_id, (unsigned long long)rip);
	cpu->arch.init_pending = true;
	x86_check_init_sipi(cpu);
}

void x86_exit_unexpected(struct per_cpu *cpu, const char *what, u64 code,
			 u64 info, u64 rip)
{
	cpu->stats[BRIG_EXIT_OTHER]++;
	if (!x86_is_root(cpu)) {
		cell_fail(cpu, "%s %llx (information %llx) at rip %llx", what,
			  (unsigned long long)code, (unsigned long long)info,
			  (unsigned long long)rip);
		return;
	}
	if (report_once(0x30000 | (code & 0xffff)))
		printk("brig: root cell CPU %u: %s %llx (information %llx) at rip %llx; injecting #UD\n",
		       cpu->cpu_id, what, (unsigned long long)code,
		       (unsigned long long)info, (unsigned long long)rip);
	backend->inject_exception(cpu, X86_UD_VECTOR, false, 0);
}

void x86_exit_virt_insn(struct per_cpu *cpu, const char *kind, u32 code,
			u64 rip)
{
	cpu->stats[BRIG_EXIT_EXCEPTION]++;
	backend->inject_exception(cpu, X86_UD_VECTOR, false, 0);
	/* Harmless (#UD, as without the extension), but a cell trying it is news. */
	if (!x86_is_root(cpu))
		printk("brig: cell \"%s\" CPU %u: %s instruction (exit %x) at %llx: #UD\n",
		       cpu->cell->config->name, cpu->cpu_id, kind, code,
		       (unsigned long long)rip);
}
