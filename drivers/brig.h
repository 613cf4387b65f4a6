/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver-internal declarations shared between the files of brig.ko.
 * Nothing here is ABI: the ABI lives in include/brig/.
 */
#ifndef _BRIG_DRIVER_H
#define _BRIG_DRIVER_H

#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <brig/config.h>
#include <brig/header.h>

struct device;

/* Serialises enable, disable and every cell operation. */
extern struct mutex brig_lock;
/* IOMMU units of the enabled system description (0: DMA not isolated). */
extern u32 brig_iommu_units;
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

/*
 * A cell as the driver knows it. The root cell (id 0, Linux) has one too,
 * so that it shows up in sysfs; its desc is NULL.
 *
 * The sysfs directory cells/<id>/ is the cell's kobject, and its release
 * frees the cell: a reader in sysfs never sees a freed cell. sysfs readers
 * do not take brig_lock (removing a directory waits for its readers, and
 * the remover holds brig_lock); they only read what never changes after
 * creation, or ask the hypervisor, which checks the id itself.
 */
struct brig_cell {
	struct kobject kobj;
	struct list_head entry; /* in the list of cells; under brig_lock */
	int id;
	char name[BRIG_CELL_NAME_LEN];
	struct brig_cell_desc *desc; /* the blob it was created from */
	u32 desc_size;
	/* Its CPUs; the root's shrinks and grows with the cells (racy read). */
	cpumask_t cpus;
	bool loaded; /* an image was loaded completely: it may start */
};

/* enable.c */
void *brig_copy_blob(struct brig_file *bf, void __user *arg, const char *what,
		     u32 min, u32 *size);
int brig_cmd_enable(struct brig_file *bf, void __user *arg);
int brig_cmd_disable(struct brig_file *bf);
/* Disable on the way to reboot, power-off or kexec. */
void brig_disable_for_shutdown(void);
int brig_cmd_console(struct brig_file *bf, void __user *arg);
/* The system description brig was enabled with; caller holds brig_lock. */
const struct brig_system_desc *brig_system_desc(u32 *size);

/* cell.c: the ioctls take brig_lock themselves. */
int brig_cmd_cell_create(struct brig_file *bf, void __user *arg);
int brig_cmd_cell_load(struct brig_file *bf, void __user *arg);
int brig_cmd_cell_start(struct brig_file *bf, void __user *arg);
int brig_cmd_cell_shutdown(struct brig_file *bf, void __user *arg);
int brig_cmd_cell_destroy(struct brig_file *bf, void __user *arg);
/*
 * Caller holds brig_lock: the root cell's entry after enable, and its
 * removal before disable; whether any cell but the root exists; and, on
 * the way to reboot, destroying every cell by force (not under the CPU
 * hotplug lock: it brings their CPUs back online).
 */
int brig_cells_enable(const struct brig_system_desc *sys);
void brig_cells_disable(void);
bool brig_cells_exist(void);
void brig_cells_destroy_all(void);
/* Refuse onlining a CPU a cell holds (module load and unload). */
int brig_cells_hotplug_init(void);
void brig_cells_hotplug_exit(void);
/* The kobject release: frees what the cell owns, then the cell. */
void brig_cell_free(struct brig_cell *cell);

/*
 * vdevs.c: the root's virtual PCI functions enter Linux's PCI tree after
 * enable and leave it before disable (their drivers unbound). Caller
 * holds brig_lock, not the CPU hotplug lock.
 */
void brig_vdevs_add(const struct brig_system_desc *sys);
void brig_vdevs_remove(const struct brig_system_desc *sys);

/* sysfs.c */
int brig_sysfs_init(void);
void brig_sysfs_exit(void);
/* Per-CPU counter directories exist while the hypervisor runs. */
int brig_sysfs_cpus_add(void);
void brig_sysfs_cpus_remove(void);
/*
 * cells/<id>/{name,state,cpus}. After init the cell is freed by remove,
 * whether or not it was ever added; add makes the directory appear.
 */
void brig_sysfs_cell_init(struct brig_cell *cell);
int brig_sysfs_cell_add(struct brig_cell *cell);
void brig_sysfs_cell_remove(struct brig_cell *cell);

/* x86.c: what is specific to the CPU architecture. */
long brig_hypercall(unsigned long code, unsigned long arg1, unsigned long arg2);
int brig_arch_check_cpus(struct brig_file *bf);
int brig_arch_early_tables(struct brig_file *bf, u64 hv_phys, u64 hv_size,
			   u64 link_base);
void brig_arch_free_early_tables(void);
/* Enter the hypervisor on this CPU; 0 or a negative errno. */
int brig_arch_enter(u64 entry);
/*
 * Leave it on this CPU; 0 or a negative errno (then still a guest).
 * offline_cpus: those Linux took offline to leave with it (bit n: CPU n).
 */
int brig_arch_leave(u64 offline_cpus);

#endif /* _BRIG_DRIVER_H */
