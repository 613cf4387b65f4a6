// SPDX-License-Identifier: GPL-2.0
/*
 * Flush before free: second-stage table pages that unmap, map and merge
 * unhook wait on the cell's retired list (hypervisor/paging.c) until
 * cell_flush_tlbs() (hypervisor/cpu.c) has had every online CPU of the
 * cell flush; only then do they go back to the pool. Tables in the stub's
 * host format (stub-arch.c), pages from mem_pool as in the hypervisor.
 *
 * CPUs: 0 the caller (root), 1 and 2 the cell's online CPUs, 3 the cell's
 * but offline, 4 the root's, 5 another cell's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stub-arch.h"
#include "stubs.h"

#define MiB 0x100000ULL
/* 2 MiB at 2 MiB from a frame that is not 2 MiB aligned: 4 KiB pages. */
#define VIRT (2 * MiB)
#define SIZE (2 * MiB)
#define PHYS_4K (0x10000000ULL + 0x1000)
#define PHYS_2M 0x10200000ULL
/* The tables that takes below the top one: one per level. */
#define TABLES 3

static struct cell cell, other;
static void *pool_mem;
static unsigned long empty_used; /* top table only */
static unsigned int hook_runs;

static int setup(void **state)
{
	(void)state;
	stub_reset();
	pool_mem = test_pool_create(&mem_pool, 64);
	memset(&cell, 0, sizeof(cell));
	memset(&other, 0, sizeof(other));
	cell.id = 1;
	other.id = 2;
	cell.stage2.retired = &cell.retired;
	assert_int_equal(paging_init(&cell.stage2, &stub_format, &mem_pool), 0);
	empty_used = page_pool_used(&mem_pool);

	per_cpu(0)->cell = &root_cell;
	per_cpu(1)->cell = &cell;
	per_cpu(2)->cell = &cell;
	per_cpu(3)->cell = &cell;
	per_cpu(4)->cell = &root_cell;
	per_cpu(5)->cell = &other;
	for (unsigned int n = 0; n <= 5; n++)
		per_cpu(n)->online = n != 3;
	stub_kick_handler = cpu_handle_requests;
	hook_runs = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	paging_destroy(&cell.stage2);
	/* Only the pool's bitmap page may remain in use. */
	assert_int_equal(page_pool_used(&mem_pool), 1);
	free(pool_mem);
	return 0;
}

static bool pool_page_in_use(const void *page)
{
	unsigned long n =
		(unsigned long)((const char *)page - (char *)mem_pool.base) /
		PAGE_SIZE;

	return (mem_pool.bitmap[n / (8 * sizeof(long))] >>
		(n % (8 * sizeof(long)))) &
	       1;
}

static unsigned long retired_in_use(void)
{
	unsigned long n = 0;

	for (void *p = cell.retired.head; p; p = *(void **)p) {
		assert_true(pool_page_in_use(p));
		n++;
	}
	assert_int_equal(n, cell.retired.count);
	return n;
}

/* At each flush: every retired page is still allocated and listed. */
static void check_retired_at_flush(struct per_cpu *cpu)
{
	(void)cpu;
	assert_int_equal(retired_in_use(), TABLES);
	hook_runs++;
}

/* Map 2 MiB with 4 KiB pages and unmap it: TABLES pages retired. */
static void map_and_unmap(void)
{
	assert_int_equal(
		paging_map(&cell.stage2, VIRT, PHYS_4K, SIZE, PAGE_RWX), 0);
	assert_int_equal(page_pool_used(&mem_pool), empty_used + TABLES);
	assert_int_equal(paging_virt_to_phys_walk(&cell.stage2, VIRT + 0x5123,
						  NULL),
			 PHYS_4K + 0x5123);
	assert_int_equal(paging_unmap(&cell.stage2, VIRT, SIZE), 0);
	assert_int_equal(paging_virt_to_phys_walk(&cell.stage2, VIRT, NULL),
			 INVALID_PHYS);
}

static void test_unmap_retires(void **state)
{
	(void)state;
	map_and_unmap();
	/* Unhooked, but a CPU may still cache them: not freed. */
	assert_int_equal(page_pool_used(&mem_pool), empty_used + TABLES);
	assert_int_equal(cell.retired.count, TABLES);
	assert_int_equal(retired_in_use(), TABLES);
}

/* Only the cell's online CPUs were asked, each flushed once. */
static void check_flushed_cpus(unsigned long used_before)
{
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++) {
		bool asked = n == 1 || n == 2;

		assert_int_equal(stub_count(EV_FLUSH, n), asked ? 1 : 0);
		assert_int_equal(stub_count(EV_KICK, n), asked ? 1 : 0);
		assert_int_equal(per_cpu(n)->requests, 0);
	}
	for (unsigned int n = 1; n <= 2; n++) {
		const struct stub_event *e = stub_find(EV_FLUSH, n, 0);

		assert_int_equal(e->caller, n); /* on its own CPU */
		assert_int_equal(e->pool_used, used_before);
	}
}

static void test_flush_before_free(void **state)
{
	unsigned long used;

	(void)state;
	map_and_unmap();
	used = page_pool_used(&mem_pool);
	/* A kicked CPU handles its requests at once, inside the kick. */
	stub_kick_mode = STUB_KICK_SYNC;
	stub_on_flush = check_retired_at_flush;
	cell_flush_tlbs(&cell);

	check_flushed_cpus(used);
	assert_int_equal(hook_runs, 2);
	/* Back in the pool once both flushed. */
	assert_int_equal(page_pool_used(&mem_pool), used - TABLES);
	assert_int_equal(page_pool_used(&mem_pool), empty_used);
	assert_null(cell.retired.head);
	assert_int_equal(cell.retired.count, 0);
}

