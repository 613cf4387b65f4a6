// SPDX-License-Identifier: GPL-2.0
/*
 * brig_ivshmem.ko: the root's ivshmem devices (docs/ivshmem.md) as UIO
 * devices, so that user space drives a channel with the stock UIO loop:
 * open /dev/uioN, mmap its maps, read() or poll() for doorbells, write 1
 * or 0 to turn its interrupts on or off. brig.ko puts the devices into the
 * PCI tree after enable and takes them out before disable; this module
 * binds to them (a module of its own, so that brig.ko needs no UIO).
 *
 * Maps, each mmap'ed at offset N pages for map N:
 *   0  the registers (BAR 0), uncached: ring a doorbell, set the state;
 *   1  the state table, read-only;
 *   2  the common read/write section (empty: size 0, and sysfs then
 *      lists maps 0 and 1 only, as UIO stops at the first empty map;
 *      maps 3 and 4 are mapped all the same);
 *   3  every peer's output section, read-only;
 *   4  this peer's own output section, read-write.
 * A read-only map cannot be mapped writable (EPERM); every map is
 * MAP_SHARED (a private mapping is refused with EINVAL).
 *
 * Interrupts: each MSI-X vector counts in the one UIO event count; the
 * device's protocol tells them apart (vector 0 means a peer's state
 * changed: compare the state table with what was seen before). Where
 * Linux gives the function no MSI-X (with interrupt remapping on, x86
 * Linux gives MSI only to functions an IOMMU's ACPI scope covers, and a
 * DMAR table that lists its devices one by one, as QEMU's does, cannot
 * name a function that appears later), the device works without
 * interrupts: read() fails with EIO, and users poll the shared memory;
 * doorbells to this peer are then dropped by the hypervisor.
 *
 * Revocation: user mappings are filled page by page at fault time. When
 * the device goes (brig disable, a removal through sysfs), they are
 * zapped and every later access faults with SIGBUS, so no process keeps
 * a window onto memory that returns to Linux or onto registers that stop
 * existing; read() then fails with EIO, as for any UIO device that went.
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uio_driver.h>
#include <linux/version.h>

#include <brig/ivshmem.h>

#define MAP_REGS 0
#define MAP_STATE 1
#define MAP_RW 2
#define MAP_INPUT 3
#define MAP_OUTPUT 4
#define MAX_MAPPINGS 8 /* distinct files (device nodes) mapping it */

struct mapping_ref {
	struct address_space *mapping;
	unsigned int vmas;
};

struct brig_uio {
	struct uio_info info;
	struct pci_dev *pdev;
	void __iomem *regs;
	void *shmem; /* kept mapped: its memory type stays write-back */
	int nvec;
	char name[32];
	struct kref ref; /* the device, and each vma mapping it */
	/* Guards revoked and mappings; faults take it for reading. */
	struct rw_semaphore lock;
	bool revoked;
	struct mapping_ref mappings[MAX_MAPPINGS];
};

static void brig_uio_release(struct kref *ref)
{
	kfree(container_of(ref, struct brig_uio, ref));
}

static bool map_read_only(unsigned long map)
{
	return map == MAP_STATE || map == MAP_INPUT;
}

/* --- user mappings ------------------------------------------------------ */

static struct mapping_ref *find_mapping(struct brig_uio *d,
					struct address_space *mapping)
{
	for (int n = 0; n < MAX_MAPPINGS; n++)
		if (d->mappings[n].mapping == mapping)
			return &d->mappings[n];
	return NULL;
}

/* One more vma of this file maps the device. Caller holds d->lock. */
static int mapping_get(struct brig_uio *d, struct address_space *mapping)
{
	struct mapping_ref *m = find_mapping(d, mapping);

	if (!m)
		m = find_mapping(d, NULL);
	if (!m)
		return -ENOMEM;
	m->mapping = mapping;
	m->vmas++;
	return 0;
}

static void mapping_put(struct brig_uio *d, struct address_space *mapping)
{
	struct mapping_ref *m;

	down_write(&d->lock);
	m = find_mapping(d, mapping);
	if (m && !--m->vmas)
		m->mapping = NULL;
	up_write(&d->lock);
}

