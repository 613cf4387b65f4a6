// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of `brig config create` (tools/config-create.c): its parsers
 * on hand-built ACPI tables and text, and the whole generator on a fake
 * machine tree shaped like the QEMU q35 boards (VT-d and AMD-Vi), whose
 * output must pass the checker with the boards' own cells and name what
 * the hand-written board descriptions name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "brig-tool.h"

static char tmpdir[] = "/tmp/brig-create-test-XXXXXX";

/* --- building a machine tree ------------------------------------------------ */

static void put(const char *root, const char *rel, const void *data,
		size_t size)
{
	char *path = xasprintf("%s/%s", root, rel);
	FILE *f;

	mkdir(root, 0755);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	fclose(f);
	free(path);
}

static void put_text(const char *root, const char *rel, const char *text)
{
	put(root, rel, text, strlen(text));
}

static void rename_away(const char *root, const char *rel)
{
	char *a = xasprintf("%s/%s", root, rel), *b = xasprintf("%s.away", a);

	assert_int_equal(rename(a, b), 0);
	free(a);
	free(b);
}

static void rename_back(const char *root, const char *rel)
{
	char *a = xasprintf("%s/%s", root, rel), *b = xasprintf("%s.away", a);

	assert_int_equal(rename(b, a), 0);
	free(a);
	free(b);
}

