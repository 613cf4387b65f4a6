// SPDX-License-Identifier: GPL-2.0
/*
 * The latency histogram's ABI (brig/latency.h): every lateness lands in
 * the bucket whose bounds hold it, and the tool's quantiles
 * (tools/latency-stats.c) name the right bucket's bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <brig/latency.h>

#include "brig-tool.h"

static void buckets_partition(void **state)
{
	__s64 low = 0;

	(void)state;
	assert_int_equal(brig_latency_bucket(-5000), 0);
	for (unsigned int b = 0; b < BRIG_LATENCY_BUCKETS - 1; b++) {
		__s64 high = brig_latency_bucket_limit(b);

		assert_true(high > low);
		assert_int_equal(brig_latency_bucket(low), b);
		assert_int_equal(brig_latency_bucket(high - 1), b);
		low = high;
	}
	assert_int_equal(low, 10000000);
	assert_int_equal(brig_latency_bucket(low), BRIG_LATENCY_BUCKETS - 1);
	assert_int_equal(brig_latency_bucket(1LL << 40),
			 BRIG_LATENCY_BUCKETS - 1);
	assert_int_equal(brig_latency_bucket_limit(BRIG_LATENCY_BUCKETS - 1),
			 -1);
}

static void quantiles(void **state)
{
	static struct brig_latency_hist h;
	int open;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(latency_quantile(&h, 0.99, &open), 0);
	/* 990 samples below 250 ns, 9 in [10 us, 12.5 us), 1 above 10 ms */
	h.samples = 1000;
	h.max_ns = 20000000;
	h.count[0] = 990;
	h.count[brig_latency_bucket(11000)] = 9;
	h.count[BRIG_LATENCY_BUCKETS - 1] = 1;
	assert_int_equal(latency_quantile(&h, 0.5, &open), 250);
	assert_false(open);
	/* the 990th sample of 1000 is below 250 ns, the 991st is not */
	assert_int_equal(latency_quantile(&h, 0.99, &open), 250);
	assert_false(open);
	assert_int_equal(latency_quantile(&h, 0.991, &open), 12500);
	assert_int_equal(latency_quantile(&h, 0.999, &open), 12500);
	assert_false(open);
	assert_int_equal(latency_quantile(&h, 1.0, &open), 20000000);
	assert_true(open);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buckets_partition),
		cmocka_unit_test(quantiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
