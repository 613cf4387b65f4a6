// SPDX-License-Identifier: GPL-2.0
/*
 * Cells: create, load, start, shut down and destroy, as the `brig cell`
 * commands ask through /dev/brig.
 *
 * Every request is checked completely before anything changes. A new cell
 * is first checked here, by the shared checker, against the system
 * description brig was enabled with and every cell that exists; then the
 * hypervisor checks it again in a dry run (CELL_VALIDATE). Only then are
 * its CPUs taken offline in Linux and the cell created; if that fails, the
 * CPUs come back online, so a refused create leaves every CPU online.
 * Destroying a cell gives its CPUs back to Linux with add_cpu(): the
 * hypervisor parks them waiting for Linux's INIT/SIPI.
 *
 * The driver keeps its own list of cells (id, name, blob, CPUs) so that it
 * can check new cells and resolve names without asking the hypervisor.
 * Everything here runs under brig_lock while brig is enabled.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <brig/comm.h>
#include <brig/config-check.h>
#include <brig/hypercall.h>
#include <brig/ioctl.h>

#include "brig.h"

/* At most this many images in one load request. */
#define MAX_IMAGES 64

/* Cells other than the root, in creation order; guarded by brig_lock. */
static LIST_HEAD(cells);
/* The root cell's entry in sysfs while brig is enabled. */
static struct brig_cell *root_cell;
/* CPUs that the create in progress took offline; under brig_lock. */
static cpumask_t offlined;
/*
 * CPUs cells hold: Linux may not bring them up. Changed under brig_lock
 * (and the CPU hotplug lock, read), read by the hotplug callback, which
 * cannot take brig_lock (a create holds it while it offlines CPUs).
 */
static cpumask_t held_by_cells;
static int hotplug_state;

/*
 * Linux bringing up a CPU a cell holds (echo 1 > .../online) would wait
 * 10 s for a CPU that never answers and fail with EIO; refused at once.
 */
static int cpu_prepare(unsigned int cpu)
{
	if (!cpumask_test_cpu(cpu, &held_by_cells))
		return 0;
	pr_warn("brig: CPU %u belongs to a cell: it comes back online when the cell is destroyed (brig cell list)\n",
		cpu);
	return -EBUSY;
}

int brig_cells_hotplug_init(void)
{
	int state = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					      "brig/cell-cpus:prepare",
					      cpu_prepare, NULL);

	if (state < 0)
		return state;
	hotplug_state = state;
	return 0;
}

void brig_cells_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(hotplug_state);
}

void brig_cell_free(struct brig_cell *cell)
{
	kvfree(cell->desc);
	kfree(cell);
}

/* A cell that brig_sysfs_cell_remove() frees. */
static struct brig_cell *new_cell(void)
{
	struct brig_cell *cell = kzalloc(sizeof(*cell), GFP_KERNEL);

	if (cell)
		brig_sysfs_cell_init(cell);
	return cell;
}

bool brig_cells_exist(void)
{
	return !list_empty(&cells);
}

/* --- the root cell -------------------------------------------------------- */

int brig_cells_enable(const struct brig_system_desc *sys)
{
	struct brig_cell *cell = new_cell();
	struct brig_cell *other;

	if (!cell)
		return -ENOMEM;
	cell->id = 0;
	memcpy(cell->name, sys->root_cell.name, sizeof(cell->name));
	cell->name[sizeof(cell->name) - 1] = '\0';
	cpumask_copy(&cell->cpus, cpu_online_mask);
	list_for_each_entry(other, &cells, entry)
		cpumask_andnot(&cell->cpus, &cell->cpus, &other->cpus);
	root_cell = cell;
	if (brig_sysfs_cell_add(cell))
		pr_err("brig: no sysfs entry for the root cell\n");
	return 0;
}

void brig_cells_disable(void)
{
	if (root_cell)
		brig_sysfs_cell_remove(root_cell);
	root_cell = NULL;
}

/* --- finding a cell -------------------------------------------------------- */

static struct brig_cell *find_by_name(const char *name)
{
	struct brig_cell *cell;

	list_for_each_entry(cell, &cells, entry)
		if (!strcmp(cell->name, name))
			return cell;
	return NULL;
}

static struct brig_cell *find_by_id(int id)
{
	struct brig_cell *cell;

