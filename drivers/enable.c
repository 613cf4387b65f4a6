// SPDX-License-Identifier: GPL-2.0
/*
 * Enabling and disabling the hypervisor.
 *
 * Enable checks everything it can before it touches anything: the system
 * description (with the same checker the hypervisor uses), that its CPU set
 * is exactly the online CPUs, that no other hypervisor holds the CPUs'
 * virtualization extensions, that the hypervisor region is memory Linux was
 * told to leave alone, and that the image fits. Only then does it copy the
 * image and the description into the region and enter the hypervisor on
 * every online CPU at once. A refusal leaves the system as it was and
 * says why (brig_fail()).
 */
#include <linux/cpu.h>
#include <linux/firmware.h>
#include <linux/iommu.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include <brig/config-check.h>
#include <brig/hypercall.h>
#include <brig/ioctl.h>

#include "brig.h"

#define BRIG_FIRMWARE "brig/brig-x86.bin"

/* What an enabled hypervisor holds; guarded by brig_lock. */
static struct resource *hv_region;
static void *hv_mem; /* the region, mapped write-back */
static u64 hv_size;
static cpumask_t enabled_cpus; /* the CPUs that entered */
/* The description it was enabled with: cells are checked against it. */
static struct brig_system_desc *enabled_sys;
u32 brig_iommu_units;
static u32 enabled_sys_size;

const struct brig_system_desc *brig_system_desc(u32 *size)
{
	*size = enabled_sys_size;
	return enabled_sys;
}

struct check_ctx {
	struct brig_file *bf;
	unsigned int errors;
};

static void report_problem(void *ctx, enum brig_check_severity sev,
			   const struct brig_check_where *where,
			   const char *msg)
{
	struct check_ctx *c = ctx;

	if (sev != BRIG_CHECK_ERROR)
		return;
	/* The first error is the one the tool shows; all go to the log. */
	if (!c->errors++)
		brig_fail(c->bf, -EINVAL, "system description: %s", msg);
	else
		pr_err("brig: system description: %s\n", msg);
}

static int check_description(struct brig_file *bf,
			     const struct brig_system_desc *sys, u32 size)
{
	struct check_ctx ctx = { bf, 0 };
	const struct brig_check_reporter rep = { report_problem, &ctx };
	const struct brig_check_blob blob = { sys, size };
	const struct brig_cell_desc *root = &sys->root_cell;
	unsigned int cpu;

	if (brig_check_system(&blob, &rep))
		return -EINVAL;
	if (sys->architecture != BRIG_ARCH_X86_64)
		return brig_fail(
			bf, -EINVAL,
			"system description is for architecture %u, this is x86-64 (%u)",
			sys->architecture, BRIG_ARCH_X86_64);
	for (cpu = 0; cpu < root->cpu_set_size * 8; cpu++)
		if (brig_cell_has_cpu(root, cpu) && !cpu_online(cpu))
			return brig_fail(
				bf, -EINVAL,
				"the description's CPU set names CPU %u, which is not online",
				cpu);
	for_each_online_cpu(cpu)
		if (!brig_cell_has_cpu(root, cpu))
			return brig_fail(
				bf, -EINVAL,
				"CPU %u is online but not in the description's CPU set: every online CPU must be in the root cell",
				cpu);
	return 0;
}

/*
 * brig drives the IOMMUs the description names; Linux must not translate
 * DMA with them itself. A PCI device in an IOMMU group says it does.
 */
static int check_iommu_free(struct brig_file *bf,
			    const struct brig_system_desc *sys)
{
	struct pci_dev *pdev = NULL;
	int err = 0;

	if (!sys->platform.num_iommu_units)
		return 0;
	for_each_pci_dev(pdev) {
		if (device_iommu_mapped(&pdev->dev)) {
			err = brig_fail(
				bf, -EBUSY,
				"Linux translates DMA with the IOMMU (device %s is behind it): boot Linux with intel_iommu=off (VT-d) or amd_iommu=off (AMD-Vi), brig drives the IOMMU itself",
				pci_name(pdev));
			pci_dev_put(pdev);
			break;
		}
	}
	return err;
}

