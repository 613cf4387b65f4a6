// SPDX-License-Identifier: GPL-2.0
/*
 * brig_guest.ko: loaded in the Linux *of a cell* (brig cell linux), not
 * in the root. It is how a stock kernel answers the hypervisor in its comm
 * region (docs/comm-region.md), which it otherwise knows nothing of.
 *
 * brig cell linux names the comm region in the cell's ACPI tables, as
 * device BRIG0001 with the page as its one memory resource, so the usual
 * module autoloading finds this driver. Once bound it says in the region
 * that the cell listens (BRIG_COMM_CAP_LISTENS: the description of a
 * Linux cell says passive, because a cell without this driver cannot
 * answer), and looks for a message every 100 ms: a memory read, no VM
 * exit, no interrupt line needed.
 *
 * A shutdown request is answered "stopping" and becomes an orderly power
 * off (orderly_poweroff(): user space's poweroff, the kernel's own if
 * that fails), which ends in ACPI S5: the hypervisor marks the cell shut
 * down. The root's request waits for that, up to the cell's shutdown
 * timeout.
 */
#include <linux/acpi.h>
#include <linux/version.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/reboot.h>
#include <linux/workqueue.h>

#include <brig/comm.h>

#define POLL_MS 100

struct brig_guest {
	struct device *dev;
	struct brig_comm_region *comm;
	struct delayed_work poll;
};

static void answer(struct brig_guest *g, u32 reply)
{
	/* The message is cleared before the reply is seen: one at a time. */
	smp_store_release(&g->comm->reply_from_cell, reply);
}

static void poll_messages(struct work_struct *work)
{
	struct brig_guest *g =
		container_of(to_delayed_work(work), struct brig_guest, poll);
	u32 msg = READ_ONCE(g->comm->msg_to_cell);

	if (msg != BRIG_MSG_NONE) {
		WRITE_ONCE(g->comm->msg_to_cell, BRIG_MSG_NONE);
		if (msg == BRIG_MSG_SHUTDOWN_REQUEST) {
			dev_info(
				g->dev,
				"the hypervisor asks this cell to stop: powering off\n");
			answer(g, BRIG_REPLY_STOPPING);
			orderly_poweroff(true);
			return; /* nothing to answer any more */
		}
		answer(g, BRIG_REPLY_UNKNOWN_MSG);
	}
	schedule_delayed_work(&g->poll, msecs_to_jiffies(POLL_MS));
}

static int brig_guest_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct resource *res;
	struct brig_guest *g;

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || resource_size(res) < sizeof(*g->comm))
		return dev_err_probe(dev, -EINVAL,
				     "no comm region in the ACPI device\n");
	g = devm_kzalloc(dev, sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->dev = dev;
	g->comm = devm_memremap(dev, res->start, sizeof(*g->comm), MEMREMAP_WB);
	if (IS_ERR(g->comm))
		return dev_err_probe(dev, PTR_ERR(g->comm),
				     "cannot map the comm region at %pa\n",
				     &res->start);
	if (memcmp(g->comm->signature, BRIG_COMM_SIGNATURE,
		   sizeof(g->comm->signature)) ||
	    g->comm->revision != BRIG_COMM_REVISION)
		return dev_err_probe(dev, -ENODEV,
				     "no comm region of revision %u at %pa\n",
				     BRIG_COMM_REVISION, &res->start);
	INIT_DELAYED_WORK(&g->poll, poll_messages);
	platform_set_drvdata(pdev, g);
	WRITE_ONCE(g->comm->cell_caps,
		   READ_ONCE(g->comm->cell_caps) | BRIG_COMM_CAP_LISTENS);
	schedule_delayed_work(&g->poll, 0);
	dev_info(dev, "cell %u, %u CPUs: answering the hypervisor\n",
		 g->comm->cell_id, g->comm->num_cpus);
	return 0;
}

/* Unbound: the cell can no longer be asked; only a forced stop works. */
static void brig_guest_stop(struct brig_guest *g)
{
	WRITE_ONCE(g->comm->cell_caps,
		   READ_ONCE(g->comm->cell_caps) & ~BRIG_COMM_CAP_LISTENS);
	cancel_delayed_work_sync(&g->poll);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static void brig_guest_remove(struct platform_device *pdev)
{
	brig_guest_stop(platform_get_drvdata(pdev));
}
#else
static int brig_guest_remove(struct platform_device *pdev)
{
	brig_guest_stop(platform_get_drvdata(pdev));
	return 0;
}
#endif

static const struct acpi_device_id brig_guest_ids[] = { { "BRIG0001", 0 }, {} };
MODULE_DEVICE_TABLE(acpi, brig_guest_ids);

static struct platform_driver brig_guest_driver = {
	.driver = {
		.name = "brig-guest",
		.acpi_match_table = brig_guest_ids,
	},
	.probe = brig_guest_probe,
	.remove = brig_guest_remove,
};
module_platform_driver(brig_guest_driver);

MODULE_DESCRIPTION("brig: a Linux cell's side of the comm region");
MODULE_LICENSE("GPL");
