// SPDX-License-Identifier: GPL-2.0
/*
 * The walk of the root's emulated VT-d invalidation queue
 * (arch/vtd-queue.h).
 */
#include <arch/vtd-queue.h>

struct vtd_queue vtd_queue_of(u64 iqa)
{
	return (struct vtd_queue){
		.base = iqa & VTD_IQA_ADDR,
		.bytes = 4096ULL << (iqa & VTD_IQA_QS),
		.dsize = (iqa & VTD_IQA_DW) ? 32 : 16,
	};
}

bool vtd_queue_offset_ok(const struct vtd_queue *q, u64 offset)
{
	return offset < q->bytes && offset % q->dsize == 0;
}

bool vtd_queue_walk(const struct vtd_queue *q, u64 *head, u64 tail,
		    bool (*fn)(u64 offset, void *arg), void *arg)
{
	/*
	 * With both offsets inside the queue and on a descriptor boundary,
	 * the head meets the tail within one turn of the queue; the counter
	 * says so to anyone who reads the loop alone.
	 */
	u64 limit = q->bytes / q->dsize;

	if (!vtd_queue_offset_ok(q, *head) || !vtd_queue_offset_ok(q, tail))
		return false;
	for (u64 n = 0; n < limit && *head != tail; n++) {
		if (!fn(*head, arg))
			return false;
		*head = (*head + q->dsize) % q->bytes;
	}
	return true;
}
