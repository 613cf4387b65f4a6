// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmem channels (hypervisor/ivshmem.c) against the host stub arch: two
 * cells, each a peer of channel 1, on CPUs 1 and 2. Their functions are
 * reached as x86's 0xcf8/0xcfc reaches them (pci_cell_config()), their
 * registers and MSI-X tables through the cells' MMIO registries, their
 * memory through the second-stage tables the channel built. The stub's
 * interrupt policy: address 0xfee00000 | cpu << 12, data = vector.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <brig/hypercall.h>
#include <brig/ivshmem.h>
#include <hv/ivshmem.h>
#include <hv/memory.h>
#include <hv/mmio.h>
#include <hv/pci.h>
#include "../blob-builder.h"
#include "stub-arch.h"
#include "stub-pci.h"
#include "stubs.h"

#define BDF 0x70 /* 00:0e.0 */
#define BAR_BASE 0xf0000000ULL
#define SHMEM_GPA 0x40000000ULL
#define RW_SIZE 0x1000
#define OUT_SIZE 0x2000
#define CH_SIZE (0x1000 + RW_SIZE + 2 * OUT_SIZE)
#define MSIX_CAP 0x60

#define ROOT_BDF 0x78 /* 00:0f.0 */
#define ROOT_BAR 0xd0000000ULL
#define ECAM_SIZE (2 << 20) /* buses 0 and 1 */

static struct brig_check_blob sys_blob, blobs[2];
static struct cell cells[2];
static void *pool_mem;
static u8 *chmem;
static u32 *ecam; /* with the root as a peer */

static struct brig_pci_device peer_dev(unsigned int peer)
{
	struct brig_pci_device d;

	memset(&d, 0, sizeof(d));
	d.type = BRIG_PCI_TYPE_IVSHMEM;
	d.bdf = BDF;
	d.ivshmem.shmem_phys = (u64)(uintptr_t)chmem;
	d.ivshmem.shmem_virt = SHMEM_GPA;
	d.ivshmem.bar_base = BAR_BASE;
	d.ivshmem.rw_size = RW_SIZE;
	d.ivshmem.out_size = OUT_SIZE;
	d.ivshmem.channel = 1;
	d.ivshmem.protocol = 0x4000;
	d.ivshmem.peer = (u8)peer;
	d.ivshmem.num_peers = 2;
	d.ivshmem.vectors = 2;
	return d;
}

/* Cell n (id n + 1) on CPU n + 1, peer n. */
static void make_cell(unsigned int n)
{
	struct cell_parts c;
	char name[8];

	snprintf(name, sizeof(name), "peer%u", n);
	hello_cell(&c, name, n + 1, 0x3c000000 + n * 0x200000);
	c.pci[0] = peer_dev(n);
	c.hdr.num_pci_devices = 1;
	blobs[n] = pack_cell(&c);
	memset(&cells[n], 0, sizeof(cells[n]));
	cells[n].id = n + 1;
	cells[n].config = blobs[n].data;
	per_cpu(n + 1)->cell = &cells[n];
	assert_int_equal(cell_map_memory(&cells[n]), 0);
	assert_int_equal(root_map_regions(&cells[n], false, 0), 0);
	assert_int_equal(ivshmem_cell_create(&cells[n]), 0);
	ivshmem_cell_started(&cells[n]);
}

static void drop_cell(unsigned int n)
{
	if (!cells[n].config)
		return;
	ivshmem_cell_destroy(&cells[n]);
	pci_cell_destroy(&cells[n]);
	assert_int_equal(root_map_regions(&cells[n], true, 0), 0);
	paging_destroy(&cells[n].stage2);
	free((void *)blobs[n].data);
	cells[n].config = NULL;
	per_cpu(n + 1)->cell = &root_cell;
}

/*
 * A q35-like system whose root owns the channel's memory (reserved RAM,
 * filled with fill: the root's data before any peer); the caller adds
 * what its tests need before start_system().
 */
