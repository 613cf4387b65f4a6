// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * ivshmem: shared-memory channels between cells, through the ivshmem-v2
 * PCI device the hypervisor shows each side (include/brig/ivshmem.h).
 *
 * The device's configuration space tells where everything is: the vendor
 * capability gives the sizes of the state table, the read/write section
 * and the output sections and the address of the memory; BAR 0 holds the
 * registers, the MSI-X capability says where the table is. Under brig the
 * BARs are fixed: they are read, never placed. Set-up reads configuration
 * space and registers, each access a VM exit; after that the shared
 * memory is plain memory (no exit), and only a doorbell or a state change
 * (one register write each) leaves the cell.
 *
 * The inmate reaches memory 1:1 within the 4 GiB the entry code maps:
 * shared memory below 0xc0000000 is write-back there, above it uncached
 * (correct, only slower).
 */
#include <inmate.h>

#include <brig/ivshmem.h>

#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_VNDR_LEN 0x02 /* the capability's length byte */
#define PCI_CFG_CLASS_REV 0x08 /* revision, interface, sub-class, class */
#define INMATE_MAPPED_END 0x100000000ULL /* entry.S maps the first 4 GiB */
#define MSIX_ENTRY_SIZE 16

static int unusable(const struct ivshmem *dev, const char *why)
{
	printk("ivshmem: %02x:%02x.%x: %s\n", PCI_BUS(dev->bdf),
	       PCI_DEV(dev->bdf), PCI_FN(dev->bdf), why);
	return -1;
}

/* The n-th match: each search starts after the previous hit. */
static int find_bdf(unsigned int n)
{
	int bdf = -1;

	do
		bdf = pci_find_device(BRIG_IVSHMEM_VENDOR, BRIG_IVSHMEM_DEVICE,
				      bdf + 1);
	while (bdf >= 0 && n-- > 0);
	return bdf;
}

static __u64 read_config64(__u16 bdf, unsigned int reg)
{
	return pci_read_config(bdf, reg, 4) |
	       (__u64)pci_read_config(bdf, reg + 4, 4) << 32;
}

static int read_vendor_cap(struct ivshmem *dev)
{
	int cap = pci_find_cap(dev->bdf, PCI_CAP_ID_VNDR);
	unsigned int pos = (unsigned int)cap;

	if (cap < 0 || pci_read_config(dev->bdf, pos + PCI_CAP_VNDR_LEN, 1) <
			       BRIG_IVSHMEM_CAP_LENGTH)
		return unusable(dev, "no ivshmem vendor capability");
	dev->state_size =
		pci_read_config(dev->bdf, pos + BRIG_IVSHMEM_CAP_STATE_SIZE, 4);
	dev->rw_size = read_config64(dev->bdf, pos + BRIG_IVSHMEM_CAP_RW_SIZE);
	dev->out_size =
		read_config64(dev->bdf, pos + BRIG_IVSHMEM_CAP_OUT_SIZE);
	dev->shmem = read_config64(dev->bdf, pos + BRIG_IVSHMEM_CAP_ADDRESS);
	dev->protocol =
		(__u16)(pci_read_config(dev->bdf, PCI_CFG_CLASS_REV, 4) >> 8);
	return 0;
}

static bool mapped(__u64 base, __u64 size)
{
	return base < INMATE_MAPPED_END && size <= INMATE_MAPPED_END - base;
}

/* A memory BAR that is assigned, holds size bytes and is mapped. */
static bool bar_usable(__u16 bdf, unsigned int n, __u64 size,
		       struct pci_bar *bar)
{
	return !pci_bar_probe(bdf, n, bar) && !bar->io && bar->base &&
	       bar->size >= size && mapped(bar->base, bar->size);
}

static int read_bars(struct ivshmem *dev)
{
	struct pci_bar regs, table;
	unsigned int bir;
	__u32 offset;

	if (pci_msix_table(dev->bdf, &bir, &offset, &dev->vectors))
		return unusable(dev, "no MSI-X capability");
	if (!bar_usable(dev->bdf, 0, BRIG_IVSHMEM_REG_STATE + 4, &regs))
		return unusable(dev, "BAR 0 (registers) missing or unassigned");
	if (!bar_usable(dev->bdf, bir,
			offset + (__u64)dev->vectors * MSIX_ENTRY_SIZE, &table))
		return unusable(dev, "the MSI-X table's BAR missing or "
				     "unassigned");
	dev->regs = regs.base;
	dev->msix_table = table.base + offset;
	return 0;
}

