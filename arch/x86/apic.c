// SPDX-License-Identifier: GPL-2.0
/*
 * IPIs, INIT/SIPI emulation, CPU requests and scrubbing a CPU.
 *
 * A real INIT would reset a CPU that runs the hypervisor, so INIT and SIPI
 * never reach the hardware while brig is enabled. When the root brings a
 * CPU back online (INIT, SIPI, SIPI from the sender's x2APIC ICR, which is
 * intercepted), the sender posts the request in the target's per-CPU data
 * and sends it an NMI; the target parks until its SIPI arrives and restarts
 * the guest in real mode at the SIPI vector, as the hardware would have. A
 * SIPI that finds the CPU not waiting for one is dropped, as on hardware.
 *
 * A cell's IPIs may only reach its own CPUs (cell_icr_write()): fixed and
 * lowest priority ones are sent again per CPU, broadcasts mean the cell's
 * CPUs, NMIs are injected by the target, INIT and SIPI become the core's
 * OFF and WAKE; naming any other CPU, SMI, ExtINT or a reserved bit stops
 * the cell. Its xAPIC page is emulated on the x2APIC registers (see "a
 * cell's APIC" below). The root's IPIs reach only the root's CPUs: INIT
 * and SIPI are emulated for them alone, and any other IPI that would also
 * reach a cell's CPU is sent to the root's CPUs among its destinations
 * only (root_ipi()).
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/string.h>
#include <arch/apic.h>
#include <arch/scrub.h>
#include <arch/entry.h>
#include <arch/exits.h>
#include <arch/mmio.h>
#include <hv/setup.h>
#include <arch/vcpu.h>
#include <arch/x86.h>

#define APIC_SVR_ENABLE BIT(8)
#define APIC_LVT_MASKED BIT(16)

#define XAPIC_PAGE 0xfee00000ULL
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define XAPIC_ICR_BUSY BIT(12)

/* The calling CPU's local APIC runs in xAPIC (MMIO) mode. */
static bool xapic_mode(void)
{
	return !(read_msr(MSR_IA32_APICBASE) & MSR_IA32_APICBASE_EXTD);
}

static volatile u32 *xapic_reg(unsigned int offset)
{
	return phys_to_hv(XAPIC_PAGE + offset);
}

/*
 * Send an IPI from the calling CPU, x2APIC ICR format (destination in bits
 * 32..63), through whichever mode its local APIC is in. In xAPIC mode the
 * destination is 8 bits in ICR_HIGH[31:24]; the root cannot interleave its
 * own ICR_HIGH write because its APIC page traps (see x86_xapic_access()).
 */
static void send_ipi(u64 icr)
{
	if (!xapic_mode()) {
		write_msr(MSR_X2APIC_ICR, icr);
		return;
	}
	while (*xapic_reg(XAPIC_ICR_LOW) & XAPIC_ICR_BUSY)
		cpu_relax();
	*xapic_reg(XAPIC_ICR_HIGH) = (u32)(icr >> 32) << 24;
	*xapic_reg(XAPIC_ICR_LOW) = (u32)icr;
}

/*
 * x2APIC ICR writes are not serializing: the fence makes the sender's
 * stores (a message in shared memory) visible before the interrupt is.
 */
void arch_raise_irq(unsigned int cpu, unsigned int vector)
{
	__asm__ __volatile__("mfence" ::: "memory");
	send_ipi((u64)per_cpu(cpu)->arch.apic_id << 32 | APIC_DM_FIXED << 8 |
		 (vector & 0xff));
}

void x86_send_nmi(struct per_cpu *target)
{
	__atomic_add_fetch(&target->arch.kicks_sent, 1, __ATOMIC_SEQ_CST);
	send_ipi((u64)target->arch.apic_id << 32 | APIC_DM_NMI << 8);
}

bool x86_nmi_is_ours(struct per_cpu *cpu)
{
	u32 sent = __atomic_load_n(&cpu->arch.kicks_sent, __ATOMIC_ACQUIRE);

	/* NMIs merge while one is pending: all sent so far are taken. */
	if (sent == cpu->arch.kicks_taken)
		return false;
	cpu->arch.kicks_taken = sent;
	return true;
}

static const char *const delivery_modes[8] = { "fixed", "lowest-priority",
					       "SMI",	"reserved",
					       "NMI",	"INIT",
					       "SIPI",	"ExtINT" };

/* Is cpu a destination of icr, sent by sender? (x2APIC addressing) */
/* Logical x2APIC: cluster in bits 16..31, one bit per member. */
static bool x2apic_logical_match(u32 dest, u32 id)
{
	return (dest >> 16) == (id >> 4) && (dest & (1u << (id & 0xf)));
}

