/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The latency histogram a cell publishes over an ivshmem channel
 * (docs/ivshmem.md, docs/inmates.md): the latency inmate, given a
 * channel, writes a struct brig_latency_hist at the start of its own
 * output section and updates it in place; any other peer (`brig latency`
 * in the root) reads it without a doorbell, so the publisher takes no VM
 * exit for it. The channel's protocol is BRIG_LATENCY_PROTO.
 *
 * Consistency: the writer makes seq odd, updates, then makes it even
 * again, each step ordered after the one before (on x86 stores to
 * write-back memory stay in order, so a compiler barrier does; elsewhere
 * a store fence); a reader copies the struct between two reads of seq
 * and keeps the copy only if both are the same even number. A cell that
 * starts publishing clears magic first: a reader never takes a previous
 * run's figures. The channel needs a non-empty read/write section for
 * brig_ivshmem.ko to list the output sections in sysfs.
 *
 * Buckets: BRIG_LATENCY_BUCKETS of them, by lateness of the timer
 * interrupt against its due time: 250 ns wide up to 10 us, 2.5 us up to
 * 100 us, 25 us up to 1 ms, 250 us up to 10 ms, and one open bucket
 * above. An early interrupt (negative lateness) counts in bucket 0.
 */
#ifndef _BRIG_LATENCY_H
#define _BRIG_LATENCY_H

#include "types.h"

#define BRIG_LATENCY_PROTO 0x4001 /* a user protocol (brig/ivshmem.h) */
#define BRIG_LATENCY_MAGIC 0x54414c42 /* "BLAT" */
#define BRIG_LATENCY_VERSION 1
#define BRIG_LATENCY_BUCKETS 149

/* enum of brig_latency_hist.mode */
#define BRIG_LATENCY_MODE_DEADLINE 0
#define BRIG_LATENCY_MODE_ONESHOT 1
#define BRIG_LATENCY_MODE_PERIODIC 2

struct brig_latency_hist {
	__u32 magic; /* BRIG_LATENCY_MAGIC once the first update is done */
	__u32 version; /* BRIG_LATENCY_VERSION */
	__u32 seq; /* odd while the writer updates */
	__u32 mode; /* BRIG_LATENCY_MODE_* */
	__u64 period_ns; /* the timer's period */
	__u64 tsc_khz; /* the clock the figures come from */
	__u64 samples; /* interrupts measured */
	__u64 missed; /* due times that passed unmeasured */
	__s64 min_ns, max_ns, sum_ns; /* of the samples' lateness */
	__u64 count[BRIG_LATENCY_BUCKETS];
};
BRIG_ABI_ASSERT_SIZE(struct brig_latency_hist, 72 + 8 * BRIG_LATENCY_BUCKETS);

/* The bucket of a lateness in ns. */
static inline unsigned int brig_latency_bucket(__s64 ns)
{
	if (ns < 10000)
		return ns < 0 ? 0 : (unsigned int)(ns / 250);
	if (ns < 100000)
		return 40 + (unsigned int)((ns - 10000) / 2500);
	if (ns < 1000000)
		return 76 + (unsigned int)((ns - 100000) / 25000);
	if (ns < 10000000)
		return 112 + (unsigned int)((ns - 1000000) / 250000);
	return BRIG_LATENCY_BUCKETS - 1;
}

/* Bucket b holds lateness below this many ns (the last: no bound, -1). */
static inline __s64 brig_latency_bucket_limit(unsigned int b)
{
	if (b < 40)
		return 250 * (__s64)(b + 1);
	if (b < 76)
		return 10000 + 2500 * (__s64)(b - 39);
	if (b < 112)
		return 100000 + 25000 * (__s64)(b - 75);
	if (b < 148)
		return 1000000 + 250000 * (__s64)(b - 111);
	return -1;
}

#endif /* _BRIG_LATENCY_H */