	list_for_each_entry(cell, &cells, entry)
		if (cell->id == id)
			return cell;
	return NULL;
}

static bool is_root_ref(const struct brig_cell_ref *ref)
{
	if (ref->id >= 0)
		return ref->id == 0;
	return root_cell && !strcmp(ref->name, root_cell->name);
}

/*
 * The cell a request names; the root cell is refused (nothing here may be
 * done to Linux itself). valid_flags: what the request accepts.
 */
static struct brig_cell *lookup(struct brig_file *bf, struct brig_cell_ref *ref,
				u32 valid_flags, const char *verb, int *err)
{
	struct brig_cell *cell;

	*err = -EINVAL;
	if (ref->flags & ~valid_flags) {
		brig_fail(bf, -EINVAL, "unknown flags %#x", ref->flags);
		return NULL;
	}
	if (ref->id < 0 && !memchr(ref->name, '\0', sizeof(ref->name))) {
		brig_fail(bf, -EINVAL, "cell name is not NUL-terminated");
		return NULL;
	}
	if (is_root_ref(ref)) {
		brig_fail(
			bf, -EPERM,
			"cannot %s the root cell (id 0, \"%s\"): it is the Linux that runs brig",
			verb, root_cell ? root_cell->name : "");
		return NULL;
	}
	cell = ref->id >= 0 ? find_by_id(ref->id) : find_by_name(ref->name);
	if (cell)
		return cell;
	*err = -ENOENT;
	if (ref->id >= 0)
		brig_fail(bf, -ENOENT, "no cell with id %d: see brig cell list",
			  ref->id);
	else
		brig_fail(bf, -ENOENT,
			  "no cell named \"%s\": see brig cell list",
			  ref->name);
	return NULL;
}

/* Copies the reference in and takes brig_lock; unlocked on error. */
static int begin_ref(struct brig_file *bf, void __user *arg,
		     struct brig_cell_ref *ref)
{
	if (copy_from_user(ref, arg, sizeof(*ref)))
		return -EFAULT;
	mutex_lock(&brig_lock);
	if (brig_enabled)
		return 0;
	mutex_unlock(&brig_lock);
	return brig_fail(bf, -ENODEV, "brig is not enabled");
}

/* --- create ---------------------------------------------------------------- */

static const char *const item_names[] = {
	[BRIG_CHECK_SYSTEM_HEADER] = "system",
	[BRIG_CHECK_HEADER] = "header",
	[BRIG_CHECK_CPUS] = "cpus",
	[BRIG_CHECK_MEMORY] = "memory region",
	[BRIG_CHECK_PORTS] = "port range",
	[BRIG_CHECK_IRQCHIP] = "irqchip",
	[BRIG_CHECK_PCI] = "PCI device",
	[BRIG_CHECK_CONSOLE] = "console",
	[BRIG_CHECK_HYPERVISOR] = "hypervisor",
	[BRIG_CHECK_DEBUG_CONSOLE] = "debug console",
	[BRIG_CHECK_PLATFORM] = "platform",
	[BRIG_CHECK_IOMMU] = "IOMMU",
};

struct check_ctx {
	struct brig_file *bf;
	unsigned int errors;
};

static void report_problem(void *ctx, enum brig_check_severity sev,
			   const struct brig_check_where *where,
			   const char *msg)
{
	struct check_ctx *c = ctx;
	const char *item = where->item < ARRAY_SIZE(item_names) ?
				   item_names[where->item] :
				   "?";
	bool indexed = where->item >= BRIG_CHECK_MEMORY &&
		       where->item <= BRIG_CHECK_PCI;
	char place[48];

	if (sev != BRIG_CHECK_ERROR)
		return;
	if (indexed)
		snprintf(place, sizeof(place), "%s %u", item, where->index);
	else
		snprintf(place, sizeof(place), "%s", item);
	/* The first error is the one the tool shows; all go to the log. */
	if (!c->errors++)
		brig_fail(c->bf, -EINVAL, "cell description: %s: %s", place,
			  msg);
	else
		pr_err("brig: cell description: %s: %s\n", place, msg);
}

/*
 * The new cell against the system brig runs and every existing cell, with
 * the checker the hypervisor uses. The new cell goes last, so that what
 * it clashes with is reported against it.
 */
