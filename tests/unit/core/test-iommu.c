// SPDX-License-Identifier: GPL-2.0
/*
 * DMA domains (hypervisor/iommu.c) against the host stub arch: the root's
 * domain holds only its memory flagged dma, a cell's domain its dma
 * regions at their guest addresses with their rights, and a cell's memory
 * leaves the root's domain and comes back only where the root's own
 * description lets its devices reach.
 *
 * The root: 0 - 0x3a000000 RAM, dma; 0x3b000000 - 0x40000000 RAM, dma;
 * 0x40000000 - 0x40200000 RAM, no dma. With a channel, the root is peer
 * 0 of an ivshmem channel at 0x3e000000 (state table, 4 KiB common, two 4
 * KiB output sections), whose rights its devices get too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/iommu.h>
#include "../blob-builder.h"
#include "stub-arch.h"
#include "stubs.h"

#define R BRIG_MEM_READ
#define W BRIG_MEM_WRITE
#define DMA BRIG_MEM_DMA

static struct brig_check_blob sys_blob, cell_blob;
static struct cell cell;
static void *pool_mem;

static int setup_with(bool channel)
{
	struct system_parts s;
	struct cell_parts c;

	stub_reset();
	qemu_system(&s);
	s.root.mem[0].flags |= DMA;
	s.root.mem[1].flags |= DMA;
	s.root.mem[3] = region(0x40000000, 0x40000000, 0x200000,
			       BRIG_MEM_TYPE_RAM, R | W);
	s.root.hdr.num_memory_regions = 4;
	if (channel) {
		struct brig_pci_device *d = &s.root.pci[0];

		d->type = BRIG_PCI_TYPE_IVSHMEM;
		d->bdf = 0x78;
		d->ivshmem.shmem_phys = d->ivshmem.shmem_virt = 0x3e000000;
		d->ivshmem.bar_base = 0xd0000000;
		d->ivshmem.rw_size = d->ivshmem.out_size = 0x1000;
		d->ivshmem.channel = 1;
		d->ivshmem.num_peers = 2;
		d->ivshmem.vectors = 1;
		s.root.hdr.num_pci_devices = 1;
	}
	sys_blob = pack_system(&s);
	system_config = sys_blob.data;
	hello_cell(&c, "inmate", 1, 0x3c000000);
	c.mem[0].flags |= DMA; /* loadable RAM: the device may DMA there */
	/* Spans the root's dma RAM and its RAM without dma. */
	c.mem[2] = region(0x3ff00000, 0x400000, 0x200000, BRIG_MEM_TYPE_RAM,
			  R | DMA);
	c.hdr.num_memory_regions = 3;
	c.pci[0] = (struct brig_pci_device){ .type = BRIG_PCI_TYPE_DEVICE,
					     .bdf = 0x18 };
	c.hdr.num_pci_devices = 1;
	cell_blob = pack_cell(&c);
	memset(&cell, 0, sizeof(cell));
	cell.config = cell_blob.data;
	pool_mem = test_pool_create(&mem_pool, 256);
	root_cell.config = &system_config->root_cell;
	assert_int_equal(iommu_build_root_domain(&stub_format), 0);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_with(false);
}

static int setup_channel(void **state)
{
	(void)state;
	return setup_with(true);
}

static int teardown(void **state)
{
	(void)state;
	paging_destroy(&cell.dma);
	paging_destroy(&root_cell.dma);
	assert_int_equal(page_pool_used(&mem_pool), 1);
	free(pool_mem);
	free((void *)sys_blob.data);
	free((void *)cell_blob.data);
	return 0;
}

static u64 walk(struct paging_structs *pg, u64 addr, unsigned int *flags)
{
	return paging_virt_to_phys_walk(pg, addr, flags);
}

