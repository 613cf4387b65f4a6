// SPDX-License-Identifier: GPL-2.0
/*
 * tools/linux-boot.c: the images `brig cell linux` loads, built from a
 * made-up bzImage with the setup header fields of Debian 12's 6.1 kernel
 * (boot protocol 2.15, relocatable, 2 MiB alignment, preferred address
 * 16 MiB, init_size about 64 MiB). Every ACPI table must sum to 0, the
 * memory map must hold what the kernel and initramfs use, the trampoline
 * must point at the boot parameters and the kernel; each refusal says
 * what is wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <brig/comm.h>

#include "linux-boot.h"

#define MiB (1024ULL * 1024)
#define SETUP_SECTS 39
#define KSIZE (8 * MiB)
#define INIT_SIZE 0x3f9a000u

extern const uint8_t linux_tramp_start[], linux_tramp_params[];

static uint8_t *kernel;
static uint8_t initrd[8192];
static struct lb_cell cell;
static struct lb_result r;
static char err[256];

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

static uint32_t get32(const void *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)p + off, 4);
	return v;
}

static uint64_t get64(const void *p, unsigned int off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)p + off, 8);
	return v;
}

static int setup(void **state)
{
	(void)state;
	kernel = calloc(1, KSIZE);
	kernel[0x1f1] = SETUP_SECTS;
	kernel[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(kernel + 0x202, "HdrS", 4);
	put32(kernel, 0x206, 0x020f);
	kernel[0x211] = 0x01; /* LOADED_HIGH */
	put32(kernel, 0x214, 0x100000);
	put32(kernel, 0x22c, 0x7fffffff);
	put32(kernel, 0x230, 0x200000);
	kernel[0x234] = 1;
	put32(kernel, 0x238, 2047);
	put64(kernel, 0x258, 0x1000000);
	put32(kernel, 0x260, INIT_SIZE);
	/* the protected-mode part starts with a marker */
	memcpy(kernel + (SETUP_SECTS + 1) * 512, "PMPART", 6);
	memset(&cell, 0, sizeof(cell));
	cell.ram_size = 160 * MiB;
	cell.cpus = 2;
	cell.apic_ids[0] = 1;
	cell.apic_ids[1] = 2;
	memset(&r, 0, sizeof(r));
	err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lb_free(&r);
	free(kernel);
	return 0;
}

static const struct lb_image *image_at(uint64_t gpa)
{
	for (unsigned int n = 0; n < r.count; n++)
		if (r.images[n].gpa == gpa)
			return &r.images[n];
	return NULL;
}

/* The ACPI table at gpa, found in the ACPI image, its checksum checked. */
static const uint8_t *acpi_table(uint64_t gpa, const char *sig)
{
	const uint8_t *acpi = r.acpi, *t;

	assert_true(gpa >= LB_ACPI && gpa < LB_ACPI_END);
	t = acpi + (gpa - LB_ACPI);
	assert_memory_equal(t, sig, 4);
	assert_int_equal(lb_checksum(t, get32(t, 4)), 0);
	return t;
}