static int check_cell(struct brig_file *bf, const struct brig_cell_desc *desc,
		      u32 size)
{
	struct check_ctx ctx = { bf, 0 };
	const struct brig_check_reporter rep = { report_problem, &ctx };
	struct brig_check_blob sys, *blobs;
	struct brig_cell *cell;
	unsigned int n = 0;
	u32 sys_size;

	sys.data = brig_system_desc(&sys_size);
	sys.size = sys_size;
	list_for_each_entry(cell, &cells, entry)
		n++;
	blobs = kcalloc(n + 1, sizeof(*blobs), GFP_KERNEL);
	if (!blobs)
		return -ENOMEM;
	n = 0;
	list_for_each_entry(cell, &cells, entry) {
		blobs[n].data = cell->desc;
		blobs[n++].size = cell->desc_size;
	}
	blobs[n].data = desc;
	blobs[n].size = size;
	brig_check_set(&sys, blobs, n + 1, &rep);
	kfree(blobs);
	return ctx.errors ? -EINVAL : 0;
}

static int check_new_cell(struct brig_file *bf,
			  const struct brig_cell_desc *desc, u32 size)
{
	const struct brig_check_blob blob = { desc, size };
	struct brig_cell *other;

	/* A clearer sentence than the set checker's for the common case. */
	if (brig_check_layout(&blob, 0) &&
	    memchr(desc->name, '\0', sizeof(desc->name))) {
		other = find_by_name(desc->name);
		if (other)
			return brig_fail(
				bf, -EEXIST,
				"a cell named \"%s\" exists already (id %d)",
				desc->name, other->id);
	}
	return check_cell(bf, desc, size);
}

/* Brings back online the CPUs of mask; logs those that do not come. */
static void cpus_online(const struct cpumask *mask)
{
	unsigned int cpu;
	int err;

	for_each_cpu(cpu, mask) {
		err = add_cpu(cpu);
		if (err)
			pr_err("brig: CPU %u did not come back online (%d): try echo 1 > /sys/devices/system/cpu/cpu%u/online\n",
			       cpu, err, cpu);
	}
}

/*
 * Takes the cell's CPUs offline; those that were online go into removed.
 * On failure the ones already taken come back.
 */
static int cpus_offline(struct brig_file *bf, const struct cpumask *mask,
			struct cpumask *removed)
{
	unsigned int cpu;
	int err;

	cpumask_clear(removed);
	for_each_cpu(cpu, mask) {
		if (!cpu_online(cpu))
			continue; /* already parked in the hypervisor */
		err = remove_cpu(cpu);
		if (err) {
			cpus_online(removed);
			return brig_fail(
				bf, err,
				"Linux could not take CPU %u offline for the cell (%d)",
				cpu, err);
		}
		cpumask_set_cpu(cpu, removed);
	}
	return 0;
}

static int hc_error(struct brig_file *bf, long err, const char *what,
		    const char *name)
{
	return brig_fail(
		bf, (int)err,
		"the hypervisor refused to %s cell \"%s\" (error %ld): see brig console",
		what, name, err);
}

/*
 * Offline the CPUs and create the cell from blob (physically contiguous,
 * root RAM); returns the id or a negative errno, leaving CPUs as they were.
 */
static long create_in_hypervisor(struct brig_file *bf, void *blob, u32 size,
				 const struct brig_cell_desc *desc,
				 const struct cpumask *cpus)
{
	unsigned int cpu;
	long id;

	id = cpus_offline(bf, cpus, &offlined);
	if (id)
		return id;
	/* No CPU may come back online between the check and the create. */
	cpus_read_lock();
	id = -EBUSY;
	cpu = cpumask_first_and(cpus, cpu_online_mask);
	if (cpu < nr_cpu_ids) {
		brig_fail(bf, -EBUSY,
			  "CPU %u was brought back online during the create",
			  cpu);
		goto out;
	}
	id = brig_hypercall(BRIG_HC_CELL_CREATE, virt_to_phys(blob), size);
	if (id == 0)
		id = -EIO; /* 0 is the root: a broken hypervisor */
	if (id < 0)
		hc_error(bf, id, "create", desc->name);
	else
		cpumask_or(&held_by_cells, &held_by_cells, cpus);
out:
	cpus_read_unlock();
	if (id < 0)
		cpus_online(&offlined);
	return id;
}