static void brig_vm_open(struct vm_area_struct *vma)
{
	struct brig_uio *d = vma->vm_private_data;

	kref_get(&d->ref);
	down_write(&d->lock);
	/* A fork's copy: its file has a slot already, this cannot fail. */
	mapping_get(d, vma->vm_file->f_mapping);
	up_write(&d->lock);
}

static void brig_vm_close(struct vm_area_struct *vma)
{
	struct brig_uio *d = vma->vm_private_data;

	mapping_put(d, vma->vm_file->f_mapping);
	kref_put(&d->ref, brig_uio_release);
}

/* The map index is vm_pgoff: a vma is never split (brig_vm_may_split). */
static int brig_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static vm_fault_t brig_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct brig_uio *d = vma->vm_private_data;
	unsigned long map = vma->vm_pgoff;
	phys_addr_t phys =
		d->info.mem[map].addr + (vmf->address - vma->vm_start);
	vm_fault_t ret = VM_FAULT_SIGBUS;

	down_read(&d->lock);
	if (!d->revoked)
		ret = vmf_insert_pfn(vma, vmf->address, PHYS_PFN(phys));
	up_read(&d->lock);
	return ret;
}

static const struct vm_operations_struct brig_vm_ops = {
	.open = brig_vm_open,
	.close = brig_vm_close,
	.may_split = brig_vm_may_split,
	.fault = brig_vm_fault,
};

static void set_vma_flags(struct vm_area_struct *vma, bool read_only)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	if (read_only)
		vm_flags_clear(vma, VM_MAYWRITE);
#else
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	if (read_only)
		vma->vm_flags &= ~VM_MAYWRITE;
#endif
}

