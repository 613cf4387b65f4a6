// SPDX-License-Identifier: GPL-2.0
/*
 * The generic page-table walker (see hv/paging.h).
 *
 * Each operation recurses from the top table down, cutting the range at
 * the boundaries of the current level's entries. An entry whose whole span
 * lies in the range, suitably aligned, is handled at that level (a large
 * page, or cleared); anything else descends, creating or splitting tables
 * on the way. Entries are written with single stores so that a hardware
 * walker running on another CPU sees either the old or the new entry.
 */
#include <hv/paging.h>

/*
 * Store an entry. Formats read by devices that do not snoop the CPU's
 * caches (an IOMMU without page-walk coherency) write it back too.
 */
static void set_entry(const struct paging_format *fmt, u64 *entry, u64 val)
{
	WRITE_ONCE(*entry, val);
	if (fmt->sync)
		fmt->sync(entry, sizeof(*entry));
}

/* A table just filled in, or allocated zeroed, as set_entry() does. */
static void sync_table(const struct paging_format *fmt, const u64 *table)
{
	if (fmt->sync)
		fmt->sync(table, PAGE_SIZE);
}

static bool can_map_at(const struct paging_format *fmt, unsigned int level)
{
	return level == fmt->levels - 1 || (fmt->leaf_levels & (1u << level));
}

static bool is_last(const struct paging_format *fmt, unsigned int level)
{
	return level == fmt->levels - 1;
}

static u64 *next_table(const struct paging_structs *pg, u64 entry)
{
	return paging_phys_to_virt(pg->fmt->entry_phys(entry, false));
}

/*
 * A table page no entry points to any more. A CPU (or device) that walked
 * through it may still hold it in its paging-structure caches until it
 * flushes: with a retired list the page waits there for the owner's flush
 * (paging_free_retired()); without one it goes back to the pool at once.
 * The list is linked through the page's first word: a page-aligned
 * address, which reads as a non-present entry in every format brig
 * builds (present and permission bits are among the low 12).
 */
static void retire_table(const struct paging_structs *pg, u64 *table)
{
	if (pg->retired) {
		*(void **)table = pg->retired->head;
		pg->retired->head = table;
		pg->retired->count++;
	} else {
		page_free(pg->pool, table, 1);
	}
}

void paging_free_retired(const struct paging_structs *pg)
{
	struct page_list *list = pg->retired;

	while (list && list->head) {
		void *page = list->head;

		list->head = *(void **)page;
		list->count--;
		page_free(pg->pool, page, 1);
	}
}

static void free_tables(const struct paging_structs *pg, u64 *table,
			unsigned int level)
{
	const struct paging_format *fmt = pg->fmt;

	if (!is_last(fmt, level))
		for (unsigned int i = 0; i < PAGING_ENTRIES; i++)
			if (fmt->is_present(table[i]) &&
			    !fmt->is_leaf(table[i], false))
				free_tables(pg, next_table(pg, table[i]),
					    level + 1);
	retire_table(pg, table);
}

/*
 * Turn the large page in *entry (at level) into a table of next-level
 * entries that map the same memory with the same rights.
 */
static u64 *split_large(const struct paging_structs *pg, u64 *entry,
			unsigned int level)
{
	const struct paging_format *fmt = pg->fmt;
	u64 phys = fmt->entry_phys(*entry, true);
	unsigned int flags = fmt->entry_flags(*entry);
	u64 step = 1ULL << paging_level_shift(fmt, level + 1);
	bool large = !is_last(fmt, level + 1);
	u64 *table = page_alloc(pg->pool, 1);

	if (!table)
		return NULL;
	for (unsigned int i = 0; i < PAGING_ENTRIES; i++)
		table[i] = fmt->make_leaf(phys + i * step, flags, large);
	sync_table(fmt, table);
	set_entry(fmt, entry,
		  fmt->make_table(paging_virt_to_phys(table), level));
	return table;
}

/* The table below *entry, created empty or split from a large page. */
static u64 *get_table(const struct paging_structs *pg, u64 *entry,
		      unsigned int level)
{
	const struct paging_format *fmt = pg->fmt;
	u64 *table;

	if (fmt->is_present(*entry)) {
		if (!fmt->is_leaf(*entry, false))
			return next_table(pg, *entry);
		return split_large(pg, entry, level);
	}
	table = page_alloc(pg->pool, 1);
	if (table) {
		sync_table(fmt, table);
		set_entry(fmt, entry,
			  fmt->make_table(paging_virt_to_phys(table), level));
	}
	return table;
}

static bool table_empty(const struct paging_format *fmt, const u64 *table)
{
	for (unsigned int i = 0; i < PAGING_ENTRIES; i++)
		if (fmt->is_present(table[i]))
			return false;
	return true;
}

/* Clear *entry, freeing whatever tables hang below it. */
static void clear_entry(const struct paging_structs *pg, u64 *entry,
			unsigned int level)
{
	const struct paging_format *fmt = pg->fmt;
	u64 old = *entry;

	set_entry(fmt, entry, 0);
	if (fmt->is_present(old) && !is_last(fmt, level) &&
	    !fmt->is_leaf(old, false))
		free_tables(pg, next_table(pg, old), level + 1);
}

static u64 *entry_of(const struct paging_structs *pg, u64 *table,
		     unsigned int level, u64 virt)
{
	unsigned int shift = paging_level_shift(pg->fmt, level);

	return &table[(virt >> shift) % PAGING_ENTRIES];
}