static void st16(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void st32(unsigned char *p, unsigned int v)
{
	st16(p, v & 0xffff);
	st16(p + 2, v >> 16);
}

static void st64(unsigned char *p, unsigned long long v)
{
	st32(p, (unsigned int)v);
	st32(p + 4, (unsigned int)(v >> 32));
}

/* An ACPI table of len bytes: signature and length in its header. */
static unsigned char *acpi(const char *sig, size_t len)
{
	unsigned char *t = xcalloc(1, len);

	memcpy(t, sig, 4);
	st32(t + 4, (unsigned int)len);
	return t;
}

static unsigned char *mcfg(size_t *len)
{
	unsigned char *t = acpi("MCFG", *len = 60);

	st64(t + 44, 0xb0000000);
	st16(t + 52, 0); /* segment */
	t[54] = 0;
	t[55] = 0xff;
	return t;
}

static unsigned char *facp(size_t *len)
{
	unsigned char *t = acpi("FACP", *len = 244);

	st32(t + 76, 0x608);
	return t;
}

/* MADT: a local APIC entry, then the IO-APIC (id 0, 0xfec00000, GSI 0). */
static unsigned char *madt(size_t *len)
{
	unsigned char *t = acpi("APIC", *len = 44 + 8 + 12);

	t[44] = 0;
	t[45] = 8;
	t[52] = 1;
	t[53] = 12;
	t[54] = 0; /* IO-APIC id */
	st32(t + 56, 0xfec00000);
	st32(t + 60, 0);
	return t;
}

/* DMAR: one DRHD at 0xfed90000 whose scope names IO-APIC 0 as ff:00.0. */
static unsigned char *dmar(size_t *len)
{
	unsigned char *t = acpi("DMAR", *len = 48 + 16 + 8);

	st16(t + 48, 0); /* DRHD */
	st16(t + 50, 16 + 8);
	t[52] = 1; /* INCLUDE_PCI_ALL */
	st64(t + 56, 0xfed90000);
	t[64] = 3; /* IOAPIC scope */
	t[65] = 8;
	t[68] = 0; /* enumeration id: IO-APIC 0 */
	t[69] = 0xff; /* bus */
	t[70] = 0; /* device */
	t[71] = 0; /* function */
	return t;
}

/* IVRS: the unit at 0xfed80000 as 00:02.0, listed as IVHD 0x10 and 0x11. */
static unsigned char *ivrs(size_t *len)
{
	unsigned char *t = acpi("IVRS", *len = 48 + 24 + 40);

	t[48] = 0x10;
	st16(t + 50, 24);
	st16(t + 52, 0x10);
	st16(t + 54, 0x40);
	st64(t + 56, 0xfed80000);
	t[72] = 0x11;
	st16(t + 74, 40);
	st16(t + 76, 0x10);
	st16(t + 78, 0x40);
	st64(t + 80, 0xfed80000);
	return t;
}

static const char iomem[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"0009fc00-0009ffff : Reserved\n"
	"000a0000-000bffff : PCI Bus 0000:00\n"
	"000c0000-000c99ff : Video ROM\n"
	"000f0000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-2fffffff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"30000000-3fffffff : Reserved\n"
	"40000000-afffffff : PCI Bus 0000:00\n"
	"b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]\n"
	"  b0000000-bfffffff : Reserved\n"
	"c0000000-febfffff : PCI Bus 0000:00\n"
	"  fe000000-fe7fffff : 0000:00:01.0\n"
	"fec00000-fec003ff : IOAPIC 0\n"
	"fed00000-fed003ff : HPET 0\n"
	"fed1c000-fed1ffff : Reserved\n"
	"fed90000-fed90fff : dmar0\n"
	"fee00000-fee00fff : Local APIC\n"
	"  fee00000-fee00fff : Reserved\n"
	"fffc0000-ffffffff : Reserved\n"
	"100000000-8ffffffff : PCI Bus 0000:00\n";

static void firmware_entry(const char *root, int n, const char *start,
			   const char *end, const char *type)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/start", n);
	put_text(root, rel, start);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/end", n);
	put_text(root, rel, end);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%d/type", n);
	put_text(root, rel, type);
}

/* The QEMU q35 board with 4 CPUs and an IOMMU ("vtd" or "amdvi"). */
static char *fake_machine(const char *iommu)
{
	char *root = xasprintf("%s/%s", tmpdir, iommu);
	unsigned char *t;
	size_t len;

	put_text(
		root, "proc/cmdline",
		"console=ttyS0 memmap=96M$0x3a000000 memmap=160M$0x30000000 quiet\n");
	put_text(root, "proc/iomem", iomem);
	put_text(root, "proc/sys/kernel/hostname", "q35 board\n");
	put_text(root, "sys/devices/system/cpu/present", "0-3\n");
	for (int c = 0; c < 4; c++) {
		char rel[80], cpu[16];

		snprintf(
			rel, sizeof(rel),
			"sys/devices/system/cpu/cpu%d/topology/thread_siblings_list",
			c);
		snprintf(cpu, sizeof(cpu), "%d\n", c);
		put_text(root, rel, cpu);
	}
	firmware_entry(root, 0, "0x0\n", "0x9fbff\n", "System RAM\n");
	firmware_entry(root, 1, "0x100000\n", "0x3ffdffff\n", "System RAM\n");
	firmware_entry(root, 2, "0x3ffe0000\n", "0x3fffffff\n", "Reserved\n");
	t = mcfg(&len);
	put(root, "sys/firmware/acpi/tables/MCFG", t, len);
	free(t);
	t = facp(&len);
	put(root, "sys/firmware/acpi/tables/FACP", t, len);
	free(t);
	t = madt(&len);
	put(root, "sys/firmware/acpi/tables/APIC", t, len);
	free(t);
	t = !strcmp(iommu, "vtd") ? dmar(&len) : ivrs(&len);
	put(root,
	    !strcmp(iommu, "vtd") ? "sys/firmware/acpi/tables/DMAR" :
				    "sys/firmware/acpi/tables/IVRS",
	    t, len);
	free(t);
	return root;
}

/* create's output for root, written to a file; NULL when it refused. */
static char *create(const char *root, unsigned long long hv_start,
		    struct diags *d, char **path)
{
	struct create_opts o = { .root = root,
				 .hv_start = hv_start,
				 .hv_size = 16 << 20,
				 .console = "pio-e9" };
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	int rc = config_create(&o, f, d);

	fclose(f);
	if (rc) {
		free(text);
		return NULL;
	}
	*path = xasprintf("%s/generated.dts", root);
	put_text(root, "generated.dts", text);
	return text;
}

static void print_diags(struct diags *d)
{
	diags_print(d, stderr);
}

/* --- the whole generator ---------------------------------------------------- */

/* The generated description passes the checker with a board's cell. */
static void check_with_cell(const char *sys_path, const char *cell)
{
	char *cell_path = xasprintf("%s/configs/x86/%s", TOP, cell);
	struct diags d = { 0 };
	struct config sys, c;

	assert_int_equal(config_load(sys_path, &sys, &d), 0);
	assert_int_equal(config_load(cell_path, &c, &d), 0);
	if (config_check_set(&sys, &c, 1, &d))
		print_diags(&d);
	assert_int_equal(d.errors, 0);
	config_free(&sys);
	config_free(&c);
	diags_free(&d);
	free(cell_path);
}

static void vtd_board(void **state)
{
	char *root = fake_machine("vtd"), *path = NULL, *text;
	struct diags d = { 0 };

	(void)state;
	text = create(root, 0, &d, &path);
	if (!text)
		print_diags(&d);
	assert_non_null(text);
	assert_int_equal(d.errors, 0);
	/* What the hand-written board description says (qemu-x86-vtd.dts). */
	assert_non_null(strstr(
		text,
		"hypervisor {\n\t\tphys-start = <0x3a000000>;\n\t\tsize = <0x1000000>;"));
	assert_non_null(strstr(text, "pci-mmconfig-base = <0xb0000000>;"));
	assert_non_null(strstr(text, "pci-mmconfig-end-bus = <0xff>;"));
	assert_non_null(strstr(text, "pm-timer-port = <0x608>;"));
	assert_non_null(strstr(
		text,
		"type = \"vtd\";\n\t\t\tbase = <0xfed90000>;\n\t\t\tsize = <0x1000>;"));
	assert_non_null(strstr(
		text,
		"ioapic@fec00000 {\n\t\t\t\taddress = <0xfec00000>;\n\t\t\t\tid = <0xff00>;"));
	assert_non_null(strstr(text, "cpus = <0 1 2 3>;"));
	assert_non_null(strstr(text, "cell-name = \"q35board\";"));
	assert_non_null(strstr(text, "smt-siblings {\n\t};"));
	/* The pools, and the firmware's 128 KiB kept for the root. */
	assert_non_null(strstr(
		text,
		"cell-pool@30000000 {\n\t\t\t\tphys-start = <0x30000000>;\n\t\t\t\tsize = <0xa000000>;"));
	assert_non_null(strstr(
		text,
		"cell-pool@3b000000 {\n\t\t\t\tphys-start = <0x3b000000>;\n\t\t\t\tsize = <0x4fe0000>;"));
	assert_non_null(strstr(
		text,
		"firmware@3ffe0000 {\n\t\t\t\tphys-start = <0x3ffe0000>;\n\t\t\t\tsize = <0x20000>;"));
	/* RAM as Linux has it, MMIO page-rounded, the 64-bit window. */
	assert_non_null(strstr(
		text,
		"ram@100000 {\n\t\t\t\tphys-start = <0x100000>;\n\t\t\t\tsize = <0x2ff00000>;\n\t\t\t\ttype = \"ram\";"));
	assert_non_null(strstr(
		text,
		"hpet@fed00000 {\n\t\t\t\tphys-start = <0xfed00000>;\n\t\t\t\tsize = <0x1000>;"));
	assert_non_null(strstr(
		text,
		"pci-hole@100000000 {\n\t\t\t\tphys-start = /bits/ 64 <0x100000000>;\n\t\t\t\tsize = /bits/ 64 <0x800000000>;"));
	/* Nothing of the hypervisor's 16 MiB goes to the root. */
	assert_null(strstr(text, "@3a000000 {"));
	assert_non_null(strstr(text, "memmap=0x6000000$0x3a000000"));
	check_with_cell(path, "qemu-x86-hello.dts");
	check_with_cell(path, "qemu-x86-linux.dts");
	free(text);
	free(path);
	free(root);
	diags_free(&d);
}

static void amdvi_board(void **state)
{
	char *root = fake_machine("amdvi"), *path = NULL, *text;
	struct diags d = { 0 };

	(void)state;
	text = create(root, 0, &d, &path);
	assert_non_null(text);
	assert_non_null(strstr(
		text,
		"type = \"amd-vi\";\n\t\t\tbase = <0xfed80000>;\n\t\t\tsize = <0x4000>;\n\t\t\tamd-bdf = <0x10>;\n\t\t\tamd-cap = <0x40>;"));
	/* Listed twice in IVRS (two IVHD types), one unit. */
	assert_null(strstr(strstr(text, "iommu@fed80000") + 1, "iommu@"));
	/* No DMAR scope: the IO-APIC stays out of irqchips. */
	assert_null(strstr(text, "irqchips"));
	check_with_cell(path, "qemu-x86-hello.dts");
	free(text);
	free(path);
	free(root);
	diags_free(&d);
}

/*
 * What `brig config collect` packed on the QEMU boards themselves
 * (tests/scenarios/config-create.sh exports it; 2 CPUs, Linux 6.12 on the
 * VT-d board, 6.1 on the AMD-Vi one). The description create writes from
 * it must say what the hand-written board description says: the
 * hypervisor, the platform (but the AMD-Vi unit's own function, which
 * moves with each boot's devices), the pools and the IO-APICs.
 */
static struct config load_ok(const char *path)
{
	struct diags d = { 0 };
	struct config c;

	if (config_load(path, &c, &d))
		print_diags(&d);
	assert_int_equal(d.errors, 0);
	diags_free(&d);
	return c;
}

static void same_memory(const struct brig_memory *a,
			const struct brig_memory *b)
{
	assert_true(a->phys_start == b->phys_start && a->size == b->size &&
		    a->flags == b->flags);
}

static void compare_with_board(const char *generated, const char *board)
{
	struct config g = load_ok(generated), b = load_ok(board);
	const struct brig_system_desc *gs = g.blob, *bs = b.blob;
	const struct brig_cell_desc *gr = &gs->root_cell, *br = &bs->root_cell;
	struct brig_platform gp = gs->platform, bp = bs->platform;
	unsigned int k = 0;

	assert_true(gs->hypervisor_memory.phys_start ==
			    bs->hypervisor_memory.phys_start &&
		    gs->hypervisor_memory.size == bs->hypervisor_memory.size);
	for (unsigned int i = 0; i < gp.num_iommu_units; i++)
		gp.iommu_units[i].amd_bdf = gp.iommu_units[i].amd_cap = 0;
	assert_memory_equal(&gp, &bp, sizeof(gp));
	/* The reserved pools, in order. */
	for (unsigned int i = 0; i < br->num_memory_regions; i++) {
		const struct brig_memory *m = &brig_cell_mem_regions(br)[i];

		if (!(m->flags & BRIG_MEM_RESERVED))
			continue;
		while (k < gr->num_memory_regions &&
		       !(brig_cell_mem_regions(gr)[k].flags &
			 BRIG_MEM_RESERVED))
			k++;
		assert_true(k < gr->num_memory_regions);
		same_memory(&brig_cell_mem_regions(gr)[k++], m);
	}
	assert_int_equal(gr->num_irqchips, br->num_irqchips);
	for (unsigned int i = 0; i < br->num_irqchips; i++)
		assert_memory_equal(&brig_cell_irqchips(gr)[i],
				    &brig_cell_irqchips(br)[i],
				    sizeof(struct brig_irqchip));
	config_free(&g);
	config_free(&b);
}

static void collected_board(const char *archive, const char *board)
{
	char *from = xasprintf("%s/tests/unit/fixtures/%s", TOP, archive);
	char *dir = xasprintf("%s/%s", tmpdir, archive);
	char *cmd =
		xasprintf("mkdir -p %s && tar -xzf %s -C %s", dir, from, dir);
	char *board_path = xasprintf("%s/configs/x86/%s", TOP, board);
	char *path = NULL, *text;
	struct diags d = { 0 };

	assert_int_equal(system(cmd), 0);
	text = create(dir, 0, &d, &path);
	if (!text)
		print_diags(&d);
	assert_non_null(text);
	compare_with_board(path, board_path);
	check_with_cell(path, "qemu-x86-hello.dts");
	free(text);
	free(path);
	free(board_path);
	free(cmd);
	free(dir);
	free(from);
	diags_free(&d);
}

static void collected_vtd(void **state)
{
	(void)state;
	collected_board("config-collect-qemu-vtd.tar.gz",
			"qemu-x86-vtd-2cpu.dts");
}

static void collected_amdvi(void **state)
{
	(void)state;
	collected_board("config-collect-qemu-amdvi.tar.gz",
			"qemu-x86-amdvi-2cpu.dts");
}

/*
 * The edges of the map: firmware memory that Linux's iomem merged with a
 * reservation next to it stays the root's; a DMAR RMRR goes to the root
 * with DMA; an IO-APIC scope with more than one hop names no source id.
 */
static void map_edges(void **state)
{
	char *root = fake_machine("vtd"), *path = NULL, *text;
	struct diags d = { 0 };
	unsigned char *t;
	size_t len;

	(void)state;
	put_text(root, "proc/cmdline", "memmap=0x21e0000$0x3de00000\n");
	text = create(root, 0, &d, &path);
	assert_non_null(text);
	assert_non_null(strstr(
		text,
		"reserved@3ffe0000 {\n\t\t\t\tphys-start = <0x3ffe0000>;\n\t\t\t\tsize = <0x20000>;"));
	assert_non_null(strstr(
		text,
		"cell-pool@3ee00000 {\n\t\t\t\tphys-start = <0x3ee00000>;\n\t\t\t\tsize = <0x11e0000>;"));
	free(text);
	free(path);

	/* An RMRR in a reserved range, and a two-hop IO-APIC scope. */
	t = acpi("DMAR", len = 48 + 16 + 10 + 24);
	st16(t + 48, 0);
	st16(t + 50, 16 + 10);
	st64(t + 56, 0xfed90000);
	t[64] = 3;
	t[65] = 10;
	t[68] = 0;
	t[69] = 0;
	t[70] = 0x1c; /* a bridge, then the device behind it */
	t[73] = 0;
	st16(t + 74, 1);
	st16(t + 76, 24);
	st64(t + 82, 0xfed1c000);
	st64(t + 90, 0xfed1cfff);
	put(root, "sys/firmware/acpi/tables/DMAR", t, len);
	free(t);
	put_text(root, "proc/cmdline", "memmap=96M$0x3a000000\n");
	text = create(root, 0, &d, &path);
	assert_non_null(text);
	assert_null(strstr(text, "irqchips"));
	assert_non_null(strstr(
		text,
		"firmware-dma@fed1c000 {\n\t\t\t\tphys-start = <0xfed1c000>;\n\t\t\t\tsize = <0x1000>;\n\t\t\t\ttype = \"ram\";\n\t\t\t\tflags = \"read\", \"write\", \"dma\";"));
	free(text);
	free(path);
	diags_free(&d);
	free(root);
}

/* --hypervisor names the second reservation; a wrong address is refused. */
static void hypervisor_choice(void **state)
{
	char *root = fake_machine("vtd"), *path = NULL, *text;
	struct diags d = { 0 };

	(void)state;
	text = create(root, 0x30000000, &d, &path);
	assert_non_null(text);
	assert_non_null(
		strstr(text, "hypervisor {\n\t\tphys-start = <0x30000000>;"));
	assert_non_null(strstr(text, "cell-pool@31000000"));
	free(text);
	free(path);
	path = NULL;
	assert_null(create(root, 0x20000000, &d, &path));
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.v[0].msg,
			       "no memmap= reservation starts at 0x20000000"));
	free(root);
	diags_free(&d);
}

