// SPDX-License-Identifier: GPL-2.0
/*
 * Page pool: a bitmap allocator over a contiguous range of pages.
 *
 * The pool is small (the hypervisor region is a few MiB) and allocations are
 * rare outside of cell creation, so a linear first-fit scan starting at a
 * hint is fast enough and easy to reason about. Pages are zeroed on
 * allocation: a page table or a cell structure must never start with
 * another cell's leftovers.
 */
#include <hv/page-pool.h>
#include <hv/panic.h>
#include <hv/string.h>

#define BITS_PER_LONG (8 * sizeof(unsigned long))

struct page_pool mem_pool;

static bool test_bit(const unsigned long *map, unsigned long n)
{
	return (map[n / BITS_PER_LONG] >> (n % BITS_PER_LONG)) & 1;
}

static void assign_bits(unsigned long *map, unsigned long first,
			unsigned long num, bool set)
{
	for (unsigned long n = first; n < first + num; n++) {
		unsigned long mask = 1UL << (n % BITS_PER_LONG);

		if (set)
			map[n / BITS_PER_LONG] |= mask;
		else
			map[n / BITS_PER_LONG] &= ~mask;
	}
}

int page_pool_init(struct page_pool *pool, void *base, unsigned long pages)
{
	unsigned long bitmap_bytes = ALIGN_UP(pages, BITS_PER_LONG) / 8;
	unsigned long bitmap_pages =
		ALIGN_UP(bitmap_bytes, PAGE_SIZE) / PAGE_SIZE;

	if (pages <= bitmap_pages)
		return -ENOMEM;

	pool->base = base;
	pool->pages = pages;
	pool->bitmap = base;
	pool->hint = bitmap_pages;
	pool->lock = (spinlock_t)SPINLOCK_INIT;
	memset(pool->bitmap, 0, bitmap_pages * PAGE_SIZE);
	assign_bits(pool->bitmap, 0, bitmap_pages, true);
	pool->used = bitmap_pages;
	return 0;
}

/* First page of a free run of num pages at or after start, or pool->pages. */
static unsigned long find_free_run(struct page_pool *pool, unsigned long start,
				   unsigned long num, unsigned long align)
{
	unsigned long first = ALIGN_UP(start, align);

	while (first + num <= pool->pages) {
		unsigned long n;

		for (n = 0; n < num; n++)
			if (test_bit(pool->bitmap, first + n))
				break;
		if (n == num)
			return first;
		first = ALIGN_UP(first + n + 1, align);
	}
	return pool->pages;
}

void *page_alloc_aligned(struct page_pool *pool, unsigned long num,
			 unsigned long align)
{
	unsigned long first;
	void *page;

	if (num == 0 || align == 0 || (align & (align - 1)))
		return NULL;

	spin_lock(&pool->lock);
	first = find_free_run(pool, pool->hint, num, align);
	if (first >= pool->pages)
		first = find_free_run(pool, 0, num, align);
	if (first >= pool->pages) {
		spin_unlock(&pool->lock);
		return NULL;
	}
	assign_bits(pool->bitmap, first, num, true);
	pool->used += num;
	pool->hint = first + num;
	spin_unlock(&pool->lock);

	page = (char *)pool->base + first * PAGE_SIZE;
	memset(page, 0, num * PAGE_SIZE);
	return page;
}

void page_free(struct page_pool *pool, void *page, unsigned long num)
{
	unsigned long first;

	if (!page)
		return;
	first = (unsigned long)((char *)page - (char *)pool->base) / PAGE_SIZE;
	if ((char *)page < (char *)pool->base || first + num > pool->pages ||
	    !IS_ALIGNED((unsigned long)page, PAGE_SIZE))
		panic("page_free: %p (+%lu pages) is not a pool page", page,
		      num);

	spin_lock(&pool->lock);
	for (unsigned long n = first; n < first + num; n++) {
		if (!test_bit(pool->bitmap, n)) {
			spin_unlock(&pool->lock);
			panic("page_free: page %p freed twice",
			      (char *)pool->base + n * PAGE_SIZE);
		}
	}
	assign_bits(pool->bitmap, first, num, false);
	pool->used -= num;
	if (first < pool->hint)
		pool->hint = first;
	spin_unlock(&pool->lock);
}
