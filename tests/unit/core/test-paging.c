// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table walker with the x86 formats: large pages where alignment
 * allows, splitting on partial changes, translation, and that unmapping
 * everything gives every table page back to the pool.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include <arch/paging.h>
#include "stubs.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

struct fixture {
	struct page_pool pool;
	void *mem;
	struct paging_structs pg;
	unsigned long baseline;
};

static int setup(void **state, unsigned int levels, bool gb, bool ept)
{
	struct fixture *f = calloc(1, sizeof(*f));

	x86_paging_init(levels, gb);
	f->mem = test_pool_create(&f->pool, 256);
	assert_int_equal(paging_init(&f->pg,
				     ept ? &x86_ept_paging : &x86_long_paging,
				     &f->pool),
			 0);
	f->baseline = page_pool_used(&f->pool);
	*state = f;
	return 0;
}

static int setup4(void **state)
{
	return setup(state, 4, true, false);
}
static int setup5(void **state)
{
	return setup(state, 5, true, false);
}
static int setup4_no_gb(void **state)
{
	return setup(state, 4, false, false);
}
static int setup_ept(void **state)
{
	return setup(state, 4, true, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	paging_destroy(&f->pg);
	/* Only the pool's bitmap page may remain in use. */
	assert_int_equal(page_pool_used(&f->pool), 1);
	free(f->mem);
	free(f);
	return 0;
}

static unsigned long tables_used(struct fixture *f)
{
	return page_pool_used(&f->pool) - f->baseline;
}

static void test_large_pages_used(void **state)
{
	struct fixture *f = *state;
	unsigned int levels = f->pg.fmt->levels;

	/* 1 GiB at a 1 GiB boundary: a leaf in a new PDPT (and PML4 under
	 * a PML5), nothing below it. */
	assert_int_equal(paging_map(&f->pg, 4 * GiB, 8 * GiB, GiB, PAGE_RW), 0);
	assert_int_equal(tables_used(f), levels - 3);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 4 * GiB + 0x1234,
						  NULL),
			 8 * GiB + 0x1234);
}

static void test_no_gbpages_uses_2m(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(paging_map(&f->pg, 0, 0, GiB, PAGE_RW), 0);
	/* PML4 + PDPT... then one PD full of 2 MiB leaves. */
	assert_int_equal(tables_used(f), 2);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, GiB - 1, NULL),
			 GiB - 1);
}

static void test_unaligned_range_mixes_sizes(void **state)
{
	struct fixture *f = *state;
	unsigned int flags = 0;

	/* 4 KiB head, 2 MiB middle, 4 KiB tail. */
	assert_int_equal(paging_map(&f->pg, 2 * MiB - 0x1000,
				    0x40000000 - 0x1000, 2 * MiB + 0x2000,
				    PAGE_RWX),
			 0);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 2 * MiB - 0x1000,
						  &flags),
			 0x40000000 - 0x1000);
	assert_int_equal(flags, PAGE_RWX);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 3 * MiB, NULL),
			 0x40000000 + MiB);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 4 * MiB + 0x800,
						  NULL),
			 0x40000000 + 2 * MiB + 0x800);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 4 * MiB + 0x1000,
						  NULL),
			 INVALID_PHYS);
}

static void test_hole_punch_splits(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(paging_map(&f->pg, 0, 0, GiB, PAGE_RW), 0);
	/* Punch one 4 KiB page out of the middle of the 1 GiB page. */
	assert_int_equal(paging_unmap(&f->pg, 0x12345000, 0x1000), 0);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 0x12345000, NULL),
			 INVALID_PHYS);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 0x12344fff, NULL),
			 0x12344fff);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 0x12346000, NULL),
			 0x12346000);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 0x3fffffff, NULL),
			 0x3fffffff);
	/* Unmapping the rest frees every table the split created. */
	assert_int_equal(paging_unmap(&f->pg, 0, GiB), 0);
	assert_int_equal(tables_used(f), 0);
}