/*
 * The peer count bounds the state table and the output sections; each
 * size is checked on its own first, so the sum cannot overflow.
 */
static int check_layout(const struct ivshmem *dev)
{
	__u64 total;

	if (!dev->max_peers || dev->id >= dev->max_peers ||
	    dev->max_peers > dev->state_size / 4)
		return unusable(dev, "peer id, peer count and state table "
				     "disagree");
	if (!mapped(dev->shmem, dev->state_size) ||
	    !mapped(dev->shmem, dev->rw_size) ||
	    !mapped(dev->shmem, dev->out_size))
		return unusable(dev, "shared memory beyond 4 GiB");
	total = dev->state_size + dev->rw_size + dev->max_peers * dev->out_size;
	if (!mapped(dev->shmem, total))
		return unusable(dev, "shared memory beyond 4 GiB");
	return 0;
}

/*
 * Bus mastering is turned on with memory decoding: a PCI function sends
 * MSI-X messages only with it, and a device model may insist on that.
 */
int ivshmem_find(unsigned int n, struct ivshmem *dev)
{
	int bdf = find_bdf(n);

	memset(dev, 0, sizeof(*dev));
	if (bdf < 0) {
		printk("ivshmem: no ivshmem device number %u\n", n);
		return -1;
	}
	dev->bdf = (__u16)bdf;
	if (read_vendor_cap(dev) || read_bars(dev))
		return -1;
	pci_enable_device(dev->bdf);
	dev->id = mmio_read32(dev->regs + BRIG_IVSHMEM_REG_ID);
	dev->max_peers = mmio_read32(dev->regs + BRIG_IVSHMEM_REG_MAX_PEERS);
	return check_layout(dev);
}

volatile __u32 *ivshmem_state_table(const struct ivshmem *dev)
{
	return (volatile __u32 *)dev->shmem;
}

__u32 ivshmem_peer_state(const struct ivshmem *dev, unsigned int peer)
{
	return peer < dev->max_peers ? ivshmem_state_table(dev)[peer] : 0;
}

void *ivshmem_rw_section(const struct ivshmem *dev)
{
	if (!dev->rw_size)
		return NULL;
	return (void *)(dev->shmem + dev->state_size);
}

void *ivshmem_output_section(const struct ivshmem *dev, unsigned int peer)
{
	if (peer >= dev->max_peers || !dev->out_size)
		return NULL;
	return (void *)(dev->shmem + dev->state_size + dev->rw_size +
			peer * dev->out_size);
}

/*
 * The first vector enables MSI-X with the function masked and unmasks it
 * once its entry is written, so the device never sees an enabled,
 * half-programmed table.
 */
int ivshmem_set_vector(struct ivshmem *dev, unsigned int vector,
		       unsigned int idt_vector)
{
	if (pci_msix_set_vector(dev->bdf, dev->msix_table, vector, idt_vector,
				apic_id()))
		return -1;
	if (!dev->msix_enabled) {
		pci_msix_enable(dev->bdf);
		pci_msix_set_function_mask(dev->bdf, false);
		dev->msix_enabled = true;
	}
	return 0;
}

void ivshmem_enable_interrupts(const struct ivshmem *dev, bool on)
{
	mmio_write32(dev->regs + BRIG_IVSHMEM_REG_INTX_CTRL,
		     on ? BRIG_IVSHMEM_INT_ENABLE : 0);
}

/*
 * The peer reads the shared memory as soon as the interrupt comes, so
 * everything stored there must be visible before the doorbell is. x86
 * keeps stores in order (TSO) and an uncached store such as this register
 * write is not passed by earlier stores, so wmb() only has to keep the
 * compiler from moving the stores past it; the store itself (a VM exit
 * under brig, after which the hypervisor sends the interrupt) comes after
 * all of them.
 */
void ivshmem_ring(const struct ivshmem *dev, unsigned int peer,
		  unsigned int vector)
{
	wmb();
	mmio_write32(dev->regs + BRIG_IVSHMEM_REG_DOORBELL,
		     BRIG_IVSHMEM_DOORBELL(peer, vector));
}

/* A state may announce data as a doorbell does: same ordering. */
void ivshmem_set_state(const struct ivshmem *dev, __u32 state)
{
	wmb();
	mmio_write32(dev->regs + BRIG_IVSHMEM_REG_STATE, state);
}