static void builds_every_image(void **state)
{
	const struct lb_image *k;

	(void)state;
	assert_int_equal(lb_build(kernel, KSIZE, initrd, sizeof(initrd),
				  "console=ttyS1", &cell, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.count, 6);
	assert_non_null(image_at(0));
	assert_non_null(image_at(LB_BOOT_PARAMS));
	assert_non_null(image_at(LB_CMDLINE));
	assert_non_null(image_at(LB_ACPI));
	/* the kernel at its preferred address, without its setup code */
	assert_int_equal(r.kernel_at, 0x1000000);
	assert_int_equal(r.kernel_end, 0x1000000 + INIT_SIZE);
	k = image_at(0x1000000);
	assert_non_null(k);
	assert_int_equal(k->size, KSIZE - (SETUP_SECTS + 1) * 512);
	assert_memory_equal(k->data, "PMPART", 6);
	/* the initramfs at the top, page-aligned */
	assert_int_equal(r.initrd_at, 160 * MiB - 8192);
	assert_non_null(image_at(r.initrd_at));
	assert_string_equal((const char *)image_at(LB_CMDLINE)->data,
			    "console=ttyS1");
}

static void trampoline_points_at_params_and_kernel(void **state)
{
	size_t off = (size_t)(linux_tramp_params - linux_tramp_start);

	(void)state;
	assert_int_equal(lb_build(kernel, KSIZE, NULL, 0, "", &cell, &r, err,
				  sizeof(err)),
			 0);
	assert_int_equal(r.count, 5); /* no initramfs */
	assert_int_equal(((const uint8_t *)r.low)[0], 0xfa); /* cli */
	assert_int_equal(get32(r.low, (unsigned int)off), LB_BOOT_PARAMS);
	assert_int_equal(get32(r.low, (unsigned int)off + 4), 0x1000000);
}

static void boot_params_as_a_loader_fills_them(void **state)
{
	const uint8_t *zp;

	(void)state;
	assert_int_equal(lb_build(kernel, KSIZE, initrd, sizeof(initrd),
				  "quiet", &cell, &r, err, sizeof(err)),
			 0);
	zp = r.params;
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(zp[0x210], 0xff); /* type_of_loader */
	assert_true(zp[0x211] & 1); /* LOADED_HIGH */
	assert_int_equal(get32(zp, 0x214), 0x1000000); /* code32_start */
	assert_int_equal(get32(zp, 0x218), r.initrd_at);
	assert_int_equal(get32(zp, 0x21c), sizeof(initrd));
	assert_int_equal(get32(zp, 0x228), LB_CMDLINE);
	assert_int_equal(get32(zp, 0x260), INIT_SIZE);
	assert_int_equal(zp[0x1ef], 0); /* sentinel */
	/* e820: low RAM, the BIOS area with ACPI reserved, RAM to the end */
	assert_int_equal(zp[0x1e8], 3);
	assert_int_equal(get64(zp, 0x2d0), 0);
	assert_int_equal(get32(zp, 0x2d0 + 16), 1);
	assert_int_equal(get64(zp, 0x2d0 + 20), 0x9f000);
	assert_int_equal(get32(zp, 0x2d0 + 20 + 16), 2);
	assert_true(get64(zp, 0x2d0 + 20) + get64(zp, 0x2d0 + 28) >=
		    LB_ACPI_END);
	assert_int_equal(get64(zp, 0x2d0 + 40), 0x100000);
	assert_int_equal(get64(zp, 0x2d0 + 40) + get64(zp, 0x2d0 + 48),
			 160 * MiB);
	assert_int_equal(get32(zp, 0x2d0 + 40 + 16), 1);
}

/* A Generic Address Structure: one byte at an I/O port. */
static void assert_gas_port(const uint8_t *g, uint16_t port)
{
	assert_int_equal(g[0], 1); /* system I/O */
	assert_int_equal(g[1], 8);
	assert_int_equal(g[2], 0);
	assert_int_equal(g[3], 1);
	assert_int_equal(get64(g, 4), port);
}

/*
 * The DSDT's AML: Name (_S5, Package (4) { 5, 5, 0, 0 }), then the pvpanic
 * Device whose package length covers the rest of the table exactly, with
 * its _HID and an IO descriptor for one port.
 */
static void assert_dsdt(const uint8_t *t)
{
	static const uint8_t s5[] = { 0x08, '_',  'S',	'5',  '_',  0x12, 0x08,
				      0x04, 0x0a, 0x05, 0x0a, 0x05, 0,	  0 };
	uint32_t len = get32(t, 4);
	const uint8_t *d = t + 36 + sizeof(s5);

	assert_memory_equal(t + 36, s5, sizeof(s5));
	assert_int_equal(d[0], 0x5b);
	assert_int_equal(d[1], 0x82);
	assert_int_equal(d[2], len - 36 - sizeof(s5) - 2); /* one-byte form */
	assert_memory_equal(d + 3, "PEVT", 4);
	assert_memory_equal(d + 7, "\x08_HID\x0dQEMU0001", 15);
	assert_memory_equal(d + 22, "\x08_CRS\x11\x0d\x0a\x0a\x47\x01", 11);
	assert_int_equal(d[33] | d[34] << 8, BRIG_X86_PVPANIC_PORT);
	assert_int_equal(d[35] | d[36] << 8, BRIG_X86_PVPANIC_PORT);
	assert_int_equal(d[38], 1); /* one port */
	assert_int_equal(d[39], 0x79); /* end tag */
	assert_int_equal(39 + 2, len - 36 - sizeof(s5));
}

static void acpi_tables_name_the_cell(void **state)
{
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;

	(void)state;
	cell.cpus = 3;
	cell.apic_ids[2] = 300; /* past 254: an x2APIC entry */
	assert_int_equal(lb_build(kernel, KSIZE, NULL, 0, "", &cell, &r, err,
				  sizeof(err)),
			 0);
	assert_int_equal(get64(r.params, 0x070), LB_ACPI); /* acpi_rsdp_addr */
	rsdp = r.acpi;
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(lb_checksum(rsdp, 20), 0);
	assert_int_equal(lb_checksum(rsdp, 36), 0);
	assert_int_equal(rsdp[15], 2);
	xsdt = acpi_table(get64(rsdp, 24), "XSDT");
	acpi_table(get32(rsdp, 16), "RSDT");
	assert_int_equal(get32(xsdt, 4), 36 + 16);
	fadt = acpi_table(get64(xsdt, 36), "FACP");
	madt = acpi_table(get64(xsdt, 44), "APIC");
	/* hardware-reduced, physical APIC mode; no VGA, no CMOS, no 8042 */
	assert_true(get32(fadt, 112) & (1u << 20));
	assert_true(get32(fadt, 112) & (1u << 19));
	assert_int_equal(fadt[109] | fadt[110] << 8, (1u << 2) | (1u << 5));
	dsdt = acpi_table(get64(fadt, 140), "DSDT");
	assert_int_equal(get32(fadt, 40), get64(fadt, 140));
	/* the power control brig emulates: reset, sleep control and status */
	assert_true(get32(fadt, 112) & (1u << 10));
	assert_gas_port(fadt + 116, BRIG_X86_RESET_PORT);
	assert_int_equal(fadt[128], BRIG_X86_RESET_VALUE);
	assert_gas_port(fadt + 244, BRIG_X86_SLEEP_PORT);
	assert_gas_port(fadt + 256, BRIG_X86_SLEEP_PORT);
	assert_dsdt(dsdt);
	/* the reset vector: mov $6, %al; mov $0xcf9, %dx; out; hlt; jmp */
	assert_memory_equal((const uint8_t *)r.acpi + (0xffff0 - LB_ACPI),
			    "\xb0\x06\xba\xf9\x0c\xee\xf4\xeb\xfd", 9);
	assert_non_null(image_at(LB_ACPI));
	assert_int_equal(image_at(LB_ACPI)->size, LB_ACPI_END - LB_ACPI);
	/* the CPUs, in order, no IO-APIC, no 8259s */
	assert_int_equal(get32(madt, 36), 0xfee00000);
	assert_int_equal(get32(madt, 40), 0);
	assert_int_equal(get32(madt, 4), 44 + 8 + 8 + 16);
	assert_int_equal(madt[44], 0);
	assert_int_equal(madt[44 + 3], 1);
	assert_int_equal(madt[52 + 3], 2);
	assert_int_equal(get32(madt, 52 + 4), 1); /* enabled */
	assert_int_equal(madt[60], 9);
	assert_int_equal(get32(madt, 60 + 4), 300);
}

/*
 * With a comm region, the DSDT ends in Device (BRIG) naming it: _HID
 * BRIG0001 and one QWord memory descriptor for its page. The device's
 * two-byte package length and the buffer's must cover it exactly.
 */
static void acpi_names_the_comm_region(void **state)
{
	const uint8_t *dsdt, *d;
	uint32_t len, pkg;

	(void)state;
	cell.comm_region = 0x100000000ULL;
	assert_int_equal(lb_build(kernel, KSIZE, NULL, 0, "", &cell, &r, err,
				  sizeof(err)),
			 0);
	dsdt = (const uint8_t *)r.acpi + (get64(r.acpi, 24) - LB_ACPI);
	dsdt = (const uint8_t *)r.acpi +
	       (get64(dsdt, 36) - LB_ACPI); /* the XSDT's FADT */
	dsdt = (const uint8_t *)r.acpi + (get64(dsdt, 140) - LB_ACPI);
	assert_memory_equal(dsdt, "DSDT", 4);
	assert_int_equal(lb_checksum(dsdt, get32(dsdt, 4)), 0);
	len = get32(dsdt, 4);
	d = dsdt + 36 + 14 + 41; /* after _S5 and the pvpanic device */
	assert_int_equal(d[0], 0x5b);
	assert_int_equal(d[1], 0x82);
	assert_int_equal(d[2] >> 6, 1); /* two bytes of package length */
	pkg = (d[2] & 0x0f) | (uint32_t)d[3] << 4;
	assert_int_equal(pkg, len - (uint32_t)(d + 2 - dsdt));
	assert_memory_equal(d + 4, "BRIG", 4);
	assert_memory_equal(d + 8,
			    "\x08_HID\x0d"
			    "BRIG0001",
			    15);
	assert_memory_equal(d + 23, "\x08_CRS\x11", 6);
	assert_int_equal(d[29], len - (uint32_t)(d + 29 - dsdt)); /* buffer */
	assert_int_equal(d[30], 0x0a);
	assert_int_equal(d[31], 48);
	assert_int_equal(d[32], 0x8a);
	assert_int_equal(d[33] | d[34] << 8, 43);
	assert_int_equal(d[35], 0); /* memory */
	assert_int_equal(d[36], 0x0d); /* consumer, minimum and maximum fixed */
	assert_int_equal(d[37], 0x03); /* read-write, cacheable */
	assert_true(len <= 0x100); /* the DSDT's room, below the MADT */
	assert_int_equal(get64(d, 38 + 8), 0x100000000ULL); /* minimum */
	assert_int_equal(get64(d, 38 + 16), 0x100000fffULL); /* maximum */
	assert_int_equal(get64(d, 38 + 32), 0x1000); /* length */
	assert_int_equal(d[78], 0x79);
	assert_int_equal(d + 80, dsdt + len);
}

/* refused: what the message must say */
static void refuses(const char *want)
{
	assert_int_equal(lb_build(kernel, KSIZE, initrd, sizeof(initrd), "",
				  &cell, &r, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, want));
	assert_null(strchr(err, '\n'));
}

static void refusals(void **state)
{
	(void)state;
	memcpy(kernel + 0x202, "HdrX", 4);
	refuses("not a Linux bzImage");
	memcpy(kernel + 0x202, "HdrS", 4);
	put32(kernel, 0x206, 0x0209);
	refuses("older than 2.10");
	put32(kernel, 0x206, 0x020f);
	kernel[0x211] = 0;
	refuses("a zImage");
	kernel[0x211] = 1;
	cell.ram_size = 64 * MiB;
	refuses("the kernel needs RAM up to 0x4f9a000");
	cell.ram_size = 0x1000000 + INIT_SIZE + 4096;
	refuses("no room for a 8192-byte initramfs");
	cell.ram_size = 160 * MiB;
	cell.cpus = 0;
	refuses("1 to 64 CPUs");
	cell.cpus = 1;
	put32(kernel, 0x238, 4);
	assert_int_equal(lb_build(kernel, KSIZE, NULL, 0, "quiet", &cell, &r,
				  err, sizeof(err)),
			 -1);
	assert_string_equal(
		err, "the command line has 5 characters, the kernel takes 4");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(builds_every_image),
		T(trampoline_points_at_params_and_kernel),
		T(boot_params_as_a_loader_fills_them),
		T(acpi_tables_name_the_cell),
		T(acpi_names_the_comm_region),
		T(refusals),
	};

	return cmocka_run_group_tests_name("linux-boot", tests, NULL, NULL);
}