/* An xAPIC CPU's logical id, as its LDR holds it: flat or cluster (DFR). */
static bool xapic_logical_match(const struct per_cpu *cpu, u32 dest)
{
	u32 ldr = cpu->arch.xapic_ldr >> 24;

	if ((cpu->arch.xapic_dfr >> 28) == 0xf) /* flat */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/* The same for a cell's xAPIC view, with the ids the cell set. */
static bool cell_logical_match(const struct per_cpu *cpu, u32 dest)
{
	u32 ldr = cpu->arch.cell_ldr >> 24;

	if ((cpu->arch.cell_dfr >> 28) == 0xf) /* flat */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

static bool is_destination(const struct per_cpu *sender,
			   const struct per_cpu *cpu, u64 icr)
{
	u32 dest = (u32)(icr >> 32), id = cpu->arch.apic_id;

	switch (APIC_ICR_SHORTHAND(icr)) {
	case APIC_SH_SELF:
		return cpu == sender;
	case APIC_SH_ALL:
		return true;
	case APIC_SH_OTHERS:
		return cpu != sender;
	}
	if (!(icr & APIC_ICR_LOGICAL))
		return dest == 0xffffffff || dest == id;
	return dest == 0xffffffff || x2apic_logical_match(dest, id);
}

static void post_init_sipi(struct per_cpu *target, u64 icr)
{
	if (APIC_ICR_DM(icr) == APIC_DM_INIT)
		WRITE_ONCE(target->arch.init_pending, true);
	else
		WRITE_ONCE(target->arch.sipi_vector, (int)APIC_ICR_VECTOR(icr));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	x86_send_nmi(target);
}

/*
 * Is target a destination of the root's icr as Linux addresses it? An
 * x2APIC root names logical destinations by cluster and bit, fixed by the
 * APIC id; an xAPIC root by the logical ids it wrote into each CPU's LDR
 * (flat or cluster model, per DFR), 8-bit destinations.
 */
static bool root_destination(const struct per_cpu *sender,
			     const struct per_cpu *target, u64 icr)
{
	u32 dest = (u32)(icr >> 32);

	if (!x86_root_xapic || APIC_ICR_SHORTHAND(icr) != APIC_SH_NONE)
		return is_destination(sender, target, icr);
	if (!(icr & APIC_ICR_LOGICAL))
		return dest == 0xffffffff || dest == target->arch.apic_id;
	return dest == 0xffffffff || xapic_logical_match(target, dest);
}

struct per_cpu *x86_root_irq_cpu(bool x2apic, bool logical, u32 dest)
{
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		struct per_cpu *t = per_cpu(n);
		bool hit;

		if (!t->online || t->cell != &root_cell)
			continue;
		if (!logical)
			hit = dest == t->arch.apic_id;
		else if (x2apic)
			hit = x2apic_logical_match(dest, t->arch.apic_id);
		else /* 8-bit logical ids: only an xAPIC root has them */
			hit = x86_root_xapic && xapic_logical_match(t, dest);
		if (hit)
			return t;
	}
	return NULL;
}

static bool cells_hold_cpus(void)
{
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++)
		if (per_cpu(n)->online && per_cpu(n)->cell != &root_cell)
			return true;
	return false;
}

static void report_root_ipi(const struct per_cpu *cpu, u64 icr, const char *why)
{
	if (report_once(0x1c0000000000ULL | (u64)cpu->cpu_id << 32 |
			APIC_ICR_DM(icr)))
		printk("brig: root cell CPU %u: %s IPI (ICR %llx) %s; reported once\n",
		       cpu->cpu_id, delivery_modes[APIC_ICR_DM(icr)],
		       (unsigned long long)icr, why);
}

/*
 * A fixed, lowest-priority, NMI or SMI IPI of the root. While cells hold
 * CPUs, a broadcast, shorthand or logical destination could include them
 * (the hardware matches logical ids a cell sets itself): it is sent as
 * one physical IPI to each root CPU it names, the cells' are left out
 * and that is reported once. Lowest priority goes to the first one.
 */
static void root_ipi(struct per_cpu *cpu, u64 icr)
{
	u64 fields = icr & APIC_ICR_SEND_BITS;
	struct per_cpu *target;
	bool refused = false;

	if (APIC_ICR_SHORTHAND(icr) == APIC_SH_SELF || !cells_hold_cpus()) {
		send_ipi(icr);
		return;
	}
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		target = per_cpu(n);
		if (!target->online || !root_destination(cpu, target, icr))
			continue;
		if (target->cell != &root_cell) {
			refused = true;
			continue;
		}
		send_ipi(fields | (u64)target->arch.apic_id << 32);
		if (APIC_ICR_DM(icr) == 1) /* lowest priority: one */
			break;
	}
	if (refused)
		report_root_ipi(cpu, icr, "left out the CPUs cells own");
}

static bool root_icr_write(struct per_cpu *cpu, u64 icr)
{
	unsigned int dm = APIC_ICR_DM(icr);

	/* The hardware's #GP, for the root (the WRMSR would fault here). */
	if ((u32)icr & APIC_ICR_RESERVED)
		return false;

	switch (dm) {
	case APIC_DM_INIT:
	case APIC_DM_STARTUP:
		break;
	case 3: /* reserved */
	case 7: /* ExtINT: an IO-APIC/PIC mode, not an IPI */
		report_root_ipi(cpu, icr, "dropped (no such IPI)");
		return true;
	default:
		root_ipi(cpu, icr);
		return true;
	}
	/* INIT level de-assert: a no-op on every CPU since the P4. */
	if (dm == APIC_DM_INIT && !(icr & APIC_ICR_LEVEL_ASSERT))
		return true;
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		struct per_cpu *target = per_cpu(n);

		/* A cell's CPUs are not the root's to reset. */
		if (!target->online || target->cell != &root_cell ||
		    target == cpu || !is_destination(cpu, target, icr))
			continue;
		post_init_sipi(target, icr);
	}
	return true;
}

/*
 * The CPUs of cpu's cell that a cell's icr names. A broadcast (shorthand
 * or physical all-ones) means the cell's own CPUs: the cell cannot see
 * others. A destination naming a CPU outside the cell is the cell's
 * fault: *foreign gets that CPU.
 */
