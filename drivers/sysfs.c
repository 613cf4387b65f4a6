// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/class/misc/brig/: the hypervisor's state for the shell.
 *
 *   enabled, version          always
 *   mem_pool_size/used        pages of the hypervisor's pool (while enabled)
 *   cpus/cpuN/<reason>        VM exits of CPU N by reason (while enabled),
 *                             one file per reason of BRIG_EXIT_REASONS
 *   cells/<id>/name, state,   each cell while it exists, and the root cell
 *              cpus,          as id 0 while enabled; cpus as a list ("1-3"),
 *              channels,      state as running, shut-down, stopped, ...;
 *              ports          channels: a line per ivshmem device,
 *                             "CHANNEL PEER PEERS STATES" (STATES by peer,
 *                             comma-separated, "-" for a peer not there);
 *                             ports: the unowned ports an OS cell touched,
 *                             "PORT READS WRITES", then "other N"
 *
 * Values come from the hypervisor by hypercall when read; reading while
 * brig is disabled fails with ENODEV.
 */
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <asm/tsc.h>

#include <brig/comm.h>
#include <brig/hypercall.h>
#include <brig/version.h>

#include "brig.h"

static struct kobject *cpus_kobj;
static struct kobject *cells_kobj;
static struct kobject *cpu_kobjs[NR_CPUS];

/*
 * The files that ask the hypervisor exist only while it runs: they are
 * added after enable and removed before disable, and removing a sysfs file
 * waits for its readers. So a reader never needs brig_lock (taking it
 * would deadlock against disable, which removes the files under it) and
 * never issues a hypercall to a hypervisor that is gone.
 */
static ssize_t info_show(char *buf, unsigned long what)
{
	long v = brig_hypercall(BRIG_HC_HYPERVISOR_GET_INFO, what, 0);

	return v < 0 ? v : sysfs_emit(buf, "%ld\n", v);
}

static ssize_t enabled_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(brig_enabled));
}
static DEVICE_ATTR_RO(enabled);

static ssize_t version_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", BRIG_VERSION);
}
static DEVICE_ATTR_RO(version);

static ssize_t mem_pool_size_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return info_show(buf, BRIG_INFO_MEM_POOL_SIZE);
}
static DEVICE_ATTR_RO(mem_pool_size);

static ssize_t mem_pool_used_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return info_show(buf, BRIG_INFO_MEM_POOL_USED);
}
static DEVICE_ATTR_RO(mem_pool_used);

static struct attribute *brig_attrs[] = {
	&dev_attr_enabled.attr,
	&dev_attr_version.attr,
	NULL,
};

static const struct attribute_group brig_group = {
	.attrs = brig_attrs,
};

/*
 * How many IOMMU units isolate DMA: 0 means DMA is not isolated. Set
 * before this attribute appears, fixed while it exists.
 */
static ssize_t iommu_units_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(brig_iommu_units));
}
static DEVICE_ATTR_RO(iommu_units);

/*
 * The TSC's rate as Linux measured it, which the cells get in their comm
 * region: `brig cell linux` gives it to a Linux cell (tsc_early_khz=).
 */
static ssize_t tsc_khz_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", tsc_khz);
}
static DEVICE_ATTR_RO(tsc_khz);

/* While enabled only (see info_show()). */
static struct attribute *hv_attrs[] = {
	&dev_attr_mem_pool_size.attr,
	&dev_attr_mem_pool_used.attr,
	&dev_attr_iommu_units.attr,
	&dev_attr_tsc_khz.attr,
	NULL,
};

static const struct attribute_group hv_group = {
	.attrs = hv_attrs,
};

/* One attribute per exit reason; the reason is its index in the array. */
#define BRIG_EXIT_ATTR(sym, str)                                               \
	{ .attr = { .name = str, .mode = 0444 }, .show = exit_show },

static ssize_t exit_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf);

static struct kobj_attribute exit_attrs[] = { BRIG_EXIT_REASONS(
	BRIG_EXIT_ATTR) };

