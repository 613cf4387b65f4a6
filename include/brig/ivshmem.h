/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The ivshmem device as its users see it: the register model of the
 * public ivshmem-v2 specification, which brig implements (so drivers
 * written for it work unchanged), and the layout of a channel's shared
 * memory. See docs/ivshmem.md; the description side is struct
 * brig_ivshmem in config.h.
 *
 * Configuration space: vendor 0x110a, device 0x4106, class 0xff with the
 * 16-bit protocol in sub-class (high byte) and interface (low byte); BAR 0
 * the registers below, BAR 1 the MSI-X table (entries at 0, pending bits
 * at 0x800, always 0); a vendor capability and an MSI-X capability.
 */
#ifndef _BRIG_IVSHMEM_H
#define _BRIG_IVSHMEM_H

#include "types.h"

#define BRIG_IVSHMEM_VENDOR 0x110a
#define BRIG_IVSHMEM_DEVICE 0x4106
#define BRIG_IVSHMEM_CLASS 0xff

/* Protocols (class sub-class << 8 | interface). */
#define BRIG_IVSHMEM_PROTO_UNDEFINED 0x0000
#define BRIG_IVSHMEM_PROTO_NET 0x0001 /* virtual peer-to-peer Ethernet */
#define BRIG_IVSHMEM_PROTO_USER_FIRST 0x4000 /* user-defined: 0x4000-0x7fff */
#define BRIG_IVSHMEM_PROTO_USER_LAST 0x7fff

/* BAR 0: aligned 32-bit accesses only; other offsets read 0, drop writes. */
#define BRIG_IVSHMEM_REG_ID 0x00 /* this peer's id, read-only */
#define BRIG_IVSHMEM_REG_MAX_PEERS 0x04 /* read-only */
#define BRIG_IVSHMEM_REG_INTX_CTRL 0x08 /* bit 0: interrupts enabled */
#define BRIG_IVSHMEM_REG_DOORBELL 0x0c /* write-only: peer << 16 | vector */
#define BRIG_IVSHMEM_REG_STATE 0x10 /* this peer's state; see below */
#define BRIG_IVSHMEM_REG_BAR_SIZE 0x1000
#define BRIG_IVSHMEM_MSIX_BAR_SIZE 0x1000
#define BRIG_IVSHMEM_MSIX_PBA 0x800

#define BRIG_IVSHMEM_INT_ENABLE 0x1
#define BRIG_IVSHMEM_DOORBELL(peer, vector)                                    \
	((__u32)(peer) << 16 | ((__u32)(vector)&0xffff))

/*
 * Vendor-specific capability (id 0x09), 0x20 bytes: offsets from its
 * start. All read-only but bit 0 of the privileged control byte (one-shot:
 * each interrupt delivered clears the enable bit of INTX_CTRL).
 */
#define BRIG_IVSHMEM_CAP_PRIV_CTRL 0x03
#define BRIG_IVSHMEM_CAP_STATE_SIZE 0x04 /* 32-bit */
#define BRIG_IVSHMEM_CAP_RW_SIZE 0x08 /* 64-bit */
#define BRIG_IVSHMEM_CAP_OUT_SIZE 0x10 /* 64-bit */
#define BRIG_IVSHMEM_CAP_ADDRESS 0x18 /* 64-bit: where the memory is */
#define BRIG_IVSHMEM_CAP_LENGTH 0x20
#define BRIG_IVSHMEM_PRIV_ONESHOT 0x01

/*
 * Writing REG_STATE copies the value into this peer's entry of the state
 * table and, if it changed, raises vector 0 at every other peer. A peer
 * that leaves (its cell destroyed or failed) reads 0 there, and its peers
 * get vector 0 too. MSI-X vector 0 is therefore the state-change vector;
 * doorbells may use it as well.
 *
 * Shared memory, from the address the capability gives, page by page:
 *   state table     one page, __u32 per peer, read-only to every peer
 *   read/write      rw_size bytes, read-write to every peer
 *   output 0..n-1   out_size bytes each, writable by its peer only
 */
#define BRIG_IVSHMEM_STATE_TABLE_SIZE 0x1000

#endif /* _BRIG_IVSHMEM_H */