/* What it cannot do without is refused, with the reason. */
static void refusals(void **state)
{
	char *root = fake_machine("vtd"), *path = NULL;
	struct diags d = { 0 };

	(void)state;
	put_text(root, "proc/cmdline", "console=ttyS0 quiet\n");
	assert_null(create(root, 0, &d, &path));
	/* The top 96 MiB of 0x100000-0x2fffffff, the RAM below 4 GiB. */
	assert_non_null(strstr(
		d.v[0].msg, "add memmap=96M$0x2a000000 to its command line"));
	diags_free(&d);

	/* Reserved on the command line, but Linux still has it as RAM. */
	put_text(root, "proc/cmdline", "memmap=96M$0x20000000\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(strstr(d.v[0].msg, "is System RAM to Linux"));
	diags_free(&d);

	/* Too small for the hypervisor; the firmware's tables inside it. */
	put_text(root, "proc/cmdline", "memmap=1M$0x3ff00000\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(strstr(d.v[0].msg, "smaller than the hypervisor"));
	diags_free(&d);
	put_text(root, "proc/cmdline", "memmap=32M$0x3fe00000\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(strstr(
		d.v[0].msg,
		"the hypervisor's 16 MiB at 0x3fe00000 are not all RAM to the firmware"));
	diags_free(&d);

	/* In the PCI hole: no RAM to the firmware at all. */
	put_text(root, "proc/cmdline", "memmap=96M$0x40000000\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(strstr(d.v[0].msg, "are not all RAM to the firmware"));
	diags_free(&d);

	/* Not whole pages; not 2 MiB aligned for the hypervisor. */
	put_text(root, "proc/cmdline", "memmap=0x9fff800$0x30000800\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(strstr(d.v[0].msg, "is not whole pages"));
	diags_free(&d);
	put_text(root, "proc/cmdline", "memmap=96M$0x3a001000\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(strstr(d.v[0].msg, "is not 2 MiB aligned"));
	diags_free(&d);

	/* A boot loader's \$ that reached Linux: a RAM limit, no reservation. */
	put_text(root, "proc/cmdline", "memmap=96M\\$0x3a000000\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(
		strstr(d.v[0].msg, "the kernel took it as a limit on RAM"));
	diags_free(&d);

	/* iomem read without root's rights: all zeros. */
	put_text(root, "proc/cmdline", "memmap=96M$0x3a000000\n");
	put_text(
		root, "proc/iomem",
		"00000000-00000000 : System RAM\n00000000-00000000 : PCI Bus 0000:00\n");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(strstr(d.v[0].msg,
			       "run brig config create (or collect) as root"));
	diags_free(&d);

	/* No firmware map: RAM cannot be told from device memory. */
	put_text(root, "proc/iomem", iomem);
	rename_away(root, "sys/firmware/memmap");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_non_null(
		strstr(d.v[0].msg, "RAM cannot be told from device memory"));
	diags_free(&d);
	rename_back(root, "sys/firmware/memmap");

	/* No MCFG. */
	put_text(root, "sys/firmware/acpi/tables/MCFG", "garbage");
	memset(&d, 0, sizeof(d));
	assert_null(create(root, 0, &d, &path));
	assert_true(d.errors >= 1);
	diags_free(&d);
	free(root);
}

/* --- the parsers ------------------------------------------------------------- */

static void reservations(void **state)
{
	struct create_range r[4];
	struct diags d = { 0 };

	(void)state;
	assert_int_equal(
		create_parse_reservations(
			"memmap=96M$0x3a000000 memmap=2G$4G,16K$0x1000 xmemmap=1M$0x0 memmap=1M@0x0 memmap=exactmap",
			r, 4, &d),
		3);
	assert_true(r[0].start == 0x3a000000 && r[0].size == 96 << 20);
	assert_true(r[1].start == 4ULL << 30 && r[1].size == 2ULL << 30);
	assert_true(r[2].start == 0x1000 && r[2].size == 16 << 10);
	assert_int_equal(create_parse_reservations("memmap=1M$1M memmap=1M$2M",
						   r, 1, &d),
			 -1);
	assert_int_equal(d.errors, 1);
	diags_free(&d);
}

static void iomem_top_level(void **state)
{
	struct create_range *r = NULL;
	struct diags d = { 0 };
	unsigned int n = 0;

	(void)state;
	assert_int_equal(create_parse_iomem(iomem, &r, &n, &d), 0);
	assert_int_equal(n, 18);
	assert_true(r[6].start == 0x100000 && r[6].size == 0x2ff00000);
	assert_string_equal(r[6].name, "System RAM");
	assert_string_equal(r[9].name, "PCI MMCONFIG 0000 [bus 00-ff]");
	assert_true(r[17].start == 0x100000000ULL);
	free(r);
}

static void acpi_tables(void **state)
{
	struct create_range r[2];
	struct create_ioapic io[2];
	struct create_iommu u[4];
	unsigned long long base;
	unsigned int bus;
	unsigned char *t;
	size_t len;

	(void)state;
	t = mcfg(&len);
	assert_int_equal(create_parse_mcfg(t, len, &base, &bus), 0);
	assert_true(base == 0xb0000000 && bus == 0xff);
	st16(t + 52, 1); /* segment 1 only: none for segment 0 */
	assert_int_equal(create_parse_mcfg(t, len, &base, &bus), -1);
	free(t);

	t = facp(&len);
	assert_int_equal(create_parse_pm_timer(t, len), 0x608);
	t[208] = 1; /* X_PM_TMR_BLK in I/O space wins */
	st64(t + 212, 0xb008);
	assert_int_equal(create_parse_pm_timer(t, len), 0xb008);
	free(t);

	t = madt(&len);
	assert_int_equal(create_parse_madt(t, len, io, 2), 1);
	assert_true(io[0].address == 0xfec00000 && io[0].gsi_base == 0);
	t[45] = 0; /* a zero-length entry ends the walk */
	assert_int_equal(create_parse_madt(t, len, io, 2), 0);
	free(t);

	t = madt(&len);
	create_parse_madt(t, len, io, 2);
	free(t);
	t = dmar(&len);
	assert_int_equal(create_parse_dmar(t, len, u, 4, io, 1), 1);
	assert_true(u[0].base == 0xfed90000 && u[0].size == 0x1000);
	assert_int_equal(io[0].source_id, 0xff00);
	t[53] = 2; /* size: 2^2 pages */
	create_parse_dmar(t, len, u, 4, io, 1);
	assert_int_equal(u[0].size, 0x4000);
	assert_int_equal(create_parse_dmar(t, len, u, 0, io, 1), 1);
	free(t);

	t = acpi("IVRS", len = 48 + 32);
	t[48] = 0x20;
	st16(t + 50, 32);
	st64(t + 64, 0x9d000);
	st64(t + 72, 0x2000);
	assert_int_equal(create_parse_ivmd(t, len, r, 2), 1);
	assert_true(r[0].start == 0x9d000 && r[0].size == 0x2000);
	free(t);

	t = ivrs(&len);
	assert_int_equal(create_parse_ivrs(t, len, u, 4), 1);
	assert_true(u[0].amd_bdf == 0x10 && u[0].amd_cap == 0x40);
	st16(t + 74, 0xffff); /* a block past the table's end */
	assert_int_equal(create_parse_ivrs(t, len, u, 4), 1);
	free(t);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", tmpdir);
	int rc = system(cmd);

	(void)state;
	free(cmd);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vtd_board),
		cmocka_unit_test(amdvi_board),
		cmocka_unit_test(collected_vtd),
		cmocka_unit_test(collected_amdvi),
		cmocka_unit_test(hypervisor_choice),
		cmocka_unit_test(map_edges),
		cmocka_unit_test(refusals),
		cmocka_unit_test(reservations),
		cmocka_unit_test(iomem_top_level),
		cmocka_unit_test(acpi_tables),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