static void test_flush_inside_wait(void **state)
{
	unsigned long used;

	(void)state;
	map_and_unmap();
	used = page_pool_used(&mem_pool);
	/* Kicked CPUs get to it only while the caller spins. */
	stub_kick_mode = STUB_KICK_DEFERRED;
	stub_on_flush = check_retired_at_flush;
	cell_flush_tlbs(&cell);

	check_flushed_cpus(used);
	assert_true(stub_relax_turns >= 1);
	/* Every CPU was asked before any was waited for. */
	assert_true(stub_index(EV_KICK, 2, 0) < stub_index(EV_FLUSH, 1, 0));
	assert_int_equal(hook_runs, 2);
	assert_int_equal(page_pool_used(&mem_pool), used - TABLES);
	assert_int_equal(cell.retired.count, 0);
}

static void test_flush_by_cell_cpu(void **state)
{
	unsigned long used;

	(void)state;
	map_and_unmap();
	used = page_pool_used(&mem_pool);
	stub_kick_mode = STUB_KICK_SYNC;
	stub_set_cpu(1);
	cell_flush_tlbs(&cell);
	/* The caller flushes on its own way out: posted, not kicked. */
	assert_int_equal(stub_count(EV_KICK, 1), 0);
	assert_int_equal(per_cpu(1)->requests, CPU_REQ_FLUSH);
	assert_int_equal(stub_count(EV_FLUSH, 2), 1);
	assert_int_equal(stub_find(EV_FLUSH, 2, 0)->pool_used, used);
	assert_int_equal(page_pool_used(&mem_pool), used - TABLES);
}

static void test_flush_nothing_retired(void **state)
{
	unsigned long used = page_pool_used(&mem_pool);

	(void)state;
	stub_kick_mode = STUB_KICK_SYNC;
	cell_flush_tlbs(&cell);
	check_flushed_cpus(used);
	assert_int_equal(page_pool_used(&mem_pool), used);
}

static void test_replace_and_merge_retire(void **state)
{
	unsigned long used;
	unsigned int flags;

	(void)state;
	/* A 2 MiB page replaces a table of 4 KiB pages. */
	assert_int_equal(paging_map(&cell.stage2, VIRT, PHYS_4K, SIZE, PAGE_RW),
			 0);
	used = page_pool_used(&mem_pool);
	assert_int_equal(paging_map(&cell.stage2, VIRT, PHYS_2M, SIZE, PAGE_RW),
			 0);
	assert_int_equal(cell.retired.count, 1);
	assert_int_equal(page_pool_used(&mem_pool), used);
	stub_kick_mode = STUB_KICK_SYNC;
	cell_flush_tlbs(&cell);
	assert_int_equal(page_pool_used(&mem_pool), used - 1);

	/* Two halves that merge into one 2 MiB page. */
	assert_int_equal(
		paging_map(&cell.stage2, 3 * SIZE, PHYS_2M, MiB, PAGE_READ), 0);
	used = page_pool_used(&mem_pool);
	assert_int_equal(paging_map(&cell.stage2, 3 * SIZE + MiB, PHYS_2M + MiB,
				    MiB, PAGE_READ),
			 0);
	assert_int_equal(paging_virt_to_phys_walk(&cell.stage2,
						  3 * SIZE + MiB + 4, &flags),
			 PHYS_2M + MiB + 4);
	assert_int_equal(flags, PAGE_READ);
	assert_int_equal(cell.retired.count, 1);
	assert_int_equal(page_pool_used(&mem_pool), used);
	cell_flush_tlbs(&cell);
	assert_int_equal(page_pool_used(&mem_pool), used - 1);
	assert_int_equal(cell.retired.count, 0);
}

static void test_destroy_frees_retired(void **state)
{
	(void)state;
	map_and_unmap();
	/* And a live mapping beside the retired tables. */
	assert_int_equal(paging_map(&cell.stage2, 1ULL << 40, PHYS_4K, 0x1000,
				    PAGE_READ),
			 0);
	assert_int_equal(cell.retired.count, TABLES);
	paging_destroy(&cell.stage2);
	assert_null(cell.stage2.root);
	assert_int_equal(cell.retired.count, 0);
	assert_null(cell.retired.head);
	assert_int_equal(page_pool_used(&mem_pool), 1);
	assert_int_equal(stub_num_events, 0);
}

static void test_no_retired_list_frees_at_once(void **state)
{
	(void)state;
	cell.stage2.retired = NULL;
	map_and_unmap();
	assert_int_equal(page_pool_used(&mem_pool), empty_used);
	assert_int_equal(cell.retired.count, 0);
	stub_kick_mode = STUB_KICK_SYNC;
	cell_flush_tlbs(&cell);
	assert_int_equal(page_pool_used(&mem_pool), empty_used);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unmap_retires),
		T(test_flush_before_free),
		T(test_flush_inside_wait),
		T(test_flush_by_cell_cpu),
		T(test_flush_nothing_retired),
		T(test_replace_and_merge_retire),
		T(test_destroy_frees_retired),
		T(test_no_retired_list_frees_at_once),
	};

	return cmocka_run_group_tests_name("flush before free", tests, NULL,
					   NULL);
}
