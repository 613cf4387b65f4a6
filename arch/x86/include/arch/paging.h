/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 page-table formats for the generic walker (hv/paging.h):
 *
 *  - x86_long_paging: 4- or 5-level long-mode tables, for the hypervisor's
 *    own address space;
 *  - x86_npt_paging: the same for AMD nested paging (NPT), whose tables
 *    have the host's format and depth;
 *  - x86_ept_paging: Intel EPT, same radix but its own entry bits.
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

/* levels: 4 or 5; gbpages: the CPU maps 1 GiB pages (CPUID pdpe1gb). */
void x86_paging_init(unsigned int levels, bool gbpages);

#endif /* _ARCH_PAGING_H */
