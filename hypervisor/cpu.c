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

void cpu_request_start(struct per_cpu *target, u64 entry)
{
	WRITE_ONCE(target->start_entry, entry);
	WRITE_ONCE(target->start_entry_set, true);
	cpu_post(target, CPU_REQ_START);
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

/* Stopped: wait in the hypervisor for the cell to start or be destroyed. */
static void park(struct per_cpu *cpu)
{
	cpu_set_parked(cpu, true);
	while (!(READ_ONCE(cpu->requests) &
		 (CPU_REQ_START | CPU_REQ_TO_ROOT))) {
		/* A parked CPU runs no guest: nothing to flush. */
		cpu_take_request(cpu, CPU_REQ_FLUSH | CPU_REQ_PARK);
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
	arch_cpu_reset_to_root(cpu);
	cpu_take_request(cpu, CPU_REQ_TO_ROOT);
	arch_cpu_wait_for_root(cpu);
}

static void start(struct per_cpu *cpu)
{
	u64 entry = cpu->cell->config->entry;

	if (READ_ONCE(cpu->start_entry_set))
		entry = READ_ONCE(cpu->start_entry);
	WRITE_ONCE(cpu->start_entry_set, false);
	printk("brig: CPU %u starts cell \"%s\" at %llx\n", cpu->cpu_id,
	       cpu->cell->config->name, (unsigned long long)entry);
	/* The counters show the cell's own exits from here on. */
	memset(cpu->stats, 0, sizeof(cpu->stats));
	arch_cpu_start(cpu, entry);
}

bool cpu_handle_requests(struct per_cpu *cpu)
{
	bool handled = false;

	if (!READ_ONCE(cpu->requests))
		return false;
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
	if (cpu_take_request(cpu, CPU_REQ_START)) {
		start(cpu);
		handled = true;
	}
	return handled;
}