/*
 * A device changing owners is reset where Linux knows how (FLR, a power
 * state reset, a bus reset: pci_reset_function()): the cell gets none of
 * the root's DMA addresses and queues, the root none of the cell's. On
 * its way to a cell the device is the root's still (the hypervisor takes
 * it after); on its way back the hypervisor has turned its bus mastering
 * and MSIs off already. Only a description's reset = "none" lets a
 * device change owners without one (check_resets()).
 */
static int reset_for_owner(struct pci_dev *pdev,
			   const struct brig_pci_device *d, const char *whom)
{
	int err = pci_reset_function(pdev);

	if (!err)
		pci_info(pdev, "brig: reset for %s\n", whom);
	else if (err == -ENOTTY && (d->flags & BRIG_PCI_FLAG_NO_RESET))
		pci_info(
			pdev,
			"brig: not reset for %s: Linux knows no reset for it and its description says reset = \"none\"; it keeps its state\n",
			whom);
	else if (err == -ENOTTY)
		pci_info(
			pdev,
			"brig: not reset for %s: Linux knows no reset for it now (its reset_method narrowed?)\n",
			whom);
	else
		pci_info(
			pdev,
			"brig: the reset for %s failed (%d): the device did not come back\n",
			whom, err);
	return err;
}

/*
 * The root's configuration of each device a cell holds, kept when it
 * leaves: pci_reset_function() puts back the configuration it finds, which
 * on the way back is the cell's (its device control, power management
 * and link settings), so the root's own is put back after it. Under
 * brig_lock.
 */
struct root_pci_state {
	struct list_head entry;
	u32 domain, bdf;
	struct pci_saved_state *saved;
};
static LIST_HEAD(root_pci_states);

static void keep_root_state(struct pci_dev *pdev,
			    const struct brig_pci_device *d)
{
	struct root_pci_state *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r) {
		pci_info(
			pdev,
			"brig: no memory to keep the root's configuration: it comes back as the cell leaves it\n");
		return;
	}
	pci_save_state(pdev);
	r->saved = pci_store_saved_state(pdev);
	r->domain = d->domain;
	r->bdf = d->bdf;
	list_add(&r->entry, &root_pci_states);
}

static void put_back_root_state(struct pci_dev *pdev,
				const struct brig_pci_device *d)
{
	struct root_pci_state *r, *tmp;

	list_for_each_entry_safe(r, tmp, &root_pci_states, entry) {
		if (r->domain != d->domain || r->bdf != d->bdf)
			continue;
		if (r->saved && !pci_load_and_free_saved_state(pdev, &r->saved))
			pci_restore_state(pdev);
		list_del(&r->entry);
		kfree(r);
	}
}

/* Linux's device for a cell's PCI device; NULL for a virtual one. */
static struct pci_dev *cell_pci_dev(const struct brig_pci_device *d)
{
	if (d->type != BRIG_PCI_TYPE_DEVICE)
		return NULL; /* a virtual function: not Linux's */
	return pci_get_domain_bus_and_slot(d->domain, d->bdf >> 8,
					   d->bdf & 0xff);
}

/*
 * Whether pci_reset_function() has a method to try: Linux probes them at
 * enumeration (and sysfs reset_method may narrow them); its own test for
 * this is private to the PCI core.
 */
static bool offers_reset(const struct pci_dev *pdev)
{
	return pdev->reset_methods[0] != 0;
}

/*
 * Before anything changes hands: each device the cell is to take offers
 * Linux a reset, or its description accepts that the root's state in it
 * (queues, buffers, DMA addresses) reaches the cell, and the cell's the
 * root when it comes back.
 */
