/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The protocol of the ivshmem ping-pong demo (inmates/demos/ivshmem.c),
 * kept here so that any other side of the channel (a future root-side
 * Linux program) speaks it from the same definition. It is the demo's
 * protocol, not a brig interface: the hypervisor never looks at it.
 *
 * Peer 0 sends, peer 1 answers. Each writes its messages into its own
 * output section only (the one section it may write), a struct
 * brig_ivshmem_demo_msg followed by len payload bytes, seq last; then it
 * rings the other's doorbell on BRIG_IVSHMEM_DEMO_VECTOR_MSG. The payload
 * of message seq is the stream below seeded by seq; the answer carries the
 * same seq and last, and every byte of the payload it received passed
 * through BRIG_IVSHMEM_DEMO_REPLY(). A peer that is ready writes
 * BRIG_IVSHMEM_DEMO_STATE_READY to its state register.
 *
 * Sequence numbers only grow while a channel lives: the sender starts a
 * round after the highest seq either output section shows, so a section
 * left over from a peer that went away is never taken for a fresh answer.
 */
#ifndef _BRIG_IVSHMEM_DEMO_H
#define _BRIG_IVSHMEM_DEMO_H

#include "types.h"

#define BRIG_IVSHMEM_PROTO_DEMO 0x4000 /* the first user-defined protocol */

#define BRIG_IVSHMEM_DEMO_STATE_READY 1
#define BRIG_IVSHMEM_DEMO_VECTOR_STATE 0 /* the device's state vector */
#define BRIG_IVSHMEM_DEMO_VECTOR_MSG 1 /* 0 when the device has only one */

struct brig_ivshmem_demo_msg {
	__u32 seq; /* written last; 0: no message yet */
	__u32 len; /* payload bytes after this header */
	__u32 checksum; /* brig_ivshmem_demo_fnv() over the payload */
	__u32 last; /* seq of the last message of this round */
};
BRIG_ABI_ASSERT_SIZE(struct brig_ivshmem_demo_msg, 16);

/* What the answering peer does to every payload byte it received. */
#define BRIG_IVSHMEM_DEMO_REPLY(byte) ((__u8) ~(byte))

/* FNV-1a, 32 bits: start from BRIG_IVSHMEM_DEMO_FNV_INIT, fold each byte. */
#define BRIG_IVSHMEM_DEMO_FNV_INIT 0x811c9dc5U

static inline __u32 brig_ivshmem_demo_fnv(__u32 hash, __u8 byte)
{
	return (hash ^ byte) * 0x01000193U;
}

/*
 * The payload of message seq: xorshift32 (Marsaglia) seeded with seq
 * times an odd constant (never 0 for seq != 0), each step giving four
 * bytes, least significant first.
 */
struct brig_ivshmem_demo_stream {
	__u32 x;
	__u32 word;
	__u32 left; /* bytes of word not used yet */
};

static inline void
brig_ivshmem_demo_stream_init(struct brig_ivshmem_demo_stream *s, __u32 seq)
{
	s->x = seq * 0x9e3779b9U;
	if (!s->x)
		s->x = 1;
	s->word = 0;
	s->left = 0;
}

static inline __u8
brig_ivshmem_demo_stream_byte(struct brig_ivshmem_demo_stream *s)
{
	__u8 byte;

	if (!s->left) {
		s->x ^= s->x << 13;
		s->x ^= s->x >> 17;
		s->x ^= s->x << 5;
		s->word = s->x;
		s->left = 4;
	}
	byte = (__u8)s->word;
	s->word >>= 8;
	s->left--;
	return byte;
}

#endif /* _BRIG_IVSHMEM_DEMO_H */
