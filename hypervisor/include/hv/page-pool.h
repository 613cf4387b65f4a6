/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's page pool: every page the hypervisor allocates at run
 * time (its own page tables, second-stage tables, per-cell state) comes from
 * the part of the hypervisor region that the image and the per-CPU areas do
 * not use. One bit per page records use; the root cell can read the used
 * count (BRIG_INFO_MEM_POOL_USED), and tests use it to prove that create and
 * destroy leak nothing.
 */
#ifndef _HV_PAGE_POOL_H
#define _HV_PAGE_POOL_H

#include <hv/types.h>
#include <hv/spinlock.h>

struct page_pool {
	void *base; /* address of page 0 in the hypervisor's address space */
	unsigned long pages;
	unsigned long used; /* pages, the bitmap's own included */
	unsigned long *bitmap; /* bit set: page in use */
	unsigned long hint; /* where the next search starts */
	spinlock_t lock; /* guards used, bitmap, hint */
};

/*
 * Set up a pool over [base, base + pages * PAGE_SIZE). The bitmap is kept
 * in the first pages of the pool itself, which are marked used.
 */
int page_pool_init(struct page_pool *pool, void *base, unsigned long pages);

/*
 * Allocate num contiguous pages, the first aligned to align pages (a power
 * of two, 1 for none), zeroed. Returns NULL when the pool has no such run.
 */
void *page_alloc_aligned(struct page_pool *pool, unsigned long num,
			 unsigned long align);

static inline void *page_alloc(struct page_pool *pool, unsigned long num)
{
	return page_alloc_aligned(pool, num, 1);
}

/* Return pages; freeing a page that is not in use is a broken invariant. */
void page_free(struct page_pool *pool, void *page, unsigned long num);

static inline unsigned long page_pool_used(const struct page_pool *pool)
{
	return READ_ONCE(pool->used);
}

/* The pool the hypervisor allocates from, set up by the first CPU in. */
extern struct page_pool mem_pool;

#endif /* _HV_PAGE_POOL_H */