static unsigned int cell_targets(struct per_cpu *cpu, u64 icr, bool xapic,
				 struct per_cpu *targets[CONFIG_MAX_CPUS],
				 struct per_cpu **foreign)
{
	u32 dest = (u32)(icr >> 32);
	bool broadcast =
		APIC_ICR_SHORTHAND(icr) == APIC_SH_ALL ||
		APIC_ICR_SHORTHAND(icr) == APIC_SH_OTHERS ||
		(APIC_ICR_SHORTHAND(icr) == APIC_SH_NONE && dest == 0xffffffff);
	bool xapic_logical = xapic && !broadcast &&
			     APIC_ICR_SHORTHAND(icr) == APIC_SH_NONE &&
			     (icr & APIC_ICR_LOGICAL);
	unsigned int count = 0;

	*foreign = NULL;
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		struct per_cpu *t = per_cpu(n);

		if (!t->online)
			continue;
		if (broadcast) {
			if (t->cell != cpu->cell ||
			    (APIC_ICR_SHORTHAND(icr) == APIC_SH_OTHERS &&
			     t == cpu))
				continue;
		} else if (xapic_logical) {
			/* Logical ids the cell set itself: only its CPUs have them. */
			if (t->cell != cpu->cell ||
			    !cell_logical_match(t, dest))
				continue;
		} else if (!is_destination(cpu, t, icr)) {
			continue;
		} else if (t->cell != cpu->cell) {
			*foreign = t;
			return 0;
		}
		targets[count++] = t;
	}
	return count;
}

/*
 * An NMI IPI within the cell. A real one would reach the target as one
 * of the hypervisor's kicks, which a cell never gets: the target is
 * kicked and injects the NMI itself (x86_take_cell_nmi()).
 */
static void cell_nmi(struct per_cpu *cpu, struct per_cpu *target)
{
	if (!backend->virtual_nmis) {
		if (report_once(0x1d0000000000ULL | cpu->cell->id))
			printk("brig: cell \"%s\": NMI IPIs dropped (%s: an NMI handler that never returns would hold off the hypervisor's own NMIs); reported once\n",
			       cpu->cell->config->name, backend->name);
		return;
	}
	if (target == cpu) {
		cpu->arch.nmi_pending = true;
		return;
	}
	__atomic_store_n(&target->arch.cell_nmi, true, __ATOMIC_SEQ_CST);
	x86_send_nmi(target);
}

