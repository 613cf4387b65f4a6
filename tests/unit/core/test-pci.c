// SPDX-License-Identifier: GPL-2.0
/*
 * The core's PCI (hypervisor/pci.c) against the host stub arch: physical
 * functions found through a fake ECAM window, the dry-run refusals, and a
 * virtual device shaped like the ivshmem device to come: a register BAR
 * that traps once the cell enables memory decoding, an MSI-X table BAR
 * and capability, a 64-bit shared-memory BAR whose pages the device maps
 * into the cell's second stage with per-page rights. It is reached from a
 * cell through pci_cell_config() (what x86's emulated 0xcf8/0xcfc calls)
 * and from the root through pci_root_config() and its trapped ECAM page,
 * the same paths as the root's config-space traps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/memory.h>
#include <hv/mmio.h>
#include <hv/pci.h>
#include "../blob-builder.h"
#include "stub-arch.h"
#include "stub-pci.h"
#include "stubs.h"

#define ECAM_SIZE (2u << 20) /* buses 0 and 1 */
#define PHYS_BDF 0x18 /* 00:03.0, a physical function in the fake ECAM */
#define VDEV_BDF 0x28 /* 00:05.0 */
#define REGS_BASE 0xfe100000ULL /* where the cell puts BAR0 */
#define SHMEM_GPA 0x200000000ULL /* and the shared memory (BAR2) */
#define SHMEM_PAGES 4 /* state table, common, output 0, output 1 */
#define MSIX_CAP 0x50
#define OTHER_BDF 0x48 /* 00:09.0, a second physical function */
#define PCI_BUS_NUMBERS_DWORD (0x18 / 4) /* of a type-1 header */

static struct brig_check_blob sys_blob, cell_blob;
static struct cell cell;
static struct brig_check_blob devcell_blob;
static struct cell devcell; /* a cell with physical devices, on CPU 1 */
static void *pool_mem;
static u32 *ecam;
static u8 *shmem;

/* --- the fake ivshmem-shaped device --------------------------------------- */

struct fake {
	struct pci_vdev dev;
	bool regs_trapped;
	u32 doorbells; /* writes to the doorbell register */
	bool msix_enabled;
	unsigned int writes; /* on_write calls */
};

static struct fake fake, fake2;

static enum mmio_result fake_regs(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg)
{
	struct fake *f = arg;
	unsigned int off =
		(unsigned int)(acc->address - pci_vdev_bar(&f->dev, 0));

	(void)cpu;
	if (acc->is_write && off == 0x0c)
		f->doorbells++;
	else if (!acc->is_write)
		acc->value = off == 0 ? 1 : 0; /* ID: this peer is 1 */
	return MMIO_HANDLED;
}

/* Shared memory in the cell's second stage, the model's rights per page. */
static void map_shmem(struct cell *c, unsigned int own_peer)
{
	for (unsigned int p = 0; p < SHMEM_PAGES; p++) {
		bool writable = p == 1 || p == 2 + own_peer;

		assert_int_equal(
			paging_map(&c->stage2, SHMEM_GPA + p * PAGE_SIZE,
				   (u64)(uintptr_t)shmem + p * PAGE_SIZE,
				   PAGE_SIZE, writable ? PAGE_RW : PAGE_READ),
			0);
	}
}

static bool fake_on_write(struct per_cpu *cpu, struct pci_vdev *dev,
			  unsigned int reg, u32 old, u32 val)
{
	struct fake *f = dev->priv;

	(void)cpu;
	(void)old;
	f->writes++;
	if (reg == 0x04 && (val & 2) && !f->regs_trapped) {
		assert_int_equal(mmio_register(dev->cell, pci_vdev_bar(dev, 0),
					       0x1000, fake_regs, f),
				 0);
		f->regs_trapped = true;
	}
	if (reg == MSIX_CAP)
		f->msix_enabled = val & (1u << 31);
	return true;
}

static const struct pci_vdev_ops fake_ops = { .on_write = fake_on_write };

static void fake_init(struct fake *f, u16 bdf)
{
	struct pci_vdev *d = &f->dev;

	memset(f, 0, sizeof(*f));
	d->bdf = bdf;
	d->ops = &fake_ops;
	d->priv = f;
	d->cfg[0] = 0x4106110a; /* vendor 0x110a, device 0x4106 */
	d->cfg[1] = 0x00100000; /* status: capability list */
	d->cfg[2] = 0xff000100; /* class 0xff, protocol 0x0001 */
	d->cfg[4] = 0; /* BAR0: 32-bit memory, 4 KiB of registers */
	d->cfg[5] = 0; /* BAR1: MSI-X table, 4 KiB */
	d->cfg[6] = 0x4; /* BAR2: 64-bit memory, the shared memory */
	d->cfg[0x34 / 4] = MSIX_CAP;
	d->cfg[MSIX_CAP / 4] = 0x00010011; /* MSI-X, 2 vectors */
	d->cfg[MSIX_CAP / 4 + 1] = 1; /* table in BAR1 */
	d->wmask[1] = 0x0407;
	d->wmask[MSIX_CAP / 4] = 0xc0000000; /* enable, function mask */
	d->bar_size[0] = 0x1000;
	d->bar_size[1] = 0x1000;
	d->bar_size[2] = SHMEM_PAGES * PAGE_SIZE;
}

/* --- set-up --------------------------------------------------------------- */

