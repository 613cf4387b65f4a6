// SPDX-License-Identifier: GPL-2.0
/*
 * Memory moves between the root cell and a cell (hypervisor/memory.c)
 * against the host stub arch: the rights a region gives, a cell's
 * second-stage tables, its regions leaving the root and coming back with
 * the root's rights, and giving back only what the root's description
 * covers. Descriptions from blob-builder.h; tables in the stub's format.
 *
 * The root (qemu_system() plus two regions):
 *   0 - 0x3a000000           RAM RWX
 *   0x3a000000 - 0x3b000000  the hypervisor: not the root's
 *   0x3b000000 - 0x40000000  RAM RWX, reserved (cells come from here)
 *   0x40000000 - 0x40200000  RAM read-only
 *   0xfe000000 - 0xfe004000  MMIO RW (a device the cell takes)
 *   0xfec00000 - 0xfec01000  MMIO RW (the IO-APIC)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/memory.h>
#include "../blob-builder.h"
#include "stub-arch.h"
#include "stubs.h"

#define R BRIG_MEM_READ
#define W BRIG_MEM_WRITE
#define X BRIG_MEM_EXECUTE
#define DEV_BASE 0xfe000000ULL

/* The cell's regions, by index in its description. */
enum { LOAD, COMM, SHARED, DEV, RO, NUM_REGIONS };

static struct brig_check_blob sys_blob, cell_blob;
static struct cell cell;
static void *pool_mem;
static unsigned long root_used; /* pool pages with the root's tables built */

static const struct brig_memory *root_mem(void)
{
	return brig_cell_mem_regions(&system_config->root_cell);
}

static const struct brig_memory *cell_mem(void)
{
	return brig_cell_mem_regions(cell.config);
}

static int setup(void **state)
{
	struct system_parts s;
	struct cell_parts c;
	const struct brig_memory *mem;

	(void)state;
	stub_reset();
	qemu_system(&s);
	s.root.mem[3] =
		region(0x40000000, 0x40000000, 0x200000, BRIG_MEM_TYPE_RAM, R);
	s.root.mem[4] =
		region(DEV_BASE, DEV_BASE, 0x4000, BRIG_MEM_TYPE_MMIO, R | W);
	s.root.hdr.num_memory_regions = 5;
	sys_blob = pack_system(&s);
	system_config = sys_blob.data;

	hello_cell(&c, "inmate", 1, 0x3c000000);
	c.mem[SHARED] = region(0x3d000000, 0x200000, 0x10000, BRIG_MEM_TYPE_RAM,
			       R | W | BRIG_MEM_ROOTSHARED);
	c.mem[DEV] =
		region(DEV_BASE, DEV_BASE, 0x4000, BRIG_MEM_TYPE_MMIO, R | W);
	c.mem[RO] = region(0x3c200000, 0x400000, 0x200000, BRIG_MEM_TYPE_RAM,
			   R | X);
	c.hdr.num_memory_regions = NUM_REGIONS;
	cell_blob = pack_cell(&c);
	memset(&cell, 0, sizeof(cell));
	cell.id = 1;
	cell.config = cell_blob.data;

	/* The root's tables as the arch builds them at enable. */
	pool_mem = test_pool_create(&mem_pool, 256);
	root_cell.config = &system_config->root_cell;
	root_cell.stage2.retired = &root_cell.retired;
	assert_int_equal(
		paging_init(&root_cell.stage2, &stub_format, &mem_pool), 0);
	mem = root_mem();
	for (unsigned int n = 0; n < root_cell.config->num_memory_regions; n++)
		assert_int_equal(paging_map(&root_cell.stage2,
					    mem[n].phys_start,
					    mem[n].phys_start, mem[n].size,
					    mem_region_flags(&mem[n])),
				 0);
	paging_free_retired(&root_cell.stage2);
	root_used = page_pool_used(&mem_pool);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	paging_destroy(&cell.stage2);
	paging_destroy(&root_cell.stage2);
	assert_int_equal(page_pool_used(&mem_pool), 1);
	free(pool_mem);
	free((void *)sys_blob.data);
	free((void *)cell_blob.data);
	return 0;
}

/* Where the root's tables map phys (INVALID_PHYS: nowhere), its rights. */
static u64 root_walk(u64 phys, unsigned int *flags)
{
	return paging_virt_to_phys_walk(&root_cell.stage2, phys, flags);
}

