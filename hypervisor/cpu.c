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
	cpu->halt_said = false;
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

/* Can a CPU of the cell still run guest code, now or after a wake? */
static bool cpu_may_run(struct per_cpu *cpu)
{
	if (__atomic_load_n(&cpu->requests, __ATOMIC_SEQ_CST) &
	    (CPU_REQ_WAKE | CPU_REQ_START))
		return true;
	return !__atomic_load_n(&cpu->off, __ATOMIC_SEQ_CST);
}

/*
 * In a cell whose HLT exits, a CPU just marked off looks whether any CPU
 * of the cell can still run; if none can, the cell has ended. Each CPU
 * marks itself off before it looks at the others: of two stopping
 * together, the later sees both off. Both may, and then both end the
 * cell; end_cell() keeps the first end state.
 */
static void end_cell_if_none_runs(struct per_cpu *cpu)
{
	unsigned int n;

	if (!(cpu->cell->config->flags & BRIG_CELL_HALT_EXITS))
		return;
	for_each_cell_cpu(n, cpu->cell)
		if (cpu_may_run(per_cpu(n)))
			return;
	cell_end(cpu, "every CPU of the cell halted with interrupts off");
}

/*
 * OFF and WAKE, in that order: an INIT then a SIPI may come together.
 * Only this CPU writes its off flag, and it does so before the requests
 * it follows from are taken, so that a CPU looking for one still running
 * (end_cell_if_none_runs()) sees either the request pending or the flag
 * set as it will be. The requests are taken as they were read (a
 * compare-and-swap): an INIT and SIPI posted meanwhile stay for the next
 * round instead of merging into this one's.
 */
static bool handle_off_wake(struct per_cpu *cpu)
{
	unsigned int old = __atomic_load_n(&cpu->requests, __ATOMIC_SEQ_CST);
	unsigned int req;
	bool was_off = cpu->off, off, woken;

	do {
		req = old & (CPU_REQ_OFF | CPU_REQ_WAKE);
		if (!req)
			return false;
		off = was_off || (req & CPU_REQ_OFF);
		woken = (req & CPU_REQ_WAKE) && off;
		__atomic_store_n(&cpu->off, off && !woken, __ATOMIC_SEQ_CST);
	} while (!__atomic_compare_exchange_n(&cpu->requests, &old, old & ~req,
					      false, __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	if (req & CPU_REQ_OFF)
		cpu->stats[BRIG_EXIT_INIT_SIPI]++;
	if (woken) {
		cpu->stats[BRIG_EXIT_INIT_SIPI]++;
		arch_cpu_start(cpu, READ_ONCE(cpu->start_entry));
	} else if (off && !was_off) {
		end_cell_if_none_runs(cpu);
	}
	return true;
}

/*
 * A SIPI that reached the CPU while it ran, and is still pending, is
 * dropped, as handle_off_wake() would have: it must not start the CPU
 * once it has halted. One with its INIT pending stays (the pair restarts
 * the CPU: INIT and SIPI came before the HLT).
 */
static void drop_stale_wake(struct per_cpu *cpu)
{
	unsigned int old = __atomic_load_n(&cpu->requests, __ATOMIC_SEQ_CST);

	while ((old & CPU_REQ_WAKE) && !(old & CPU_REQ_OFF))
		if (__atomic_compare_exchange_n(
			    &cpu->requests, &old, old & ~CPU_REQ_WAKE, false,
			    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
}

void cpu_stop_halted(struct per_cpu *cpu)
{
	drop_stale_wake(cpu);
	/* Once per CPU and run: a cell halting and waking in a loop is no flood. */
	if (!cpu->halt_said)
		printk("brig: CPU %u of cell \"%s\" halted with interrupts off: it waits to be started by the cell\n",
		       cpu->cpu_id, cpu->cell->config->name);
	cpu->halt_said = true;
	__atomic_store_n(&cpu->off, true, __ATOMIC_SEQ_CST);
	end_cell_if_none_runs(cpu);
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