/* Only while the CPU is still the cell's: none survives into the root. */
void x86_take_cell_nmi(struct per_cpu *cpu)
{
	/* On every exit: a plain load first, the locked exchange only if set. */
	if (!__atomic_load_n(&cpu->arch.cell_nmi, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_exchange_n(&cpu->arch.cell_nmi, false, __ATOMIC_SEQ_CST) &&
	    cpu->cell != &root_cell)
		cpu->arch.nmi_pending = true;
}

static void drop_cell_nmi(struct per_cpu *cpu)
{
	__atomic_store_n(&cpu->arch.cell_nmi, false, __ATOMIC_SEQ_CST);
}

/*
 * A cell's IPI, to its own CPUs only, in every form an OS uses: fixed
 * and lowest-priority IPIs (a broadcast sent to each of the cell's CPUs
 * in turn, lowest priority to the first), NMIs (injected by the target,
 * see cell_nmi()), INIT and SIPI (the core's OFF and WAKE: the target
 * waits, then runs from the SIPI's page). Naming a CPU that is not the
 * cell's, SMI, ExtINT and the reserved mode stop the cell.
 */
static bool cell_icr_write(struct per_cpu *cpu, u64 icr, bool xapic)
{
	struct per_cpu *targets[CONFIG_MAX_CPUS], *foreign;
	unsigned int dm = APIC_ICR_DM(icr), count;
	/* What is sent: vector, delivery mode, level, trigger, no more. */
	u64 fields = icr & APIC_ICR_SEND_BITS;

	if ((u32)icr & APIC_ICR_RESERVED) {
		cell_fail(cpu, "IPI with reserved ICR bits set (ICR %llx)",
			  (unsigned long long)icr);
		return false;
	}
	if (dm == 2 || dm == 3 || dm == 7) {
		cell_fail(cpu, "%s IPI (ICR %llx): not allowed in a cell",
			  delivery_modes[dm], (unsigned long long)icr);
		return false;
	}
	count = cell_targets(cpu, icr, xapic, targets, &foreign);
	if (foreign) {
		cell_fail(
			cpu,
			"%s IPI (ICR %llx) to CPU %u, which is not the cell's",
			delivery_modes[dm], (unsigned long long)icr,
			foreign->cpu_id);
		return false;
	}
	/* INIT level de-assert: a no-op on every CPU since the P4. */
	if (dm == APIC_DM_INIT && !(icr & APIC_ICR_LEVEL_ASSERT))
		return true;
	for (unsigned int n = 0; n < count; n++) {
		struct per_cpu *t = targets[n];

		if (dm == APIC_DM_INIT) {
			cpu_request_off(t);
		} else if (dm == APIC_DM_STARTUP) {
			cpu_request_wake(t, (u64)APIC_ICR_VECTOR(icr) << 12);
		} else if (dm == APIC_DM_NMI) {
			cell_nmi(cpu, t);
		} else {
			/*
			 * One physical IPI per CPU the hypervisor found: a
			 * logical or broadcast destination could also match
			 * a CPU it does not run.
			 */
			send_ipi(fields | (u64)t->arch.apic_id << 32);
			if (dm == 1) /* lowest priority: one */
				break;
		}
	}
	return true;
}

bool x86_x2apic_icr_write(struct per_cpu *cpu, u64 icr)
{
	if (cpu->cell == &root_cell)
		return root_icr_write(cpu, icr);
	return cell_icr_write(cpu, icr, false);
}

/*
 * Disable, for a CPU Linux has offline (waiting here for its SIPI): it
 * leaves the hypervisor for good and halts with interrupts off. Its APIC
 * gets Linux's mode back if it takes it; if not (Bochs), the real INIT
 * with which Linux brings the CPU up resets it, which no longer blocks
 * once VMX/SVM operation is off. Nothing of Linux's runs here, so there
 * is no Linux state to return to.
 */
void __noreturn arch_cpu_leave(struct per_cpu *cpu)
{
	printk("brig: CPU %u (offline in Linux) leaves the hypervisor\n",
	       cpu->cpu_id);
	x86_apic_leave(cpu);
	cpu_set_offline(cpu);
	/* SVM's host runs with GIF clear, which would hold the INIT off. */
	if (read_msr(MSR_EFER) & EFER_SVME)
		asm volatile("stgi");
	asm volatile("cli");
	backend->cpu_exit(cpu);
	for (;;)
		asm volatile("hlt");
}

bool arch_cpu_leaves_offline(const struct per_cpu *cpu)
{
	return cpu->arch.xapic_emulated;
}

/* Park after INIT until a SIPI arrives; return its vector. */
static int wait_for_sipi(struct per_cpu *cpu)
{
	int vector;

	cpu->stats[BRIG_EXIT_INIT_SIPI]++;
	cpu_set_parked(cpu, true);
	while ((vector = READ_ONCE(cpu->arch.sipi_vector)) < 0) {
		/*
		 * Root TLB flushes still concern a CPU offline in Linux; and
		 * a cell may take it over before Linux wants it back.
		 */
		cpu_take_request(cpu, CPU_REQ_FLUSH | CPU_REQ_PARK);
		if (READ_ONCE(cpu->requests) & CPU_REQ_START)
			break;
		if (READ_ONCE(cpu->requests) & CPU_REQ_LEAVE)
			arch_cpu_leave(cpu);
		/* Let the waking NMI in (counted as ours). */
		backend->wait_relax();
		if (READ_ONCE(cpu->arch.init_pending))
			WRITE_ONCE(cpu->arch.init_pending, false);
	}
	cpu_set_parked(cpu, false);
	return vector;
}

bool x86_check_init_sipi(struct per_cpu *cpu)
{
	bool init = READ_ONCE(cpu->arch.init_pending);
	int vector;

	if (!init && READ_ONCE(cpu->arch.sipi_vector) < 0)
		return false;
	if (!init) {
		/* A SIPI for a CPU that is not waiting: dropped. */
		WRITE_ONCE(cpu->arch.sipi_vector, -1);
		return true;
	}
	WRITE_ONCE(cpu->arch.init_pending, false);
	vector = wait_for_sipi(cpu);
	WRITE_ONCE(cpu->arch.sipi_vector, -1);
	cpu->arch.nmi_pending = false;
	if (vector < 0)
		return true; /* a cell's now: its START does the rest */
	backend->set_context(cpu);
	backend->reset(cpu, (u64)vector << 12, 0);
	return true;
}

/*
 * xAPIC registers as x2APIC MSRs (0x800 + offset / 16), for a CPU whose
 * APIC stays in x2APIC mode under an xAPIC Linux. Only registers every
 * x2APIC has: reading anything else could fault (the CMCI LVT is not
 * offered; it reads as 0).
 */
static bool x2apic_readable(unsigned int offset)
{
	unsigned int r = offset >> 4;

	return r == 0x2 || r == 0x3 || r == 0x8 || r == 0xa || r == 0xd ||
	       r == 0xf || (r >= 0x10 && r <= 0x28) ||
	       (r >= 0x32 && r <= 0x39) || r == 0x3e;
}

static bool x2apic_writable(unsigned int offset)
{
	unsigned int r = offset >> 4;

	return r == 0x8 || r == 0xb || r == 0xf || r == 0x28 ||
	       (r >= 0x32 && r <= 0x38) || r == 0x3e;
}

static u32 emulated_read(struct per_cpu *cpu, unsigned int offset)
{
	switch (offset) {
	case 0x20: /* id: bits 31:24 in xAPIC */
		return (u32)read_msr(MSR_X2APIC_APICID) << 24;
	case 0xd0:
		return cpu->arch.xapic_ldr;
	case 0xe0:
		return cpu->arch.xapic_dfr;
	}
	return x2apic_readable(offset) ?
		       (u32)read_msr(MSR_X2APIC_BASE + (offset >> 4)) :
		       0;
}

static void emulated_write(struct per_cpu *cpu, unsigned int offset, u32 val)
{
	if (offset == 0xd0)
		cpu->arch.xapic_ldr = val;
	else if (offset == 0xe0)
		cpu->arch.xapic_dfr = val;
	else if (x2apic_writable(offset))
		write_msr(MSR_X2APIC_BASE + (offset >> 4), val);
}

/*
 * The root's local APIC in xAPIC mode: its APIC page traps (it is not in
 * the root's second-stage tables), so that INIT and SIPI can be emulated
 * as for x2APIC. Every access is carried out on the real APIC, except the
 * ICR: ICR_HIGH is kept per CPU and only the ICR_LOW write sends, with the
 * destination it names in x2APIC format. (Each EOI of the root now exits:
 * the price of an xAPIC root; Linux uses x2APIC where it can.) On a CPU a
 * cell left in x2APIC mode the real APIC is reached through its MSRs.
 */
enum mmio_result x86_xapic_access(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg)
{
	unsigned int offset = acc->address & 0xffc;
	bool emulated = cpu->arch.xapic_emulated;

	cpu->stats[BRIG_EXIT_XAPIC]++;
	if (acc->size != 4 || (acc->address & 3)) {
		/* The APIC takes aligned 32-bit accesses only. */
		acc->value = 0;
		return MMIO_HANDLED;
	}
	if (!acc->is_write) {
		acc->value = offset == XAPIC_ICR_HIGH ?
				     cpu->arch.xapic_icr_high :
			     emulated ? emulated_read(cpu, offset) :
					*xapic_reg(offset);
		return MMIO_HANDLED;
	}
	if (offset == XAPIC_ICR_HIGH) {
		cpu->arch.xapic_icr_high = (u32)acc->value;
	} else if (offset == XAPIC_ICR_LOW) {
		u64 dest = cpu->arch.xapic_icr_high >> 24;

		/* 0xff is the xAPIC broadcast; x2APIC spells it 0xffffffff. */
		if (dest == 0xff)
			dest = 0xffffffff;
		/* Bits xAPIC ignores (delivery status, reserved) go. */
		root_icr_write(cpu, dest << 32 | ((u32)acc->value &
						  ~APIC_ICR_RESERVED));
	} else if (emulated) {
		emulated_write(cpu, offset, (u32)acc->value);
	} else {
		/* Its logical id, kept to resolve the root's IPIs. */
		if (offset == 0xd0)
			cpu->arch.xapic_ldr = (u32)acc->value;
		else if (offset == 0xe0)
			cpu->arch.xapic_dfr = (u32)acc->value;
		*xapic_reg(offset) = (u32)acc->value;
	}
	return MMIO_HANDLED;
}

void x86_apic_cpu_init(struct per_cpu *cpu)
{
	/* An xAPIC root's logical id, as Linux set it before enable. */
	if (!(cpu->arch.linux_apicbase & MSR_IA32_APICBASE_EXTD)) {
		cpu->arch.xapic_ldr = *xapic_reg(0xd0);
		cpu->arch.xapic_dfr = *xapic_reg(0xe0);
	}
}

u64 x86_root_apicbase(const struct per_cpu *cpu)
{
	return cpu->arch.xapic_emulated ? cpu->arch.linux_apicbase :
					  read_msr(MSR_IA32_APICBASE);
}

/*
 * The root keeps its APIC where and how it had it at enable: a moved base
 * would leave the hypervisor's view of its APIC page (and the trap on it)
 * behind, and a switch from x2APIC to xAPIC would reach the ICR through a
 * page that does not trap. Writes that change nothing pass (Linux writes
 * back what it read); any other is ignored and reported once.
 */
bool x86_root_apicbase_write(struct per_cpu *cpu, u64 val)
{
	if (!cpu->arch.xapic_emulated) {
		if (val != read_msr(MSR_IA32_APICBASE) &&
		    report_once(MSR_IA32_APICBASE | (u64)cpu->cpu_id << 32))
			printk("brig: root cell CPU %u: APIC base write %llx ignored (the APIC stays at %llx while brig runs)\n",
			       cpu->cpu_id, (unsigned long long)val,
			       (unsigned long long)read_msr(MSR_IA32_APICBASE));
		return true;
	}
	/* Its xAPIC view is kept; a mode change cannot be carried out. */
	if (val != cpu->arch.linux_apicbase &&
	    report_once(MSR_IA32_APICBASE | (u64)cpu->cpu_id << 32))
		printk("brig: root cell CPU %u: APIC base write %llx ignored (its APIC is kept in x2APIC mode)\n",
		       cpu->cpu_id, (unsigned long long)val);
	return true;
}

/*
 * Linux's settings that must outlive the mode switch (going through
 * "disabled" resets the APIC): TPR, SVR, the LVTs, the divider.
 */
static const u16 kept_regs[] = { 0xf0,	0x80,  0x320, 0x330, 0x340,
				 0x350, 0x360, 0x370, 0x3e0 };
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define LVT_TIMER_DEADLINE (2u << 17)

bool x86_apic_leave(struct per_cpu *cpu)
{
	u64 base = read_msr(MSR_IA32_APICBASE), deadline = 0;
	u32 saved[ARRAY_SIZE(kept_regs)], count;
	bool tsc_deadline;

	if (!cpu->arch.xapic_emulated)
		return true;
	for (unsigned int n = 0; n < ARRAY_SIZE(kept_regs); n++)
		saved[n] = (u32)read_msr(MSR_X2APIC_BASE + (kept_regs[n] >> 4));
	tsc_deadline = (saved[2] & (3u << 17)) == LVT_TIMER_DEADLINE;
	if (tsc_deadline)
		deadline = read_msr(MSR_IA32_TSC_DEADLINE);
	count = (u32)read_msr(MSR_X2APIC_BASE + 0x39);
	/* x2APIC -> disabled -> xAPIC (SDM 10.12.5). */
	write_msr(MSR_IA32_APICBASE,
		  base & ~(MSR_IA32_APICBASE_EXTD | MSR_IA32_APICBASE_EN));
	write_msr(MSR_IA32_APICBASE, cpu->arch.linux_apicbase);
	if (read_msr(MSR_IA32_APICBASE) != cpu->arch.linux_apicbase) {
		printk("brig: CPU %u: its APIC did not take xAPIC mode again (base %llx): it needs a reset\n",
		       cpu->cpu_id,
		       (unsigned long long)read_msr(MSR_IA32_APICBASE));
		return false;
	}
	/* Also what Linux wrote into the registers x2APIC keeps. */
	*xapic_reg(0xe0) = cpu->arch.xapic_dfr;
	*xapic_reg(0xd0) = cpu->arch.xapic_ldr;
	for (unsigned int n = 0; n < ARRAY_SIZE(kept_regs); n++)
		*xapic_reg(kept_regs[n]) = saved[n];
	/* The timer Linux armed: re-armed (an expired one fires at once). */
	if (tsc_deadline)
		write_msr(MSR_IA32_TSC_DEADLINE, deadline ? deadline : 1);
	else if (count)
		*xapic_reg(0x380) = count;
	cpu->arch.xapic_emulated = false;
	return true;
}

/* --- scrubbing --------------------------------------------------------- */

/*
 * A CPU leaving a cell must not carry the cell's state into the root: its
 * local APIC timer and LVTs are masked and interrupts the cell left in
 * service are acknowledged, the APIC is left in x2APIC mode (with
 * Linux's xAPIC view emulated where Linux had xAPIC, see below); the
 * registers no VM switch covers are scrubbed in scrub.c.
 * (PAT and DR7 live in the VMCB and are reset with it; MTRRs, TSC_ADJUST
 * and the rest are never the cell's to change.)
 */
/* An APIC register by its xAPIC offset, in whichever mode the APIC is. */
static u32 apic_read(unsigned int offset)
{
	return xapic_mode() ? *xapic_reg(offset) :
			      (u32)read_msr(MSR_X2APIC_BASE + (offset >> 4));
}

static void apic_write(unsigned int offset, u32 val)
{
	if (xapic_mode())
		*xapic_reg(offset) = val;
	else
		write_msr(MSR_X2APIC_BASE + (offset >> 4), val);
}

#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ISR0 0x100
#define APIC_IRR0 0x200
#define APIC_LVT_FIRST 0x320 /* timer, thermal, perf, LINT0, LINT1, error */
#define APIC_LVT_LAST 0x370
#define APIC_TMICT 0x380

static bool irr_pending(void)
{
	for (unsigned int reg = APIC_IRR0; reg < APIC_IRR0 + 0x80; reg += 0x10)
		if (apic_read(reg))
			return true;
	return false;
}

/* End every interrupt in service, highest first as EOI does. */
static void eoi_all(void)
{
	for (int reg = APIC_ISR0 + 0x70; reg >= APIC_ISR0; reg -= 0x10)
		for (u32 isr = apic_read((unsigned int)reg); isr;
		     isr &= isr - 1)
			apic_write(APIC_EOI, 0);
}

/*
 * Nothing of the last owner's interrupts may reach the next: its timer and
 * LVTs are masked, and what its devices and pins (or the root's IPIs)
 * raised waits in IRR: taken here, it cannot reach the next owner as a
 * stray vector. Nothing the last owner set may hold it back: its
 * in-service vectors end first, its task priority goes to 0 and the APIC
 * is software-enabled. In either APIC mode.
 */
static void quiet_apic(void)
{
	for (unsigned int lvt = APIC_LVT_FIRST; lvt <= APIC_LVT_LAST;
	     lvt += 0x10)
		apic_write(lvt, APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0);
	eoi_all();
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, apic_read(APIC_SVR) | APIC_SVR_ENABLE);
	x86_drain_interrupts(irr_pending);
	eoi_all();
}