static int setup(void **state)
{
	struct system_parts s;
	struct cell_parts c;

	(void)state;
	stub_reset();
	stub_iommu_usable = true;
	stub_root_config_trapped = false;
	stub_assigned = stub_msi_remapped = stub_msi_cleared = 0;
	stub_pci_reset();
	ecam = aligned_alloc(ECAM_SIZE, ECAM_SIZE);
	memset(ecam, 0xff, ECAM_SIZE);
	/*
	 * edu-like, MSI (64-bit) at 0x40, and a BAR of every kind: BAR0
	 * 32-bit memory (4 KiB), BAR1 I/O (32 ports), BAR2/3 64-bit
	 * prefetchable memory (16 KiB at 8 GiB), no BAR4 and BAR5.
	 */
	ecam[PHYS_BDF << 10] = 0x11e81234;
	ecam[(PHYS_BDF << 10) + 1] = 0x00100000; /* capability list */
	ecam[(PHYS_BDF << 10) + 3] = 0; /* header type 0 */
	ecam[(PHYS_BDF << 10) + 4] = 0xfea00000;
	ecam[(PHYS_BDF << 10) + 5] = 0xc001;
	ecam[(PHYS_BDF << 10) + 6] = 0x0000000c;
	ecam[(PHYS_BDF << 10) + 7] = 0x2;
	ecam[(PHYS_BDF << 10) + 8] = 0;
	ecam[(PHYS_BDF << 10) + 9] = 0;
	stub_pci_bar(PHYS_BDF, 0, 0xfffff000);
	stub_pci_bar(PHYS_BDF, 1, 0xffffffe0);
	stub_pci_bar(PHYS_BDF, 2, 0xffffc000);
	stub_pci_bar(PHYS_BDF, 3, 0xffffffff);
	stub_pci_bar(PHYS_BDF, 4, 0);
	stub_pci_bar(PHYS_BDF, 5, 0);
	ecam[(PHYS_BDF << 10) + 0x34 / 4] = 0x40;
	ecam[(PHYS_BDF << 10) + 0x40 / 4] = 0x00800005; /* MSI, 64-bit */
	for (unsigned int r = 0x44; r < 0x100; r += 4)
		ecam[(PHYS_BDF << 10) + r / 4] = 0;
	shmem = aligned_alloc(PAGE_SIZE, SHMEM_PAGES * PAGE_SIZE);

	qemu_system(&s);
	s.sys.platform.pci_mmconfig_base = (u64)(uintptr_t)ecam;
	s.sys.platform.pci_mmconfig_end_bus = 1;
	/* The root's description maps its ECAM, as the real ones do. */
	s.root.mem[s.root.hdr.num_memory_regions++] =
		region((u64)(uintptr_t)ecam, (u64)(uintptr_t)ecam, ECAM_SIZE,
		       BRIG_MEM_TYPE_MMIO, BRIG_MEM_READ | BRIG_MEM_WRITE);
	sys_blob = pack_system(&s);
	system_config = sys_blob.data;
	hello_cell(&c, "inmate", 1, 0x3c000000);
	cell_blob = pack_cell(&c);
	memset(&cell, 0, sizeof(cell));
	cell.id = 1;
	cell.config = cell_blob.data;

	pool_mem = test_pool_create(&mem_pool, 512);
	assert_int_equal(paging_init(&hv_paging, &stub_format, &mem_pool), 0);
	root_cell.config = &system_config->root_cell;
	assert_int_equal(
		paging_init(&root_cell.stage2, &stub_format, &mem_pool), 0);
	/* The root's ECAM as its description would map it. */
	assert_int_equal(paging_map(&root_cell.stage2, (u64)(uintptr_t)ecam,
				    (u64)(uintptr_t)ecam, ECAM_SIZE,
				    PAGE_RW | PAGE_DEVICE),
			 0);
	assert_int_equal(paging_init(&cell.stage2, &stub_format, &mem_pool), 0);
	assert_int_equal(pci_init(), 0);
	per_cpu(0)->cell = &root_cell;
	per_cpu(1)->cell = &cell;
	fake_init(&fake, VDEV_BDF);
	return 0;
}

static void devcell_free(void)
{
	if (!devcell.config)
		return;
	pci_cell_destroy(&devcell);
	paging_destroy(&devcell.stage2);
	free((void *)devcell_blob.data);
	devcell.config = NULL;
	per_cpu(1)->cell = &cell;
}

static int teardown(void **state)
{
	(void)state;
	devcell_free();
	pci_cell_destroy(&cell);
	pci_cell_destroy(&root_cell);
	paging_destroy(&cell.stage2);
	paging_destroy(&root_cell.stage2);
	paging_destroy(&hv_paging);
	free(pool_mem);
	free(ecam);
	free(shmem);
	free((void *)sys_blob.data);
	free((void *)cell_blob.data);
	return 0;
}

static u32 cell_read(u16 bdf, unsigned int reg, unsigned int size)
{
	u32 v = 0x5a5a5a5a;

	assert_true(pci_cell_config(per_cpu(1), bdf, reg, size, false, &v));
	return v;
}

static void cell_write(u16 bdf, unsigned int reg, unsigned int size, u32 v)
{
	assert_true(pci_cell_config(per_cpu(1), bdf, reg, size, true, &v));
}

/* --- physical functions ---------------------------------------------------- */

/* Create devcell (id 2, CPU 1, the caller) with the devices pci[0..n). */
static int devcell_create(const struct brig_pci_device *pci, unsigned int n)
{
	struct cell_parts c;

	devcell_free();
	stub_set_cpu(1);
	hello_cell(&c, "withdev", 1, 0x3c000000);
	memcpy(c.pci, pci, n * sizeof(*pci));
	c.hdr.num_pci_devices = n;
	devcell_blob = pack_cell(&c);
	memset(&devcell, 0, sizeof(devcell));
	devcell.id = 2;
	devcell.config = devcell_blob.data;
	assert_int_equal(paging_init(&devcell.stage2, &stub_format, &mem_pool),
			 0);
	per_cpu(1)->cell = &devcell;
	return pci_cell_create(&devcell);
}

/* Whether the root's description still maps bdf's configuration page. */
static bool root_has_config_page(u16 bdf)
{
	u64 page = (u64)(uintptr_t)ecam + ((u64)bdf << 12);

	return paging_virt_to_phys_walk(&root_cell.stage2, page, NULL) == page;
}

static void test_device_present(void **state)
{
	(void)state;
	assert_true(pci_device_present(PHYS_BDF));
	assert_false(pci_device_present(0x20));
	assert_false(pci_device_present(0x200)); /* bus 2: no ECAM for it */
	assert_ptr_equal(pci_owner(PHYS_BDF), &root_cell);
}

