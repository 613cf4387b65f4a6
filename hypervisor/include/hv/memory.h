/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory ownership between the root cell and the cells: a cell's regions
 * leave the root's second-stage tables when it is created (regions flagged
 * root-shared stay) and come back when it is destroyed; its loadable
 * regions come back to the root while it is stopped so the driver can
 * copy images in. Pages the hypervisor keeps for itself or emulates (an
 * IOMMU's registers, a trapped device page) leave the root the same way.
 *
 * Every second-stage table is built in the format the arch names
 * (arch_stage2_format()) from format-independent rights (PAGE_*).
 * Callers hold cell_lock, or run before any guest does (enable).
 */
#ifndef _HV_MEMORY_H
#define _HV_MEMORY_H

#include <brig/config.h>
#include <hv/types.h>

struct cell;
struct paging_structs;

/* The PAGE_* rights a region's description gives a guest. */
unsigned int mem_region_flags(const struct brig_memory *mem);

/* Build cell's second-stage tables from its description. */
int cell_map_memory(struct cell *cell);

/*
 * Unmap from the root (map = false) or map back 1:1 (map = true) the
 * regions of cell that leave the root (back: with the rights the root's
 * description gives each part, root_restore()); only_flags (BRIG_MEM_*),
 * if not 0, limits it to regions with one of those flags.
 */
int root_map_regions(const struct cell *cell, bool map, u32 only_flags);

/*
 * The same for any of the root's tables pg (its DMA domain, say), with
 * flags_of giving the rights of each root region coming back (0: not).
 */
int root_move_regions(const struct paging_structs *pg, const struct cell *cell,
		      bool map, u32 only_flags,
		      unsigned int (*flags_of)(const struct brig_memory *mem));

/*
 * Map 1:1 into pg what of [base, base + size) the root's own description
 * covers, each part with flags_of(its region); 0 leaves a part out.
 */
int root_map_described(const struct paging_structs *pg, u64 base, u64 size,
		       unsigned int (*flags_of)(const struct brig_memory *mem));

/*
 * Is [phys, phys + size) RAM by the root's description (so the
 * hypervisor's linear map reaches it), whoever owns it now?
 */
bool ram_described(u64 phys, u64 size);

/*
 * Is [gpa, gpa + size) RAM the root owns now: described as its RAM and
 * still mapped writable in its second-stage tables (not taken by a cell,
 * not kept by the hypervisor)? Every path where the hypervisor reads or
 * writes memory on the root's behalf (hypercall buffers, emulated device
 * queues and tables, instruction fetches of trapped accesses) asks this.
 * Callers run in a root exit or hold cell_lock: a page a cell takes
 * meanwhile goes to the cell only after every root CPU flushed, that is,
 * after this exit is over.
 */
bool root_owns_ram(u64 gpa, u64 size);

/* Take [base, base + size) out of the root's second-stage tables. */
int root_unmap(u64 base, u64 size);

/*
 * Give [base, base + size) back to the root: what of it the root's own
 * description maps, with the rights it gives there.
 */
int root_restore(u64 base, u64 size);

#endif /* _HV_MEMORY_H */