/* Disabled -> xAPIC -> x2APIC: the only legal way up (SDM 10.12.5). */
static void x2apic_on(void)
{
	u64 base = read_msr(MSR_IA32_APICBASE);

	if (!(base & MSR_IA32_APICBASE_EN))
		write_msr(MSR_IA32_APICBASE, base |= MSR_IA32_APICBASE_EN);
	if (!(base & MSR_IA32_APICBASE_EXTD))
		write_msr(MSR_IA32_APICBASE, base |= MSR_IA32_APICBASE_EXTD);
}

static void scrub_apic(struct per_cpu *cpu)
{
	x2apic_on();
	/* The cell's devices and pins were released before the CPU left. */
	quiet_apic();
	if (cpu->arch.linux_apicbase & MSR_IA32_APICBASE_EXTD)
		return;
	/*
	 * Linux runs this CPU in xAPIC mode. x2APIC -> xAPIC must pass
	 * through "globally disabled", and not every CPU enables its APIC
	 * again short of a reset (Bochs ignores the write, and Linux then
	 * finds an APIC id of all ones), while a real INIT is blocked here.
	 * So the APIC stays in x2APIC mode and Linux keeps its xAPIC view:
	 * its APIC page traps anyway on an xAPIC root, and the accesses go
	 * to the x2APIC MSRs (x86_xapic_access()); its APIC base MSR reads
	 * as it left it. Disable switches the mode back, or has the driver
	 * reset the CPU (see x86_apic_leave()).
	 */
	if (!cpu->arch.xapic_emulated)
		printk("brig: CPU %u: its APIC stays in x2APIC mode, Linux's xAPIC accesses are translated\n",
		       cpu->cpu_id);
	cpu->arch.xapic_emulated = true;
	cpu->arch.xapic_ldr = 0;
	cpu->arch.xapic_dfr = 0xffffffff;
}