static void test_root_domain(void **state)
{
	unsigned int flags;

	(void)state;
	assert_int_equal(walk(&root_cell.dma, 0x1000, &flags), 0x1000);
	assert_int_equal(flags, PAGE_RW);
	assert_int_equal(walk(&root_cell.dma, 0x3c000000, NULL), 0x3c000000);
	/* Not the hypervisor, not memory without dma, not MMIO. */
	assert_int_equal(walk(&root_cell.dma, 0x3a000000, NULL), INVALID_PHYS);
	assert_int_equal(walk(&root_cell.dma, 0x40000000, NULL), INVALID_PHYS);
	assert_int_equal(walk(&root_cell.dma, 0xfec00000, NULL), INVALID_PHYS);
}

/* The root's devices may not write what its CPUs may not (the model). */
static void test_root_domain_channel(void **state)
{
	unsigned int flags;

	(void)state;
	assert_int_equal(walk(&root_cell.dma, 0x3e000000, &flags), 0x3e000000);
	assert_int_equal(flags, PAGE_READ);
	assert_int_equal(walk(&root_cell.dma, 0x3e001000, &flags), 0x3e001000);
	assert_int_equal(flags, PAGE_RW);
	assert_int_equal(walk(&root_cell.dma, 0x3e002000, &flags), 0x3e002000);
	assert_int_equal(flags, PAGE_RW);
	assert_int_equal(walk(&root_cell.dma, 0x3e003000, &flags), 0x3e003000);
	assert_int_equal(flags, PAGE_READ);
	/* Around it, the root's dma RAM as before. */
	assert_int_equal(walk(&root_cell.dma, 0x3e004000, &flags), 0x3e004000);
	assert_int_equal(flags, PAGE_RW);
}

static void test_cell_domain(void **state)
{
	unsigned int flags;

	(void)state;
	assert_int_equal(iommu_build_cell_domain(&cell, &stub_format), 0);
	assert_int_equal(walk(&cell.dma, 0x0, &flags), 0x3c000000);
	assert_int_equal(flags, PAGE_RW);
	assert_int_equal(walk(&cell.dma, 0x400000, &flags), 0x3ff00000);
	assert_int_equal(flags, PAGE_READ); /* the region's rights, no more */
	/* The comm region has no dma flag. */
	assert_int_equal(walk(&cell.dma, 0x100000, NULL), INVALID_PHYS);
}

static void test_cell_domain_only_with_devices(void **state)
{
	struct brig_cell_desc *cfg = (struct brig_cell_desc *)cell.config;

	(void)state;
	cfg->num_pci_devices = 0;
	assert_int_equal(iommu_build_cell_domain(&cell, &stub_format), 0);
	assert_null(cell.dma.root);
}

static void test_root_dma_regions(void **state)
{
	(void)state;
	assert_int_equal(iommu_root_dma_regions(&cell, false), 0);
	assert_int_equal(walk(&root_cell.dma, 0x3c000000, NULL), INVALID_PHYS);
	assert_int_equal(walk(&root_cell.dma, 0x3c100000, NULL), INVALID_PHYS);
	assert_int_equal(walk(&root_cell.dma, 0x3ff00000, NULL), INVALID_PHYS);
	assert_int_equal(walk(&root_cell.dma, 0x3bf00000, NULL), 0x3bf00000);
	assert_int_equal(iommu_root_dma_regions(&cell, true), 0);
	assert_int_equal(walk(&root_cell.dma, 0x3c000000, NULL), 0x3c000000);
	assert_int_equal(walk(&root_cell.dma, 0x3ff00000, NULL), 0x3ff00000);
	/* The part over memory without dma stays out of the root's reach. */
	assert_int_equal(walk(&root_cell.dma, 0x40000000, NULL), INVALID_PHYS);
	assert_int_equal(walk(&root_cell.dma, 0x400ff000, NULL), INVALID_PHYS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_root_domain),
		cmocka_unit_test_setup_teardown(test_root_domain_channel,
						setup_channel, teardown),
		T(test_cell_domain),
		T(test_cell_domain_only_with_devices),
		T(test_root_dma_regions),
	};

	return cmocka_run_group_tests_name("iommu domains", tests, NULL, NULL);
}
