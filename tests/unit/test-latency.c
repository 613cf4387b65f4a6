// SPDX-License-Identifier: GPL-2.0
/*
 * The latency histogram's ABI (brig/latency.h): every lateness lands in
 * the bucket whose bounds hold it, and the tool's quantiles
 * (tools/latency-stats.c) name the right bucket's bound. The files of
 * brig latency run (tools/latency-report.c) carry the figures they are
 * given, in every format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
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

/* 990 samples below 250 ns, 9 in [10 us, 12.5 us), 1 at 20 ms. */
static void sample_result(struct latency_result *r)
{
	memset(r, 0, sizeof(*r));
	r->cell = "lat\"c";
	r->load = "stress-ng:cpu";
	r->mode = "auto";
	r->period_us = 1000;
	r->seconds = 2;
	r->hist.samples = 1000;
	r->hist.missed = 3;
	r->hist.min_ns = 100;
	r->hist.max_ns = 20000000;
	r->hist.sum_ns = 1000 * 300;
	r->hist.count[0] = 990;
	r->hist.count[brig_latency_bucket(11000)] = 9;
	r->hist.count[BRIG_LATENCY_BUCKETS - 1] = 1;
	r->cell_exits_before[BRIG_EXIT_TOTAL] = 2;
	r->cell_exits_before[BRIG_EXIT_MMIO] = 2;
	r->root_exits[BRIG_EXIT_TOTAL] = 500;
	r->root_exits[BRIG_EXIT_MSR] = 400;
	r->root_exits[BRIG_EXIT_PIO] = 100;
	r->root_cpus = 3;
	for (unsigned int p = 0; p < LATENCY_PHASES; p++)
		r->phase_ns[p] = 1000 * (p + 1);
}

/* What has been written to f, as a string to free; f closed. */
static char *contents(FILE *f)
{
	long size = ftell(f);
	char *buf = malloc((size_t)size + 1);

	assert_non_null(buf);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)size, f), size);
	buf[size] = 0;
	fclose(f);
	return buf;
}

/* What writer w writes about r, as a string to free. */
static char *render(void (*w)(FILE *, const struct latency_result *),
		    const struct latency_result *r)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	w(f, r);
	return contents(f);
}

static unsigned int count_of(const char *s, const char *what)
{
	unsigned int n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

static void summary_figures(void **state)
{
	struct latency_result r;
	struct latency_summary s;

	(void)state;
	sample_result(&r);
	latency_summarize(&r.hist, &s);
	assert_int_equal(s.samples, 1000);
	assert_int_equal(s.missed, 3);
	assert_int_equal(s.min_ns, 100);
	assert_int_equal(s.avg_ns, 300);
	assert_int_equal(s.p99_ns, 250);
	assert_false(s.p99_open);
	assert_int_equal(s.p999_ns, 12500);
	assert_int_equal(s.max_ns, 20000000);
	memset(&r.hist, 0, sizeof(r.hist));
	latency_summarize(&r.hist, &s);
	assert_int_equal(s.samples, 0);
	assert_int_equal(s.avg_ns, 0);
	assert_int_equal(s.max_ns, 0);
}

static void text_and_json(void **state)
{
	struct latency_result r;
	char *t, *j;

	(void)state;
	sample_result(&r);
	t = render(latency_write_text, &r);
	assert_non_null(strstr(
		t, "min 100, avg 300, p99 < 250, p99.9 < 12500, max 20000000"));
	assert_non_null(strstr(t, "samples 1000, missed ticks 3"));
	assert_non_null(strstr(
		t,
		"cell exits over the run: 0 (none); before it, from the start: 2 (mmio 2)"));
	assert_non_null(strstr(
		t,
		"root exits over the run: 500, 250 per second on 3 CPUs (pio 100, msr 400)"));
	assert_non_null(strstr(
		t,
		"validate 1000 create 2000 load 3000 start 4000 first-state 5000 first-histogram 6000"));
	j = render(latency_write_json, &r);
	assert_non_null(strstr(
		j, "{\"cell\": \"lat\\\"c\", \"load\": \"stress-ng:cpu\""));
	assert_non_null(strstr(
		j,
		"\"samples\": 1000, \"missed\": 3, \"min\": 100, \"avg\": 300, \"p99\": 250, \"p99_open\": false, \"p999\": 12500"));
	assert_non_null(strstr(j, "\"cell_exits\": {\"total\": 0, "));
	assert_non_null(strstr(j, "\"root_exits\": {\"total\": 500, "));
	assert_non_null(strstr(j, "\"root_exits_per_second\": 250.0"));
	assert_non_null(strstr(
		j,
		"{\"below_ns\": 250, \"count\": 990}, {\"below_ns\": 12500, \"count\": 9}, {\"below_ns\": -1, \"count\": 1}]}"));
	assert_int_equal(count_of(j, "{"), count_of(j, "}"));
	free(t);
	free(j);
}

static void csv_and_svg(void **state)
{
	struct latency_result r;
	char *c, *v;

	(void)state;
	sample_result(&r);
	{
		FILE *f = tmpfile();

		assert_non_null(f);
		latency_write_csv(f, &r.hist);
		c = contents(f);
	}
	assert_int_equal(count_of(c, "\n"), BRIG_LATENCY_BUCKETS + 1);
	assert_true(!strncmp(c, "from_ns,below_ns,count\n0,250,990\n", 32));
	assert_non_null(strstr(c, "\n10000,12500,9\n"));
	assert_non_null(strstr(c, "\n10000000,,1\n"));
	v = render(latency_write_svg, &r);
	assert_true(!strncmp(v, "<?xml", 5));
	assert_non_null(strstr(v, "</svg>\n"));
	/* a bar per bucket with samples, the background, nothing else */
	assert_int_equal(count_of(v, "<rect "), 3 + 1);
	assert_non_null(strstr(v, "p99 &lt; 250"));
	r.cell = "a<b&c";
	free(v);
	v = render(latency_write_svg, &r);
	assert_non_null(strstr(v, "cell a&lt;b&amp;c, load"));
	free(c);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buckets_partition),
		cmocka_unit_test(quantiles),
		cmocka_unit_test(summary_figures),
		cmocka_unit_test(text_and_json),
		cmocka_unit_test(csv_and_svg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
