// SPDX-License-Identifier: GPL-2.0
/*
 * brig.ko: the root cell's side of brig.
 *
 * The module gives user space /dev/brig, through which the `brig` tool asks
 * for the hypervisor to be enabled, cells to be created and so on, and
 * publishes the hypervisor's state under /sys/class/misc/brig/. It uses only
 * interfaces that stock distribution kernels export (scripts/check-symbols.sh
 * checks the module's imports against scripts/allowed-symbols.txt).
 *
 * While the hypervisor runs, the module cannot be unloaded (it holds a
 * reference on itself), reboot, power-off and kexec disable the hypervisor
 * first, and suspend and hibernation are refused.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/suspend.h>
#include <linux/uaccess.h>

#include <brig/ioctl.h>
#include <brig/version.h>

#include "brig.h"

DEFINE_MUTEX(brig_lock);
bool brig_enabled;
struct device *brig_dev;

int brig_fail(struct brig_file *bf, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bf->error, sizeof(bf->error), fmt, ap);
	va_end(ap);
	pr_err("brig: %s\n", bf->error);
	return err;
}

static int brig_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(sizeof(struct brig_file), GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int brig_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

/* The reason for the last refused request on this file, then nothing. */
static ssize_t brig_read(struct file *file, char __user *buf, size_t len,
			 loff_t *pos)
{
	struct brig_file *bf = file->private_data;
	size_t n = strnlen(bf->error, sizeof(bf->error));

	n = min(n, len);
	if (copy_to_user(buf, bf->error, n))
		return -EFAULT;
	memset(bf->error, 0, sizeof(bf->error));
	return n;
}

static long brig_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct brig_file *bf = file->private_data;
	void __user *uarg = (void __user *)arg;

	bf->error[0] = '\0';
	switch (cmd) {
	case BRIG_IOC_ENABLE:
		return brig_cmd_enable(bf, uarg);
	case BRIG_IOC_DISABLE:
		return brig_cmd_disable(bf);
	case BRIG_IOC_CONSOLE:
		return brig_cmd_console(bf, uarg);
	case BRIG_IOC_CELL_CREATE:
		return brig_cmd_cell_create(bf, uarg);
	case BRIG_IOC_CELL_LOAD:
		return brig_cmd_cell_load(bf, uarg);
	case BRIG_IOC_CELL_START:
		return brig_cmd_cell_start(bf, uarg);
	case BRIG_IOC_CELL_SHUTDOWN:
		return brig_cmd_cell_shutdown(bf, uarg);
	case BRIG_IOC_CELL_DESTROY:
		return brig_cmd_cell_destroy(bf, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations brig_fops = {
	.owner = THIS_MODULE,
	.open = brig_open,
	.release = brig_release,
	.read = brig_read,
	.unlocked_ioctl = brig_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice brig_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "brig",
	.fops = &brig_fops,
	.mode = 0600,
};

static int brig_reboot(struct notifier_block *nb, unsigned long action,
		       void *data)
{
	/* Reboot, halt, power-off and kexec all pass here. */
	brig_disable_for_shutdown();
	return NOTIFY_DONE;
}

static struct notifier_block brig_reboot_nb = {
	.notifier_call = brig_reboot,
};

static int brig_pm(struct notifier_block *nb, unsigned long action, void *data)
{
	if ((action == PM_SUSPEND_PREPARE ||
	     action == PM_HIBERNATION_PREPARE) &&
	    READ_ONCE(brig_enabled)) {
		pr_err("brig: suspend refused while the hypervisor runs: `brig disable` first\n");
		return notifier_from_errno(-EBUSY);
	}
	return NOTIFY_DONE;
}

static struct notifier_block brig_pm_nb = {
	.notifier_call = brig_pm,
};

static int __init brig_init(void)
{
	int err;

	err = misc_register(&brig_misc);
	if (err) {
		pr_err("brig: cannot register /dev/brig: %d\n", err);
		return err;
	}
	brig_dev = brig_misc.this_device;
	err = brig_sysfs_init();
	if (err)
		goto out_misc;
	err = register_reboot_notifier(&brig_reboot_nb);
	if (err)
		goto out_sysfs;
	err = register_pm_notifier(&brig_pm_nb);
	if (err)
		goto out_reboot;
	err = brig_cells_hotplug_init();
	if (err)
		goto out_pm;
	pr_info("brig: version %s ready, /dev/brig\n", BRIG_VERSION);
	return 0;

out_pm:
	unregister_pm_notifier(&brig_pm_nb);
out_reboot:
	unregister_reboot_notifier(&brig_reboot_nb);
out_sysfs:
	brig_sysfs_exit();
out_misc:
	misc_deregister(&brig_misc);
	return err;
}

static void __exit brig_exit(void)
{
	brig_cells_hotplug_exit();
	unregister_pm_notifier(&brig_pm_nb);
	unregister_reboot_notifier(&brig_reboot_nb);
	brig_sysfs_exit();
	misc_deregister(&brig_misc);
	pr_info("brig: unloaded\n");
}

module_init(brig_init);
module_exit(brig_exit);

MODULE_DESCRIPTION("brig static partitioning hypervisor: root cell driver");
MODULE_LICENSE("GPL");
MODULE_VERSION(BRIG_VERSION);
