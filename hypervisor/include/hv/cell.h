/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cells: the root cell (the Linux that enabled brig) and the cells carved
 * out of it. A cell owns its CPUs, memory and ports outright; what it owns
 * is taken from the root when it is created and given back when it is
 * destroyed.
 *
 * Locking: cell_lock serialises every management operation (they come from
 * the root's hypercalls); a cell's state is also written by its own CPUs
 * when the cell fails (cell_fail()), without cell_lock: its holder may be
 * waiting for those very CPUs to park.
 */
#ifndef _HV_CELL_H
#define _HV_CELL_H

#include <brig/comm.h>
#include <brig/config.h>
#include <hv/mmio.h>
#include <hv/paging.h>
#include <hv/spinlock.h>
#include <arch/cell-types.h>

struct per_cpu;

#define MAX_CELLS 16 /* the root included */

struct cell {
	unsigned int id; /* 0 for the root */
	unsigned int state; /* BRIG_CELL_STATE_* */
	bool loadable; /* loadable regions are mapped in the root */
	bool has_run; /* started since its loadable regions were zeroed */
	/* It answered a shutdown request with STOPPING; cleared at start. */
	bool stopping;
	const struct brig_cell_desc *config; /* the hypervisor's own copy */
	u64 config_size;
	struct brig_comm_region *comm; /* in the cell's memory; NULL: none */
	struct paging_structs stage2; /* guest-physical -> host-physical */
	struct paging_structs dma; /* the same for its devices (IOMMU) */
	/*
	 * Second-stage table pages unhooked while the cell's CPUs may still
	 * cache them: freed once every one of them has flushed.
	 */
	struct page_list retired;
	struct mmio_registry mmio; /* trapped ranges */
	struct cell_arch arch;
};

extern struct cell root_cell;
extern spinlock_t cell_lock;

/*
 * Take cell_lock for a management request. Its holder may be waiting for
 * the calling CPU to flush (cell_flush_tlbs()), which it would otherwise
 * do only on its way back into the guest: it serves its CPU_REQ_FLUSH
 * while it waits.
 */
void cell_lock_acquire(void);

static inline void cell_lock_release(void)
{
	spin_unlock(&cell_lock);
}

/* The cell with this id, or NULL. Caller holds cell_lock. */
struct cell *cell_find(unsigned int id);

/* Every CPU of a cell, by number. */
#define for_each_cell_cpu(cpu, cell)                                           \
	for ((cpu) = 0; (cpu) < CONFIG_MAX_CPUS; (cpu)++)                      \
		if (brig_cell_has_cpu((cell)->config, (cpu)))

/* Set up the root cell from the system description (first CPU in). */
void cell_init_root(void);

/*
 * Make every running CPU of cell flush what it caches of the cell's
 * second-stage tables, wait until each has, then free the table pages
 * that were retired meanwhile (cell->retired). Caller holds cell_lock.
 */
void cell_flush_tlbs(struct cell *cell);

static inline void flush_root_tlbs(void)
{
	cell_flush_tlbs(&root_cell);
}

/* The management hypercalls (control.c dispatches to these). */
long cell_validate(u64 gpa, u64 size);
long cell_create(u64 gpa, u64 size);
long cell_set_loadable(unsigned int id, unsigned long flags);
long cell_start(unsigned int id, unsigned long flags);
long cell_shutdown(unsigned int id, unsigned long flags);
long cell_destroy(unsigned int id, unsigned long flags);
long cell_get_state(unsigned int id);
unsigned int cell_count(void);

/*
 * The calling CPU's cell broke the rules: report what it did, stop every
 * CPU of the cell and mark it FAILED. The calling CPU parks on its way
 * back to the guest.
 */
void cell_fail(struct per_cpu *cpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Like cell_fail(), for what a cell's device did, found on another CPU
 * (an IOMMU fault): the cell is stopped and marked FAILED.
 */
void cell_fail_remote(struct cell *cell, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The calling CPU's cell ended itself in an orderly way (x86: it powered
 * off, or asked for a reset): report why, stop every CPU of the cell and
 * mark it SHUT_DOWN, unless a failure came first.
 */
void cell_end(struct per_cpu *cpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The cell's boot CPU, which runs from its entry: its first. */
unsigned int cell_boot_cpu(const struct cell *cell);

/* Whether the region list of a cell description maps gpa (any access). */
const struct brig_memory *cell_region_of(const struct cell *cell, u64 gpa);

#endif /* _HV_CELL_H */