static int check_resets(struct brig_file *bf, const struct brig_cell_desc *desc)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(desc);
	struct pci_dev *pdev;
	unsigned int n;
	int err = 0;

	for (n = 0; n < desc->num_pci_devices && !err; n++) {
		if (pci[n].type != BRIG_PCI_TYPE_DEVICE ||
		    (pci[n].flags & BRIG_PCI_FLAG_NO_RESET))
			continue;
		pdev = cell_pci_dev(&pci[n]);
		/* Present (the hypervisor checked) but not Linux's: no reset. */
		if (!pdev)
			return brig_fail(
				bf, -ENODEV,
				"PCI device %04x:%02x:%02x.%x is not Linux's (removed, or never scanned), so Linux cannot reset it for cell \"%s\": rescan the bus, or reset = \"none\" in its description accepts that",
				pci[n].domain, pci[n].bdf >> 8,
				(pci[n].bdf >> 3) & 0x1f, pci[n].bdf & 7,
				desc->name);
		if (!offers_reset(pdev))
			err = brig_fail(
				bf, -EOPNOTSUPP,
				"PCI device %s offers no reset (FLR, power state or bus): the root's state in it would reach cell \"%s\"; reset = \"none\" in its description accepts that",
				pci_name(pdev), desc->name);
		pci_dev_put(pdev);
	}
	return err;
}

/*
 * Back to the root: reset (unless it just failed one: a second may wait
 * as long again), the root's configuration, its Linux driver.
 */
static void give_to_root(struct pci_dev *pdev, const struct brig_pci_device *d,
			 bool reset)
{
	if (reset)
		reset_for_owner(pdev, d, "the root");
	put_back_root_state(pdev, d);
	if (device_attach(&pdev->dev) > 0)
		pci_info(pdev, "brig: back with its Linux driver\n");
}

/* Its driver unbinds, the root's configuration is kept, it is reset. */
static int take_from_root(struct brig_file *bf, struct pci_dev *pdev,
			  const struct brig_pci_device *d, const char *cell)
{
	int err;

	if (pdev->dev.driver) {
		pci_info(pdev, "brig: unbinding %s for a cell\n",
			 pdev->dev.driver->name);
		device_release_driver(&pdev->dev);
	}
	keep_root_state(pdev, d);
	err = reset_for_owner(pdev, d, "the cell");
	if (!err || (err == -ENOTTY && (d->flags & BRIG_PCI_FLAG_NO_RESET)))
		return 0;
	give_to_root(pdev, d, false);
	return brig_fail(
		bf, err,
		"PCI device %s: its reset for cell \"%s\" failed (%d): it stays the root's",
		pci_name(pdev), cell, err);
}

/* The first count PCI devices of a cell go back to Linux. */
static void pci_devices_to_root(const struct brig_cell_desc *desc,
				unsigned int count)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(desc);
	struct pci_dev *pdev;
	unsigned int n;

	for (n = 0; n < count; n++) {
		pdev = cell_pci_dev(&pci[n]);
		if (!pdev)
			continue;
		give_to_root(pdev, &pci[n], true);
		pci_dev_put(pdev);
	}
}

/*
 * Linux lets go of the cell's PCI devices before the hypervisor takes
 * them, all or none: a device that cannot be reset (and may not go
 * without) or does not come back from it leaves the others with the
 * root as well.
 */
static int pci_devices_to_cell(struct brig_file *bf,
			       const struct brig_cell_desc *desc)
{
	const struct brig_pci_device *pci = brig_cell_pci_devices(desc);
	struct pci_dev *pdev;
	unsigned int n;
	int err = check_resets(bf, desc);

	for (n = 0; n < desc->num_pci_devices && !err; n++) {
		pdev = cell_pci_dev(&pci[n]);
		if (!pdev)
			continue;
		err = take_from_root(bf, pdev, &pci[n], desc->name);
		pci_dev_put(pdev);
		if (err)
			pci_devices_to_root(desc, n);
	}
	return err;
}

/* The hypervisor's dry run, then the real thing; returns the id. */
static long hypervisor_create(struct brig_file *bf,
			      const struct brig_cell_desc *desc, u32 size,
			      const struct cpumask *cpus)
{
	void *blob = alloc_pages_exact(size, GFP_KERNEL);
	long ret;

	if (!blob)
		return brig_fail(
			bf, -ENOMEM,
			"no %u bytes of contiguous memory for the cell description",
			size);
	memcpy(blob, desc, size);
	ret = brig_hypercall(BRIG_HC_CELL_VALIDATE, virt_to_phys(blob), size);
	if (ret) {
		hc_error(bf, ret < 0 ? ret : -EIO, "accept", desc->name);
	} else {
		ret = pci_devices_to_cell(bf, desc);
		if (!ret) {
			ret = create_in_hypervisor(bf, blob, size, desc, cpus);
			if (ret < 0)
				pci_devices_to_root(desc,
						    desc->num_pci_devices);
		}
	}
	free_pages_exact(blob, size);
	return ret;
}

