// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU request protocol (hv/percpu.h): one CPU posts a request in
 * another's per-CPU data and kicks it (arch_cpu_kick(), an NMI on x86);
 * the target acts on its requests on its way back into the guest
 * (cpu_handle_requests(), called by the arch exit path). The poster waits
 * where the order matters: a cell's CPUs are parked before its memory
 * moves, and a cell's CPUs have flushed before table pages they may
 * cache are freed.
 */
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/string.h>

void cpu_post(struct per_cpu *target, unsigned int req)
{
	__atomic_or_fetch(&target->requests, req, __ATOMIC_SEQ_CST);
	if (target != this_cpu())
		arch_cpu_kick(target);
}

void cpu_request_off(struct per_cpu *target)
{
	cpu_post(target, CPU_REQ_OFF);
}

/* Two wakes racing each other: either entry, as with two real SIPIs. */
void cpu_request_wake(struct per_cpu *target, u64 entry)
{
	WRITE_ONCE(target->start_entry, entry);
	cpu_post(target, CPU_REQ_WAKE);
}

unsigned int cpu_take_request(struct per_cpu *cpu, unsigned int req)
{
	return __atomic_fetch_and(&cpu->requests, ~req, __ATOMIC_SEQ_CST) & req;
}

void cpu_wait_until_clear(struct per_cpu *target, unsigned int req)
{
	while (__atomic_load_n(&target->requests, __ATOMIC_ACQUIRE) & req)
		cpu_relax();
}

void cell_flush_tlbs(struct cell *cell)
{
	struct per_cpu *self = this_cpu();

	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		struct per_cpu *cpu = per_cpu(n);

		if (READ_ONCE(cpu->online) && cpu->cell == cell)
			cpu_post(cpu, CPU_REQ_FLUSH);
	}
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		struct per_cpu *cpu = per_cpu(n);

		if (READ_ONCE(cpu->online) && cpu->cell == cell && cpu != self)
			cpu_wait_until_clear(cpu, CPU_REQ_FLUSH);
	}
	/*
	 * The calling CPU flushes on its own way out, before it runs guest
	 * code again; it walks none of these tables meanwhile.
	 */
	paging_free_retired(&cell->stage2);
}

/* A pending FLUSH of cpu, served now: taken only once flushed. */
static void serve_flush(struct per_cpu *cpu)
{
	if (READ_ONCE(cpu->requests) & CPU_REQ_FLUSH) {
		arch_cpu_flush_stage2(cpu);
		cpu_take_request(cpu, CPU_REQ_FLUSH);
	}
}

static void serve_own_flush(void)
{
	serve_flush(this_cpu());
}

void cell_lock_acquire(void)
{
	spin_lock_serving(&cell_lock, serve_own_flush);
}

/*
 * Stopped: wait in the hypervisor for the cell to start or be destroyed.
 * What the cell's other CPUs asked of this one before they parked too
 * (OFF, WAKE) is void: the next START decides.
 */
static void park(struct per_cpu *cpu)
{
	cpu_set_parked(cpu, true);
	while (!(READ_ONCE(cpu->requests) &
		 (CPU_REQ_START | CPU_REQ_TO_ROOT))) {
		/* A parked CPU runs no guest: nothing to flush. */
		cpu_take_request(cpu, CPU_REQ_FLUSH | CPU_REQ_PARK |
					      CPU_REQ_OFF | CPU_REQ_WAKE);
		arch_cpu_park_relax(cpu);
	}
	/* START or TO_ROOT supersede a PARK that came in meanwhile. */
	cpu_take_request(cpu, CPU_REQ_PARK);
	arch_cpu_unparked(cpu);
	cpu_set_parked(cpu, false);
}

/* Scrubbed, back in the root as a CPU the root must bring up itself. */
static void return_to_root(struct per_cpu *cpu)
{
	cpu->off = false;
	arch_cpu_reset_to_root(cpu);
	cpu_take_request(cpu, CPU_REQ_TO_ROOT);
	arch_cpu_wait_for_root(cpu);
}

/*
 * The cell (re)starts: its boot CPU at the entry, every other one off,
 * waiting for a wake from within the cell. cell_start() has every other
 * CPU take its START before the boot CPU runs: an OFF or WAKE left over
 * from the last run is dropped here, and none of this run's comes
 * earlier.
 */