static void test_cell_check(void **state)
{
	struct brig_cell_desc *cfg = (struct brig_cell_desc *)cell.config;
	struct cell_parts c;
	struct brig_check_blob b;

	(void)state;
	hello_cell(&c, "withdev", 1, 0x3c000000);
	c.pci[0] = (struct brig_pci_device){ .type = BRIG_PCI_TYPE_DEVICE,
					     .bdf = 0x20,
					     .iommu = 0 };
	c.hdr.num_pci_devices = 1;
	b = pack_cell(&c);
	assert_int_equal(pci_cell_check(b.data), -EINVAL);
	assert_true(stub_logged("PCI device 00:04.0: there is no such device"));
	c.pci[0].bdf = PHYS_BDF;
	free((void *)b.data);
	b = pack_cell(&c);
	stub_iommu_usable = false;
	assert_int_equal(pci_cell_check(b.data), -EINVAL);
	assert_true(stub_logged("no IOMMU unit with interrupt remapping"));
	stub_iommu_usable = true;
	assert_int_equal(pci_cell_check(b.data), 0);
	c.pci[0].bdf = 0x200;
	free((void *)b.data);
	b = pack_cell(&c);
	assert_int_equal(pci_cell_check(b.data), -EINVAL);
	assert_true(stub_logged("no MMCONFIG for its bus"));
	free((void *)b.data);
	assert_int_equal(pci_cell_check(cfg), 0); /* no devices: fine */
}

/* A cell reads nothing of functions it does not have; writes go nowhere. */
static void test_cell_sees_only_its_own(void **state)
{
	(void)state;
	assert_false(pci_cell_has_devices(&cell));
	assert_int_equal(cell_read(PHYS_BDF, 0, 4), 0xffffffff);
	cell_write(PHYS_BDF, 0x04, 2, 0x7);
	assert_int_equal(ecam[(PHYS_BDF << 10) + 1], 0x00100000);
	/*
	 * The root's accesses to functions nobody holds: through ECAM, for
	 * the function checked (a byte, a word, a dword); a bus ECAM does
	 * not cover is the arch's.
	 */
	u32 v = 0;
	assert_true(pci_root_config(per_cpu(0), PHYS_BDF, 0, 4, false, &v));
	assert_int_equal(v, 0x11e81234);
	assert_true(pci_root_config(per_cpu(0), PHYS_BDF, 2, 2, false, &v));
	assert_int_equal(v, 0x11e8);
	v = 0x06;
	assert_true(pci_root_config(per_cpu(0), PHYS_BDF, 4, 1, true, &v));
	assert_int_equal(ecam[(PHYS_BDF << 10) + 1], 0x00100006);
	/* A word at offset 1 goes byte by byte (ECAM wants aligned). */
	assert_true(pci_root_config(per_cpu(0), PHYS_BDF, 1, 2, false, &v));
	assert_int_equal(v, 0xe812);
	assert_false(pci_root_config(per_cpu(0), 0x200, 0, 4, false, &v));
	assert_false(stub_root_config_trapped);
}

/* A physical device given to a cell: what the filter lets through. */
static void test_phys_assign_and_filter(void **state)
{
	const struct brig_pci_device d = { .type = BRIG_PCI_TYPE_DEVICE,
					   .bdf = PHYS_BDF,
					   .iommu = 0 };
	u32 *cfg = &ecam[PHYS_BDF << 10];
	u64 page = (u64)(uintptr_t)ecam + ((u64)PHYS_BDF << 12);
	u32 v = 0;

	(void)state;
	assert_int_equal(devcell_create(&d, 1), 0);
	assert_ptr_equal(pci_owner(PHYS_BDF), &devcell);
	assert_int_equal(stub_assigned, 1);
	assert_true(stub_root_config_trapped);
	/* The root lost the function's ECAM page and is denied the rest. */
	assert_int_equal(paging_virt_to_phys_walk(&root_cell.stage2, page,
						  NULL),
			 INVALID_PHYS);
	assert_true(pci_root_config(per_cpu(0), PHYS_BDF, 0, 4, false, &v));
	assert_int_equal(v, 0xffffffff);
	assert_true(
		stub_logged("configuration read of PCI device 00:03.0 denied"));

	/* The cell sees its device; the command register keeps what is allowed. */
	assert_int_equal(cell_read(PHYS_BDF, 0, 4), 0x11e81234);
	cell_write(PHYS_BDF, 0x04, 2, 0xffff);
	assert_int_equal(cfg[1] & 0xffff, 0x0407);
	/*
	 * BARs: sizing and the original value pass (sizing is emulated:
	 * test_phys_bar_sizing), a move is refused.
	 */
	cell_write(PHYS_BDF, PCI_BAR0, 4, 0xfeb00000);
	assert_int_equal(cfg[4], 0xfea00000);
	assert_true(stub_logged("write of feb00000 to register 10"));
	cell_write(PHYS_BDF, PCI_BAR0, 4, 0xffffffff);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0, 4), 0xfffff000);
	cell_write(PHYS_BDF, PCI_BAR0, 4, 0xfea00000);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0, 4), 0xfea00000);
	assert_int_equal(cfg[4], 0xfea00000);
	/* IDs are read-only. */
	cell_write(PHYS_BDF, 0, 4, 0);
	assert_int_equal(cfg[0], 0x11e81234);

	/* MSI: the cell's wish is kept, validated, the device remapped. */
	cell_write(PHYS_BDF, 0x44, 4, 0x101); /* "CPU 1" in the stub's policy */
	cell_write(PHYS_BDF, 0x48, 4, 0);
	cell_write(PHYS_BDF, 0x4c, 2, 0x41);
	cell_write(PHYS_BDF, 0x42, 2, 0x0001); /* enable */
	assert_int_equal(stub_msi_remapped, 1);
	assert_int_equal(cfg[0x44 / 4], 0xfee00000);
	assert_int_equal(cfg[0x4c / 4] & 0xffff, 0x41);
	assert_true(cfg[0x40 / 4] & (1u << 16));
	/* The cell reads back its own wish, not the remapped message. */
	assert_int_equal(cell_read(PHYS_BDF, 0x44, 4), 0x101);
	/* A message for someone else stops the cell. */
	assert_false(pci_cell_config(per_cpu(1), PHYS_BDF, 0x44, 4, true,
				     &(u32){ 0x100 }));
	assert_int_equal(devcell.state, BRIG_CELL_STATE_FAILED);

	/* Destroy: quiet, back to the root. */
	pci_cell_destroy(&devcell);
	assert_ptr_equal(pci_owner(PHYS_BDF), &root_cell);
	assert_int_equal(stub_assigned, 0);
	assert_false(stub_root_config_trapped);
	assert_false(cfg[0x40 / 4] & (1u << 16)); /* MSI off */
	assert_int_equal(cfg[1] & 0x7, 0); /* no decoding, no DMA */
	assert_int_equal(
		paging_virt_to_phys_walk(&root_cell.stage2, page, NULL), page);
}

