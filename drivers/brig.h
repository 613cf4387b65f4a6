/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver-internal declarations shared between the files of brig.ko.
 * Nothing here is ABI: the ABI lives in include/brig/.
 */
#ifndef _BRIG_DRIVER_H
#define _BRIG_DRIVER_H

#include <linux/mutex.h>
#include <linux/types.h>

/* Serialises enable, disable and every cell operation. */
extern struct mutex brig_lock;
/* True while the hypervisor runs; written under brig_lock. */
extern bool brig_enabled;

#endif /* _BRIG_DRIVER_H */