static void prepare_system(struct system_parts *s, u8 fill)
{
	stub_reset();
	stub_pci_reset();
	stub_num_irqs = 0;
	chmem = aligned_alloc(PAGE_SIZE, CH_SIZE);
	memset(chmem, fill, CH_SIZE);
	qemu_system(s);
	s->root.mem[s->root.hdr.num_memory_regions++] =
		region((u64)(uintptr_t)chmem, (u64)(uintptr_t)chmem, CH_SIZE,
		       BRIG_MEM_TYPE_RAM, RWX | BRIG_MEM_RESERVED);
}

/* Enable, as far as the core goes: pool, root tables, PCI. */
static void start_system(const struct system_parts *s)
{
	sys_blob = pack_system(s);
	system_config = sys_blob.data;
	pool_mem = test_pool_create(&mem_pool, 512);
	assert_int_equal(paging_init(&hv_paging, &stub_format, &mem_pool), 0);
	root_cell.config = &system_config->root_cell;
	assert_int_equal(
		paging_init(&root_cell.stage2, &stub_format, &mem_pool), 0);
	assert_int_equal(root_restore((u64)(uintptr_t)chmem, CH_SIZE), 0);
	assert_int_equal(pci_init(), 0);
	for (unsigned int n = 0; n < 4; n++)
		per_cpu(n)->cell = &root_cell;
}

static int setup(void **state)
{
	struct system_parts s;

	(void)state;
	prepare_system(&s, 0x5a);
	s.sys.platform.pci_mmconfig_base = 0; /* 0xcf8 only: no ECAM here */
	start_system(&s);
	return 0;
}

/*
 * The root as peer 0 of channel 1 (its device at 00:0f.0, its memory 1:1,
 * BARs at ROOT_BAR) and cell 1 as peer 1. The root's function needs an
 * ECAM that says nothing answers there.
 */