static void test_refill_merges_back(void **state)
{
	struct fixture *f = *state;

	/* A 1 GiB page with a 4 KiB hole, refilled: one large page again. */
	assert_int_equal(paging_map(&f->pg, 0, 0, GiB, PAGE_RW), 0);
	assert_int_equal(paging_unmap(&f->pg, 0x12345000, 0x1000), 0);
	assert_true(tables_used(f) >= 2);
	assert_int_equal(
		paging_map(&f->pg, 0x12345000, 0x12345000, 0x1000, PAGE_RW), 0);
	assert_int_equal(tables_used(f), f->pg.fmt->levels - 3);
	/* Different rights in one 4 KiB page keep the tables. */
	assert_int_equal(paging_map(&f->pg, 0x1000, 0x1000, 0x1000, PAGE_READ),
			 0);
	assert_true(tables_used(f) > f->pg.fmt->levels - 3);
}

static void test_remap_replaces_and_frees(void **state)
{
	struct fixture *f = *state;
	unsigned long after_small;

	assert_int_equal(paging_map(&f->pg, 0, 0, 2 * MiB, PAGE_RW), 0);
	assert_int_equal(paging_unmap(&f->pg, 0x1000, 0x1000), 0);
	after_small = tables_used(f);
	/* Mapping the whole 2 MiB again replaces the PT by a large page. */
	assert_int_equal(paging_map(&f->pg, 0, 0x200000, 2 * MiB, PAGE_READ),
			 0);
	assert_int_equal(tables_used(f), after_small - 1);
	assert_int_equal(paging_virt_to_phys_walk(&f->pg, 0x1000, NULL),
			 0x201000);
}

static void test_flags_round_trip(void **state)
{
	struct fixture *f = *state;
	const unsigned int cases[] = { PAGE_READ, PAGE_RW, PAGE_RWX,
				       PAGE_RW | PAGE_DEVICE,
				       PAGE_READ | PAGE_EXEC };
	unsigned int flags;

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u64 va = (u64)i << 21;

		assert_int_equal(paging_map(&f->pg, va, va, 0x1000, cases[i]),
				 0);
		paging_virt_to_phys_walk(&f->pg, va, &flags);
		assert_int_equal(flags, cases[i]);
	}
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(paging_map(&f->pg, 0x1001, 0, 0x1000, PAGE_RW),
			 -EINVAL);
	assert_int_equal(paging_map(&f->pg, 0, 0x10, 0x1000, PAGE_RW), -EINVAL);
	assert_int_equal(paging_map(&f->pg, 0, 0, 0x1001, PAGE_RW), -EINVAL);
	assert_int_equal(paging_unmap(&f->pg, ~0xfffULL, 0x2000), -EINVAL);
	assert_int_equal(tables_used(f), 0);
}

static void test_out_of_memory_is_reported(void **state)
{
	struct fixture *f = *state;
	int err = 0;

	/* 4 KiB pages spread 2 MiB apart need a PT each: the pool runs dry. */
	for (u64 va = 0; va < 1024 * 2 * MiB && !err; va += 2 * MiB)
		err = paging_map(&f->pg, va, va, 0x1000, PAGE_RW);
	assert_int_equal(err, -ENOMEM);
	assert_int_equal(paging_unmap(&f->pg, 0, 1024 * 2 * MiB), 0);
	assert_int_equal(tables_used(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_large_pages_used, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_large_pages_used, setup5,
						teardown),
		cmocka_unit_test_setup_teardown(test_large_pages_used,
						setup_ept, teardown),
		cmocka_unit_test_setup_teardown(test_no_gbpages_uses_2m,
						setup4_no_gb, teardown),
		cmocka_unit_test_setup_teardown(
			test_unaligned_range_mixes_sizes, setup5, teardown),
		cmocka_unit_test_setup_teardown(test_hole_punch_splits, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_hole_punch_splits,
						setup_ept, teardown),
		cmocka_unit_test_setup_teardown(test_remap_replaces_and_frees,
						setup4, teardown),
		cmocka_unit_test_setup_teardown(test_refill_merges_back, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_refill_merges_back, setup5,
						teardown),
		cmocka_unit_test_setup_teardown(test_refill_merges_back,
						setup_ept, teardown),
		cmocka_unit_test_setup_teardown(test_flags_round_trip, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_flags_round_trip,
						setup_ept, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory_is_reported,
						setup4, teardown),
	};

	return cmocka_run_group_tests_name("paging", tests, NULL, NULL);
}
