/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trapped memory accesses: each cell (the root too) has a registry of the
 * guest-physical ranges whose accesses the hypervisor emulates (an
 * emulated device's registers, a pass-through device's MSI-X table, the
 * root's IOMMU registers). The arch code turns a second-stage fault into
 * one generic access record (it decodes the instruction), the core finds
 * the range's handler and calls it, and the arch code completes the
 * instruction (a read's value into its destination register).
 *
 * Locking: a registry is changed under its lock, and only while none of
 * the cell's CPUs can be inside a handler of the range being removed (the
 * cell is being created or destroyed, its CPUs parked; the root's ranges
 * live from enable to disable). Lookups copy the range under the lock and
 * call the handler without it, so a handler may take its own locks.
 */
#ifndef _HV_MMIO_H
#define _HV_MMIO_H

#include <hv/types.h>
#include <hv/spinlock.h>

struct cell;
struct per_cpu;

/* One guest access, as the arch decoded it. */
struct mmio_access {
	u64 address; /* guest-physical */
	u64 value; /* a write's value; a read's result, set by the handler */
	unsigned int size; /* 1, 2, 4 or 8 bytes */
	bool is_write;
};

enum mmio_result {
	MMIO_UNHANDLED, /* no range of the cell covers the address */
	MMIO_HANDLED, /* done: complete the instruction */
	MMIO_CELL_FAILED, /* the handler stopped the cell (cell_fail) */
};

typedef enum mmio_result (*mmio_handler_t)(struct per_cpu *cpu,
					   struct mmio_access *acc, void *arg);

struct mmio_region {
	u64 start, size;
	mmio_handler_t handler;
	void *arg;
};

#define MMIO_MAX_REGIONS 48

struct mmio_registry {
	spinlock_t lock;
	unsigned int count;
	struct mmio_region regions[MMIO_MAX_REGIONS];
};

/*
 * Trap [start, start + size) of cell's guest-physical space to handler.
 * -EINVAL for an empty or wrapping range, -EEXIST if it overlaps a range
 * already registered, -ENOSPC when the registry is full.
 */
int mmio_register(struct cell *cell, u64 start, u64 size,
		  mmio_handler_t handler, void *arg);

/* Remove the range that starts at start (nothing if there is none). */
void mmio_unregister(struct cell *cell, u64 start);

/* Remove every range whose handler argument is arg. */
void mmio_unregister_arg(struct cell *cell, const void *arg);

/*
 * The root touched memory it does not own: a read returns all-ones, a
 * write is dropped, the first access to each page is reported.
 */
void mmio_root_forbidden(struct per_cpu *cpu, struct mmio_access *acc);

/* Whether an access to address of cell is one the hypervisor emulates. */
bool mmio_is_trapped(struct cell *cell, u64 address);

/*
 * Emulate a trapped access of cpu's cell. For the root, an address no
 * range covers is memory it does not own: a read returns all-ones, a
 * write is dropped, the first access to each page is reported, and the
 * result is MMIO_HANDLED (the root is never stopped). For another cell it
 * is MMIO_UNHANDLED: the arch code reports the violation.
 */
enum mmio_result mmio_handle_access(struct per_cpu *cpu,
				    struct mmio_access *acc);

/*
 * True the first time key is seen (while the table of keys has room):
 * for reports that would otherwise flood the console.
 */
bool report_once(u64 key);

#endif /* _HV_MMIO_H */