static int setup_root(void **state)
{
	struct system_parts s;
	struct brig_pci_device d;

	(void)state;
	prepare_system(&s, 0);
	ecam = aligned_alloc(ECAM_SIZE, ECAM_SIZE);
	memset(ecam, 0xff, ECAM_SIZE);
	s.sys.platform.pci_mmconfig_base = (u64)(uintptr_t)ecam;
	s.sys.platform.pci_mmconfig_end_bus = 1;
	s.root.mem[s.root.hdr.num_memory_regions++] =
		region((u64)(uintptr_t)ecam, (u64)(uintptr_t)ecam, ECAM_SIZE,
		       BRIG_MEM_TYPE_MMIO, BRIG_MEM_READ | BRIG_MEM_WRITE);
	d = peer_dev(0);
	d.bdf = ROOT_BDF;
	d.ivshmem.shmem_virt = d.ivshmem.shmem_phys;
	d.ivshmem.bar_base = ROOT_BAR;
	s.root.pci[s.root.hdr.num_pci_devices++] = d;
	start_system(&s);
	assert_int_equal(ivshmem_root_init(), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	drop_cell(0);
	drop_cell(1);
	ivshmem_cell_destroy(&root_cell);
	pci_cell_destroy(&root_cell);
	paging_destroy(&root_cell.stage2);
	paging_destroy(&hv_paging);
	free(pool_mem);
	free(chmem);
	free(ecam);
	ecam = NULL;
	free((void *)sys_blob.data);
	return 0;
}

/* --- helpers: what a peer's CPU does ---------------------------------------- */

static u32 cfg_read(unsigned int n, unsigned int reg)
{
	u32 v = 0;

	assert_true(pci_cell_config(per_cpu(n + 1), BDF, reg, 4, false, &v));
	return v;
}

static bool cfg_write(unsigned int n, unsigned int reg, u32 v)
{
	stub_set_cpu(n + 1);
	return pci_cell_config(per_cpu(n + 1), BDF, reg, 4, true, &v);
}

static enum mmio_result bar_rw(unsigned int n, u64 off, bool write, u32 *v)
{
	struct mmio_access acc = { BAR_BASE + off, write ? *v : 0, 4, write };
	enum mmio_result r;

	stub_set_cpu(n + 1);
	r = mmio_handle_access(per_cpu(n + 1), &acc);
	if (!write)
		*v = (u32)acc.value;
	return r;
}

static void reg_write(unsigned int n, unsigned int reg, u32 v)
{
	assert_int_equal(bar_rw(n, reg, true, &v), MMIO_HANDLED);
}

static u32 reg_read(unsigned int n, unsigned int reg)
{
	u32 v = 0;

	assert_int_equal(bar_rw(n, reg, false, &v), MMIO_HANDLED);
	return v;
}

/* Vector v of peer n to IDT vector 0x40 + v on its own CPU, all on. */
static void arm(unsigned int n, unsigned int v)
{
	u32 base = BRIG_IVSHMEM_REG_BAR_SIZE + v * 16;

	assert_true(cfg_write(n, 0x04, 0x2));
	reg_write(n, base, 0xfee00000 | (n + 1) << 12);
	reg_write(n, base + 8, 0x40 + v);
	reg_write(n, base + 12, 0); /* unmasked */
	assert_true(cfg_write(n, MSIX_CAP, 1u << 31));
	reg_write(n, BRIG_IVSHMEM_REG_INTX_CTRL, 1);
}

static unsigned int rights(const struct cell *c, u64 gpa)
{
	unsigned int flags = 0;

	if (paging_virt_to_phys_walk(&c->stage2, gpa, &flags) == INVALID_PHYS)
		return 0;
	return flags & (PAGE_RW | PAGE_EXEC);
}

/* --- tests ------------------------------------------------------------------ */

static void test_identity(void **state)
{
	(void)state;
	make_cell(0);
	assert_int_equal(cfg_read(0, 0), 0x4106110a);
	assert_int_equal(cfg_read(0, 0x08) >> 8, 0xff4000); /* class, proto */
	assert_int_equal(cfg_read(0, 0x10), (u32)BAR_BASE);
	assert_int_equal(cfg_read(0, 0x14), (u32)BAR_BASE + 0x1000);
	assert_int_equal(cfg_read(0, 0x40) & 0xff, 0x09);
	assert_int_equal(cfg_read(0, 0x48), RW_SIZE);
	assert_int_equal(cfg_read(0, 0x50), OUT_SIZE);
	assert_int_equal(cfg_read(0, 0x58), (u32)SHMEM_GPA);
	assert_int_equal(cfg_read(0, MSIX_CAP) & 0x7ff00ff, 0x00010011);
	/* Registers: decoding off reads all-ones; on, id and peers. */
	assert_int_equal(reg_read(0, BRIG_IVSHMEM_REG_ID), 0xffffffff);
	assert_true(cfg_write(0, 0x04, 0x2));
	assert_int_equal(reg_read(0, BRIG_IVSHMEM_REG_ID), 0);
	assert_int_equal(reg_read(0, BRIG_IVSHMEM_REG_MAX_PEERS), 2);
}

/* The BARs size, but do not move. */
static void test_bars_fixed(void **state)
{
	(void)state;
	make_cell(0);
	assert_true(cfg_write(0, 0x10, 0xffffffff));
	assert_int_equal(cfg_read(0, 0x10), 0xfffff000);
	assert_true(cfg_write(0, 0x10, 0xe0000000));
	assert_int_equal(cfg_read(0, 0x10), (u32)BAR_BASE);
	assert_true(cfg_write(0, 0x18, 0xffffffff));
	assert_int_equal(cfg_read(0, 0x18), 0);
}

/* The model's rights, page by page, for each peer; nothing executable. */
static void test_section_rights(void **state)
{
	(void)state;
	make_cell(0);
	make_cell(1);
	for (unsigned int n = 0; n < 2; n++) {
		const struct cell *c = &cells[n];

		assert_int_equal(rights(c, SHMEM_GPA), PAGE_READ);
		assert_int_equal(rights(c, SHMEM_GPA + 0x1000), PAGE_RW);
		assert_int_equal(rights(c, SHMEM_GPA + 0x2000 + n * OUT_SIZE),
				 PAGE_RW);
		assert_int_equal(rights(c, SHMEM_GPA + 0x2000 +
						   (1 - n) * OUT_SIZE + 0x1000),
				 PAGE_READ);
		assert_int_equal(rights(c, SHMEM_GPA + CH_SIZE), 0);
	}
}

/* Out of the root with the first peer, back zeroed with the last. */
static void test_memory_moves(void **state)
{
	u64 phys = (u64)(uintptr_t)chmem;

	(void)state;
	assert_true(root_owns_ram(phys, CH_SIZE));
	make_cell(0);
	assert_false(root_owns_ram(phys, PAGE_SIZE));
	assert_false(root_owns_ram(phys + CH_SIZE - PAGE_SIZE, PAGE_SIZE));
	make_cell(1);
	drop_cell(0);
	assert_false(root_owns_ram(phys, PAGE_SIZE));
	assert_true(ivshmem_channel_held(phys, NULL));
	drop_cell(1);
	assert_false(ivshmem_channel_held(phys, NULL));
	assert_true(root_owns_ram(phys, CH_SIZE));
	for (unsigned int i = 0; i < CH_SIZE; i++)
		if (chmem[i])
			fail_msg("byte %u of the channel not zeroed", i);
}

static void test_doorbell(void **state)
{
	(void)state;
	make_cell(0);
	make_cell(1);
	/* Nothing armed at peer 1 yet: dropped. */
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	assert_true(cfg_write(0, 0x04, 0x2));
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	assert_int_equal(stub_num_irqs, 0);
	arm(1, 1);
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	assert_int_equal(stub_num_irqs, 1);
	assert_int_equal(stub_irqs[0].cpu, 2);
	assert_int_equal(stub_irqs[0].vector, 0x41);
	/* A missing peer, a vector not live, one beyond the table: dropped. */
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(5, 1));
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 0));
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 9));
	assert_int_equal(stub_num_irqs, 1);
	/* Masked entry, then interrupts off: dropped. */
	reg_write(1, BRIG_IVSHMEM_REG_BAR_SIZE + 16 + 12, 1);
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	reg_write(1, BRIG_IVSHMEM_REG_BAR_SIZE + 16 + 12, 0);
	reg_write(1, BRIG_IVSHMEM_REG_INTX_CTRL, 0);
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	assert_int_equal(stub_num_irqs, 1);
	/* One-shot: the first gets through and turns interrupts off. */
	reg_write(1, BRIG_IVSHMEM_REG_INTX_CTRL, 1);
	assert_true(cfg_write(1, 0x40, cfg_read(1, 0x40) | 1u << 24));
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	assert_int_equal(stub_num_irqs, 2);
	assert_int_equal(reg_read(1, BRIG_IVSHMEM_REG_INTX_CTRL), 0);
	/* A stopped peer hears nothing. */
	reg_write(1, BRIG_IVSHMEM_REG_INTX_CTRL, 1);
	ivshmem_cell_stopped(&cells[1]);
	reg_write(0, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	assert_int_equal(stub_num_irqs, 2);
}

