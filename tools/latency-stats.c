// SPDX-License-Identifier: GPL-2.0
/*
 * Figures from a latency histogram (brig/latency.h), for brig latency.
 */
#include <brig/latency.h>

#include "brig-tool.h"

long long latency_quantile(const struct brig_latency_hist *h, double q,
			   int *open)
{
	double rank = (double)h->samples * q;
	__u64 want = (__u64)rank, sum = 0;

	*open = 0;
	if (!h->samples)
		return 0;
	/* Nearest rank: the ceil(q * n)-th sample, at least the first. */
	if ((double)want < rank)
		want++;
	if (!want)
		want = 1;
	for (unsigned int b = 0; b < BRIG_LATENCY_BUCKETS; b++) {
		sum += h->count[b];
		if (sum >= want) {
			*open = b == BRIG_LATENCY_BUCKETS - 1;
			return *open ? h->max_ns : brig_latency_bucket_limit(b);
		}
	}
	return h->max_ns; /* the counts do not add up: say the worst */
}
