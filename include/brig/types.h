/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Fixed-width types for the brig ABI.
 *
 * Every structure that crosses a boundary (driver <-> hypervisor, tool ->
 * driver, hypervisor -> inmate) is built from these. The Linux kernel and
 * Linux user space get them from <linux/types.h>; the freestanding parts of
 * brig (hypervisor image, inmates) define __BRIG_FREESTANDING__ and get the
 * same names here, so one header serves every side.
 */
#ifndef _BRIG_TYPES_H
#define _BRIG_TYPES_H

#ifdef __BRIG_FREESTANDING__
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
#else
#include <linux/types.h>
#endif

#define BRIG_ABI_ASSERT_SIZE(type, size)                                       \
	_Static_assert(sizeof(type) == (size),                                 \
		       "ABI size of " #type " changed: bump the revision")

#endif /* _BRIG_TYPES_H */