static void scrub_cpu(struct per_cpu *cpu)
{
	scrub_apic(cpu);
	x86_scrub_for_root(cpu);
}

/* --- a cell's APIC ------------------------------------------------------ */

/*
 * A cell's APIC runs in x2APIC mode whatever the cell sees: x2APIC is the
 * mode in which it takes its timer and EOIs without VM exits, and the
 * only one every CPU can leave for the root again (see scrub_apic()).
 * The cell starts in xAPIC mode, as after reset, at the usual base; in
 * that mode its APIC page traps and each access is carried out on the
 * x2APIC registers (x86_cell_xapic_access()), with the logical id and
 * ICR_HIGH kept here. The cell may switch to x2APIC, and back through
 * "disabled", as the hardware allows (SDM 10.12.5).
 */
#define APICBASE_MODE (MSR_IA32_APICBASE_EN | MSR_IA32_APICBASE_EXTD)
#define CPUID1_ECX_TSC_DEADLINE BIT(24)
#define CELL_APICBASE_RESET (XAPIC_PAGE | MSR_IA32_APICBASE_EN)

static bool cell_xapic_view(const struct per_cpu *cpu)
{
	return (cpu->arch.cell_apicbase & APICBASE_MODE) ==
	       MSR_IA32_APICBASE_EN;
}

