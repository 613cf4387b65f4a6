/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page tables: one generic walker for every radix-tree format brig builds,
 * the hypervisor's own tables and the second-stage tables of cells (NPT,
 * EPT, later arm64 stage-2). A format describes its levels and how an entry
 * is encoded; the walker maps, unmaps and translates with it, using the
 * largest pages the format and the alignment allow, and frees tables that
 * become empty so that a destroyed cell gives back every page.
 *
 * Page-table pages come from a page pool. The walker reaches them through
 * paging_phys_to_virt()/paging_virt_to_phys(), which the core implements for
 * the hypervisor's address space (and unit tests as the identity).
 *
 * Locking: callers serialise changes to one set of tables (cell management
 * runs under the cell lock); translation may run concurrently with nothing
 * but itself.
 */
#ifndef _HV_PAGING_H
#define _HV_PAGING_H

#include <hv/types.h>
#include <hv/page-pool.h>

/* Access rights and attributes of a mapping, format-independent. */
#define PAGE_READ 0x1
#define PAGE_WRITE 0x2
#define PAGE_EXEC 0x4
#define PAGE_DEVICE 0x8 /* uncached device memory */
#define PAGE_RW (PAGE_READ | PAGE_WRITE)
#define PAGE_RWX (PAGE_READ | PAGE_WRITE | PAGE_EXEC)

#define PAGING_MAX_LEVELS 5
#define PAGING_ENTRIES 512
#define INVALID_PHYS (~0ULL)

struct paging_format {
	unsigned int levels; /* tables in a walk, 4 or 5 on x86-64 */
	/*
	 * Bit 0 set: a level-N entry may map a page directly. Level 0 is the
	 * top table; the last level always maps 4 KiB pages.
	 */
	unsigned int leaf_levels;
	u64 (*make_leaf)(u64 phys, unsigned int flags, bool large);
	/* level: the entry's own (0 = top); the table is one level below. */
	u64 (*make_table)(u64 table_phys, unsigned int level);
	bool (*is_present)(u64 entry);
	bool (*is_leaf)(u64 entry, bool last_level);
	u64 (*entry_phys)(u64 entry, bool large); /* frame or table address */
	unsigned int (*entry_flags)(u64 entry); /* PAGE_*, leaf entries only */
	/*
	 * NULL for tables only CPUs walk. For tables a device walks without
	 * snooping the CPU caches: write [p, p + len) back to memory.
	 */
	void (*sync)(const void *p, size_t len);
};

/* Address bits translated below a level: 12 for the last one, +9 each up. */
static inline unsigned int paging_level_shift(const struct paging_format *fmt,
					      unsigned int level)
{
	return PAGE_SHIFT + 9 * (fmt->levels - 1 - level);
}

/* Table pages waiting for a flush before they go back to the pool. */
struct page_list {
	void *head;
	unsigned long count;
};

struct paging_structs {
	const struct paging_format *fmt;
	struct page_pool *pool; /* where tables come from and go back to */
	u64 *root; /* top-level table */
	/*
	 * NULL: tables no CPU walks yet (or only the hypervisor's own),
	 * freed at once. Otherwise tables that map, unmap and merge unhook
	 * wait here until their users flushed (paging_free_retired()).
	 */
	struct page_list *retired;
};

/* Supplied by the address-space owner: pool page <-> physical address. */
void *paging_phys_to_virt(u64 phys);
u64 paging_virt_to_phys(const void *virt);

/* Allocate an empty top-level table. */
int paging_init(struct paging_structs *pg, const struct paging_format *fmt,
		struct page_pool *pool);

/*
 * Map [virt, virt + size) to [phys, phys + size) with flags. All three
 * must be 4 KiB aligned. Whatever was mapped there before is replaced;
 * large pages that only partly overlap are split first. On -ENOMEM part of
 * the range may be mapped: the caller unmaps it (tables stay consistent).
 */
int paging_map(const struct paging_structs *pg, u64 virt, u64 phys, u64 size,
	       unsigned int flags);

/*
 * Unmap [virt, virt + size); unmapped parts are skipped. Large pages that
 * only partly overlap are split, which needs a table page: -ENOMEM then.
 */
int paging_unmap(const struct paging_structs *pg, u64 virt, u64 size);

/* Physical address virt maps to, or INVALID_PHYS; *flags if non-NULL. */
u64 paging_virt_to_phys_walk(const struct paging_structs *pg, u64 virt,
			     unsigned int *flags);

/*
 * Give the retired table pages back to the pool: call once every CPU and
 * device that walks these tables has flushed its cached translations.
 */
void paging_free_retired(const struct paging_structs *pg);

/*
 * Free every table, the top-level one included, and the retired ones:
 * nothing may walk them any more.
 */
void paging_destroy(struct paging_structs *pg);

#endif /* _HV_PAGING_H */