static void test_state(void **state)
{
	const u32 *table = (const u32 *)chmem;

	(void)state;
	make_cell(0);
	make_cell(1);
	arm(1, 0);
	arm(0, 0);
	reg_write(0, BRIG_IVSHMEM_REG_STATE, 7);
	assert_int_equal(table[0], 7);
	assert_int_equal(reg_read(0, BRIG_IVSHMEM_REG_STATE), 7);
	assert_int_equal(stub_num_irqs, 1); /* vector 0 at peer 1 only */
	assert_int_equal(stub_irqs[0].cpu, 2);
	assert_int_equal(stub_irqs[0].vector, 0x40);
	reg_write(0, BRIG_IVSHMEM_REG_STATE, 7); /* unchanged: no signal */
	assert_int_equal(stub_num_irqs, 1);
	/* Peer 1 sets 1, then fails: 0 in the table, peer 0 signalled. */
	reg_write(1, BRIG_IVSHMEM_REG_STATE, 1);
	assert_int_equal(table[1], 1);
	ivshmem_cell_stopped(&cells[1]);
	assert_int_equal(table[1], 0);
	assert_int_equal(stub_num_irqs, 3);
	assert_int_equal(stub_irqs[2].cpu, 1);
	/* Destroyed: peer 0 leaves, peer 1 (restarted) hears it. */
	ivshmem_cell_started(&cells[1]);
	arm(1, 0);
	drop_cell(0);
	assert_int_equal(stub_num_irqs, 4);
	assert_int_equal(stub_irqs[3].cpu, 2);
}

