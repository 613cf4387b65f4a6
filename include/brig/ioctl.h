/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The /dev/brig ioctl interface between the `brig` tool and the driver.
 *
 * Buffers are passed as user-space addresses in __u64 fields so the layout
 * is the same for every ABI. Every request is validated completely before
 * the driver or the hypervisor changes anything.
 */
#ifndef _BRIG_IOCTL_H
#define _BRIG_IOCTL_H

#include <linux/ioctl.h>
#include "config.h"

#define BRIG_DEVICE "/dev/brig"
#define BRIG_IOCTL_MAGIC 0xb6

/* BRIG_IOC_ENABLE, BRIG_IOC_CELL_VALIDATE, BRIG_IOC_CELL_CREATE */
struct brig_config_args {
	__u64 addr; /* the blob */
	__u32 size; /* its size in bytes */
	__u32 flags; /* none defined yet: must be 0 */
};
BRIG_ABI_ASSERT_SIZE(struct brig_config_args, 16);

/* Names a cell: by id when id >= 0, else by name. */
struct brig_cell_ref {
	__s32 id;
	__u32 flags; /* BRIG_SHUTDOWN_FORCE for shutdown/destroy, else 0 */
	char name[BRIG_CELL_NAME_LEN];
};
BRIG_ABI_ASSERT_SIZE(struct brig_cell_ref, 40);

/* One image to copy into a stopped cell's loadable regions. */
struct brig_image {
	__u64 source; /* user-space address */
	__u64 size;
	__u64 target; /* guest-physical address in the cell */
};
BRIG_ABI_ASSERT_SIZE(struct brig_image, 24);

struct brig_load_args {
	struct brig_cell_ref cell;
	__u32 num_images;
	__u32 reserved;
	__u64 images; /* user-space address of struct brig_image[] */
};
BRIG_ABI_ASSERT_SIZE(struct brig_load_args, 56);

/*
 * BRIG_IOC_CONSOLE: read the hypervisor console from byte number seq
 * (bytes ever written). On return first_seq is the number of buf[0] (later
 * than seq if the ring had overwritten what was asked for) and seq the
 * number to ask for next. The ioctl returns the bytes copied.
 */
struct brig_console_args {
	__u64 seq; /* in/out */
	__u64 first_seq; /* out */
	__u64 buf; /* user-space address */
	__u32 size; /* at most this many bytes */
	__u32 reserved;
};
BRIG_ABI_ASSERT_SIZE(struct brig_console_args, 32);

#define BRIG_IOC_ENABLE _IOW(BRIG_IOCTL_MAGIC, 0, struct brig_config_args)
#define BRIG_IOC_DISABLE _IO(BRIG_IOCTL_MAGIC, 1)
#define BRIG_IOC_CELL_VALIDATE                                                 \
	_IOW(BRIG_IOCTL_MAGIC, 2, struct brig_config_args)
#define BRIG_IOC_CELL_CREATE _IOW(BRIG_IOCTL_MAGIC, 3, struct brig_config_args)
#define BRIG_IOC_CELL_LOAD _IOW(BRIG_IOCTL_MAGIC, 4, struct brig_load_args)
#define BRIG_IOC_CELL_START _IOW(BRIG_IOCTL_MAGIC, 5, struct brig_cell_ref)
#define BRIG_IOC_CELL_SHUTDOWN _IOW(BRIG_IOCTL_MAGIC, 6, struct brig_cell_ref)
#define BRIG_IOC_CELL_DESTROY _IOW(BRIG_IOCTL_MAGIC, 7, struct brig_cell_ref)
#define BRIG_IOC_CONSOLE _IOWR(BRIG_IOCTL_MAGIC, 8, struct brig_console_args)

/*
 * After a failed request, read() on the same open file returns a sentence
 * saying why (the errno alone rarely tells a user what to fix).
 */

#endif /* _BRIG_IOCTL_H */
