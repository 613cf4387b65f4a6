/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The root's invalidation queue as vtd.c emulates it: where the queue is
 * (IQA), which head and tail offsets a unit would fetch from (IQH, IQT),
 * and the walk from head to tail. Pure arithmetic on values the root
 * wrote, apart from vtd.c's hardware access, so that the walk's bound is
 * tested on the host (tests/unit/core/test-vtd-queue.c).
 *
 * The rules are the hardware's (Intel VT-d specification, 6.5.2 and the
 * IQH/IQT/IQA registers of chapter 11): offsets are bits 18:4 of IQH and
 * IQT; with 256-bit descriptors (IQA.DW) bit 4 is reserved, and a tail
 * with it set, or beyond the queue, is an invalidation queue error; the
 * head stays on the descriptor that caused an error. A head that IQA
 * rewritten under it left outside the queue or between descriptors (what
 * the hardware then does is not specified) is an error the same way.
 */
#ifndef _ARCH_VTD_QUEUE_H
#define _ARCH_VTD_QUEUE_H

#include <hv/types.h>

#define VTD_IQ_OFFSET GENMASK_ULL(18, 4) /* IQH and IQT: the offset */
#define VTD_IQA_ADDR GENMASK_ULL(63, 12)
#define VTD_IQA_DW BIT_ULL(11) /* 256-bit descriptors */
#define VTD_IQA_QS GENMASK_ULL(2, 0) /* 2^QS pages */
#define VTD_IQA_DEFINED (VTD_IQA_ADDR | VTD_IQA_DW | VTD_IQA_QS)

struct vtd_queue {
	u64 base; /* physical address of the first descriptor */
	u64 bytes; /* 4 KiB << QS: at most 512 KiB, what VTD_IQ_OFFSET spans */
	unsigned int dsize; /* bytes a descriptor: 16, or 32 with DW */
};

/* The queue an IQA value describes. */
struct vtd_queue vtd_queue_of(u64 iqa);

/* Whether a unit would fetch a descriptor at offset: inside, aligned. */
bool vtd_queue_offset_ok(const struct vtd_queue *q, u64 offset);

/*
 * Hand each descriptor from *head up to tail to fn (with its offset),
 * moving *head past each one fn accepts. Stops at the first descriptor
 * fn refuses, *head on it. Head and tail must pass vtd_queue_offset_ok();
 * otherwise nothing is handed out and false returned. At most
 * q->bytes / q->dsize - 1 descriptors are handed out, whatever the
 * values. Returns false if a descriptor was refused or the offsets were.
 */
bool vtd_queue_walk(const struct vtd_queue *q, u64 *head, u64 tail,
		    bool (*fn)(u64 offset, void *arg), void *arg);

#endif /* _ARCH_VTD_QUEUE_H */
