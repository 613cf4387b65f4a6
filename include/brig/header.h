/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The header at the start of the hypervisor image (brig-<arch>.bin).
 *
 * The driver reads it to learn how much memory the hypervisor needs and
 * where to enter it, and fills in the fields marked "driver" before the
 * first CPU enters.
 */
#ifndef _BRIG_HEADER_H
#define _BRIG_HEADER_H

#include "types.h"

#define BRIG_HV_SIGNATURE "BRIGHVIM"
#define BRIG_HV_REVISION 1

struct brig_hv_header {
	char signature[8]; /* BRIG_HV_SIGNATURE */
	__u32 revision; /* BRIG_HV_REVISION */
	__u32 architecture; /* BRIG_ARCH_* */
	__u64 link_base; /* virtual address the image is linked at */
	__u64 image_size; /* bytes: code, data and bss, page aligned */
	__u64 percpu_size; /* bytes of per-CPU data and stack per CPU */
	__u64 entry; /* offset of the entry point from link_base */
	__u32 max_cpus; /* most CPUs this image supports */
	__u32 tsc_khz; /* driver: the TSC frequency Linux measured */
	/*
	 * Offset of the hypervisor's struct brig_hv_console from link_base:
	 * after a failed enable the driver prints what the hypervisor said.
	 */
	__u64 console_offset;

	/* driver */
	__u32 online_cpus; /* CPUs that will enter */
	/*
	 * Bytes of the system description, which the driver copies to the
	 * first page boundary after image_size.
	 */
	__u64 config_size;
	__u64 reserved[3];
};
BRIG_ABI_ASSERT_SIZE(struct brig_hv_header, 104);

#define BRIG_HV_CONSOLE_SIZE 16384 /* a power of two */

/* The hypervisor console's ring: head counts every byte ever written. */
struct brig_hv_console {
	__u64 head;
	char ring[BRIG_HV_CONSOLE_SIZE];
};

#endif /* _BRIG_HEADER_H */