/*
 * A stopped peer's late register writes (another CPU of its cell failed
 * meanwhile) change nothing; a start clears its entry; a peer that
 * leaves takes its output section's contents with it.
 */
static void test_stopped_and_left(void **state)
{
	const u32 *table = (const u32 *)chmem;
	u8 *out0 = chmem + 0x2000, *out1 = chmem + 0x2000 + OUT_SIZE;

	(void)state;
	make_cell(0);
	make_cell(1);
	arm(0, 1);
	assert_true(cfg_write(1, 0x04, 0x2));
	reg_write(1, BRIG_IVSHMEM_REG_STATE, 3);
	ivshmem_cell_stopped(&cells[1]);
	stub_num_irqs = 0;
	reg_write(1, BRIG_IVSHMEM_REG_STATE, 4);
	reg_write(1, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(0, 1));
	assert_int_equal(table[1], 0);
	assert_int_equal(stub_num_irqs, 0);
	ivshmem_cell_started(&cells[1]);
	assert_int_equal(table[1], 0);
	assert_true(cfg_write(1, 0x04, 0x2)); /* reset turned decoding off */
	assert_int_equal(reg_read(1, BRIG_IVSHMEM_REG_STATE), 0);
	/* Peer 1's data goes with it; peer 0's stays. */
	memset(out0, 0xa0, OUT_SIZE);
	memset(out1, 0xa1, OUT_SIZE);
	drop_cell(1);
	for (unsigned int i = 0; i < OUT_SIZE; i++) {
		if (out1[i])
			fail_msg("byte %u of the leaver's output section kept",
				 i);
		if (out0[i] != 0xa0)
			fail_msg("byte %u of the stayer's output section lost",
				 i);
	}
}

/* What the root asks: the channel, who is there, their states. */
static void test_info(void **state)
{
	long info;

	(void)state;
	make_cell(1);
	info = ivshmem_cell_info(&cells[1], 0);
	assert_int_equal(BRIG_CHANNEL_ID(info), 1);
	assert_int_equal(BRIG_CHANNEL_PEER(info), 1);
	assert_int_equal(BRIG_CHANNEL_PEERS(info), 2);
	assert_int_equal(BRIG_CHANNEL_PRESENT(info), 0x2);
	make_cell(0);
	assert_int_equal(BRIG_CHANNEL_PRESENT(ivshmem_cell_info(&cells[1], 0)),
			 0x3);
	assert_true(cfg_write(0, 0x04, 0x2));
	reg_write(0, BRIG_IVSHMEM_REG_STATE, 9);
	assert_int_equal(ivshmem_cell_info(&cells[1], 1), 9);
	assert_int_equal(ivshmem_cell_info(&cells[1], 2), 0);
	assert_int_equal(ivshmem_cell_info(&cells[1], 3), -EINVAL);
	assert_int_equal(ivshmem_cell_info(&cells[1], 1 << 16), -ENOENT);
}