/*
 * Sizing a physical device's BARs never reaches the device: a cell that
 * leaves a BAR sized and turns decoding on must not get the device to
 * decode at the all-ones address. 32-bit, I/O and 64-bit BARs (each half
 * on its own), and a register without a BAR.
 */
static void test_phys_bar_sizing(void **state)
{
	const struct brig_pci_device d = { .type = BRIG_PCI_TYPE_DEVICE,
					   .bdf = PHYS_BDF,
					   .iommu = 0 };
	u32 *cfg = &ecam[PHYS_BDF << 10];

	(void)state;
	assert_int_equal(devcell_create(&d, 1), 0);
	/* The probe at assignment put every BAR back. */
	assert_int_equal(cfg[4], 0xfea00000);
	assert_int_equal(cfg[5], 0xc001);
	assert_int_equal(cfg[6], 0x0000000c);
	assert_int_equal(cfg[7], 0x2);
	stub_bar_changes = 0;

	cell_write(PHYS_BDF, PCI_BAR0, 4, 0xffffffff);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0, 4), 0xfffff000);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 2, 2), 0xffff);
	cell_write(PHYS_BDF, 0x04, 2, 0x0003); /* I/O and memory decoding on */
	assert_int_equal(cfg[1] & 0x3, 0x3);
	assert_int_equal(cfg[4], 0xfea00000);
	/* Bits the BAR does not decode do not matter, as on the device. */
	cell_write(PHYS_BDF, PCI_BAR0, 4, 0xfea00008);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0, 4), 0xfea00000);

	cell_write(PHYS_BDF, PCI_BAR0 + 4, 4, 0xffffffff);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 4, 4), 0xffffffe1);
	assert_int_equal(cfg[5], 0xc001);
	cell_write(PHYS_BDF, PCI_BAR0 + 4, 4, 0xc001);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 4, 4), 0xc001);

	cell_write(PHYS_BDF, PCI_BAR0 + 8, 4, 0xffffffff);
	cell_write(PHYS_BDF, PCI_BAR0 + 12, 4, 0xffffffff);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 8, 4), 0xffffc00c);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 12, 4), 0xffffffff);
	assert_int_equal(cfg[6], 0x0000000c);
	assert_int_equal(cfg[7], 0x2);
	cell_write(PHYS_BDF, PCI_BAR0 + 8, 4, 0x0000000c);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 8, 4), 0x0000000c);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 12, 4), 0xffffffff);
	cell_write(PHYS_BDF, PCI_BAR0 + 12, 4, 0x2);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 12, 4), 0x2);

	/* No BAR: nothing to size, nothing to refuse. */
	cell_write(PHYS_BDF, PCI_BAR0 + 16, 4, 0xffffffff);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 16, 4), 0);
	assert_false(stub_logged("BARs stay where they are"));

	/* Anything else moves a BAR: refused, reported once. */
	cell_write(PHYS_BDF, PCI_BAR0, 4, 0xffffffff);
	cell_write(PHYS_BDF, PCI_BAR0, 4, 0x12345000);
	cell_write(PHYS_BDF, PCI_BAR0 + 12, 4, 0x3);
	assert_int_equal(stub_log_count("BARs stay where they are"), 1);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0, 4), 0xfffff000);
	assert_int_equal(cell_read(PHYS_BDF, PCI_BAR0 + 12, 4), 0x2);

	/* The device's BARs never changed, nor does destroy probe them. */
	devcell_free();
	assert_int_equal(stub_bar_changes, 0);
	assert_int_equal(cfg[4], 0xfea00000);
	assert_int_equal(cfg[7], 0x2);
}

/*
 * A bar_mask in the description must be what the BAR decodes; a mismatch
 * refuses the cell and leaves nothing behind, also for a device that was
 * already taken.
 */
