// SPDX-License-Identifier: GPL-2.0
/*
 * brig.ko: the root cell's side of brig.
 *
 * The module gives user space /dev/brig, through which the `brig` tool asks
 * for the hypervisor to be enabled, cells to be created and so on, and
 * publishes the hypervisor's state under /sys/class/misc/brig/. It uses only
 * interfaces that stock distribution kernels export (tests/symbols checks
 * the module's imports against scripts/allowed-symbols.txt).
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <linux/device.h>

#include <brig/ioctl.h>
#include <brig/version.h>

#include "brig.h"

/* Serialises every state change: enable, disable, cell operations. */
DEFINE_MUTEX(brig_lock);
bool brig_enabled;

static long brig_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	/* Nothing is implemented behind the device yet but its presence. */
	return -ENOTTY;
}

static const struct file_operations brig_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = brig_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

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

static struct attribute *brig_attrs[] = {
	&dev_attr_enabled.attr,
	&dev_attr_version.attr,
	NULL,
};
ATTRIBUTE_GROUPS(brig);

static struct miscdevice brig_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "brig",
	.fops = &brig_fops,
	.groups = brig_groups,
	.mode = 0600,
};

static int __init brig_init(void)
{
	int err;

	err = misc_register(&brig_misc);
	if (err) {
		pr_err("brig: cannot register /dev/brig: %d\n", err);
		return err;
	}
	pr_info("brig: version %s ready, /dev/brig\n", BRIG_VERSION);
	return 0;
}

static void __exit brig_exit(void)
{
	misc_deregister(&brig_misc);
	pr_info("brig: unloaded\n");
}

module_init(brig_init);
module_exit(brig_exit);

MODULE_DESCRIPTION("brig static partitioning hypervisor: root cell driver");
MODULE_LICENSE("GPL");
MODULE_VERSION(BRIG_VERSION);