static void cell_cpus(const struct brig_cell_desc *desc, struct cpumask *mask)
{
	unsigned int cpu;

	cpumask_clear(mask);
	for (cpu = 0; cpu < desc->cpu_set_size * 8 && cpu < nr_cpu_ids; cpu++)
		if (brig_cell_has_cpu(desc, cpu))
			cpumask_set_cpu(cpu, mask);
}

static int do_create(struct brig_file *bf, struct brig_cell *cell)
{
	long id;
	int err;

	err = check_new_cell(bf, cell->desc, cell->desc_size);
	if (err)
		return err;
	memcpy(cell->name, cell->desc->name, sizeof(cell->name));
	cell_cpus(cell->desc, &cell->cpus);
	id = hypervisor_create(bf, cell->desc, cell->desc_size, &cell->cpus);
	if (id < 0)
		return (int)id;
	cell->id = (int)id;
	list_add_tail(&cell->entry, &cells);
	if (root_cell)
		cpumask_andnot(&root_cell->cpus, &root_cell->cpus, &cell->cpus);
	/* The cell exists either way; only its sysfs entry would be missing. */
	if (brig_sysfs_cell_add(cell))
		pr_err("brig: no sysfs entry for cell %ld\n", id);
	pr_info("brig: created cell %d \"%s\" on CPUs %*pbl\n", cell->id,
		cell->name, cpumask_pr_args(&cell->cpus));
	return cell->id;
}

int brig_cmd_cell_create(struct brig_file *bf, void __user *arg)
{
	struct brig_cell *cell = new_cell();
	int ret;

	if (!cell)
		return -ENOMEM;
	cell->desc = brig_copy_blob(bf, arg, "cell description",
				    sizeof(struct brig_cell_desc),
				    &cell->desc_size);
	if (IS_ERR(cell->desc)) {
		ret = PTR_ERR(cell->desc);
		cell->desc = NULL;
		goto out;
	}
	mutex_lock(&brig_lock);
	if (!brig_enabled)
		ret = brig_fail(bf, -ENODEV, "brig is not enabled");
	else
		ret = do_create(bf, cell);
	mutex_unlock(&brig_lock);
out:
	/* A created cell is in the list until destroyed. */
	if (ret < 0)
		brig_sysfs_cell_remove(cell);
	return ret;
}

/* --- load ------------------------------------------------------------------ */

/* The loadable region of cell that holds [target, target + size), or NULL. */
static const struct brig_memory *
loadable_region(const struct brig_cell_desc *desc, u64 target, u64 size)
{
	const struct brig_memory *r = brig_cell_mem_regions(desc);
	unsigned int i;

	for (i = 0; i < desc->num_memory_regions; i++, r++)
		if ((r->flags & BRIG_MEM_LOADABLE) && target >= r->virt_start &&
		    target - r->virt_start < r->size &&
		    size <= r->size - (target - r->virt_start))
			return r;
	return NULL;
}

static int check_images(struct brig_file *bf, const struct brig_cell *cell,
			const struct brig_image *img, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (!img[i].size)
			return brig_fail(bf, -EINVAL, "image %u is empty", i);
		if (img[i].target + img[i].size < img[i].target ||
		    !loadable_region(cell->desc, img[i].target, img[i].size))
			return brig_fail(
				bf, -EINVAL,
				"image %u at %#llx-%#llx is not inside one loadable memory region of cell \"%s\"",
				i, img[i].target,
				img[i].target + img[i].size - 1, cell->name);
	}
	return 0;
}

/* Copies one checked image through a mapping of the cell's memory. */
static int copy_image(struct brig_file *bf, const struct brig_cell *cell,
		      const struct brig_image *img)
{
	const struct brig_memory *r =
		loadable_region(cell->desc, img->target, img->size);
	u64 phys = r->phys_start + (img->target - r->virt_start);
	void *dst = memremap(phys, img->size, MEMREMAP_WB);
	int err = 0;

	if (!dst)
		return brig_fail(bf, -ENOMEM,
				 "cannot map %#llx-%#llx of cell \"%s\"",
				 img->target, img->target + img->size - 1,
				 cell->name);
	if (copy_from_user(dst, u64_to_user_ptr(img->source), img->size))
		err = brig_fail(bf, -EFAULT,
				"image for %#llx: bad source buffer",
				img->target);
	memunmap(dst);
	return err;
}