static void test_phys_bar_mask(void **state)
{
	struct brig_pci_device d[2] = {
		{ .type = BRIG_PCI_TYPE_DEVICE,
		  .bdf = PHYS_BDF,
		  .bar_mask = { 0xfffff000, 0xffffffe0, 0xffffc000,
				0xffffffff } },
		{ .type = BRIG_PCI_TYPE_DEVICE,
		  .bdf = OTHER_BDF,
		  .bar_mask = { 0xffffe000 } },
	};
	u32 *cfg = &ecam[PHYS_BDF << 10], *other = &ecam[OTHER_BDF << 10];
	u32 before[10];

	(void)state;
	other[0] = 0x10d38086;
	other[1] = 0;
	other[3] = 0;
	other[4] = 0xfeb00000;
	for (unsigned int r = 5; r < 64; r++)
		other[r] = 0;
	stub_pci_bar(OTHER_BDF, 0, 0xfffff000);
	assert_int_equal(devcell_create(d, 1), 0);
	devcell_free();

	memcpy(before, cfg, sizeof(before));
	d[0].bar_mask[2] = 0xfffff000;
	assert_int_equal(devcell_create(d, 1), -EINVAL);
	assert_true(stub_logged(
		"cell description refused: PCI device 00:03.0: BAR 2 decodes ffffc000, its bar-mask says fffff000\n"));
	assert_ptr_equal(pci_owner(PHYS_BDF), &root_cell);
	assert_int_equal(memcmp(before, cfg, sizeof(before)), 0);
	/* A mask for a register without a BAR is a mismatch too. */
	d[0].bar_mask[2] = 0xffffc000;
	d[0].bar_mask[4] = 0xfffff000;
	assert_int_equal(devcell_create(d, 1), -EINVAL);
	assert_true(stub_logged("BAR 4 decodes 0, its bar-mask says fffff000"));

	/* The second device refused: the first goes back to the root. */
	d[0].bar_mask[4] = 0;
	assert_int_equal(devcell_create(d, 2), -EINVAL);
	assert_true(stub_logged(
		"PCI device 00:09.0: BAR 0 decodes fffff000, its bar-mask says ffffe000"));
	assert_ptr_equal(pci_owner(PHYS_BDF), &root_cell);
	assert_ptr_equal(pci_owner(OTHER_BDF), &root_cell);
	assert_int_equal(stub_assigned, 0);
	assert_false(stub_root_config_trapped);
	assert_false(pci_cell_has_devices(&devcell));
	assert_true(root_has_config_page(PHYS_BDF));
	assert_true(root_has_config_page(OTHER_BDF));
	assert_int_equal(cfg[4], 0xfea00000);
	assert_int_equal(other[4], 0xfeb00000);
}

/* --- requester-id aliases ------------------------------------------------ */

#define BRIDGE_BDF 0xe0 /* 00:1c.0 */
#define BEHIND_BDF 0x100 /* 01:00.0 */

/*
 * A type-1 header at bdf forwarding buses secondary..subordinate; with a
 * PCI Express capability of port type exp_type at 0x40, or none if
 * exp_type is negative.
 */
static void fake_bridge(u16 bdf, unsigned int secondary,
			unsigned int subordinate, int exp_type, bool multi)
{
	u32 *cfg = &ecam[bdf << 10];

	memset(cfg, 0, PAGE_SIZE);
	cfg[0] = 0x000e1b36;
	cfg[1] = exp_type >= 0 ? 0x00100000 : 0;
	cfg[3] = multi ? 0x00810000 : 0x00010000;
	cfg[PCI_BUS_NUMBERS_DWORD] = (u32)subordinate << 16 |
				     (u32)secondary << 8 | (bdf >> 8);
	cfg[0x34 / 4] = exp_type >= 0 ? 0x40 : 0;
	cfg[0x40 / 4] = 0x00020010 | (u32)(exp_type & 0xf) << 20;
}

/* A plain device at bdf, no capabilities. */
static void fake_device(u16 bdf)
{
	u32 *cfg = &ecam[bdf << 10];

	memset(cfg, 0, PAGE_SIZE);
	cfg[0] = 0x11e81234;
}

/* pci_cell_check() of a cell given the device at bdf. */
static int check_device(u16 bdf)
{
	struct cell_parts c;
	struct brig_check_blob b;
	int err;

	hello_cell(&c, "withdev", 1, 0x3c000000);
	c.pci[0] = (struct brig_pci_device){ .type = BRIG_PCI_TYPE_DEVICE,
					     .bdf = bdf,
					     .iommu = 0 };
	c.hdr.num_pci_devices = 1;
	b = pack_cell(&c);
	err = pci_cell_check(b.data);
	free((void *)b.data);
	return err;
}

/*
 * A device whose DMA reaches the IOMMU under another requester id is
 * refused: behind a PCI Express to PCI bridge, a conventional bridge, any
 * bridge that is not a PCI Express port. Root and switch ports are fine,
 * and so is a device on bus 0 whatever bridges there are.
 */
static void test_alias_bridges(void **state)
{
	(void)state;
	fake_bridge(BRIDGE_BDF, 1, 1, 7, false);
	fake_device(BEHIND_BDF);
	assert_int_equal(check_device(BEHIND_BDF), -EINVAL);
	assert_true(stub_logged(
		"cell description refused: PCI device 01:00.0: it sits behind 00:1c.0, a PCI Express to PCI/PCI-X bridge, so its DMA reaches the IOMMU under another requester id\n"));
	assert_int_equal(check_device(PHYS_BDF), 0);

	fake_bridge(BRIDGE_BDF, 1, 1, -1, false);
	assert_int_equal(check_device(BEHIND_BDF), -EINVAL);
	assert_true(stub_logged("00:1c.0, a conventional PCI bridge"));
	fake_bridge(BRIDGE_BDF, 1, 1, 8, false); /* PCI to PCI Express */
	assert_int_equal(check_device(BEHIND_BDF), -EINVAL);
	assert_true(stub_logged("a bridge that is not a PCI Express port"));

	for (int type = 4; type <= 6; type++) {
		fake_bridge(BRIDGE_BDF, 1, 1, type, false);
		assert_int_equal(check_device(BEHIND_BDF), 0);
	}
	/* Bridges elsewhere, and one not set up (secondary 0), are not above it. */
	fake_bridge(0xe8, 2, 5, -1, false);
	fake_bridge(0xf0, 0, 0, 7, false);
	assert_int_equal(check_device(BEHIND_BDF), 0);
	assert_int_equal(check_device(PHYS_BDF), 0);
}

/*
 * While a cell holds the device behind a root port, the root may not
 * renumber that port's buses nor reset its secondary bus, nor move an
 * Intel host bridge's MMCONFIG: those bytes keep their value, the rest of
 * the write goes through, through ECAM and 0xcf8 alike. The ports' ECAM
 * pages trap only as long as a device below them is a cell's.
 */