/* An MSI-X entry aimed outside its owner's CPUs fails the owner. */
static void test_msix_policy(void **state)
{
	u32 v;

	(void)state;
	make_cell(0);
	make_cell(1);
	assert_true(cfg_write(0, 0x04, 0x2));
	assert_true(cfg_write(0, MSIX_CAP, 1u << 31));
	v = 0xfee00000 | 2 << 12; /* CPU 2: peer 1's */
	reg_write(0, BRIG_IVSHMEM_REG_BAR_SIZE, v);
	reg_write(0, BRIG_IVSHMEM_REG_BAR_SIZE + 8, 0x41);
	v = 0; /* unmask: it goes live, and is refused */
	assert_int_equal(bar_rw(0, BRIG_IVSHMEM_REG_BAR_SIZE + 12, true, &v),
			 MMIO_CELL_FAILED);
	assert_int_equal(cells[0].state, BRIG_CELL_STATE_FAILED);
	assert_true(stub_logged("MSI-X entry 0 of ivshmem device 00:0e.0"));
	/* Enabling MSI-X over such an entry fails the same way. */
	assert_true(cfg_write(1, 0x04, 0x2));
	reg_write(1, BRIG_IVSHMEM_REG_BAR_SIZE, 0xfee00000 | 1 << 12);
	reg_write(1, BRIG_IVSHMEM_REG_BAR_SIZE + 8, 0x41);
	reg_write(1, BRIG_IVSHMEM_REG_BAR_SIZE + 12, 0);
	assert_false(cfg_write(1, MSIX_CAP, 1u << 31));
	assert_int_equal(cells[1].state, BRIG_CELL_STATE_FAILED);
}

/* Odd widths and offsets read 0 and change nothing. */
static void test_register_widths(void **state)
{
	struct mmio_access acc = { BAR_BASE + BRIG_IVSHMEM_REG_STATE, 5, 2,
				   true };

	(void)state;
	make_cell(0);
	assert_true(cfg_write(0, 0x04, 0x2));
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_HANDLED);
	acc = (struct mmio_access){ BAR_BASE + 0x11, 5, 4, true };
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_HANDLED);
	assert_int_equal(reg_read(0, BRIG_IVSHMEM_REG_STATE), 0);
	assert_int_equal(reg_read(0, 0x800), 0);
	assert_int_equal(reg_read(0, BRIG_IVSHMEM_REG_BAR_SIZE + 0x800), 0);
}

/* --- the root as a peer --------------------------------------------------- */

static enum mmio_result root_access(u64 addr, bool write, u32 *v)
{
	struct mmio_access acc = { addr, write ? *v : 0, 4, write };
	enum mmio_result r;

	stub_set_cpu(0);
	r = mmio_handle_access(per_cpu(0), &acc);
	if (!write)
		*v = (u32)acc.value;
	return r;
}

static void root_cfg_write(unsigned int reg, u32 v)
{
	stub_set_cpu(0);
	assert_true(pci_root_config(per_cpu(0), ROOT_BDF, reg, 4, true, &v));
}

static void root_reg_write(unsigned int off, u32 v)
{
	assert_int_equal(root_access(ROOT_BAR + off, true, &v), MMIO_HANDLED);
}

/*
 * The root keeps the memory throughout, with the model's rights: a cell
 * joining or leaving changes nothing of its mapping.
 */
static void test_root_rights(void **state)
{
	u64 phys = (u64)(uintptr_t)chmem;

	(void)state;
	for (int round = 0; round < 3; round++) {
		assert_int_equal(rights(&root_cell, phys), PAGE_READ);
		assert_int_equal(rights(&root_cell, phys + 0x1000), PAGE_RW);
		assert_int_equal(rights(&root_cell, phys + 0x2000), PAGE_RW);
		assert_int_equal(rights(&root_cell, phys + 0x2000 + OUT_SIZE),
				 PAGE_READ);
		assert_true(ivshmem_root_peer(phys));
		if (round == 0)
			make_cell(1);
		else if (round == 1)
			drop_cell(1);
	}
	/* The cell's view: the root's output section read-only. */
	make_cell(1);
	assert_int_equal(rights(&cells[1], SHMEM_GPA + 0x2000), PAGE_READ);
	assert_int_equal(rights(&cells[1], SHMEM_GPA + 0x2000 + OUT_SIZE),
			 PAGE_RW);
}

