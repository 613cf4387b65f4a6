// SPDX-License-Identifier: GPL-2.0
/*
 * The root's virtual PCI functions (its ivshmem devices, docs/ivshmem.md)
 * in Linux's PCI tree. They exist only while the hypervisor runs: each is
 * scanned in after enable and removed before disable, one function at a
 * time (a rescan of the whole bus would also assign its BARs anew).
 *
 * Their BARs stay where the system description fixed them: the
 * hypervisor answers a write elsewhere with the fixed value, and traps
 * exactly that range in the root. So each BAR is claimed at its address,
 * inside the bus's window, never assigned; a function whose BAR cannot
 * be claimed there is removed again and said.
 */
#include <linux/pci.h>

#include <brig/ivshmem.h>

#include "brig.h"

static bool is_root_vdev(const struct brig_pci_device *d)
{
	return d->type == BRIG_PCI_TYPE_IVSHMEM;
}

/* Claim BARs 0 and 1 where they are; false (said) if one cannot be. */
static bool claim_bars(struct pci_dev *pdev)
{
	for (int bar = 0; bar < 2; bar++) {
		int err = pci_claim_resource(pdev, bar);

		if (err) {
			pci_err(pdev,
				"brig: BAR %d %pR cannot be claimed where the system description puts it (%d): it must lie in a window of its bus and clear of other devices\n",
				bar, &pdev->resource[bar], err);
			return false;
		}
	}
	return true;
}

static void add_one(const struct brig_pci_device *d)
{
	unsigned int busnr = d->bdf >> 8, devfn = d->bdf & 0xff;
	struct pci_bus *bus;
	struct pci_dev *pdev;

	pci_lock_rescan_remove();
	bus = pci_find_bus(d->domain, busnr);
	pdev = bus ? pci_get_slot(bus, devfn) : NULL;
	if (!bus) {
		pr_err("brig: ivshmem device %04x:%02x:%02x.%u: Linux has no such bus\n",
		       d->domain, busnr, PCI_SLOT(devfn), PCI_FUNC(devfn));
	} else if (pdev) {
		pci_info(pdev,
			 "brig: already in the PCI tree, left as it is\n");
		pci_dev_put(pdev);
	} else {
		pdev = pci_scan_single_device(bus, devfn);
		if (!pdev)
			pr_err("brig: ivshmem device %04x:%02x:%02x.%u does not answer\n",
			       d->domain, busnr, PCI_SLOT(devfn),
			       PCI_FUNC(devfn));
		else if (!claim_bars(pdev))
			pci_stop_and_remove_bus_device(pdev);
		else
			pci_bus_add_device(pdev);
	}
	pci_unlock_rescan_remove();
}

void brig_vdevs_add(const struct brig_system_desc *sys)
{
	const struct brig_pci_device *dev =
		brig_cell_pci_devices(&sys->root_cell);

	for (u32 n = 0; n < sys->root_cell.num_pci_devices; n++)
		if (is_root_vdev(&dev[n]))
			add_one(&dev[n]);
}

/*
 * Removing the function unbinds its driver, which revokes what user space
 * mapped of it (brig_ivshmem.ko). A function someone removed already, or
 * one of another kind found there, is left alone.
 */
void brig_vdevs_remove(const struct brig_system_desc *sys)
{
	const struct brig_pci_device *dev =
		brig_cell_pci_devices(&sys->root_cell);

	for (u32 n = 0; n < sys->root_cell.num_pci_devices; n++) {
		struct pci_dev *pdev;

		if (!is_root_vdev(&dev[n]))
			continue;
		pdev = pci_get_domain_bus_and_slot(
			dev[n].domain, dev[n].bdf >> 8, dev[n].bdf & 0xff);
		if (!pdev)
			continue;
		if (pdev->vendor == BRIG_IVSHMEM_VENDOR &&
		    pdev->device == BRIG_IVSHMEM_DEVICE)
			pci_stop_and_remove_bus_device_locked(pdev);
		pci_dev_put(pdev);
	}
}