static struct attribute *exit_attr_ptrs[BRIG_EXIT_COUNT + 1];

static const struct attribute_group exit_group = {
	.attrs = exit_attr_ptrs,
};

static ssize_t exit_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	unsigned long reason = attr - exit_attrs;
	unsigned int cpu;
	long v;

	if (kstrtouint(kobject_name(kobj) + 3, 10, &cpu))
		return -EINVAL;
	/* No brig_lock: see info_show(). */
	v = brig_hypercall(BRIG_HC_CPU_GET_INFO, cpu,
			   BRIG_CPU_INFO_STAT_BASE + reason);
	/* Counters are unsigned; errors are small negative numbers. */
	if (v < 0 && v > -4096)
		return v;
	return sysfs_emit(buf, "%lu\n", (unsigned long)v);
}

int brig_sysfs_cpus_add(void)
{
	unsigned int cpu;
	char name[16];

	if (sysfs_create_group(&brig_dev->kobj, &hv_group))
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		cpu_kobjs[cpu] = kobject_create_and_add(name, cpus_kobj);
		if (!cpu_kobjs[cpu] ||
		    sysfs_create_group(cpu_kobjs[cpu], &exit_group)) {
			brig_sysfs_cpus_remove();
			return -ENOMEM;
		}
	}
	return 0;
}

void brig_sysfs_cpus_remove(void)
{
	sysfs_remove_group(&brig_dev->kobj, &hv_group);
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		kobject_put(cpu_kobjs[cpu]);
		cpu_kobjs[cpu] = NULL;
	}
}

/* --- cells/<id>/ ---------------------------------------------------------- */

#define to_cell(k) container_of(k, struct brig_cell, kobj)

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_cell(kobj)->name);
}

static ssize_t cpus_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%*pbl\n",
			  cpumask_pr_args(&to_cell(kobj)->cpus));
}

static const char *const cell_states[] = {
	[BRIG_CELL_STATE_RUNNING] = "running",
	[BRIG_CELL_STATE_RUNNING_LOCKED] = "running-locked",
	[BRIG_CELL_STATE_SHUT_DOWN] = "shut-down",
	[BRIG_CELL_STATE_FAILED] = "failed",
	[BRIG_CELL_STATE_FAILED_COMM_REV] = "failed-comm-revision",
	[BRIG_CELL_STATE_STOPPED] = "stopped",
};

/*
 * No brig_lock here (see struct brig_cell): the directory exists only
 * while brig is enabled, and removing it waits for this to return.
 */
static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	long s = brig_hypercall(BRIG_HC_CELL_GET_STATE, to_cell(kobj)->id, 0);

	if (s < 0)
		return s;
	if (s >= ARRAY_SIZE(cell_states) || !cell_states[s])
		return sysfs_emit(buf, "unknown-%ld\n", s);
	return sysfs_emit(buf, "%s\n", cell_states[s]);
}

/*
 * One line per ivshmem device of the cell: "CHANNEL PEER PEERS STATES",
 * STATES the state-table entries by peer, "-" for a peer not there.
 */
static ssize_t channels_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	int id = to_cell(kobj)->id, len = 0;
	unsigned long n;

	for (n = 0; n < 0x10000; n++) {
		long info =
			brig_hypercall(BRIG_HC_CELL_CHANNEL_INFO, id, n << 16);
		unsigned int p;

		if (info == -ENOENT)
			break;
		if (info < 0)
			return info;
		len += sysfs_emit_at(buf, len, "%u %u %u ",
				     BRIG_CHANNEL_ID(info),
				     BRIG_CHANNEL_PEER(info),
				     BRIG_CHANNEL_PEERS(info));
		for (p = 0; p < BRIG_CHANNEL_PEERS(info); p++) {
			long st = brig_hypercall(BRIG_HC_CELL_CHANNEL_INFO, id,
						 n << 16 | (p + 1));

			if (!(BRIG_CHANNEL_PRESENT(info) & (1u << p)))
				len += sysfs_emit_at(buf, len, "%s-",
						     p ? "," : "");
			else
				len += sysfs_emit_at(buf, len, "%s%ld",
						     p ? "," : "", st);
		}
		len += sysfs_emit_at(buf, len, "\n");
	}
	return len;
}

