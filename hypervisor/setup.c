// SPDX-License-Identifier: GPL-2.0
/*
 * Entry: how the running Linux becomes the root cell.
 *
 * The driver calls the entry on every online CPU at once. The first CPU in
 * does the global setup (checks the system description, sets up the
 * console and the page pool, lets the arch code build page tables and the
 * root cell's second-stage tables) while the others wait on the lock. Then
 * every CPU sets itself up and waits until all CPUs have arrived; only if
 * every one succeeded do they enter guest mode together. If any failed, all
 * undo their setup and return the same error: enabling is all or nothing.
 */
#include <brig/config-check.h>
#include <hv/cell.h>
#include <hv/arch.h>
#include <hv/ivshmem.h>
#include <hv/page-pool.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/string.h>
#include <brig/version.h>

struct per_cpu per_cpu_area[CONFIG_MAX_CPUS];
const struct brig_system_desc *system_config;
struct paging_structs hv_paging;

static DEFINE_SPINLOCK(init_lock);
static bool init_done; /* guarded by init_lock */
static int error; /* first error of any CPU; written once, under init_lock */
static unsigned int arrived; /* CPUs past their own setup (atomic) */
static unsigned int init_cpu; /* the CPU that did the global setup */
static bool devices_done; /* init_cpu finished arch_takeover_devices() */

u64 hv_virt_to_phys(const void *virt)
{
	return (unsigned long)virt - HV_LINK_BASE +
	       system_config->hypervisor_memory.phys_start;
}

void *phys_to_hv(u64 phys)
{
	return (void *)(PHYS_MAP_BASE + phys);
}

void *paging_phys_to_virt(u64 phys)
{
	return (void *)(phys - system_config->hypervisor_memory.phys_start +
			HV_LINK_BASE);
}

u64 paging_virt_to_phys(const void *virt)
{
	return hv_virt_to_phys(virt);
}

static void report_config_problem(void *ctx, enum brig_check_severity sev,
				  const struct brig_check_where *where,
				  const char *msg)
{
	printk("brig: system description: %s (item %u, index %u): %s\n",
	       sev == BRIG_CHECK_ERROR ? "error" : "warning", where->item,
	       where->index, msg);
}

/* The driver put the description on the first page after the image. */
static int check_system_config(void)
{
	const struct brig_check_reporter rep = { report_config_problem, NULL };
	u64 offset = ALIGN_UP(hv_header.image_size, PAGE_SIZE);
	struct brig_check_blob blob = {
		.data = (const void *)(HV_LINK_BASE + offset),
		.size = hv_header.config_size,
	};
	const struct brig_system_desc *sys = blob.data;

	if (hv_header.config_size < sizeof(*sys) ||
	    hv_header.config_size > BRIG_HC_MAX_CONFIG_SIZE) {
		printk("brig: system description of %llu bytes is implausible\n",
		       (unsigned long long)hv_header.config_size);
		return -EINVAL;
	}
	if (brig_check_system(&blob, &rep))
		return -EINVAL;
	if (offset + blob.size > sys->hypervisor_memory.size) {
		printk("brig: image and description do not fit the hypervisor region\n");
		return -ENOMEM;
	}
	system_config = sys;
	return 0;
}

static int init_pool(void)
{
	u64 used = ALIGN_UP(hv_header.image_size, PAGE_SIZE) +
		   ALIGN_UP(hv_header.config_size, PAGE_SIZE);
	u64 pages = (system_config->hypervisor_memory.size - used) / PAGE_SIZE;

	if (page_pool_init(&mem_pool, (void *)(HV_LINK_BASE + used), pages)) {
		printk("brig: hypervisor region too small for a page pool\n");
		return -ENOMEM;
	}
	return 0;
}

static int init_global(void)
{
	int err;

	printk("\nbrig %s: initialising on CPU %u, %u CPUs\n", BRIG_VERSION,
	       arch_cpu_id(), hv_header.online_cpus);
	if (hv_header.online_cpus > CONFIG_MAX_CPUS) {
		printk("brig: %u CPUs online, this build supports %u (CONFIG_MAX_CPUS)\n",
		       hv_header.online_cpus, CONFIG_MAX_CPUS);
		return -E2BIG;
	}
	err = check_system_config();
	if (err)
		return err;
	console_set_device(&system_config->debug_console);
	err = init_pool();
	if (err)
		return err;
	cell_init_root();
	err = arch_init();
	if (!err)
		err = pci_init();
	if (err)
		return err;
	/* No guest has walked the root's tables yet: nothing to flush. */
	paging_free_retired(&root_cell.stage2);
	printk("brig: page pool %lu pages, %lu used after setup\n",
	       mem_pool.pages, page_pool_used(&mem_pool));
	return 0;
}

static void set_error(int err)
{
	spin_lock(&init_lock);
	if (!error)
		error = err;
	spin_unlock(&init_lock);
}

/* Wait until every entering CPU is past its setup. */
static void wait_for_all(void)
{
	__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) <
	       hv_header.online_cpus)
		cpu_relax();
}

int hv_entry(unsigned int cpu_id, struct arch_entry_state *state)
{
	struct per_cpu *cpu = per_cpu(cpu_id);
	int err;

	spin_lock(&init_lock);
	if (!init_done) {
		init_done = true;
		init_cpu = cpu_id;
		error = init_global();
	}
	err = error;
	spin_unlock(&init_lock);

	cpu->cpu_id = cpu_id;
	cpu->cell = &root_cell;
	if (!err) {
		err = arch_cpu_init(cpu, state);
		if (err) {
			printk("brig: CPU %u failed to enter: %d\n", cpu_id,
			       err);
			set_error(err);
		} else {
			cpu->online = true;
		}
	}

	wait_for_all();
	/*
	 * Now no CPU runs Linux code: the devices brig drives can change
	 * hands without racing a Linux driver half-way through a command.
	 */
	if (cpu_id == init_cpu) {
		if (!READ_ONCE(error)) {
			/*
			 * The root's virtual functions probe ECAM (the tables
			 * are live now), before any device is taken: a failure
			 * leaves nothing to give back.
			 */
			err = ivshmem_root_init();
			if (!err)
				err = arch_takeover_devices();
			if (err)
				set_error(err);
			paging_free_retired(&root_cell.stage2);
		}
		__atomic_store_n(&devices_done, true, __ATOMIC_RELEASE);
	}
	while (!__atomic_load_n(&devices_done, __ATOMIC_ACQUIRE))
		cpu_relax();
	err = READ_ONCE(error);
	if (err) {
		/* Undo this CPU's own setup unless it is the one that failed. */
		if (cpu->online)
			arch_cpu_restore(cpu);
		cpu->online = false;
		return err;
	}
	arch_cpu_activate(cpu);
}