static int stop_error(struct brig_file *bf, long err, const char *what,
		      const char *name);

/*
 * A request that stops a running cell (load, start, shutdown, destroy).
 * When the cell stops itself (an OS cell powering off: -EINPROGRESS), wait
 * for its state to leave running, sleeping, up to its description's
 * shutdown timeout, then ask again: an ended cell is not asked, and the
 * hypervisor stops one that did not end in time at once, as failed.
 */
static long stop_hypercall(struct brig_cell *cell, unsigned long nr,
			   unsigned long flags)
{
	u32 ms = cell->desc->shutdown_timeout_ms ?: 1000;
	long hc = brig_hypercall(nr, cell->id, flags), state;
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	if (hc != -EINPROGRESS)
		return hc;
	do {
		/* Killed: the cell goes on stopping itself, not blamed. */
		if (fatal_signal_pending(current))
			return -EINTR;
		msleep(20);
		state = brig_hypercall(BRIG_HC_CELL_GET_STATE, cell->id, 0);
	} while ((state == BRIG_CELL_STATE_RUNNING ||
		  state == BRIG_CELL_STATE_RUNNING_LOCKED) &&
		 time_before(jiffies, end));
	return brig_hypercall(nr, cell->id, flags);
}

static int do_load(struct brig_file *bf, struct brig_cell *cell,
		   const struct brig_image *img, u32 n, u32 flags)
{
	long hc;
	u32 i;
	int err;

	err = check_images(bf, cell, img, n);
	if (err)
		return err;
	hc = stop_hypercall(cell, BRIG_HC_CELL_SET_LOADABLE, flags);
	if (hc)
		return stop_error(bf, hc, "prepare for loading", cell->name);
	/* Stopped for loading: what ran is gone once a copy starts. */
	cell->loaded = false;
	for (i = 0; i < n; i++) {
		err = copy_image(bf, cell, &img[i]);
		if (err)
			return err;
	}
	cell->loaded = true;
	return 0;
}

static struct brig_image *copy_images(struct brig_file *bf,
				      const struct brig_load_args *args)
{
	if (args->reserved)
		return ERR_PTR(
			brig_fail(bf, -EINVAL, "reserved field is not zero"));
	if (!args->num_images || args->num_images > MAX_IMAGES)
		return ERR_PTR(brig_fail(bf, -EINVAL, "%u images: give 1 to %u",
					 args->num_images, MAX_IMAGES));
	return memdup_user(u64_to_user_ptr(args->images),
			   args->num_images * sizeof(struct brig_image));
}

int brig_cmd_cell_load(struct brig_file *bf, void __user *arg)
{
	struct brig_load_args args;
	struct brig_image *img;
	struct brig_cell *cell;
	int err;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	img = copy_images(bf, &args);
	if (IS_ERR(img))
		return PTR_ERR(img);
	mutex_lock(&brig_lock);
	if (!brig_enabled) {
		err = brig_fail(bf, -ENODEV, "brig is not enabled");
		goto out;
	}
	cell = lookup(bf, &args.cell, BRIG_SHUTDOWN_FORCE, "load", &err);
	if (cell)
		err = do_load(bf, cell, img, args.num_images, args.cell.flags);
out:
	mutex_unlock(&brig_lock);
	kfree(img);
	return err;
}

/* --- start, shutdown, destroy ---------------------------------------------- */

int brig_cmd_cell_start(struct brig_file *bf, void __user *arg)
{
	struct brig_cell_ref ref;
	struct brig_cell *cell;
	long hc;
	int err;

	err = begin_ref(bf, arg, &ref);
	if (err)
		return err;
	cell = lookup(bf, &ref, BRIG_SHUTDOWN_FORCE, "start", &err);
	if (!cell)
		goto out;
	if (!cell->loaded) {
		err = brig_fail(
			bf, -ENOEXEC,
			"cell \"%s\" has nothing loaded: load an image first (brig cell load)",
			cell->name);
		goto out;
	}
	hc = stop_hypercall(cell, BRIG_HC_CELL_START, ref.flags);
	err = hc ? stop_error(bf, hc, "start", cell->name) : 0;
out:
	mutex_unlock(&brig_lock);
	return err;
}