u64 x86_cell_apicbase(const struct per_cpu *cpu)
{
	return cpu->arch.cell_apicbase;
}

static bool has_tsc_deadline(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	return r.ecx & CPUID1_ECX_TSC_DEADLINE;
}

static void cell_xapic_reset(struct per_cpu *cpu)
{
	cpu->arch.cell_ldr = 0;
	cpu->arch.cell_dfr = 0xffffffff;
	cpu->arch.cell_icr_high = 0;
}

bool x86_cell_apicbase_write(struct per_cpu *cpu, u64 val)
{
	u64 cur = cpu->arch.cell_apicbase;
	u64 from = cur & APICBASE_MODE, to = val & APICBASE_MODE;

	/* Moving the base, the BSP flag or reserved bits: not here. */
	if ((val & ~APICBASE_MODE) != (cur & ~APICBASE_MODE))
		return false;
	/* x2APIC without enable; x2APIC to xAPIC; disabled to x2APIC. */
	if (to == MSR_IA32_APICBASE_EXTD ||
	    (from == APICBASE_MODE && to == MSR_IA32_APICBASE_EN) ||
	    (!from && to == APICBASE_MODE))
		return false;
	/* Disabled: as after a reset of the APIC, nothing comes in. */
	if (!to && from)
		quiet_apic();
	if (!from && to)
		cell_xapic_reset(cpu);
	cpu->arch.cell_apicbase = val;
	return true;
}

/*
 * What the cell writes through its xAPIC page, limited to the bits the
 * x2APIC register takes: a reserved bit would make the hypervisor's own
 * WRMSR fault. Registers x2APIC does not have, or that are read-only,
 * take nothing.
 */
static u32 cell_apic_write_mask(unsigned int offset)
{
	switch (offset) {
	case 0x80: /* TPR */
		return 0xff;
	case 0xf0: /* SVR: vector, software enable */
		return 0x1ff;
	case 0x320: /* timer: vector, mask, one-shot/periodic/deadline */
		return 0x700ff;
	case 0x330: /* thermal */
	case 0x340: /* performance counters */
	case 0x370: /* error (fixed delivery only, see below) */
		return 0x107ff;
	case 0x350: /* LINT0: and polarity, level trigger */
		return 0x1a7ff;
	case 0x360: /* LINT1: edge only */
		return 0x127ff;
	case 0x380: /* timer initial count */
		return 0xffffffff;
	case 0x3e0: /* timer divide */
		return 0xb;
	}
	return 0;
}

/*
 * An LVT entry a cell may program, or why not: the timer modes the CPU
 * has; fixed or NMI delivery (SMI, INIT and ExtINT would reach firmware,
 * reset the CPU under the hypervisor or take the root's 8259 interrupts);
 * the error LVT fixed only. Such an NMI arrives as one the hypervisor did
 * not send and is dropped.
 */
static const char *cell_lvt_refused(unsigned int offset, u32 val)
{
	u32 mode = (val >> 17) & 3, dm = (val >> 8) & 7;

	if (offset == 0x320)
		return mode == 3 ?
			       "the reserved timer mode" :
		       mode == 2 && !has_tsc_deadline() ?
			       "TSC-deadline mode, which this CPU does not have" :
			       NULL;
	if (offset < 0x330 || offset > 0x370 || (val & APIC_LVT_MASKED))
		return NULL;
	if (dm != 0 && (dm != 4 || offset == 0x370))
		return "a delivery mode other than fixed or NMI";
	return NULL;
}

/* An APIC register write of a cell, through its xAPIC page or an MSR. */
static bool cell_apic_write(struct per_cpu *cpu, unsigned int offset, u32 val)
{
	u32 mask = cell_apic_write_mask(offset);
	const char *why = cell_lvt_refused(offset, val & mask);

	if (why) {
		cell_fail(cpu, "APIC register %x written with %x: %s", offset,
			  val, why);
		return false;
	}
	if (offset == 0xd0)
		cpu->arch.cell_ldr = val & 0xff000000;
	else if (offset == 0xe0)
		cpu->arch.cell_dfr = val | 0x0fffffff;
	else if (offset == 0xb0 || offset == 0x280) /* EOI, ESR: 0 only */
		write_msr(MSR_X2APIC_BASE + (offset >> 4), 0);
	else if (mask)
		write_msr(MSR_X2APIC_BASE + (offset >> 4), val & mask);
	return true;
}