static void start(struct per_cpu *cpu)
{
	u64 entry = cpu->cell->config->entry;

	cpu_take_request(cpu, CPU_REQ_OFF | CPU_REQ_WAKE);
	/* The counters show the cell's own exits from here on. */
	memset(cpu->stats, 0, sizeof(cpu->stats));
	cpu->off = READ_ONCE(cpu->start_off);
	/* Taken only now: a wake posted after it finds the CPU off. */
	cpu_take_request(cpu, CPU_REQ_START);
	if (cpu->off) {
		printk("brig: CPU %u of cell \"%s\" waits to be started by the cell\n",
		       cpu->cpu_id, cpu->cell->config->name);
		return;
	}
	printk("brig: CPU %u starts cell \"%s\" at %llx\n", cpu->cpu_id,
	       cpu->cell->config->name, (unsigned long long)entry);
	arch_cpu_start(cpu, entry);
}

/*
 * OFF and WAKE, in that order: an INIT then a SIPI may come together. A
 * woken CPU is marked on before its WAKE is taken, so that a CPU looking
 * for one still running (cpu_stop_halted()) sees either the WAKE pending
 * or the CPU on.
 */
static bool handle_off_wake(struct per_cpu *cpu)
{
	unsigned int req = __atomic_load_n(&cpu->requests, __ATOMIC_SEQ_CST) &
			   (CPU_REQ_OFF | CPU_REQ_WAKE);
	bool woken;

	if (req & CPU_REQ_OFF) {
		cpu->stats[BRIG_EXIT_INIT_SIPI]++;
		__atomic_store_n(&cpu->off, true, __ATOMIC_SEQ_CST);
	}
	woken = (req & CPU_REQ_WAKE) && cpu->off;
	if (woken)
		__atomic_store_n(&cpu->off, false, __ATOMIC_SEQ_CST);
	cpu_take_request(cpu, req);
	if (woken) {
		cpu->stats[BRIG_EXIT_INIT_SIPI]++;
		arch_cpu_start(cpu, READ_ONCE(cpu->start_entry));
	}
	return req != 0;
}

/* Can a CPU of the cell still run guest code, now or after a wake? */
static bool cpu_may_run(struct per_cpu *cpu)
{
	if (__atomic_load_n(&cpu->requests, __ATOMIC_SEQ_CST) &
	    (CPU_REQ_WAKE | CPU_REQ_START))
		return true;
	return !__atomic_load_n(&cpu->off, __ATOMIC_SEQ_CST);
}

/*
 * Each stopping CPU marks itself off before it looks at the others: of
 * two stopping together, the later sees both off. Both may, and then both
 * end the cell; end_cell() keeps the first end state.
 */
void cpu_stop_halted(struct per_cpu *cpu)
{
	unsigned int n;

	__atomic_store_n(&cpu->off, true, __ATOMIC_SEQ_CST);
	for_each_cell_cpu(n, cpu->cell)
		if (cpu_may_run(per_cpu(n)))
			return;
	cell_end(cpu, "every CPU of the cell halted with interrupts off");
}

static bool handle_once(struct per_cpu *cpu)
{
	bool handled = false;

	if (READ_ONCE(cpu->requests) & CPU_REQ_LEAVE)
		arch_cpu_leave(cpu); /* disable, the root has it offline */
	if (READ_ONCE(cpu->requests) & CPU_REQ_FLUSH) {
		serve_flush(cpu);
		handled = true;
	}
	if (cpu_take_request(cpu, CPU_REQ_PARK)) {
		park(cpu);
		handled = true;
	}
	if (READ_ONCE(cpu->requests) & CPU_REQ_TO_ROOT) {
		/*
		 * Its wait ends when the root brings it up, or when a cell
		 * takes it first: then the START below runs now, before the
		 * CPU could re-enter the guest it left.
		 */
		return_to_root(cpu);
		handled = true;
	}
	if (READ_ONCE(cpu->requests) & CPU_REQ_START) {
		start(cpu);
		handled = true;
	}
	if (READ_ONCE(cpu->requests) & (CPU_REQ_OFF | CPU_REQ_WAKE))
		handled |= handle_off_wake(cpu);
	return handled;
}

/*
 * An off CPU has no guest to return to: it waits here until a request
 * comes (a WAKE, or the root's PARK, START or TO_ROOT) and handles it.
 * It runs no guest meanwhile, so a FLUSH is taken at once; its wake
 * flushes (arch_cpu_start()).
 */
bool cpu_handle_requests(struct per_cpu *cpu)
{
	bool handled = false;

	if (!READ_ONCE(cpu->requests) && !cpu->off)
		return false;
	for (;;) {
		handled |= handle_once(cpu);
		/*
		 * A request posted while this one was served (a guest reset
		 * takes a while) found the CPU in the hypervisor: its kick may
		 * be gone, so look again before entering the guest.
		 */
		if (READ_ONCE(cpu->requests))
			continue;
		if (!cpu->off)
			return handled;
		while (!(READ_ONCE(cpu->requests) & ~CPU_REQ_FLUSH)) {
			cpu_take_request(cpu, CPU_REQ_FLUSH);
			arch_cpu_park_relax(cpu);
		}
	}
}
