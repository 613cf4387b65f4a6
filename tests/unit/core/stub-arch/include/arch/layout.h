/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stub of the arch layout (see hv/arch.h): what the core and the
 * linker script read from <arch/layout.h>, with values that suit a
 * user-space test and no particular machine. The per-CPU area is small so
 * that a test can afford a few CPUs, and still aligned to more than a
 * stack so that this_cpu() finds it from a stack address.
 */
#ifndef _ARCH_LAYOUT_H
#define _ARCH_LAYOUT_H

/* Shared with the linker script, as on a real arch: no C suffixes there. */
#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define HV_ARCH 0 /* no BRIG_ARCH_*: nothing runs the stub's image */
#define HV_LINK_BASE _UL(0x40000000)
#define PHYS_MAP_BASE _UL(0x100000000000)
#define PHYS_MAP_SIZE _UL(0x400000000000)

#define HV_STACK_SIZE 4096
/* struct per_cpu is aligned to this, so the stack pointer finds it. */
#define PER_CPU_ALIGN 8192

#endif /* _ARCH_LAYOUT_H */