/* What the hypervisor's answer to a shutdown request means to the user. */
static int stop_error(struct brig_file *bf, long err, const char *what,
		      const char *name)
{
	switch (err) {
	case -EBUSY:
		return brig_fail(
			bf, -EBUSY,
			"cell \"%s\" denied the request to stop it (needed to %s): add --force to override",
			name, what);
	case -ETIMEDOUT:
		return brig_fail(
			bf, -ETIMEDOUT,
			"cell \"%s\" did not answer the shutdown request, or did not stop itself, in time: it was stopped and is marked failed",
			name);
	case -EINTR:
		return brig_fail(
			bf, -EINTR,
			"interrupted while cell \"%s\" stops itself: it runs on until it has, and the next request stops it at once (needed to %s)",
			name, what);
	case -EINPROGRESS:
		return brig_fail(
			bf, -EINPROGRESS,
			"cell \"%s\" says it stops itself and still runs: add --force to stop it now (needed to %s)",
			name, what);
	case -ENOTCONN:
		return brig_fail(
			bf, -ENOTCONN,
			"cell \"%s\" cannot be asked to stop (it is passive and nothing in it listens: a Linux cell without brig_guest.ko): add --force to stop it anyway (needed to %s)",
			name, what);
	case -ENOENT:
		return brig_fail(
			bf, -ENOENT,
			"the hypervisor does not know cell \"%s\": see brig console",
			name);
	default:
		return hc_error(bf, err < 0 ? err : -EIO, what, name);
	}
}

int brig_cmd_cell_shutdown(struct brig_file *bf, void __user *arg)
{
	struct brig_cell_ref ref;
	struct brig_cell *cell;
	long hc;
	int err;

	err = begin_ref(bf, arg, &ref);
	if (err)
		return err;
	cell = lookup(bf, &ref, BRIG_SHUTDOWN_FORCE, "shut down", &err);
	if (cell) {
		hc = stop_hypercall(cell, BRIG_HC_CELL_SHUTDOWN, ref.flags);
		err = hc ? stop_error(bf, hc, "shut down", cell->name) : 0;
	}
	mutex_unlock(&brig_lock);
	return err;
}

/* After the hypervisor destroyed it: CPUs back to Linux, entry gone. */
static void forget_cell(struct brig_cell *cell)
{
	list_del(&cell->entry);
	cpumask_andnot(&held_by_cells, &held_by_cells, &cell->cpus);
	cpus_online(&cell->cpus);
	pci_devices_to_root(cell->desc, cell->desc->num_pci_devices);
	if (root_cell)
		cpumask_or(&root_cell->cpus, &root_cell->cpus, &cell->cpus);
	pr_info("brig: destroyed cell %d \"%s\"\n", cell->id, cell->name);
	brig_sysfs_cell_remove(cell);
}

int brig_cmd_cell_destroy(struct brig_file *bf, void __user *arg)
{
	struct brig_cell_ref ref;
	struct brig_cell *cell;
	long hc;
	int err;

	err = begin_ref(bf, arg, &ref);
	if (err)
		return err;
	cell = lookup(bf, &ref, BRIG_SHUTDOWN_FORCE, "destroy", &err);
	if (cell) {
		hc = stop_hypercall(cell, BRIG_HC_CELL_DESTROY, ref.flags);
		err = hc ? stop_error(bf, hc, "destroy", cell->name) : 0;
		if (!err)
			forget_cell(cell);
	}
	mutex_unlock(&brig_lock);
	return err;
}

void brig_cells_destroy_all(void)
{
	struct brig_cell *cell, *tmp;
	long hc;

	list_for_each_entry_safe(cell, tmp, &cells, entry) {
		hc = brig_hypercall(BRIG_HC_CELL_DESTROY, cell->id,
				    BRIG_SHUTDOWN_FORCE);
		if (hc)
			pr_emerg(
				"brig: could not destroy cell %d \"%s\" (%ld)\n",
				cell->id, cell->name, hc);
		else
			forget_cell(cell);
	}
}