/* The root's write where the model says read-only: dropped, said once. */
static void test_root_write_dropped(void **state)
{
	u64 phys = (u64)(uintptr_t)chmem;
	u32 v = 0x12345678;

	(void)state;
	make_cell(1);
	chmem[0x2000 + OUT_SIZE] = 0x77;
	assert_int_equal(root_access(phys, true, &v), MMIO_HANDLED);
	assert_int_equal(root_access(phys + 0x2000 + OUT_SIZE, true, &v),
			 MMIO_HANDLED);
	assert_int_equal(chmem[0], 0);
	assert_int_equal(chmem[0x2000 + OUT_SIZE], 0x77);
	assert_true(stub_logged(
		"write of the state table of ivshmem channel 1 (read-only)"));
	assert_true(stub_logged(
		"write of peer 1's output section of ivshmem channel 1 (read-only)"));
	assert_int_equal(root_access(phys + 0x2000 + OUT_SIZE, false, &v),
			 MMIO_HANDLED);
	assert_int_equal(v, 0x77);
	assert_int_equal(cells[1].state, BRIG_CELL_STATE_RUNNING);
}

/*
 * Doorbells both ways; the root's MSI-X entry aimed at the cell's CPU is
 * refused and said, the root goes on, and doorbells to it are dropped.
 */
static void test_root_doorbells(void **state)
{
	u32 base = BRIG_IVSHMEM_REG_BAR_SIZE + 16;

	(void)state;
	make_cell(1);
	arm(1, 1);
	root_cfg_write(0x04, 0x2);
	root_reg_write(base, 0xfee00000);
	root_reg_write(base + 8, 0x41);
	root_reg_write(base + 12, 0);
	root_cfg_write(MSIX_CAP, 1u << 31);
	root_reg_write(BRIG_IVSHMEM_REG_INTX_CTRL, 1);
	reg_write(1, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(0, 1));
	root_reg_write(BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(1, 1));
	assert_int_equal(stub_num_irqs, 2);
	assert_int_equal(stub_irqs[0].cpu, 0);
	assert_int_equal(stub_irqs[1].cpu, 2);
	/* Aimed at CPU 2, the cell's: refused, reported, not fatal. */
	root_reg_write(base, 0xfee00000 | 2 << 12);
	assert_true(stub_logged("MSI-X entry 1 of ivshmem device 00:0f.0"));
	assert_true(stub_logged("the vector stays off"));
	reg_write(1, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(0, 1));
	assert_int_equal(stub_num_irqs, 2);
	/* Aimed back at CPU 0: live again. */
	root_reg_write(base, 0xfee00000);
	reg_write(1, BRIG_IVSHMEM_REG_DOORBELL, BRIG_IVSHMEM_DOORBELL(0, 1));
	assert_int_equal(stub_num_irqs, 3);
	/* The cell leaving: state 0 and vector 0 (not armed: nothing). */
	root_reg_write(BRIG_IVSHMEM_REG_STATE, 1);
	drop_cell(1);
	assert_int_equal(((u32 *)chmem)[1], 0);
	assert_int_equal(((u32 *)chmem)[0], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars_fixed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_section_rights, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_memory_moves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_doorbell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_and_left, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_policy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_rights, setup_root,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_write_dropped,
						setup_root, teardown),
		cmocka_unit_test_setup_teardown(test_root_doorbells, setup_root,
						teardown),
		cmocka_unit_test_setup_teardown(test_register_widths, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("ivshmem", tests, NULL, NULL);
}