/* UIO checked the map index (vm_pgoff) and the size already. */
static int brig_uio_mmap(struct uio_info *info, struct vm_area_struct *vma)
{
	struct brig_uio *d = info->priv;
	unsigned long map = vma->vm_pgoff;
	int err;

	/*
	 * Shared only: a private copy of device memory means nothing
	 * (MAP_SHARED of a read-only file clears VM_SHARED, not VM_MAYSHARE).
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (map_read_only(map) && (vma->vm_flags & VM_WRITE))
		return -EPERM;
	down_write(&d->lock);
	err = d->revoked ? -ENODEV : mapping_get(d, vma->vm_file->f_mapping);
	up_write(&d->lock);
	if (err)
		return err;
	set_vma_flags(vma, map_read_only(map));
	if (map == MAP_REGS)
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &brig_vm_ops;
	vma->vm_private_data = d;
	kref_get(&d->ref);
	return 0;
}

/*
 * Every page a process mapped is taken away; later accesses fault with
 * SIGBUS. Caller: the device is going (no new mmap gets through UIO).
 */
static void revoke(struct brig_uio *d)
{
	unsigned int users = 0;

	down_write(&d->lock);
	d->revoked = true;
	for (int n = 0; n < MAX_MAPPINGS; n++)
		if (d->mappings[n].mapping) {
			unmap_mapping_range(d->mappings[n].mapping, 0, 0, 1);
			users += d->mappings[n].vmas;
		}
	up_write(&d->lock);
	if (users)
		pci_info(
			d->pdev,
			"brig: %u user mapping(s) revoked: their next access faults (SIGBUS)\n",
			users);
}

/* --- interrupts ---------------------------------------------------------- */

static irqreturn_t brig_uio_irq(int irq, void *arg)
{
	struct brig_uio *d = arg;

	uio_event_notify(&d->info);
	return IRQ_HANDLED;
}

/* write(2) of 1 or 0 to /dev/uioN: the device's interrupt enable. */
static int brig_uio_irqcontrol(struct uio_info *info, s32 on)
{
	struct brig_uio *d = info->priv;

	iowrite32(on ? BRIG_IVSHMEM_INT_ENABLE : 0,
		  d->regs + BRIG_IVSHMEM_REG_INTX_CTRL);
	return 0;
}

static int setup_irqs(struct brig_uio *d)
{
	struct pci_dev *pdev = d->pdev;
	int err, n = pci_alloc_irq_vectors(pdev, 1, pci_msix_vec_count(pdev),
					   PCI_IRQ_MSIX);

	if (n < 0)
		return n;
	d->nvec = n;
	for (int v = 0; v < d->nvec; v++) {
		err = request_irq(pci_irq_vector(pdev, v), brig_uio_irq, 0,
				  d->name, d);
		if (err) {
			while (v--)
				free_irq(pci_irq_vector(pdev, v), d);
			pci_free_irq_vectors(pdev);
			return err;
		}
	}
	return 0;
}

static void free_irqs(struct brig_uio *d)
{
	if (!d->nvec)
		return;
	for (int v = 0; v < d->nvec; v++)
		free_irq(pci_irq_vector(d->pdev, v), d);
	pci_free_irq_vectors(d->pdev);
}

/* --- the device ------------------------------------------------------------ */

static u64 cap_read64(struct pci_dev *pdev, int cap, int off)
{
	u32 lo, hi;

	pci_read_config_dword(pdev, cap + off, &lo);
	pci_read_config_dword(pdev, cap + off + 4, &hi);
	return (u64)hi << 32 | lo;
}

static void set_map(struct uio_mem *m, const char *name, phys_addr_t addr,
		    u64 size)
{
	m->name = name;
	m->addr = addr;
	m->size = size;
	m->memtype = UIO_MEM_PHYS;
}

/*
 * Where the vendor capability says the memory is and how it is cut; the
 * peer id and count from the registers. -ENODEV if it makes no sense.
 */
static int describe(struct brig_uio *d)
{
	struct pci_dev *pdev = d->pdev;
	int cap = pci_find_capability(pdev, PCI_CAP_ID_VNDR);
	u64 rw, out, base, state;
	u32 peer, peers, state32;

	if (!cap)
		return -ENODEV;
	pci_read_config_dword(pdev, cap + BRIG_IVSHMEM_CAP_STATE_SIZE,
			      &state32);
	state = state32;
	rw = cap_read64(pdev, cap, BRIG_IVSHMEM_CAP_RW_SIZE);
	out = cap_read64(pdev, cap, BRIG_IVSHMEM_CAP_OUT_SIZE);
	base = cap_read64(pdev, cap, BRIG_IVSHMEM_CAP_ADDRESS);
	peer = ioread32(d->regs + BRIG_IVSHMEM_REG_ID);
	peers = ioread32(d->regs + BRIG_IVSHMEM_REG_MAX_PEERS);
	if (!state || !PAGE_ALIGNED(base) || !PAGE_ALIGNED(state) ||
	    !PAGE_ALIGNED(rw) || !PAGE_ALIGNED(out) || !out || !peers ||
	    peer >= peers) {
		pci_err(pdev,
			"brig: implausible device: state table %llx, rw %llx, output %llx at %llx, peer %u of %u\n",
			state, rw, out, base, peer, peers);
		return -ENODEV;
	}
	set_map(&d->info.mem[MAP_REGS], "registers",
		pci_resource_start(pdev, 0), BRIG_IVSHMEM_REG_BAR_SIZE);
	set_map(&d->info.mem[MAP_STATE], "state_table", base, state);
	set_map(&d->info.mem[MAP_RW], "rw_section", base + state, rw);
	set_map(&d->info.mem[MAP_INPUT], "input_sections", base + state + rw,
		out * peers);
	set_map(&d->info.mem[MAP_OUTPUT], "output_section",
		base + state + rw + out * peer, out);
	d->shmem = memremap(base, state + rw + out * peers, MEMREMAP_WB);
	return d->shmem ? 0 : -ENOMEM;
}

/*
 * The BAR must be where the hypervisor decodes it: a PCI rescan by hand
 * would have let Linux assign it elsewhere, where nothing answers.
 */
static int check_bar(struct pci_dev *pdev)
{
	u32 bar;

	pci_read_config_dword(pdev, PCI_BASE_ADDRESS_0, &bar);
	if ((bar & PCI_BASE_ADDRESS_MEM_MASK) == pci_resource_start(pdev, 0))
		return 0;
	pci_err(pdev,
		"brig: Linux placed BAR 0 at %pR, but the device decodes %x: remove the device and let brig add it again (brig disable, brig enable)\n",
		&pdev->resource[0], bar & (u32)PCI_BASE_ADDRESS_MEM_MASK);
	return -ENODEV;
}

static int brig_uio_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct brig_uio *d;
	int err;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	kref_init(&d->ref);
	init_rwsem(&d->lock);
	d->pdev = pdev;
	err = pci_enable_device(pdev);
	if (err)
		goto free;
	err = check_bar(pdev);
	if (!err)
		err = pci_request_regions(pdev, "brig_ivshmem");
	if (err)
		goto disable;
	d->regs = pci_iomap(pdev, 0, BRIG_IVSHMEM_REG_BAR_SIZE);
	err = d->regs ? describe(d) : -ENOMEM;
	if (err)
		goto unmap;
	pci_set_master(pdev);
	snprintf(d->name, sizeof(d->name), "brig-ivshmem %s", pci_name(pdev));
	/*
	 * The handler notifies a UIO device not registered yet: harmless,
	 * as the device's interrupts stay off (reset) until registered.
	 */
	err = setup_irqs(d);
	if (err) {
		pci_info(
			pdev,
			"brig: no MSI-X for this function (%d): no interrupts, users poll the shared memory\n",
			err);
		d->nvec = 0;
	}
	d->info.name = "brig-ivshmem";
	d->info.version = "1";
	if (d->nvec) {
		d->info.irq = UIO_IRQ_CUSTOM;
		d->info.irqcontrol = brig_uio_irqcontrol;
	}
	d->info.mmap = brig_uio_mmap;
	d->info.priv = d;
	err = uio_register_device(&pdev->dev, &d->info);
	if (err)
		goto irqs;
	pci_set_drvdata(pdev, d);
	iowrite32(BRIG_IVSHMEM_INT_ENABLE,
		  d->regs + BRIG_IVSHMEM_REG_INTX_CTRL);
	pci_info(pdev, "brig: peer %u of %u, memory at %pa, %d vector(s)\n",
		 ioread32(d->regs + BRIG_IVSHMEM_REG_ID),
		 ioread32(d->regs + BRIG_IVSHMEM_REG_MAX_PEERS),
		 &d->info.mem[MAP_STATE].addr, d->nvec);
	return 0;

irqs:
	free_irqs(d);
unmap:
	if (d->shmem)
		memunmap(d->shmem);
	if (d->regs)
		pci_iounmap(pdev, d->regs);
	pci_release_regions(pdev);
disable:
	pci_disable_device(pdev);
free:
	kref_put(&d->ref, brig_uio_release);
	return err;
}

