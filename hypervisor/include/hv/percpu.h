/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU data. Each CPU's struct per_cpu starts with its hypervisor stack
 * and is aligned to PER_CPU_ALIGN, so code running on that stack finds its
 * own data from the stack pointer alone (this_cpu()), without a segment
 * register that the guest also uses.
 */
#ifndef _HV_PERCPU_H
#define _HV_PERCPU_H

#include <hv/types.h>
#include <brig/hypercall.h>
#include <arch/layout.h>
#include <arch/percpu-types.h>
#include <arch/processor.h>

/*
 * Requests to a CPU, posted by another CPU (or itself) with a kick and
 * handled on the way back into the guest: see cpu_handle_requests().
 */
#define CPU_REQ_PARK 0x1 /* stop the guest, wait for START or TO_ROOT */
/* (re)start the cell: its boot CPU at the entry, the others off */
#define CPU_REQ_START 0x2
#define CPU_REQ_TO_ROOT 0x4 /* scrub, return to the root, wait for SIPI */
#define CPU_REQ_FLUSH 0x8 /* flush the guest TLB before the next entry */
#define CPU_REQ_LEAVE 0x10 /* disable: offline in Linux, leave for good */
/*
 * From a CPU of the same running cell (x86: INIT and SIPI): OFF stops the
 * guest and waits for a WAKE; WAKE runs an OFF CPU from start_entry. A
 * WAKE for a CPU that is not off is dropped, as the hardware drops a SIPI.
 */
#define CPU_REQ_OFF 0x20
#define CPU_REQ_WAKE 0x40

struct cell;

struct per_cpu {
	u8 stack[HV_STACK_SIZE]; /* must stay first: see this_cpu() */
	unsigned int cpu_id;
	bool online; /* entered the hypervisor and runs a guest */
	struct cell *cell; /* the cell it belongs to; under cell_lock */
	unsigned int requests; /* CPU_REQ_*, atomic */
	volatile bool parked; /* acknowledges CPU_REQ_PARK */
	bool start_off; /* CPU_REQ_START leaves it off (not the boot CPU) */
	bool off; /* the cell's, runs no guest until a CPU_REQ_WAKE */
	bool halt_said; /* its first stop by HLT this run is on the console */
	u64 start_entry; /* for CPU_REQ_WAKE */
	u64 stats[BRIG_EXIT_COUNT]; /* exits by reason; only this CPU writes */
	struct per_cpu_arch arch;
} __aligned(PER_CPU_ALIGN);

_Static_assert(sizeof(struct per_cpu) == PER_CPU_ALIGN,
	       "struct per_cpu outgrew PER_CPU_ALIGN");

extern struct per_cpu per_cpu_area[CONFIG_MAX_CPUS];

static inline struct per_cpu *per_cpu(unsigned int cpu)
{
	return &per_cpu_area[cpu];
}

/* The calling CPU's data; valid only on a hypervisor stack. */
static inline struct per_cpu *this_cpu(void)
{
	return (struct per_cpu *)(arch_stack_pointer() &
				  ~(unsigned long)(PER_CPU_ALIGN - 1));
}

/*
 * The CPU waits in the hypervisor and runs no guest (an arch wait such as
 * x86's wait for SIPI counts as parked), or runs one again.
 */
static inline void cpu_set_parked(struct per_cpu *cpu, bool parked)
{
	WRITE_ONCE(cpu->parked, parked);
}

/* The CPU leaves the hypervisor for good (disable). */
static inline void cpu_set_offline(struct per_cpu *cpu)
{
	cpu_set_parked(cpu, false);
	__atomic_store_n(&cpu->online, false, __ATOMIC_RELEASE);
}

/* Post req to target and kick it (no kick for the calling CPU). */
void cpu_post(struct per_cpu *target, unsigned int req);

/*
 * From within target's cell: stop it and let it wait for a wake (OFF), or
 * run it from entry if it waits (WAKE). The caller checked that target
 * belongs to its cell.
 */
void cpu_request_off(struct per_cpu *target);
void cpu_request_wake(struct per_cpu *target, u64 entry);

/*
 * The calling CPU of a cell executed HLT with interrupts off (its cell's
 * halt = "exits"): it stops as after INIT, waiting for a wake from another
 * CPU of its cell; if none of them runs any more, the cell has ended (shut
 * down). Its way back to the guest then waits in cpu_handle_requests().
 */
void cpu_stop_halted(struct per_cpu *cpu);

/* Clear req in cpu's requests; returns which of them were set. */
unsigned int cpu_take_request(struct per_cpu *cpu, unsigned int req);

/* Spin until target has taken every request of req. */
void cpu_wait_until_clear(struct per_cpu *target, unsigned int req);

/*
 * Act on the calling CPU's requests; the arch exit path calls it on every
 * way back into the guest. True if there were any.
 */
bool cpu_handle_requests(struct per_cpu *cpu);

#endif /* _HV_PERCPU_H */
