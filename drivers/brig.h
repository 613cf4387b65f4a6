/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver-internal declarations shared between the files of brig.ko.
 * Nothing here is ABI: the ABI lives in include/brig/.
 */
#ifndef _BRIG_DRIVER_H
#define _BRIG_DRIVER_H

#include <linux/mutex.h>
#include <linux/types.h>

#include <brig/config.h>
#include <brig/header.h>

struct device;

/* Serialises enable, disable and every cell operation. */
extern struct mutex brig_lock;
/* True while the hypervisor runs; written under brig_lock. */
extern bool brig_enabled;
/* /dev/brig's device, for request_firmware() and sysfs. */
extern struct device *brig_dev;

/* Per-open-file state: the reason for the last refused request. */
struct brig_file {
	char error[512];
};

/* Record why a request was refused (also logged); returns err. */
__printf(3, 4) int brig_fail(struct brig_file *bf, int err, const char *fmt,
			     ...);

/* enable.c */
int brig_cmd_enable(struct brig_file *bf, void __user *arg);
int brig_cmd_disable(struct brig_file *bf);
/* Disable on the way to reboot, power-off or kexec. */
void brig_disable_for_shutdown(void);
int brig_cmd_console(struct brig_file *bf, void __user *arg);

/* sysfs.c */
int brig_sysfs_init(void);
void brig_sysfs_exit(void);
/* Per-CPU counter directories exist while the hypervisor runs. */
int brig_sysfs_cpus_add(void);
void brig_sysfs_cpus_remove(void);

/* x86.c: what is specific to the CPU architecture. */
long brig_hypercall(unsigned long code, unsigned long arg1,
		    unsigned long arg2);
int brig_arch_check_cpus(struct brig_file *bf);
int brig_arch_early_tables(struct brig_file *bf, u64 hv_phys, u64 hv_size,
			   u64 link_base);
void brig_arch_free_early_tables(void);
/* Enter the hypervisor on this CPU; 0 or a negative errno. */
int brig_arch_enter(u64 entry);
/* Leave it on this CPU; 0 or a negative errno (then still a guest). */
int brig_arch_leave(void);

#endif /* _BRIG_DRIVER_H */
