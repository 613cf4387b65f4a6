/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's own virtual address space on x86-64.
 *
 * It lives in the lower half, so that while a CPU enters (the driver's
 * early page tables) Linux's kernel half can stay mapped beside it:
 *
 *   HV_LINK_BASE       the hypervisor region: image, per-CPU data, the
 *                      system description, the page pool (2 MiB pages in the
 *                      early tables, so the region is 2 MiB aligned)
 *   PHYS_MAP_BASE      all of the root cell's RAM, at PHYS_MAP_BASE + phys,
 *                      for reading and writing guest memory
 *
 * Both stay below 2^47, so the same layout works with 4- and 5-level
 * paging, and the image fits the small code model (below 2 GiB).
 */
#ifndef _ARCH_LAYOUT_H
#define _ARCH_LAYOUT_H

/* Constants shared with assembly and the linker script: no C suffixes. */
#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define HV_ARCH BRIG_ARCH_X86_64 /* brig/config.h */
#define HV_LINK_BASE _UL(0x40000000)
#define PHYS_MAP_BASE _UL(0x100000000000) /* 16 TiB */
#define PHYS_MAP_SIZE _UL(0x400000000000) /* up to 64 TiB of memory */

#define HV_STACK_SIZE 16384
/* Reserved at the top of each stack for struct guest_regs (entry.S). */
#define GUEST_REGS_SIZE 128
/* struct per_cpu is aligned to this, so the stack pointer finds it. */
#define PER_CPU_ALIGN 65536

#endif /* _ARCH_LAYOUT_H */
