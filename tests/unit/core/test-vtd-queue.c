// SPDX-License-Identifier: GPL-2.0
/*
 * The walk of the root's emulated VT-d invalidation queue
 * (arch/x86/vtd-queue.c): which head and tail offsets are taken, and that
 * the walk ends within one turn of the queue whatever the root wrote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arch/vtd-queue.h>

#define IQA_BASE 0x12345000ULL

/* What the walk handed out. */
static u64 seen[1 << 15];
static unsigned int num_seen;
static u64 refuse_at = ~0ULL; /* the offset the callback refuses */

static bool record(u64 offset, void *arg)
{
	const struct vtd_queue *q = arg;

	/* More than a turn of the queue: the walk does not end. */
	if (num_seen >= q->bytes / q->dsize)
		fail_msg("descriptor %u handed out, the queue holds %llu",
			 num_seen + 1,
			 (unsigned long long)(q->bytes / q->dsize));
	if (offset == refuse_at)
		return false;
	seen[num_seen++] = offset;
	return true;
}

static int setup(void **state)
{
	(void)state;
	num_seen = 0;
	refuse_at = ~0ULL;
	return 0;
}

static bool walk(const struct vtd_queue *q, u64 *head, u64 tail)
{
	return vtd_queue_walk(q, head, tail, record, (void *)q);
}

static void test_geometry(void **state)
{
	struct vtd_queue q = vtd_queue_of(IQA_BASE);

	(void)state;
	assert_int_equal(q.base, IQA_BASE);
	assert_int_equal(q.bytes, 4096);
	assert_int_equal(q.dsize, 16);
	q = vtd_queue_of(IQA_BASE | VTD_IQA_DW | 7);
	assert_int_equal(q.base, IQA_BASE);
	assert_int_equal(q.bytes, 512 * 1024);
	assert_int_equal(q.dsize, 32);
	/* The largest queue's last offset still fits IQH and IQT. */
	assert_int_equal((q.bytes - q.dsize) & ~VTD_IQ_OFFSET, 0);
}

static void test_walk_to_tail(void **state)
{
	struct vtd_queue q = vtd_queue_of(IQA_BASE);
	u64 head = 0;

	(void)state;
	assert_true(walk(&q, &head, 0x40));
	assert_int_equal(num_seen, 4);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[3], 0x30);
	assert_int_equal(head, 0x40);
	/* Around the end of the queue. */
	num_seen = 0;
	head = 0xff0;
	assert_true(walk(&q, &head, 0x10));
	assert_int_equal(num_seen, 2);
	assert_int_equal(seen[0], 0xff0);
	assert_int_equal(seen[1], 0);
	assert_int_equal(head, 0x10);
	/* Head one past the tail: everything else, once. */
	num_seen = 0;
	head = 0x10;
	assert_true(walk(&q, &head, 0));
	assert_int_equal(num_seen, 255);
	assert_int_equal(head, 0);
	/* Head on the tail: nothing. */
	num_seen = 0;
	assert_true(walk(&q, &head, 0));
	assert_int_equal(num_seen, 0);
}

/* 256-bit descriptors: a tail with bit 4 set never meets the head. */
static void test_tail_not_a_descriptor(void **state)
{
	struct vtd_queue q = vtd_queue_of(IQA_BASE | VTD_IQA_DW);
	u64 head = 0;

	(void)state;
	assert_false(walk(&q, &head, 0x30));
	assert_int_equal(num_seen, 0);
	assert_int_equal(head, 0);
	assert_false(vtd_queue_offset_ok(&q, 0x30));
	assert_true(walk(&q, &head, 0x40));
	assert_int_equal(num_seen, 2);
	/* Beyond the queue (a 4 KiB one here). */
	num_seen = 0;
	assert_false(walk(&q, &head, 0x1000));
	assert_int_equal(num_seen, 0);
	assert_int_equal(head, 0x40);
}

/* A head left by 128-bit descriptors after IQA changed to 256-bit ones. */
static void test_head_from_another_width(void **state)
{
	struct vtd_queue q = vtd_queue_of(IQA_BASE | VTD_IQA_DW);
	u64 head = 0x10;

	(void)state;
	assert_false(walk(&q, &head, 0x40));
	assert_int_equal(num_seen, 0);
	assert_int_equal(head, 0x10);
	/* Or by a larger queue: beyond the end of this one. */
	head = 0x2000;
	assert_false(walk(&q, &head, 0x40));
	assert_int_equal(num_seen, 0);
}

/* A refused descriptor stops the walk with the head on it. */
static void test_refused_descriptor(void **state)
{
	struct vtd_queue q = vtd_queue_of(IQA_BASE);
	u64 head = 0;

	(void)state;
	refuse_at = 0x20;
	assert_false(walk(&q, &head, 0x40));
	assert_int_equal(num_seen, 2);
	assert_int_equal(head, 0x20);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_geometry),
		T(test_walk_to_tail),
		T(test_tail_not_a_descriptor),
		T(test_head_from_another_width),
		T(test_refused_descriptor),
	};

	return cmocka_run_group_tests_name("vtd-queue", tests, NULL, NULL);
}