/* The region must be memory the kernel was told to leave alone. */
static int claim_region(struct brig_file *bf, u64 phys, u64 size)
{
	if (region_intersects(phys, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT ||
	    region_intersects(phys, size, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS)
		return brig_fail(
			bf, -EINVAL,
			"hypervisor region %#llx-%#llx is not reserved memory: boot with memmap=%lluM$%#llx (x86) so Linux leaves it alone",
			phys, phys + size - 1, size >> 20, phys);
	hv_region = request_mem_region(phys, size, "brig hypervisor");
	if (!hv_region)
		return brig_fail(
			bf, -EBUSY,
			"hypervisor region %#llx-%#llx is in use by another driver",
			phys, phys + size - 1);
	return 0;
}

static int check_image(struct brig_file *bf, const struct firmware *fw,
		       u64 config_size)
{
	const struct brig_hv_header *h = (const void *)fw->data;
	u64 need;

	if (fw->size < sizeof(*h) ||
	    memcmp(h->signature, BRIG_HV_SIGNATURE, sizeof(h->signature)))
		return brig_fail(
			bf, -EINVAL,
			"/lib/firmware/%s is not a brig hypervisor image",
			BRIG_FIRMWARE);
	if (h->revision != BRIG_HV_REVISION ||
	    h->architecture != BRIG_ARCH_X86_64)
		return brig_fail(
			bf, -EINVAL,
			"hypervisor image revision %u (arch %u) does not match this driver (revision %u): install matching versions",
			h->revision, h->architecture, BRIG_HV_REVISION);
	if (h->image_size < fw->size || h->entry >= h->image_size ||
	    h->console_offset + sizeof(struct brig_hv_console) > h->image_size)
		return brig_fail(bf, -EINVAL,
				 "hypervisor image header is inconsistent");
	if (num_online_cpus() > h->max_cpus)
		return brig_fail(
			bf, -E2BIG,
			"%u CPUs online, the hypervisor image supports %u (CONFIG_MAX_CPUS)",
			num_online_cpus(), h->max_cpus);
	need = PAGE_ALIGN(h->image_size) + PAGE_ALIGN(config_size);
	if (need >= hv_size)
		return brig_fail(
			bf, -ENOMEM,
			"hypervisor region of %llu KiB is too small: image and description alone need %llu KiB",
			hv_size >> 10, need >> 10);
	return 0;
}

/* Copy image and description in; the header tells the hypervisor the rest. */
static void load_image(const struct firmware *fw,
		       const struct brig_system_desc *sys, u32 size)
{
	struct brig_hv_header *h = hv_mem;

	memcpy(hv_mem, fw->data, fw->size);
	memset(hv_mem + fw->size, 0,
	       PAGE_ALIGN(((struct brig_hv_header *)fw->data)->image_size) -
		       fw->size);
	h->online_cpus = num_online_cpus();
	h->tsc_khz = tsc_khz; /* for the cells' comm regions */
	h->config_size = size;
	memcpy(hv_mem + PAGE_ALIGN(h->image_size), sys, size);
}

/* After a failed enable, show what the hypervisor said about it. */
static void dump_hv_console(void)
{
	const struct brig_hv_header *h = hv_mem;
	const struct brig_hv_console *con = hv_mem + h->console_offset;
	u64 head = min_t(u64, con->head, BRIG_HV_CONSOLE_SIZE);

	pr_err("brig: hypervisor console:\n%.*s\n", (int)head, con->ring);
}

/* Whether the n bytes at s contain word (len bytes). */
static bool has_bytes(const char *s, size_t n, const char *word, size_t len)
{
	size_t i;

	for (; n >= len; s++, n--) {
		for (i = 0; i < len && s[i] == word[i]; i++)
			;
		if (i == len)
			return true;
	}
	return false;
}

#define has_word(s, n, word) has_bytes(s, n, word, sizeof(word) - 1)

/*
 * The hypervisor's reason for a refusal: the last line it printed that is
 * not the per-CPU "failed to enter" echo of it. Empty if there is none.
 */
static void hv_reason(char *buf, size_t size)
{
	const struct brig_hv_header *h = hv_mem;
	const struct brig_hv_console *con = hv_mem + h->console_offset;
	size_t end = min_t(u64, con->head, BRIG_HV_CONSOLE_SIZE), start, n;

	buf[0] = 0;
	while (end > 0) {
		while (end > 0 && con->ring[end - 1] == '\n')
			end--;
		start = end;
		while (start > 0 && con->ring[start - 1] != '\n')
			start--;
		if (end > start && !has_word(con->ring + start, end - start,
					     "failed to enter")) {
			/* Without the "brig: " every line starts with. */
			if (end - start > 6 &&
			    has_word(con->ring + start, 6, "brig: "))
				start += 6;
			n = min_t(size_t, size - 1, end - start);
			memcpy(buf, con->ring + start, n);
			buf[n] = 0;
			return;
		}
		end = start;
	}
}

static atomic_t enter_errors;
static int enter_error;

static void enter_cpu(void *info)
{
	int err = brig_arch_enter(*(u64 *)info);

	if (err) {
		atomic_inc(&enter_errors);
		enter_error = err;
	}
}

static void release_all(void)
{
	brig_arch_free_early_tables();
	if (hv_mem)
		memunmap(hv_mem);
	hv_mem = NULL;
	if (hv_region)
		release_mem_region(hv_region->start, resource_size(hv_region));
	hv_region = NULL;
}

static int enter_all_cpus(struct brig_file *bf, u64 entry)
{
	char reason[160];

	atomic_set(&enter_errors, 0);
	on_each_cpu(enter_cpu, &entry, 1);
	if (!atomic_read(&enter_errors))
		return 0;
	dump_hv_console();
	hv_reason(reason, sizeof(reason));
	return brig_fail(
		bf, enter_error,
		"the hypervisor refused to start (error %d): %s (its whole console is in the kernel log)",
		enter_error, reason[0] ? reason : "it gave no reason");
}

static int do_enable(struct brig_file *bf, struct brig_system_desc *sys,
		     u32 size)
{
	const struct firmware *fw = NULL;
	const struct brig_hv_header *h;
	int err;

	err = check_description(bf, sys, size);
	if (!err)
		err = check_iommu_free(bf, sys);
	if (!err)
		err = brig_arch_check_cpus(bf);
	if (err)
		return err;
	hv_size = sys->hypervisor_memory.size;
	err = claim_region(bf, sys->hypervisor_memory.phys_start, hv_size);
	if (err)
		return err;
	err = request_firmware(&fw, BRIG_FIRMWARE, brig_dev);
	if (err) {
		brig_fail(
			bf, err,
			"cannot load /lib/firmware/%s (%d): run `make install`",
			BRIG_FIRMWARE, err);
		goto out;
	}
	err = check_image(bf, fw, size);
	if (err)
		goto out;
	hv_mem = memremap(sys->hypervisor_memory.phys_start, hv_size,
			  MEMREMAP_WB);
	if (!hv_mem) {
		err = brig_fail(bf, -ENOMEM,
				"cannot map the hypervisor region");
		goto out;
	}
	h = (const void *)fw->data;
	err = brig_arch_early_tables(bf, sys->hypervisor_memory.phys_start,
				     hv_size, h->link_base);
	if (err)
		goto out;
	load_image(fw, sys, size);
	err = enter_all_cpus(bf, h->link_base + h->entry);
out:
	release_firmware(fw);
	if (err)
		release_all();
	return err;
}

/*
 * A description blob from user space (struct brig_config_args), for enable
 * and for cell create: flags must be 0 and the size plausible for what
 * (min bytes at least) before anything is copied.
 */
void *brig_copy_blob(struct brig_file *bf, void __user *arg, const char *what,
		     u32 min, u32 *size)
{
	struct brig_config_args args;
	void *blob;

	if (copy_from_user(&args, arg, sizeof(args)))
		return ERR_PTR(-EFAULT);
	if (args.flags)
		return ERR_PTR(brig_fail(bf, -EINVAL, "unknown flags %#x",
					 args.flags));
	if (args.size < min || args.size > BRIG_HC_MAX_CONFIG_SIZE)
		return ERR_PTR(brig_fail(
			bf, -EINVAL, "%s of %u bytes: too %s (truncated file?)",
			what, args.size, args.size < min ? "small" : "large"));
	blob = vmemdup_user(u64_to_user_ptr(args.addr), args.size);
	if (!IS_ERR(blob))
		*size = args.size;
	return blob;
}

int brig_cmd_enable(struct brig_file *bf, void __user *arg)
{
	struct brig_system_desc *sys;
	u32 size = 0;
	int err;

	sys = brig_copy_blob(bf, arg, "system description",
			     sizeof(struct brig_system_desc), &size);
	if (IS_ERR(sys))
		return PTR_ERR(sys);

	mutex_lock(&brig_lock);
	cpus_read_lock();
	if (brig_enabled)
		err = brig_fail(bf, -EBUSY, "brig is already enabled");
	else
		err = do_enable(bf, sys, size);
	if (!err) {
		brig_enabled = true;
		cpumask_copy(&enabled_cpus, cpu_online_mask);
		__module_get(THIS_MODULE); /* no rmmod while enabled */
		enabled_sys = sys; /* kept until disable */
		WRITE_ONCE(brig_iommu_units, sys->platform.num_iommu_units);
		enabled_sys_size = size;
		sys = NULL;
	}
	cpus_read_unlock();
	if (!err) {
		brig_sysfs_cpus_add();
		brig_cells_enable(enabled_sys);
		brig_vdevs_add(enabled_sys);
		if (!enabled_sys->platform.num_iommu_units)
			pr_warn("brig: the system description names no IOMMU: DMA and device interrupts are not isolated (devices can reach the hypervisor and every cell)\n");
		pr_info("brig: enabled on %u CPUs, hypervisor pool %ld of %ld pages used\n",
			num_online_cpus(),
			brig_hypercall(BRIG_HC_HYPERVISOR_GET_INFO,
				       BRIG_INFO_MEM_POOL_USED, 0),
			brig_hypercall(BRIG_HC_HYPERVISOR_GET_INFO,
				       BRIG_INFO_MEM_POOL_SIZE, 0));
	}
	mutex_unlock(&brig_lock);
	kvfree(sys);
	return err;
}

static atomic_t leave_errors;

/*
 * CPUs the hypervisor wants offline for disable (BRIG_CPU_INFO_LEAVES_
 * OFFLINE: a cell left their APIC in a mode only a reset may undo on some
 * machines): taken offline before, brought up natively after. Under
 * brig_lock.
 */
static cpumask_t leave_offline;

/* Caller holds brig_lock, not the CPU hotplug lock. */
static int offline_for_disable(struct brig_file *bf)
{
	unsigned int cpu;
	int err;

	cpumask_clear(&leave_offline);
	for_each_cpu(cpu, &enabled_cpus) {
		if (!cpu_online(cpu) ||
		    brig_hypercall(BRIG_HC_CPU_GET_INFO, cpu,
				   BRIG_CPU_INFO_LEAVES_OFFLINE) != 1)
			continue;
		/* The disable hypercall names them in one 64-bit mask. */
		if (cpu >= 64) {
			if (bf)
				return brig_fail(
					bf, -EINVAL,
					"CPU %u must leave the hypervisor offline, which is only supported for CPUs below 64",
					cpu);
			return -EINVAL;
		}
		err = remove_cpu(cpu);
		if (err && !bf)
			pr_emerg(
				"brig: CPU %u, which must leave the hypervisor offline, stays online (%d)\n",
				cpu, err);
		if (err)
			return !bf ? err :
				     brig_fail(
					     bf, err,
					     "Linux could not take CPU %u offline, which must leave the hypervisor offline (%d)",
					     cpu, err);
		cpumask_set_cpu(cpu, &leave_offline);
	}
	return 0;
}

/* Bring back what offline_for_disable() took (natively after disable). */
static void online_after_disable(void)
{
	unsigned int cpu;

	for_each_cpu(cpu, &leave_offline)
		if (add_cpu(cpu))
			pr_err("brig: CPU %u did not come back online: try echo 1 > /sys/devices/system/cpu/cpu%u/online\n",
			       cpu, cpu);
	cpumask_clear(&leave_offline);
}

/*
 * A CPU that Linux took offline is parked inside the hypervisor, waiting
 * for its SIPI: it can only leave once Linux brings it back online (unless
 * the driver took it offline to leave that way).
 */
static int check_all_cpus_online(struct brig_file *bf)
{
	unsigned int cpu;

	for_each_cpu(cpu, &enabled_cpus)
		if (!cpu_online(cpu) && !cpumask_test_cpu(cpu, &leave_offline))
			return brig_fail(
				bf, -EBUSY,
				"CPU %u is offline and parked in the hypervisor: bring it online first (echo 1 > /sys/devices/system/cpu/cpu%u/online)",
				cpu, cpu);
	return 0;
}

static void leave_cpu(void *info)
{
	/* The CPUs taken offline to leave with us (below 64, see there). */
	if (brig_arch_leave(cpumask_bits(&leave_offline)[0]))
		atomic_inc(&leave_errors);
}

/* Caller holds brig_lock and the CPU hotplug lock; brig is enabled. */
static int do_disable(void)
{
	atomic_set(&leave_errors, 0);
	on_each_cpu(leave_cpu, NULL, 1);
	if (atomic_read(&leave_errors))
		return -EBUSY;
	brig_enabled = false;
	release_all();
	kvfree(enabled_sys);
	enabled_sys = NULL;
	module_put(THIS_MODULE);
	return 0;
}

int brig_cmd_disable(struct brig_file *bf)
{
	bool vdevs_removed = false;
	int err = 0;

	mutex_lock(&brig_lock);
	if (!brig_enabled)
		err = brig_fail(bf, -EINVAL, "brig is not enabled");
	else if (brig_cells_exist())
		err = brig_fail(bf, -EBUSY,
				"destroy the cells first: brig cell list");
	if (!err) {
		/* Their drivers go (user mappings revoked) before the CPUs. */
		brig_vdevs_remove(enabled_sys);
		vdevs_removed = true;
		err = offline_for_disable(bf);
	}
	cpus_read_lock();
	if (!err)
		err = check_all_cpus_online(bf);
	if (!err) {
		brig_cells_disable();
		brig_sysfs_cpus_remove();
		err = do_disable();
		if (err) {
			brig_sysfs_cpus_add();
			brig_cells_enable(enabled_sys);
			brig_fail(
				bf, err,
				"the hypervisor refused to be disabled; see `brig console`");
		}
	}
	cpus_read_unlock();
	online_after_disable();
	if (err && vdevs_removed)
		brig_vdevs_add(enabled_sys);
	if (!err)
		pr_info("brig: disabled, Linux runs natively again\n");
	mutex_unlock(&brig_lock);
	return err;
}

void brig_disable_for_shutdown(void)
{
	unsigned int cpu;

	mutex_lock(&brig_lock);
	/*
	 * The root's virtual PCI functions stay in Linux's tree: nothing
	 * touches them on the way down (their driver has no shutdown
	 * method), and a kexec'd kernel scans its own.
	 */
	if (brig_enabled) {
		brig_cells_destroy_all();
		brig_cells_disable();
		/* Parked CPUs must come back before they can leave. */
		for_each_cpu(cpu, &enabled_cpus)
			if (!cpu_online(cpu) && add_cpu(cpu))
				pr_emerg(
					"brig: CPU %u did not come back online\n",
					cpu);
		offline_for_disable(NULL);
		brig_sysfs_cpus_remove();
		cpus_read_lock();
		if (do_disable())
			pr_emerg(
				"brig: could not disable the hypervisor before shutdown\n");
		else
			pr_info("brig: disabled for shutdown\n");
		cpus_read_unlock();
	}
	mutex_unlock(&brig_lock);
}

int brig_cmd_console(struct brig_file *bf, void __user *arg)
{
	struct brig_console_page *page;
	struct brig_console_args args;
	long n;
	int err = 0;

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	if (args.reserved)
		return brig_fail(bf, -EINVAL, "reserved field is not zero");
	page = (void *)get_zeroed_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	mutex_lock(&brig_lock);
	if (!brig_enabled) {
		err = brig_fail(bf, -ENODEV, "brig is not enabled");
		goto out;
	}
	n = brig_hypercall(BRIG_HC_CONSOLE_READ, virt_to_phys(page), args.seq);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	n = min_t(long, n, args.size);
	if (copy_to_user(u64_to_user_ptr(args.buf), page->data, n)) {
		err = -EFAULT;
		goto out;
	}
	args.first_seq = page->first_seq;
	args.seq = page->first_seq + n;
	if (copy_to_user(arg, &args, sizeof(args)))
		err = -EFAULT;
	else
		err = (int)n;
out:
	mutex_unlock(&brig_lock);
	free_page((unsigned long)page);
	return err;
}