static void test_bridges_above_guarded(void **state)
{
	const struct brig_pci_device d = { .type = BRIG_PCI_TYPE_DEVICE,
					   .bdf = BEHIND_BDF,
					   .iommu = 0 };
	u32 *port = &ecam[BRIDGE_BDF << 10], *host = &ecam[0];
	u64 page = (u64)(uintptr_t)ecam + ((u64)BRIDGE_BDF << 12);
	u32 v;

	(void)state;
	memset(host, 0, PAGE_SIZE);
	host[0] = 0x29c08086; /* Intel host bridge */
	host[2] = 0x06000000;
	host[0x60 / 4] = 0xb0000001; /* PCIEXBAR */
	fake_bridge(BRIDGE_BDF, 1, 1, 4, false);
	fake_device(BEHIND_BDF);
	assert_int_equal(devcell_create(&d, 1), 0);
	assert_int_equal(paging_virt_to_phys_walk(&root_cell.stage2, page,
						  NULL),
			 INVALID_PHYS);
	assert_true(mmio_is_trapped(&root_cell, page));

	/* Renumbering: the bus bytes stay, the latency timer is written. */
	v = 0x40050500;
	assert_true(pci_root_config(per_cpu(0), BRIDGE_BDF, 0x18, 4, true, &v));
	assert_int_equal(port[0x18 / 4], 0x40010100);
	assert_true(stub_logged("register 18 of PCI function 00:1c.0 dropped"));
	v = 7; /* the subordinate bus alone, one byte */
	assert_true(pci_root_config(per_cpu(0), BRIDGE_BDF, 0x1a, 1, true, &v));
	assert_int_equal(port[0x18 / 4] & 0xffffff, 0x010100);
	/* Secondary bus reset is kept off; other bridge control bits pass. */
	v = 0x0043; /* SBR, SERR enable, parity */
	assert_true(pci_root_config(per_cpu(0), BRIDGE_BDF, 0x3e, 2, true, &v));
	assert_int_equal(port[0x3c / 4] >> 16, 0x0003);
	/* Anything else on the port passes. */
	v = 0xfff0fe00;
	assert_true(pci_root_config(per_cpu(0), BRIDGE_BDF, 0x20, 4, true, &v));
	assert_int_equal(port[0x20 / 4], 0xfff0fe00);
	/* MMCONFIG stays where it is. */
	v = 0xe0000001;
	assert_true(pci_root_config(per_cpu(0), 0, 0x60, 4, true, &v));
	assert_int_equal(host[0x60 / 4], 0xb0000001);
	assert_true(pci_root_config(per_cpu(0), 0, 0x60, 4, false, &v));
	assert_int_equal(v, 0xb0000001);

	/* The cell gone, the root may do as it likes again. */
	pci_cell_destroy(&devcell);
	assert_false(mmio_is_trapped(&root_cell, page));
	assert_int_equal(
		paging_virt_to_phys_walk(&root_cell.stage2, page, NULL), page);
	v = 0x00050500;
	assert_true(pci_root_config(per_cpu(0), BRIDGE_BDF, 0x18, 4, true, &v));
	assert_int_equal(port[0x18 / 4], 0x00050500);
}

/*
 * Whatever a root CPU did to the device through a stale translation while
 * it was being taken shows after the flush: create is refused.
 */
static void test_changed_while_taken(void **state)
{
	const struct brig_pci_device d = { .type = BRIG_PCI_TYPE_DEVICE,
					   .bdf = PHYS_BDF,
					   .iommu = 0 };
	u32 *cfg = &ecam[PHYS_BDF << 10];

	(void)state;
	assert_int_equal(devcell_create(&d, 1), 0);
	assert_int_equal(pci_cell_verify(&devcell), 0);
	cfg[4] = 0xc0000000; /* BAR0 moved to somewhere the root maps */
	assert_int_equal(pci_cell_verify(&devcell), -EBUSY);
	assert_true(stub_logged(
		"PCI device 00:03.0 changed while it went to cell \"withdev\" (a BAR moved): refused"));
	cfg[4] = 0xfea00000;
	cfg[1] |= 0x4; /* bus mastering back on */
	assert_int_equal(pci_cell_verify(&devcell), -EBUSY);
	assert_true(stub_logged("(decoding or bus mastering on)"));
	cfg[1] &= ~0x7u;
	assert_int_equal(pci_cell_verify(&devcell), 0);
	pci_cell_destroy(&devcell);
}

/* Function 1 of a multi-function slot is looked at too. */
static void test_alias_bridge_function(void **state)
{
	(void)state;
	fake_bridge(BRIDGE_BDF, 3, 3, 4, true);
	fake_bridge(BRIDGE_BDF + 1, 1, 1, 7, false);
	fake_device(BEHIND_BDF);
	assert_int_equal(check_device(BEHIND_BDF), -EINVAL);
	assert_true(stub_logged("behind 00:1c.1, a PCI Express to PCI/PCI-X"));
}

/*
 * Bus numbers are the root's: a bridge that claims its own bus (a loop
 * for anyone following bus numbers upwards) ends the check all the same,
 * and is above the device as far as the check can tell.
 */
static void test_alias_bus_loop(void **state)
{
	(void)state;
	fake_bridge(BRIDGE_BDF, 1, 1, 4, false);
	fake_device(BEHIND_BDF);
	fake_bridge(0x108, 1, 1, -1, false); /* 01:01.0, forwarding to bus 1 */
	assert_int_equal(check_device(BEHIND_BDF), -EINVAL);
	assert_true(stub_logged("behind 01:01.0, a conventional PCI bridge"));
}

/*
 * Phantom functions: off when the cell gets the device, whatever the
 * root left; the cell cannot turn them on and reads them as unsupported.
 * Its other Device Control bits pass, and Device Status bits
 * (write-1-to-clear) only where the cell wrote them.
 */
