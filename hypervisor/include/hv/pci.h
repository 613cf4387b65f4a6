/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI in the core: configuration space through ECAM (MMCONFIG), which
 * device belongs to which cell, the filter between a cell and its
 * device's configuration space (BARs, MSI and MSI-X state), and virtual
 * devices that exist only in the hypervisor.
 *
 * A device listed in a cell's description moves from the root to the
 * cell when the cell is created: its DMA goes through the cell's IOMMU
 * domain, its configuration page and BARs leave the root's second-stage
 * tables, and its configuration space appears, filtered, to the cell
 * (through whatever mechanism the arch emulates for it: 0xcf8/0xcfc on
 * x86). The MSI or MSI-X message the cell programs becomes a validated
 * interrupt-remapping entry (arch_pci_msi_remap()). Destroy reverses it.
 *
 * What a cell may do to its device's configuration space:
 *  - read everything (MSI and MSI-X control show what the cell wrote);
 *  - command register: I/O, memory and bus-master enable, INTx disable;
 *  - BARs: size them and write the original value back, nothing else (a
 *    moved BAR would claim someone else's addresses). Sizing is emulated:
 *    the device's BARs keep the values they had when the cell got it, and
 *    a BAR register the cell wrote all-ones to reads the answer the
 *    device gave to the same probe at assignment, until the cell writes
 *    the original value back;
 *  - device-specific registers (0x40 and up) as they are, except that
 *    PCI Express phantom functions stay disabled (their requests carry
 *    other functions' requester ids, whose contexts are not the cell's)
 *    and read as unsupported;
 *  - MSI and each MSI-X table entry: the cell's wish, validated; the
 *    table's pages trap (a range of the cell's MMIO registry).
 *
 * A device is given to a cell only if its DMA reaches the IOMMU under its
 * own requester id: no bridge above it but PCI Express root and switch
 * ports (a PCI Express to PCI/PCI-X bridge or a conventional PCI bridge
 * forwards DMA under its own id or its secondary bus's). A non-zero
 * bar_mask in the description must be what the BAR register decodes (its
 * probe answer less the type bits), or the cell is refused.
 *
 * Locking: pci_lock guards the device table; management (under
 * cell_lock) and trapped accesses (without it) both take it.
 */
#ifndef _HV_PCI_H
#define _HV_PCI_H

#include <brig/config.h>
#include <hv/types.h>

struct cell;
struct per_cpu;

/* A function's bus:device.function, as Linux's lspci prints it. */
#define BDF_FMT "%02x:%02x.%u"
#define BDF_ARGS(b) (b) >> 8, ((b) >> 3) & 0x1f, (b)&7

#define PCI_BAR0 0x10
#define PCI_MAX_ASSIGNED 32 /* physical devices given to cells at once */
#define PCI_MSIX_MAX 64 /* MSI-X table entries offered to a cell */
/* A device's interrupt remapping slots: its MSI, then its MSI-X entries. */
#define PCI_MSGS_PER_DEVICE (1 + PCI_MSIX_MAX)
#define PCI_MAX_VDEVS 16 /* virtual devices, every cell's together */

/* Map ECAM for the hypervisor's own accesses (enable, first CPU). */
int pci_init(void);

/*
 * One access to configuration space through ECAM (hypervisor/pci-ecam.c):
 * size 1, 2 or 4 bytes, reg aligned to it, a bus the window covers.
 */
u32 pci_ecam_read(u16 bdf, unsigned int reg, unsigned int size);
void pci_ecam_write(u16 bdf, unsigned int reg, unsigned int size, u32 val);

/*
 * Whether a function answers at bdf: through ECAM, or without it through
 * the arch's own mechanism, which is only safe while no CPU runs a guest
 * (arch_pci_function_present(): the root's virtual devices at enable).
 */
bool pci_device_present(u16 bdf);

/* The cell a physical device (source id) belongs to; the root if none. */
struct cell *pci_owner(u16 bdf);

/* Whether cell has any PCI function, physical or virtual. */
bool pci_cell_has_devices(const struct cell *cell);

/* Dry run: can the cell have its devices? Prints why not. */
int pci_cell_check(const struct brig_cell_desc *config);

/* Take the cell's devices from the root / give them back. */
int pci_cell_create(struct cell *cell);
/*
 * After pci_cell_create() and a flush of the root's TLBs: did the root
 * change one of the cell's devices while it was being taken (a BAR moved,
 * decoding or DMA turned back on)? -EBUSY then, saying which.
 */
int pci_cell_verify(const struct cell *cell);
void pci_cell_destroy(struct cell *cell);

/*
 * A configuration access of a non-root cell to bdf, register reg (size 1,
 * 2 or 4 bytes, within one dword). *val is the value written or read.
 * Functions the cell has none at read as all-ones, writes to them are
 * dropped (enumeration goes on as over an empty slot). False: the cell
 * was stopped (cell_fail() said why).
 */
bool pci_cell_config(struct per_cpu *cpu, u16 bdf, unsigned int reg,
		     unsigned int size, bool is_write, u32 *val);

/*
 * A configuration access of the root to bdf through a mechanism that
 * traps (the arch's legacy one, or ECAM): true if the core answered it
 * (a virtual device of the root; a device a cell holds: all-ones,
 * dropped, reported once; any other function of a bus ECAM covers: done
 * through ECAM, under the same lock as the ownership check); false if
 * the arch should carry it out itself (no ECAM for that bus).
 */
bool pci_root_config(struct per_cpu *cpu, u16 bdf, unsigned int reg,
		     unsigned int size, bool is_write, u32 *val);

/* --- virtual devices ------------------------------------------------------ */

struct pci_vdev;

/*
 * A device that exists only in the hypervisor. The core keeps its
 * configuration space (cfg, 256 bytes: the header and capabilities) and
 * emulates the standard behaviour: writable bits are those of wmask,
 * a memory BAR with a size in bar_size answers the all-ones probe with
 * its size mask. on_write, if set, sees every dword written, after the
 * core applied it (to act on an enable bit, say); false stops the cell.
 * The device traps its own BAR ranges through the MMIO registry.
 */
struct pci_vdev_ops {
	bool (*on_write)(struct per_cpu *cpu, struct pci_vdev *dev,
			 unsigned int reg, u32 old, u32 val);
};

struct pci_vdev {
	u16 bdf;
	const struct pci_vdev_ops *ops;
	void *priv;
	u32 cfg[64];
	u32 wmask[64];
	u64 bar_size[6]; /* 0: no BAR there */
	/*
	 * The BARs stay where cfg has them at attach: the all-ones probe
	 * reads the size mask, any other write restores the fixed value (as
	 * for a cell's physical devices). Otherwise they move as written.
	 */
	bool fixed_bars;
	/* set by the core */
	struct cell *cell;
	u32 bar_fixed[6];
};

/*
 * The device appears at dev->bdf in cell's configuration space (the
 * root's too: its ECAM page of that function then traps). -EEXIST if
 * a device is already there for that cell (for the root: a function the
 * hardware has, or one a cell holds), -ENOSPC when the table is full.
 * Attach and detach run under cell_lock while no CPU of the cell can be
 * in the device's handlers (the cell's CPUs parked; for the root, at
 * enable or disable), and the caller flushes the root's TLBs after a
 * root device's ECAM page left the root. pci_cell_destroy() detaches the
 * cell's virtual devices.
 */
int pci_vdev_attach(struct cell *cell, struct pci_vdev *dev);
void pci_vdev_detach(struct pci_vdev *dev);

/* The base of a virtual device's memory BAR n as the cell set it. */
u64 pci_vdev_bar(const struct pci_vdev *dev, unsigned int n);

#endif /* _HV_PCI_H */