static void assert_root_maps(u64 phys, unsigned int want_flags)
{
	unsigned int flags = ~0u;

	assert_int_equal(root_walk(phys, &flags), phys);
	assert_int_equal(flags, want_flags);
}

static void assert_root_lacks(u64 phys)
{
	assert_int_equal(root_walk(phys, NULL), INVALID_PHYS);
}

/* First and last byte of each of the cell's regions: mapped in the root? */
static void assert_regions_in_root(unsigned int mask_mapped)
{
	const struct brig_memory *mem = cell_mem();

	for (unsigned int n = 0; n < NUM_REGIONS; n++) {
		u64 first = mem[n].phys_start;
		u64 last = first + mem[n].size - 1;

		if (mask_mapped & (1u << n)) {
			assert_int_equal(root_walk(first, NULL), first);
			assert_int_equal(root_walk(last, NULL), last);
		} else {
			assert_root_lacks(first);
			assert_root_lacks(last);
		}
	}
}

/* --- mem_region_flags --------------------------------------------------- */

static void test_region_flags(void **state)
{
	static const unsigned int others[] = {
		0,
		BRIG_MEM_DMA,
		BRIG_MEM_LOADABLE | BRIG_MEM_COMM_REGION,
		BRIG_MEM_ROOTSHARED | BRIG_MEM_RESERVED,
	};

	(void)state;
	for (unsigned int rwx = 0; rwx < 8; rwx++) {
		unsigned int want = 0;

		if (rwx & BRIG_MEM_READ)
			want |= PAGE_READ;
		if (rwx & BRIG_MEM_WRITE)
			want |= PAGE_WRITE;
		if (rwx & BRIG_MEM_EXECUTE)
			want |= PAGE_EXEC;
		for (unsigned int o = 0; o < ARRAY_SIZE(others); o++) {
			struct brig_memory ram = region(0, 0, 0x1000,
							BRIG_MEM_TYPE_RAM,
							rwx | others[o]);
			struct brig_memory mmio = region(0, 0, 0x1000,
							 BRIG_MEM_TYPE_MMIO,
							 rwx | others[o]);

			assert_int_equal(mem_region_flags(&ram), want);
			assert_int_equal(mem_region_flags(&mmio),
					 want | PAGE_DEVICE);
		}
	}
	assert_int_equal(PAGE_RWX, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
}

/*
 * A cell region over two root regions of different rights comes back
 * with each part's own rights, not those of where it starts.
 */
static void test_root_map_regions_spanning(void **state)
{
	struct brig_memory *mem = (struct brig_memory *)cell_mem();

	(void)state;
	mem[RO].phys_start = 0x3ff00000; /* RWX up to 0x40000000, then R */
	assert_int_equal(root_map_regions(&cell, false, 0), 0);
	assert_root_lacks(0x3ff00000);
	assert_root_lacks(0x40000000);
	assert_int_equal(root_map_regions(&cell, true, 0), 0);
	assert_root_maps(0x3ff00000, PAGE_RWX);
	assert_root_maps(0x3fffffff, PAGE_RWX);
	assert_root_maps(0x40000000, PAGE_READ);
	assert_root_maps(0x400fffff, PAGE_READ);
	paging_free_retired(&root_cell.stage2);
}

/* --- cell_map_memory ----------------------------------------------------- */

static void test_cell_map_memory(void **state)
{
	const struct brig_memory *mem = cell_mem();

	(void)state;
	assert_int_equal(cell_map_memory(&cell), 0);
	assert_ptr_equal(cell.stage2.fmt, &stub_format);
	assert_ptr_equal(cell.stage2.pool, &mem_pool);
	for (unsigned int n = 0; n < NUM_REGIONS; n++) {
		u64 offsets[] = { 0, 0x123, mem[n].size - 1 };

		for (unsigned int i = 0; i < ARRAY_SIZE(offsets); i++) {
			unsigned int flags = ~0u;

			assert_int_equal(paging_virt_to_phys_walk(
						 &cell.stage2,
						 mem[n].virt_start + offsets[i],
						 &flags),
					 mem[n].phys_start + offsets[i]);
			assert_int_equal(flags, mem_region_flags(&mem[n]));
		}
	}
	assert_int_equal(mem_region_flags(&mem[DEV]), PAGE_RW | PAGE_DEVICE);
	assert_int_equal(mem_region_flags(&mem[RO]), PAGE_READ | PAGE_EXEC);
	/* Nothing else: not past a region, not 1:1. */
	assert_int_equal(paging_virt_to_phys_walk(&cell.stage2, 0x101000, NULL),
			 INVALID_PHYS);
	assert_int_equal(paging_virt_to_phys_walk(&cell.stage2, 0x210000, NULL),
			 INVALID_PHYS);
	assert_int_equal(paging_virt_to_phys_walk(&cell.stage2, 0x3c000000,
						  NULL),
			 INVALID_PHYS);
	/* The root's tables did not change. */
	assert_regions_in_root(~0u);
}

static void test_cell_map_memory_no_memory(void **state)
{
	void *taken[256];
	unsigned int n = 0;

	(void)state;
	/* Leave the pool two pages: a top table and one more. */
	while (mem_pool.pages - page_pool_used(&mem_pool) > 2)
		assert_non_null(taken[n++] = page_alloc(&mem_pool, 1));
	assert_int_equal(cell_map_memory(&cell), -ENOMEM);
	while (n)
		page_free(&mem_pool, taken[--n], 1);
}

/* --- root_map_regions ---------------------------------------------------- */

static void test_root_unmap_regions(void **state)
{
	(void)state;
	assert_int_equal(root_map_regions(&cell, false, 0), 0);
	/* Gone from the root, except what it shares. */
	assert_regions_in_root(1u << SHARED);
	assert_root_maps(0x3d000000, PAGE_RWX);
	/* The neighbours stay. */
	assert_root_maps(0x3bfff000, PAGE_RWX);
	assert_root_maps(0x3c101000, PAGE_RWX);
	assert_root_maps(0x3c1ff000, PAGE_RWX);
	assert_root_maps(0x3c400000, PAGE_RWX);
	assert_root_maps(0xfec00000, PAGE_RW | PAGE_DEVICE);
	/* Split tables are the root's now: nothing retired yet. */
	assert_true(page_pool_used(&mem_pool) > root_used);
}

static void test_root_map_regions_back(void **state)
{
	(void)state;
	assert_int_equal(root_map_regions(&cell, false, 0), 0);
	paging_free_retired(&root_cell.stage2);
	assert_int_equal(root_map_regions(&cell, true, 0), 0);
	assert_regions_in_root(~0u);
	/* With the root's rights, not the cell's. */
	assert_root_maps(0x3c000000, PAGE_RWX);
	assert_root_maps(0x3c100000, PAGE_RWX); /* cell: RW */
	assert_root_maps(0x3c200000, PAGE_RWX); /* cell: RX */
	assert_root_maps(DEV_BASE, PAGE_RW | PAGE_DEVICE);
	assert_root_maps(0x3d000000, PAGE_RWX);
	/*
	 * It merged back into the large pages it was: once the retired
	 * tables are freed the root costs what it cost before.
	 */
	paging_free_retired(&root_cell.stage2);
	assert_int_equal(page_pool_used(&mem_pool), root_used);
}

static void test_root_map_regions_only_loadable(void **state)
{
	(void)state;
	assert_int_equal(root_map_regions(&cell, false, BRIG_MEM_LOADABLE), 0);
	assert_regions_in_root(~0u & ~(1u << LOAD));

	assert_int_equal(root_map_regions(&cell, false, 0), 0);
	assert_regions_in_root(1u << SHARED);
	assert_int_equal(root_map_regions(&cell, true, BRIG_MEM_LOADABLE), 0);
	assert_regions_in_root((1u << SHARED) | (1u << LOAD));
	assert_root_maps(0x3c000000, PAGE_RWX);
	/* Back to no loadable region in the root. */
	assert_int_equal(root_map_regions(&cell, false, BRIG_MEM_LOADABLE), 0);
	assert_regions_in_root(1u << SHARED);
	/* A flag no region has: nothing moves. */
	assert_int_equal(root_map_regions(&cell, true, BRIG_MEM_DMA), 0);
	assert_regions_in_root(1u << SHARED);
}

/* --- root_unmap, root_restore -------------------------------------------- */

static void test_root_unmap_restore(void **state)
{
	(void)state;
	/* Two pages across two root regions with different rights. */
	assert_int_equal(root_unmap(0x3ffff000, 0x2000), 0);
	assert_root_lacks(0x3ffff000);
	assert_root_lacks(0x40000000);
	assert_root_maps(0x3fffe000, PAGE_RWX);
	assert_root_maps(0x40001000, PAGE_READ);
	assert_int_equal(root_restore(0x3ffff000, 0x2000), 0);
	assert_root_maps(0x3ffff000, PAGE_RWX);
	assert_root_maps(0x40000000, PAGE_READ);

	/* A device page comes back as a device page. */
	assert_int_equal(root_unmap(0xfec00000, 0x1000), 0);
	assert_root_lacks(0xfec00000);
	assert_int_equal(root_restore(0xfec00000, 0x1000), 0);
	assert_root_maps(0xfec00000, PAGE_RW | PAGE_DEVICE);

	paging_free_retired(&root_cell.stage2);
	assert_int_equal(page_pool_used(&mem_pool), root_used);
	assert_int_equal(root_unmap(0x1000, 0x800), -EINVAL);
}

static void test_root_restore_only_what_root_has(void **state)
{
	(void)state;
	/* The last page below the hypervisor and the first of it. */
	assert_int_equal(root_unmap(0x39fff000, 0x2000), 0);
	assert_int_equal(root_restore(0x39fff000, 0x2000), 0);
	assert_root_maps(0x39fff000, PAGE_RWX);
	assert_root_lacks(0x3a000000);
	/* Nothing of the root's there: nothing mapped. */
	assert_int_equal(root_restore(0x80000000, 0x200000), 0);
	assert_root_lacks(0x80000000);
	assert_int_equal(root_restore(0x3a000000, 0x1000000), 0);
	assert_root_lacks(0x3a000000);
	assert_root_lacks(0x3afff000);
	/* The device's pages past its region stay out. */
	assert_int_equal(root_restore(DEV_BASE, 0x10000), 0);
	assert_root_maps(DEV_BASE + 0x3000, PAGE_RW | PAGE_DEVICE);
	assert_root_lacks(DEV_BASE + 0x4000);
}

/* --- root_owns_ram: what the root has now, not what it was given ---- */

static void test_root_owns_ram_now(void **state)
{
	(void)state;
	assert_true(root_owns_ram(0x3c000000, 0x1000));
	assert_true(root_owns_ram(0x1000, 0x39fff000));
	assert_int_equal(root_map_regions(&cell, false, 0), 0);
	/* Taken by the cell: described as the root's, but no longer its. */
	assert_false(root_owns_ram(0x3c000000, 0x1000));
	assert_false(root_owns_ram(0x3c000ff0, 4));
	/* One taken page in a longer range is enough to refuse it. */
	assert_false(root_owns_ram(0x3bfff000, 0x2000));
	assert_true(root_owns_ram(0x3bfff000, 0x1000));
	/* What the cell shares with the root stays the root's. */
	assert_true(root_owns_ram(0x3d000000, 0x1000));
	/* The hypervisor described as nobody's RAM is never the root's. */
	assert_true(ram_described(0x3c000000, 0x1000));
	assert_false(ram_described(0x3a000000, 0x1000));
	paging_free_retired(&root_cell.stage2);
	assert_int_equal(root_map_regions(&cell, true, 0), 0);
	assert_true(root_owns_ram(0x3c000000, 0x1000));
}

static void test_root_owns_ram_refuses(void **state)
{
	(void)state;
	assert_false(root_owns_ram(0x3a000000, 0x1000)); /* hypervisor */
	assert_false(root_owns_ram(0x39fffff8, 16)); /* crosses into it */
	assert_false(root_owns_ram(DEV_BASE, 4)); /* MMIO */
	assert_false(root_owns_ram(0x40000000, 8)); /* read-only RAM */
	assert_false(root_owns_ram(0x1000, 0)); /* empty */
	assert_false(root_owns_ram(~0ULL - 8, 16)); /* wraps */
	/* A page the hypervisor took back for itself (a trapped page). */
	assert_int_equal(root_unmap(0x5000, 0x1000), 0);
	assert_false(root_owns_ram(0x5000, 8));
	assert_true(ram_described(0x5000, 8));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_region_flags),
		T(test_root_map_regions_spanning),
		T(test_cell_map_memory),
		T(test_cell_map_memory_no_memory),
		T(test_root_unmap_regions),
		T(test_root_map_regions_back),
		T(test_root_map_regions_only_loadable),
		T(test_root_unmap_restore),
		T(test_root_restore_only_what_root_has),
		T(test_root_owns_ram_now),
		T(test_root_owns_ram_refuses),
	};

	return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
