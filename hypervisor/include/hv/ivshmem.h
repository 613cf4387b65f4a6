/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ivshmem channels (docs/ivshmem.md): shared memory between cells, with
 * doorbells, in the register model of brig/ivshmem.h. Each peer of a
 * channel has a virtual PCI function of its own (hv/pci.h's virtual-device
 * backend); the channel ties them together.
 *
 * Memory. A channel's memory is root RAM its peers' descriptions name
 * (struct brig_ivshmem). It leaves the root, its CPUs and its devices,
 * when the first peer is created and comes back, zeroed, when the last
 * one goes: root_move_regions() asks ivshmem_channel_held() which it is.
 * If the root is a peer itself, the memory stays with it from enable to
 * disable with the model's rights (its write where the model says
 * read-only is dropped and reported: the root is never stopped).
 * Each peer maps it with the model's rights: the state table and the
 * other peers' output sections read-only, the common section and its own
 * output section read-write, nothing executable. A write where the model
 * says read-only is a second-stage fault like any other: the cell fails.
 *
 * Interrupts. A doorbell names a peer and a vector; the receiver's own
 * MSI-X entry for that vector, validated when its owner made it live
 * (arch_msi_target()), says which of its CPUs takes it, and the
 * hypervisor sends it there (arch_raise_irq()): the receiver takes no
 * exit. A peer whose cell stops (shut down, failed, destroyed) reads 0 in
 * the state table and the others get vector 0; doorbells to it, to a
 * missing peer or to a vector its owner did not make live are dropped.
 *
 * Locking: each channel has a lock that guards its peers' registers,
 * MSI-X targets and the state table; doorbells and state writes take the
 * sender's channel lock only. Creating and destroying peers runs under
 * cell_lock with the peer's CPUs parked. Nothing calls cell_fail() with a
 * channel lock held (it signals the failing cell's peers).
 */
#ifndef _HV_IVSHMEM_H
#define _HV_IVSHMEM_H

#include <brig/config.h>
#include <hv/types.h>

struct cell;
struct paging_structs;

/* The bytes a channel's memory spans: state table, common, outputs. */
u64 ivshmem_mem_size(const struct brig_ivshmem *d);

/* Map the cell's channel sections into its second stage, with their rights. */
int ivshmem_map_sections(struct cell *cell);

/*
 * Whether a cell other than except has a peer on the channel whose memory
 * starts at phys: then that memory stays out of the root.
 */
bool ivshmem_channel_held(u64 phys, const struct cell *except);

/* Whether the root is a peer of the channel whose memory starts at phys. */
bool ivshmem_root_peer(u64 phys);

/*
 * Enable, first CPU, every CPU in and none running a guest yet, before
 * the devices are taken over: the root's peers join their channels (its
 * description's ivshmem devices), and its channel memory gets the
 * model's rights in its second stage. A root peer runs from here to
 * disable.
 */
int ivshmem_root_init(void);

/*
 * The root's channel memory in pg (its second stage, or its DMA domain
 * while it is built, before any unit walks it) gets the model's rights
 * where pg maps it at all.
 */
int ivshmem_root_restrict(const struct paging_structs *pg);

/*
 * If gpa lies in one of the cell's channels, name the section into buf
 * (for the report of a write the model forbids) and say true.
 */
bool ivshmem_describe(const struct cell *cell, u64 gpa, char *buf,
		      unsigned int size);

/*
 * The cell's peers join their channels (virtual functions attached,
 * registers trapped); after its memory left the root. On failure nothing
 * of it stays.
 */
int ivshmem_cell_create(struct cell *cell);

/* Its peers leave: state 0, the others signalled, memory zeroed if last. */
void ivshmem_cell_destroy(struct cell *cell);

/* The cell starts (again): its peers come back from reset. */
void ivshmem_cell_started(struct cell *cell);

/*
 * The cell stops (shut down or failed): its peers read 0 in the state
 * table, the others are signalled, doorbells to it are dropped and its
 * own register writes change nothing until it starts again. Called under
 * cell_lock, or without it from cell_fail() on one of the cell's CPUs, or
 * for a device fault under the IOMMU lock, which destroy also takes after
 * the cell's peers left: no create can reuse a peer meanwhile.
 */
void ivshmem_cell_stopped(struct cell *cell);

/*
 * BRIG_HC_CELL_CHANNEL_INFO: which = n << 16 | what, about the cell's
 * n-th ivshmem device (brig/hypercall.h). Caller holds cell_lock.
 */
long ivshmem_cell_info(const struct cell *cell, unsigned long which);

#endif /* _HV_IVSHMEM_H */