static void test_phantom_functions(void **state)
{
	const struct brig_pci_device d = { .type = BRIG_PCI_TYPE_DEVICE,
					   .bdf = PHYS_BDF,
					   .iommu = 0 };
	u32 *cfg = &ecam[PHYS_BDF << 10];

	(void)state;
	cfg[0x40 / 4] = 0x00806005; /* MSI, next: PCI Express at 0x60 */
	cfg[0x60 / 4] = 0x00020010; /* endpoint */
	cfg[0x64 / 4] = 0x10008019; /* phantom functions supported: 3 bits */
	cfg[0x68 / 4] = 0x00010210; /* enabled by the root; status bit 0 */
	assert_int_equal(devcell_create(&d, 1), 0);
	assert_int_equal(cfg[0x68 / 4] & 0x0200, 0);
	assert_int_equal(cfg[0x68 / 4] & 0xffff, 0x0010);

	assert_int_equal(cell_read(PHYS_BDF, 0x64, 4), 0x10008001);
	assert_int_equal(cell_read(PHYS_BDF, 0x64, 1), 0x01);
	cell_write(PHYS_BDF, 0x68, 2, 0x0230);
	assert_int_equal(cfg[0x68 / 4], 0x00000030);
	cell_write(PHYS_BDF, 0x69, 1, 0x02);
	assert_int_equal(cfg[0x68 / 4] & 0x0200, 0);
	cell_write(PHYS_BDF, 0x68, 4, 0x00040210);
	assert_int_equal(cfg[0x68 / 4], 0x00040010);
	assert_int_equal(cell_read(PHYS_BDF, 0x68, 2), 0x0010);
}

/* --- a virtual device in a cell ------------------------------------------ */

static void test_vdev_identity(void **state)
{
	(void)state;
	assert_int_equal(pci_vdev_attach(&cell, &fake.dev), 0);
	assert_ptr_equal(fake.dev.cell, &cell);
	assert_true(pci_cell_has_devices(&cell));
	assert_int_equal(cell_read(VDEV_BDF, 0, 4), 0x4106110a);
	assert_int_equal(cell_read(VDEV_BDF, 0, 2), 0x110a);
	assert_int_equal(cell_read(VDEV_BDF, 2, 2), 0x4106);
	assert_int_equal(cell_read(VDEV_BDF, 0x0b, 1), 0xff); /* class */
	assert_int_equal(cell_read(VDEV_BDF, 0x0a, 2), 0xff00);
	/* Out of the 256 bytes kept, and past the dword: nothing. */
	assert_int_equal(cell_read(VDEV_BDF, 0x100, 4), 0);
	assert_int_equal(cell_read(VDEV_BDF, 3, 2), 0xffffffff);
	/* IDs and class are read-only. */
	cell_write(VDEV_BDF, 0, 4, 0x12345678);
	assert_int_equal(cell_read(VDEV_BDF, 0, 4), 0x4106110a);
	/* Another cell's view: nothing there. */
	per_cpu(2)->cell = &root_cell;
	u32 v = 0;
	assert_true(pci_cell_config(per_cpu(2), VDEV_BDF, 0, 4, false, &v));
	assert_int_equal(v, 0xffffffff);
}

static void test_vdev_bar_sizing(void **state)
{
	(void)state;
	assert_int_equal(pci_vdev_attach(&cell, &fake.dev), 0);
	cell_write(VDEV_BDF, PCI_BAR0, 4, 0xffffffff);
	assert_int_equal(cell_read(VDEV_BDF, PCI_BAR0, 4), 0xfffff000);
	cell_write(VDEV_BDF, PCI_BAR0, 4, (u32)REGS_BASE);
	assert_int_equal(cell_read(VDEV_BDF, PCI_BAR0, 4), (u32)REGS_BASE);
	assert_int_equal(pci_vdev_bar(&fake.dev, 0), REGS_BASE);
	/* A base not aligned to the size keeps only what it decodes. */
	cell_write(VDEV_BDF, PCI_BAR0, 4, (u32)REGS_BASE | 0x234);
	assert_int_equal(cell_read(VDEV_BDF, PCI_BAR0, 4), (u32)REGS_BASE);
	/* 64-bit BAR2: the type bits stay, both halves size. */
	cell_write(VDEV_BDF, PCI_BAR0 + 8, 4, 0xffffffff);
	cell_write(VDEV_BDF, PCI_BAR0 + 12, 4, 0xffffffff);
	assert_int_equal(cell_read(VDEV_BDF, PCI_BAR0 + 8, 4), 0xffffc004);
	assert_int_equal(cell_read(VDEV_BDF, PCI_BAR0 + 12, 4), 0xffffffff);
	cell_write(VDEV_BDF, PCI_BAR0 + 8, 4, (u32)SHMEM_GPA);
	cell_write(VDEV_BDF, PCI_BAR0 + 12, 4, (u32)(SHMEM_GPA >> 32));
	assert_int_equal(pci_vdev_bar(&fake.dev, 2), SHMEM_GPA);
	/* BARs 3..5 do not exist: they stay 0. */
	cell_write(VDEV_BDF, PCI_BAR0 + 16, 4, 0xffffffff);
	assert_int_equal(cell_read(VDEV_BDF, PCI_BAR0 + 16, 4), 0);
}

/* Enabling memory decoding traps the register BAR: a doorbell reaches it. */
static void test_vdev_registers_trap(void **state)
{
	struct mmio_access acc = { .address = REGS_BASE + 0x0c,
				   .value = 0x00010000,
				   .size = 4,
				   .is_write = true };

	(void)state;
	stub_set_cpu(1);
	assert_int_equal(pci_vdev_attach(&cell, &fake.dev), 0);
	cell_write(VDEV_BDF, PCI_BAR0, 4, (u32)REGS_BASE);
	assert_false(mmio_is_trapped(&cell, REGS_BASE));
	cell_write(VDEV_BDF, 0x04, 2, 0xffff);
	/* Only memory/I/O/master/INTx-disable stick; status untouched. */
	assert_int_equal(cell_read(VDEV_BDF, 0x04, 4), 0x00100407);
	assert_true(fake.regs_trapped);
	assert_true(mmio_is_trapped(&cell, REGS_BASE));
	assert_false(mmio_is_trapped(&root_cell, REGS_BASE));
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_HANDLED);
	assert_int_equal(fake.doorbells, 1);
	acc = (struct mmio_access){ .address = REGS_BASE, .size = 4 };
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_HANDLED);
	assert_int_equal(acc.value, 1);
	/* An access past the register page never reaches the device. */
	acc = (struct mmio_access){ .address = REGS_BASE + 0xffc, .size = 8 };
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc),
			 MMIO_CELL_FAILED);
	assert_true(stub_logged("crosses the end of an emulated range"));
}

