// SPDX-License-Identifier: GPL-2.0
/* The page pool: accounting, alignment, exhaustion, reuse, zeroing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/page-pool.h>
#include "stubs.h"

static void test_init_reserves_bitmap(void **state)
{
	struct page_pool pool;
	void *mem = test_pool_create(&pool, 64);

	(void)state;
	/* 64 bits of bitmap fit one page, which the pool itself uses. */
	assert_int_equal(page_pool_used(&pool), 1);
	assert_int_equal(page_pool_init(&pool, mem, 1), -ENOMEM);
	free(mem);
}

static void test_alloc_free_accounting(void **state)
{
	struct page_pool pool;
	void *mem = test_pool_create(&pool, 64);
	void *a, *b;

	(void)state;
	a = page_alloc(&pool, 3);
	b = page_alloc(&pool, 1);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(page_pool_used(&pool), 5);
	page_free(&pool, a, 3);
	page_free(&pool, b, 1);
	assert_int_equal(page_pool_used(&pool), 1);
	free(mem);
}

static void test_alignment(void **state)
{
	struct page_pool pool;
	void *mem = test_pool_create(&pool, 64);
	char *p;

	(void)state;
	p = page_alloc_aligned(&pool, 2, 8);
	assert_non_null(p);
	assert_int_equal((p - (char *)mem) / PAGE_SIZE % 8, 0);
	assert_null(page_alloc_aligned(&pool, 1, 3)); /* not a power of 2 */
	assert_null(page_alloc(&pool, 0));
	page_free(&pool, p, 2);
	free(mem);
}

static void test_exhaustion_and_reuse(void **state)
{
	struct page_pool pool;
	void *mem = test_pool_create(&pool, 16);
	void *pages[15];

	(void)state;
	for (int i = 0; i < 15; i++)
		assert_non_null(pages[i] = page_alloc(&pool, 1));
	assert_null(page_alloc(&pool, 1));
	page_free(&pool, pages[7], 1);
	assert_ptr_equal(page_alloc(&pool, 1), pages[7]);
	/* No run of two free pages anywhere: fragmentation is respected. */
	page_free(&pool, pages[3], 1);
	page_free(&pool, pages[5], 1);
	assert_null(page_alloc(&pool, 2));
	free(mem);
}

static void test_pages_zeroed(void **state)
{
	struct page_pool pool;
	void *mem = test_pool_create(&pool, 8);
	unsigned char *p = page_alloc(&pool, 1);

	(void)state;
	memset(p, 0xa5, PAGE_SIZE);
	page_free(&pool, p, 1);
	p = page_alloc(&pool, 1);
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	free(mem);
}

static void test_double_free_panics(void **state)
{
	struct page_pool pool;
	void *mem = test_pool_create(&pool, 8);
	void *p = page_alloc(&pool, 1);

	(void)state;
	page_free(&pool, p, 1);
	expect_assert_failure(page_free(&pool, p, 1));
	expect_assert_failure(page_free(&pool, (char *)mem - PAGE_SIZE, 1));
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_reserves_bitmap),
		cmocka_unit_test(test_alloc_free_accounting),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_exhaustion_and_reuse),
		cmocka_unit_test(test_pages_zeroed),
		cmocka_unit_test(test_double_free_panics),
	};

	return cmocka_run_group_tests_name("page-pool", tests, NULL, NULL);
}