/* The cell's x2APIC LINT0/LINT1 writes, which trap for that policy. */
bool x86_cell_lint_write(struct per_cpu *cpu, u32 msr, u64 val)
{
	if (val >> 32) {
		cell_fail(cpu, "write of %llx to MSR %x: reserved bits",
			  (unsigned long long)val, msr);
		return false;
	}
	return cell_apic_write(cpu, (msr - MSR_X2APIC_BASE) << 4, (u32)val);
}

enum mmio_result x86_cell_xapic_access(struct per_cpu *cpu,
				       struct mmio_access *acc, void *arg)
{
	unsigned int offset = acc->address & 0xfff;

	cpu->stats[BRIG_EXIT_XAPIC]++;
	if (!cell_xapic_view(cpu)) {
		cell_fail(
			cpu,
			"access to the xAPIC page at %llx while its APIC is %s",
			(unsigned long long)acc->address,
			cpu->arch.cell_apicbase & MSR_IA32_APICBASE_EN ?
				"in x2APIC mode" :
				"disabled");
		return MMIO_CELL_FAILED;
	}
	if (acc->size != 4 || (offset & 0xf)) {
		cell_fail(
			cpu,
			"%u-byte access to its xAPIC page at offset %x: the APIC takes aligned 32-bit accesses",
			acc->size, offset);
		return MMIO_CELL_FAILED;
	}
	if (!acc->is_write) {
		acc->value = offset == XAPIC_ICR_HIGH ?
				     cpu->arch.cell_icr_high :
			     offset == 0xd0 ? cpu->arch.cell_ldr :
			     offset == 0xe0 ? cpu->arch.cell_dfr :
					      emulated_read(cpu, offset);
		return MMIO_HANDLED;
	}
	if (offset == XAPIC_ICR_HIGH) {
		cpu->arch.cell_icr_high = (u32)acc->value & 0xff000000;
	} else if (offset == XAPIC_ICR_LOW) {
		u64 dest = cpu->arch.cell_icr_high >> 24;

		/* 0xff: the broadcast (physical), every id (logical). */
		if (dest == 0xff)
			dest = 0xffffffff;
		if (!cell_icr_write(cpu,
				    dest << 32 | ((u32)acc->value &
						  ~APIC_ICR_RESERVED),
				    true))
			return MMIO_CELL_FAILED;
	} else if (!cell_apic_write(cpu, offset, (u32)acc->value)) {
		return MMIO_CELL_FAILED;
	}
	return MMIO_HANDLED;
}

/*
 * A cell starts with its APIC as after reset: xAPIC, at the usual base,
 * the BSP flag on its boot CPU alone (an OS trusts it over the order of
 * its tables: Debian's 6.12 starts no other CPU without it).
 */
static void cell_apic_start(struct per_cpu *cpu)
{
	cpu->arch.cell_apicbase = CELL_APICBASE_RESET;
	if (cpu->cpu_id == cell_boot_cpu(cpu->cell))
		cpu->arch.cell_apicbase |= MSR_IA32_APICBASE_BSP;
	cell_xapic_reset(cpu);
}

/* --- CPU control hooks (hv/arch.h) ------------------------------------ */

void arch_cpu_flush_stage2(struct per_cpu *cpu)
{
	backend->flush_guest_tlb(cpu);
}

void arch_cpu_park_relax(struct per_cpu *cpu)
{
	backend->wait_relax();
}

void arch_cpu_unparked(struct per_cpu *cpu)
{
	cpu->arch.nmi_pending = false; /* only ours arrive while parked */
	drop_cell_nmi(cpu); /* the cell stopped: its NMIs with it */
}

/* Back in the root as a CPU Linux took offline: it waits for its SIPI. */
void arch_cpu_reset_to_root(struct per_cpu *cpu)
{
	drop_cell_nmi(cpu);
	scrub_cpu(cpu);
	WRITE_ONCE(cpu->arch.sipi_vector, -1);
	WRITE_ONCE(cpu->arch.init_pending, true);
}

void arch_cpu_wait_for_root(struct per_cpu *cpu)
{
	x86_check_init_sipi(cpu);
}

void arch_cpu_start(struct per_cpu *cpu, u64 entry)
{
	/* A kick that woke it must not reach the fresh guest as an NMI. */
	cpu->arch.nmi_pending = false;
	drop_cell_nmi(cpu);
	/*
	 * x2APIC mode, whatever the cell sees (cell_apic_start()); Linux's
	 * timer and LVTs, and IPIs the root raced in, stay behind.
	 */
	x2apic_on();
	quiet_apic();
	cell_apic_start(cpu);
	x86_scrub_for_cell(cpu);
	backend->set_context(cpu);
	/* Real mode, as a SIPI leaves it: CS based at the entry's page. */
	backend->reset(cpu, entry & ~0xfffULL, entry & 0xfff);
}

struct per_cpu *x86_cpu_by_apic_id(u32 apic_id)
{
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++)
		if (per_cpu(n)->online && per_cpu(n)->arch.apic_id == apic_id)
			return per_cpu(n);
	return NULL;
}