/* Length of the part of [virt, virt + size) inside virt's entry. */
static u64 chunk(const struct paging_format *fmt, unsigned int level, u64 virt,
		 u64 size)
{
	u64 span = 1ULL << paging_level_shift(fmt, level);
	u64 left = span - (virt & (span - 1));

	return size < left ? size : left;
}

/*
 * If the table below *entry now maps one aligned, contiguous range with
 * the same rights everywhere, replace it by a single large page: a cell's
 * memory given back to the root then costs no more table pages (and TLB
 * entries) than before the cell took it.
 */
static void try_merge(const struct paging_structs *pg, u64 *entry,
		      unsigned int level)
{
	const struct paging_format *fmt = pg->fmt;
	u64 *sub = next_table(pg, *entry);
	bool sub_last = is_last(fmt, level + 1);
	u64 step = 1ULL << paging_level_shift(fmt, level + 1);
	u64 base = fmt->entry_phys(sub[0], !sub_last);
	unsigned int flags = fmt->entry_flags(sub[0]);

	if (!can_map_at(fmt, level) || !IS_ALIGNED(base, step * PAGING_ENTRIES))
		return;
	for (unsigned int i = 0; i < PAGING_ENTRIES; i++)
		if (!fmt->is_present(sub[i]) ||
		    !fmt->is_leaf(sub[i], sub_last) ||
		    fmt->entry_phys(sub[i], !sub_last) != base + i * step ||
		    fmt->entry_flags(sub[i]) != flags)
			return;
	set_entry(fmt, entry, fmt->make_leaf(base, flags, true));
	retire_table(pg, sub);
}

static int map_range(const struct paging_structs *pg, u64 *table,
		     unsigned int level, u64 virt, u64 phys, u64 size,
		     unsigned int flags)
{
	const struct paging_format *fmt = pg->fmt;
	u64 span = 1ULL << paging_level_shift(fmt, level);

	while (size) {
		u64 *entry = entry_of(pg, table, level, virt);
		u64 n = chunk(fmt, level, virt, size);
		u64 *sub;
		int err;

		if (n == span && can_map_at(fmt, level) &&
		    IS_ALIGNED(phys, span)) {
			clear_entry(pg, entry, level);
			set_entry(fmt, entry,
				  fmt->make_leaf(phys, flags,
						 !is_last(fmt, level)));
		} else {
			sub = get_table(pg, entry, level);
			if (!sub)
				return -ENOMEM;
			err = map_range(pg, sub, level + 1, virt, phys, n,
					flags);
			if (err)
				return err;
			try_merge(pg, entry, level);
		}
		virt += n;
		phys += n;
		size -= n;
	}
	return 0;
}

static int unmap_range(const struct paging_structs *pg, u64 *table,
		       unsigned int level, u64 virt, u64 size)
{
	const struct paging_format *fmt = pg->fmt;
	u64 span = 1ULL << paging_level_shift(fmt, level);

	while (size) {
		u64 *entry = entry_of(pg, table, level, virt);
		u64 n = chunk(fmt, level, virt, size);
		u64 *sub;
		int err;

		if (!fmt->is_present(*entry)) {
			/* nothing mapped here */
		} else if (n == span) {
			clear_entry(pg, entry, level);
		} else {
			sub = get_table(pg, entry, level);
			if (!sub)
				return -ENOMEM;
			err = unmap_range(pg, sub, level + 1, virt, n);
			if (err)
				return err;
			if (table_empty(fmt, sub)) {
				set_entry(fmt, entry, 0);
				retire_table(pg, sub);
			}
		}
		virt += n;
		size -= n;
	}
	return 0;
}

int paging_init(struct paging_structs *pg, const struct paging_format *fmt,
		struct page_pool *pool)
{
	pg->fmt = fmt;
	pg->pool = pool;
	pg->root = page_alloc(pool, 1);
	if (pg->root)
		sync_table(fmt, pg->root);
	return pg->root ? 0 : -ENOMEM;
}

static bool range_ok(u64 virt, u64 size)
{
	return IS_ALIGNED(virt, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       virt + size >= virt;
}

int paging_map(const struct paging_structs *pg, u64 virt, u64 phys, u64 size,
	       unsigned int flags)
{
	if (!range_ok(virt, size) || !IS_ALIGNED(phys, PAGE_SIZE))
		return -EINVAL;
	return map_range(pg, pg->root, 0, virt, phys, size, flags);
}

int paging_unmap(const struct paging_structs *pg, u64 virt, u64 size)
{
	if (!range_ok(virt, size))
		return -EINVAL;
	return unmap_range(pg, pg->root, 0, virt, size);
}

u64 paging_virt_to_phys_walk(const struct paging_structs *pg, u64 virt,
			     unsigned int *flags)
{
	const struct paging_format *fmt = pg->fmt;
	u64 *table = pg->root;

	for (unsigned int level = 0; level < fmt->levels; level++) {
		u64 entry = READ_ONCE(*entry_of(pg, table, level, virt));
		bool last = is_last(fmt, level);
		u64 mask;

		if (!fmt->is_present(entry))
			return INVALID_PHYS;
		if (last || fmt->is_leaf(entry, false)) {
			mask = (1ULL << paging_level_shift(fmt, level)) - 1;
			if (flags)
				*flags = fmt->entry_flags(entry);
			return fmt->entry_phys(entry, !last) | (virt & mask);
		}
		table = next_table(pg, entry);
	}
	return INVALID_PHYS;
}

void paging_destroy(struct paging_structs *pg)
{
	if (pg->root)
		free_tables(pg, pg->root, 0);
	paging_free_retired(pg);
	pg->root = NULL;
}