static void test_vdev_msix_control(void **state)
{
	(void)state;
	assert_int_equal(pci_vdev_attach(&cell, &fake.dev), 0);
	assert_int_equal(cell_read(VDEV_BDF, 0x34, 1), MSIX_CAP);
	assert_int_equal(cell_read(VDEV_BDF, MSIX_CAP, 1), 0x11);
	cell_write(VDEV_BDF, MSIX_CAP + 2, 2, 0x8000 | 0x3ff);
	assert_true(fake.msix_enabled);
	/* The table size is the device's, not the cell's wish. */
	assert_int_equal(cell_read(VDEV_BDF, MSIX_CAP + 2, 2), 0x8001);
	cell_write(VDEV_BDF, MSIX_CAP + 2, 2, 0);
	assert_false(fake.msix_enabled);
	assert_int_equal(fake.writes, 2);
}

/* The shared memory: read-only state table and peer section, own RW. */
static void test_vdev_shared_memory_rights(void **state)
{
	unsigned int flags;

	(void)state;
	assert_int_equal(pci_vdev_attach(&cell, &fake.dev), 0);
	map_shmem(&cell, 0);
	for (unsigned int p = 0; p < SHMEM_PAGES; p++) {
		u64 hpa = paging_virt_to_phys_walk(
			&cell.stage2, SHMEM_GPA + p * PAGE_SIZE, &flags);

		assert_int_equal(hpa, (u64)(uintptr_t)shmem + p * PAGE_SIZE);
		assert_int_equal(flags, p == 1 || p == 2 ? PAGE_RW : PAGE_READ);
	}
}

/* --- a virtual device of the root ---------------------------------------- */

static void test_vdev_root(void **state)
{
	u64 page = (u64)(uintptr_t)ecam + ((u64)VDEV_BDF << 12);
	struct mmio_access acc = { .address = page, .size = 4 };
	u32 v = 0;

	(void)state;
	stub_set_cpu(0);
	assert_int_equal(pci_vdev_attach(&root_cell, &fake.dev), 0);
	assert_true(stub_root_config_trapped);
	/* The legacy mechanism, as x86's 0xcfc trap asks. */
	assert_true(pci_root_config(per_cpu(0), VDEV_BDF, 0, 4, false, &v));
	assert_int_equal(v, 0x4106110a);
	/* Its ECAM page left the root's tables and traps to the device. */
	assert_int_equal(paging_virt_to_phys_walk(&root_cell.stage2, page,
						  NULL),
			 INVALID_PHYS);
	assert_true(mmio_is_trapped(&root_cell, page));
	assert_int_equal(mmio_handle_access(per_cpu(0), &acc), MMIO_HANDLED);
	assert_int_equal(acc.value, 0x4106110a);
	acc = (struct mmio_access){
		.address = page + 4, .size = 2, .value = 0x2, .is_write = true
	};
	assert_int_equal(mmio_handle_access(per_cpu(0), &acc), MMIO_HANDLED);
	assert_true(fake.regs_trapped); /* registered in the root this time */
	assert_true(mmio_is_trapped(&root_cell, pci_vdev_bar(&fake.dev, 0)));
	/* Other functions are the hardware's, reached through ECAM. */
	assert_true(pci_root_config(per_cpu(0), PHYS_BDF, 0, 4, false, &v));
	assert_int_equal(v, 0x11e81234);

	pci_vdev_detach(&fake.dev);
	assert_false(stub_root_config_trapped);
	assert_false(mmio_is_trapped(&root_cell, page));
	assert_int_equal(
		paging_virt_to_phys_walk(&root_cell.stage2, page, NULL), page);
	assert_null(fake.dev.cell);
}

static void test_vdev_attach_refusals(void **state)
{
	static struct fake more[PCI_MAX_VDEVS];

	(void)state;
	assert_int_equal(pci_vdev_attach(&cell, &fake.dev), 0);
	fake_init(&fake2, VDEV_BDF);
	assert_int_equal(pci_vdev_attach(&cell, &fake2.dev), -EEXIST);
	/* Never over a function the hardware has, for the root. */
	fake_init(&more[0], PHYS_BDF);
	assert_int_equal(pci_vdev_attach(&root_cell, &more[0].dev), -EEXIST);
	/* The same function number in another cell is another device. */
	assert_int_equal(pci_vdev_attach(&root_cell, &fake2.dev), 0);
	for (unsigned int n = 0; n < PCI_MAX_VDEVS - 2; n++) {
		fake_init(&more[n], (u16)(0x30 + n));
		assert_int_equal(pci_vdev_attach(&cell, &more[n].dev), 0);
	}
	fake_init(&more[PCI_MAX_VDEVS - 2], 0x80);
	assert_int_equal(pci_vdev_attach(&cell, &more[PCI_MAX_VDEVS - 2].dev),
			 -ENOSPC);
	/* Destroy takes every virtual device of the cell away, no other. */
	pci_cell_destroy(&cell);
	assert_null(fake.dev.cell);
	assert_null(more[0].dev.cell);
	assert_ptr_equal(fake2.dev.cell, &root_cell);
	assert_false(pci_cell_has_devices(&cell));
	pci_vdev_detach(&fake2.dev);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_device_present),
		T(test_cell_check),
		T(test_cell_sees_only_its_own),
		T(test_phys_assign_and_filter),
		T(test_phys_bar_sizing),
		T(test_phys_bar_mask),
		T(test_alias_bridges),
		T(test_alias_bridge_function),
		T(test_alias_bus_loop),
		T(test_phantom_functions),
		T(test_bridges_above_guarded),
		T(test_changed_while_taken),
		T(test_vdev_identity),
		T(test_vdev_bar_sizing),
		T(test_vdev_registers_trap),
		T(test_vdev_msix_control),
		T(test_vdev_shared_memory_rights),
		T(test_vdev_root),
		T(test_vdev_attach_refusals),
	};

	return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