static void brig_uio_remove(struct pci_dev *pdev)
{
	struct brig_uio *d = pci_get_drvdata(pdev);

	/*
	 * The handler goes first (it notifies the UIO device, which
	 * unregistering frees); then no new open or mmap; then the
	 * mappings that exist.
	 */
	iowrite32(0, d->regs + BRIG_IVSHMEM_REG_INTX_CTRL);
	free_irqs(d);
	uio_unregister_device(&d->info);
	revoke(d);
	iowrite32(0, d->regs + BRIG_IVSHMEM_REG_STATE);
	memunmap(d->shmem);
	pci_iounmap(pdev, d->regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	kref_put(&d->ref, brig_uio_release);
}

static const struct pci_device_id brig_uio_ids[] = {
	{ PCI_DEVICE(BRIG_IVSHMEM_VENDOR, BRIG_IVSHMEM_DEVICE) },
	{ 0 },
};
MODULE_DEVICE_TABLE(pci, brig_uio_ids);

static struct pci_driver brig_uio_driver = {
	.name = "brig_ivshmem",
	.id_table = brig_uio_ids,
	.probe = brig_uio_probe,
	.remove = brig_uio_remove,
};
module_pci_driver(brig_uio_driver);

MODULE_DESCRIPTION("brig: the root cell's ivshmem channels as UIO devices");
MODULE_LICENSE("GPL");
