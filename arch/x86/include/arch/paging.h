/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 page-table formats for the generic walker (hv/paging.h):
 *
 *  - x86_long_paging: 4- or 5-level long-mode tables, for the hypervisor's
 *    own address space;
 *  - x86_npt_paging: the same for AMD nested paging (NPT), whose tables
 *    have the host's format and depth;
 *  - x86_ept_paging: Intel EPT, same radix but its own entry bits;
 *  - x86_vtd_paging: VT-d second-level tables, the DMA side of a cell;
 *  - x86_amdvi_paging: AMD-Vi I/O page tables, the same on AMD.
 *
 * The depth (LA57) and 1 GiB page support are facts of the running CPU, so
 * the formats are filled in at run time by x86_paging_init().
 */
#ifndef _ARCH_PAGING_H
#define _ARCH_PAGING_H

#include <hv/paging.h>

extern struct paging_format x86_long_paging;
extern struct paging_format x86_npt_paging;
extern struct paging_format x86_ept_paging;
extern struct paging_format x86_vtd_paging;
extern struct paging_format x86_amdvi_paging;

/* levels: 4 or 5; gbpages: the CPU maps 1 GiB pages (CPUID pdpe1gb). */
void x86_paging_init(unsigned int levels, bool gbpages);

/*
 * levels: 3 or 4 (the units' common address width); large_sizes: bit 0
 * 2 MiB, bit 1 1 GiB pages; coherent: every unit snoops page walks.
 */
void x86_vtd_paging_init(unsigned int levels, unsigned int large_sizes,
			 bool coherent);

/* AMD-Vi I/O page tables of levels (3 or 4) levels. */
void x86_amdvi_paging_init(unsigned int levels);

/* Write [p, p + len) back from the CPU caches to memory. */
void x86_clflush_range(const void *p, size_t len);

#endif /* _ARCH_PAGING_H */
