/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA domains, whatever the IOMMU type: the root's (its memory flagged
 * dma, 1:1) and a cell's (its dma regions at their guest addresses). The
 * IOMMU drivers (arch code) build them in their unit type's table format,
 * point their units at them and flush their IOTLBs after a change. A
 * cell's memory leaves the root's domain when it is created and comes
 * back when it is destroyed. Callers hold cell_lock (or run at enable).
 */
#ifndef _HV_IOMMU_H
#define _HV_IOMMU_H

#include <hv/types.h>

struct cell;
struct paging_format;

/* The root's domain: its regions flagged dma, 1:1, in tables of fmt. */
int iommu_build_root_domain(const struct paging_format *fmt);

/* A cell with devices: its dma regions at their guest addresses. */
int iommu_build_cell_domain(struct cell *cell, const struct paging_format *fmt);

/*
 * The cell's memory leaves (map = false) or rejoins the root's domain
 * (with what the root's own description lets its devices reach there).
 */
int iommu_root_dma_regions(const struct cell *cell, bool map);

#endif /* _HV_IOMMU_H */