/*
 * The unowned ports an OS cell touched (its description says
 * unowned-ports = "ignore"): one line "PORT READS WRITES" each, the port
 * in hex, then "other N" for accesses to ports beyond those counted.
 */
static ssize_t ports_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	unsigned int id = to_cell(kobj)->id, n;
	ssize_t len = 0;
	long other;

	for (n = 0; n < BRIG_PORT_STATS_MAX; n++) {
		long port = brig_hypercall(BRIG_HC_CELL_PORT_STATS, id, n << 2);
		long reads, writes;

		if (port < 0)
			break;
		reads = brig_hypercall(BRIG_HC_CELL_PORT_STATS, id, n << 2 | 1);
		writes =
			brig_hypercall(BRIG_HC_CELL_PORT_STATS, id, n << 2 | 2);
		len += sysfs_emit_at(buf, len, "%lx %ld %ld\n", port, reads,
				     writes);
	}
	other = brig_hypercall(BRIG_HC_CELL_PORT_STATS, id,
			       BRIG_PORT_STATS_MAX << 2);
	if (other < 0) /* the root: none counted */
		return len;
	len += sysfs_emit_at(buf, len, "other %ld\n", other);
	return len;
}

static struct kobj_attribute cell_name_attr = __ATTR_RO(name);
static struct kobj_attribute cell_ports_attr = __ATTR_RO(ports);
static struct kobj_attribute cell_channels_attr = __ATTR_RO(channels);
static struct kobj_attribute cell_cpus_attr = __ATTR_RO(cpus);
static struct kobj_attribute cell_state_attr = __ATTR_RO(state);

static struct attribute *cell_attrs[] = {
	&cell_name_attr.attr,	  &cell_cpus_attr.attr,	 &cell_state_attr.attr,
	&cell_channels_attr.attr, &cell_ports_attr.attr, NULL,
};
ATTRIBUTE_GROUPS(cell);

static void cell_release(struct kobject *kobj)
{
	brig_cell_free(to_cell(kobj));
}

static const struct kobj_type cell_ktype = {
	.release = cell_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = cell_groups,
};

void brig_sysfs_cell_init(struct brig_cell *cell)
{
	kobject_init(&cell->kobj, &cell_ktype);
}

int brig_sysfs_cell_add(struct brig_cell *cell)
{
	return kobject_add(&cell->kobj, cells_kobj, "%d", cell->id);
}

void brig_sysfs_cell_remove(struct brig_cell *cell)
{
	/*
	 * A refused create never added it: deleting it then makes kernfs
	 * warn (6.1 and 6.12) about attributes that do not exist.
	 */
	if (cell->kobj.state_in_sysfs)
		kobject_del(&cell->kobj); /* waits for readers */
	kobject_put(&cell->kobj);
}

int brig_sysfs_init(void)
{
	int err;

	for (unsigned int n = 0; n < BRIG_EXIT_COUNT; n++)
		exit_attr_ptrs[n] = &exit_attrs[n].attr;
	err = sysfs_create_group(&brig_dev->kobj, &brig_group);
	if (err)
		return err;
	cpus_kobj = kobject_create_and_add("cpus", &brig_dev->kobj);
	if (!cpus_kobj)
		goto out_group;
	cells_kobj = kobject_create_and_add("cells", &brig_dev->kobj);
	if (!cells_kobj)
		goto out_cpus;
	return 0;

out_cpus:
	kobject_put(cpus_kobj);
out_group:
	sysfs_remove_group(&brig_dev->kobj, &brig_group);
	return -ENOMEM;
}

void brig_sysfs_exit(void)
{
	brig_sysfs_cpus_remove();
	kobject_put(cells_kobj);
	kobject_put(cpus_kobj);
	sysfs_remove_group(&brig_dev->kobj, &brig_group);
}
