// SPDX-License-Identifier: GPL-2.0
/*
 * The images that boot a stock x86-64 Linux in a cell (linux-boot.h).
 *
 * The kernel is started through the 32-bit boot protocol, with the boot
 * parameters filled as a boot loader would (the x86 boot protocol in the
 * kernel's Documentation/arch/x86/boot.rst and zero-page.rst give the
 * offsets). It learns the machine from ACPI tables built here rather than
 * an MP table, because only an FADT can say what is *not* there: the
 * tables declare a hardware-reduced ACPI platform (no PIC, no PIT, no PM
 * timer or SCI for Linux to program), no i8042, no VGA and no CMOS clock,
 * and physical APIC destinations; the MADT lists the cell's CPUs and no
 * IO-APIC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brig/comm.h>

#include "linux-boot.h"

extern const uint8_t linux_tramp_start[], linux_tramp_end[],
	linux_tramp_params[];

/* Setup header fields (offsets in the bzImage and in the zero page). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_JUMP_END 0x201 /* the header ends at 0x202 + this byte */
#define HDR_MAGIC 0x202 /* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END_MAX 0x290 /* the zero page's header area ends here */
#define LOADED_HIGH 0x01

/* The zero page's own fields. */
#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_E820_ENTRIES 0x1e8
#define ZP_E820_TABLE 0x2d0
#define E820_RAM 1
#define E820_RESERVED 2

#define MIN_VERSION 0x20a /* 2.10: pref_address and init_size */

/* ACPI layout inside LB_ACPI .. LB_ACPI_END. */
#define RSDP_AT (LB_ACPI + 0x000)
#define XSDT_AT (LB_ACPI + 0x040)
#define RSDT_AT (LB_ACPI + 0x080)
#define FADT_AT (LB_ACPI + 0x100)
#define DSDT_AT (LB_ACPI + 0x300)
#define MADT_AT (LB_ACPI + 0x400)
#define FIRMWARE_SIZE (LB_ACPI_END - LB_ACPI) /* up to 1 MiB */
#define RESET_VECTOR 0xffff0
#define FADT_LEN 276
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_X_DSDT 140
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_SLEEP_CONTROL 244
#define FADT_SLEEP_STATUS 256
#define BOOT_ARCH_NO_VGA (1u << 2)
#define BOOT_ARCH_NO_CMOS_RTC (1u << 5)
#define FADT_WBINVD (1u << 0)
#define FADT_APIC_PHYSICAL (1u << 19)
#define FADT_HW_REDUCED (1u << 20)
#define FADT_RESET_REG_SUP (1u << 10)

static void put16(uint8_t *p, unsigned int off, uint16_t v)
{
	memcpy(p + off, &v, 2);
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

static uint32_t get32(const uint8_t *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint64_t get64(const uint8_t *p, unsigned int off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

uint8_t lb_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *b++);
	return sum;
}

static int fail(char *err, size_t errsize, const char *msg, uint64_t a,
		uint64_t b)
{
	snprintf(err, errsize, msg, (unsigned long long)a,
		 (unsigned long long)b);
	return -1;
}

/* --- ACPI ---------------------------------------------------------------- */

/* The common table header; the checksum is set last (seal()). */
static uint8_t *table(uint8_t *acpi, uint64_t at, const char sig[4],
		      uint32_t len, uint8_t rev)
{
	uint8_t *t = acpi + (at - LB_ACPI);

	memcpy(t, sig, 4);
	put32(t, 4, len);
	t[8] = rev;
	memcpy(t + 10, "BRIG  ", 6);
	memcpy(t + 16, "BRIGCELL", 8);
	put32(t, 24, 1);
	memcpy(t + 28, "BRIG", 4);
	put32(t, 32, 1);
	return t;
}

static void seal(uint8_t *t)
{
	t[9] = 0;
	t[9] = (uint8_t)-lb_checksum(t, get32(t, 4));
}

/* A Generic Address Structure naming one byte-wide I/O port. */
static void gas_port(uint8_t *t, unsigned int off, uint16_t port)
{
	t[off] = 1; /* system I/O */
	t[off + 1] = 8; /* bits */
	t[off + 2] = 0; /* bit offset */
	t[off + 3] = 1; /* byte access */
	put64(t, off + 4, port);
}

/*
 * The FADT also names the power control the hypervisor emulates for the
 * cell (include/brig/comm.h): the reset register, and the sleep control
 * and status registers of hardware-reduced ACPI (one port).
 */
static void build_fadt(uint8_t *acpi)
{
	uint8_t *t = table(acpi, FADT_AT, "FACP", FADT_LEN, 6);

	put32(t, 40, (uint32_t)DSDT_AT);
	put16(t, FADT_IAPC_BOOT_ARCH,
	      BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC); /* and no i8042 */
	put32(t, FADT_FLAGS,
	      FADT_WBINVD | FADT_APIC_PHYSICAL | FADT_HW_REDUCED |
		      FADT_RESET_REG_SUP);
	gas_port(t, FADT_RESET_REG, BRIG_X86_RESET_PORT);
	t[FADT_RESET_VALUE] = BRIG_X86_RESET_VALUE;
	put64(t, FADT_X_DSDT, DSDT_AT);
	gas_port(t, FADT_SLEEP_CONTROL, BRIG_X86_SLEEP_PORT);
	gas_port(t, FADT_SLEEP_STATUS, BRIG_X86_SLEEP_PORT);
	memcpy(t + 268, "brigbrig", 8); /* hypervisor vendor identity */
	seal(t);
}

/*
 * The DSDT, in AML written out by hand (three objects do not need a
 * compiler):
 *   Name (_S5, Package () { 5, 5, 0, 0 })  the soft-off sleep type,
 *       which Linux needs to offer power off
 *   Device (PEVT) { Name (_HID, "QEMU0001")
 *       Name (_CRS, ResourceTemplate () { IO (Decode16, port, port, 1, 1) }) }
 *       a pvpanic device: Linux's pvpanic-mmio driver (a module) binds it
 *       and writes "panicked" there from its panic notifier;
 *   Device (BRIG) { Name (_HID, "BRIG0001")
 *       Name (_CRS, ResourceTemplate () { QWordMemory (the comm region) }) }
 *       if the cell has a comm region: brig_guest.ko binds it.
 */
static uint32_t build_dsdt_aml(uint8_t *aml, uint64_t comm)
{
	static const uint8_t brig[] = {
		0x5b, 0x82, 0x4e, 0x04, 'B', 'R',  'I',	 'G', /* Device, 78 */
		0x08, '_',  'H',  'I',	'D', 0x0d, 'B',	 'R',  'I',
		'G',  '0',  '0',  '0',	'1', 0x00, /* Name (_HID, "...") */
		0x08, '_',  'C',  'R',	'S', 0x11, 0x33, 0x0a, 0x30, /* 48 */
		0x8a, 0x2b, 0x00, /* QWord address space descriptor, 43 */
		0x00, /* memory */
		0x0d, /* consumer; minimum and maximum fixed */
		0x03, /* read-write, cacheable */
	};
	uint8_t *d;
	static const uint8_t s5[] = { 0x08, '_',  'S',	'5',  '_',  0x12, 0x08,
				      0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };
	static const uint8_t dev[] = {
		0x5b, 0x82, 0x27, 'P', 'E', 'V',  'T', /* Device, 39 */
		0x08, '_',  'H',  'I', 'D', 0x0d, 'Q',	'E',  'M',
		'U',  '0',  '0',  '0', '1', 0x00, /* Name (_HID, "...") */
		0x08, '_',  'C',  'R', 'S', 0x11, 0x0d, 0x0a, 0x0a, /* Buffer */
		0x47, 0x01, 0,	  0,   0,   0,	  0x01, 0x01, /* IO */
		0x79, 0x00 /* end tag */
	};
	uint32_t n = 0;

	memcpy(aml + n, s5, sizeof(s5));
	n += sizeof(s5);
	memcpy(aml + n, dev, sizeof(dev));
	put16(aml + n, 33, BRIG_X86_PVPANIC_PORT); /* minimum */
	put16(aml + n, 35, BRIG_X86_PVPANIC_PORT); /* maximum */
	n += sizeof(dev);
	if (!comm)
		return n;
	d = aml + n;
	memcpy(d, brig, sizeof(brig));
	d += sizeof(brig);
	put64(d, 0, 0); /* granularity */
	put64(d, 8, comm); /* minimum */
	put64(d, 16, comm + 0xfff); /* maximum */
	put64(d, 24, 0); /* translation offset */
	put64(d, 32, 0x1000); /* length */
	d[40] = 0x79; /* end tag */
	d[41] = 0x00;
	n += sizeof(brig) + 42;
	return n;
}

static void build_madt(uint8_t *acpi, const struct lb_cell *cell)
{
	uint32_t len = 44;
	uint8_t *t, *e;

	for (unsigned int n = 0; n < cell->cpus; n++)
		len += cell->apic_ids[n] < 0xff ? 8 : 16;
	t = table(acpi, MADT_AT, "APIC", len, 5);
	put32(t, 36, 0xfee00000); /* the local APIC; flags 0: no 8259s */
	e = t + 44;
	for (unsigned int n = 0; n < cell->cpus; n++) {
		if (cell->apic_ids[n] < 0xff) {
			e[0] = 0; /* processor local APIC */
			e[1] = 8;
			e[2] = (uint8_t)n; /* ACPI processor UID */
			e[3] = (uint8_t)cell->apic_ids[n];
			put32(e, 4, 1); /* enabled */
			e += 8;
		} else {
			e[0] = 9; /* processor local x2APIC */
			e[1] = 16;
			put32(e, 4, cell->apic_ids[n]);
			put32(e, 8, 1);
			put32(e, 12, n);
			e += 16;
		}
	}
	seal(t);
}

static void build_acpi(uint8_t *acpi, const struct lb_cell *cell)
{
	uint8_t *rsdp = acpi + (RSDP_AT - LB_ACPI), *t;

	build_fadt(acpi);
	build_madt(acpi, cell);
	t = acpi + (DSDT_AT - LB_ACPI);
	t = table(acpi, DSDT_AT, "DSDT",
		  36 + build_dsdt_aml(t + 36, cell->comm_region), 2);
	seal(t);
	t = table(acpi, XSDT_AT, "XSDT", 36 + 2 * 8, 1);
	put64(t, 36, FADT_AT);
	put64(t, 44, MADT_AT);
	seal(t);
	t = table(acpi, RSDT_AT, "RSDT", 36 + 2 * 4, 1);
	put32(t, 36, (uint32_t)FADT_AT);
	put32(t, 40, (uint32_t)MADT_AT);
	seal(t);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "BRIG  ", 6);
	rsdp[15] = 2; /* revision: ACPI 2.0 and later */
	put32(rsdp, 16, (uint32_t)RSDT_AT);
	put32(rsdp, 20, 36);
	put64(rsdp, 24, XSDT_AT);
	rsdp[8] = (uint8_t)-lb_checksum(rsdp, 20);
	rsdp[32] = (uint8_t)-lb_checksum(rsdp, 36);
}

/*
 * The reset vector, 16 bytes below 1 MiB: where a PC's firmware starts
 * after a reset, and where Linux jumps for a BIOS reboot (reboot=b, and
 * its fallback on a hardware-reduced ACPI platform without EFI, which is
 * what a cell is). In real mode (CS base 0xf0000) it asks the hypervisor
 * for the reset, which ends the cell:
 *   mov $RESET_VALUE, %al; mov $RESET_PORT, %dx; out %al, %dx; 1: hlt; jmp 1b
 */
static void build_reset_vector(uint8_t *firmware)
{
	uint8_t *p = firmware + (RESET_VECTOR - LB_ACPI);

	p[0] = 0xb0;
	p[1] = BRIG_X86_RESET_VALUE;
	p[2] = 0xba;
	put16(p, 3, BRIG_X86_RESET_PORT);
	p[5] = 0xee;
	p[6] = 0xf4;
	p[7] = 0xeb;
	p[8] = 0xfd;
}

/* --- the zero page ------------------------------------------------------- */

static void e820(uint8_t *zp, unsigned int n, uint64_t at, uint64_t size,
		 uint32_t type)
{
	uint8_t *e = zp + ZP_E820_TABLE + 20 * n;

	put64(e, 0, at);
	put64(e, 8, size);
	put32(e, 16, type);
	zp[ZP_E820_ENTRIES] = (uint8_t)(n + 1);
}

static void build_params(uint8_t *zp, const uint8_t *kernel,
			 const struct lb_cell *cell, const struct lb_result *r,
			 size_t isize)
{
	size_t hdr_end = 0x202 + kernel[HDR_JUMP_END];

	if (hdr_end > HDR_END_MAX)
		hdr_end = HDR_END_MAX;
	memcpy(zp + HDR_SETUP_SECTS, kernel + HDR_SETUP_SECTS,
	       hdr_end - HDR_SETUP_SECTS);
	zp[HDR_TYPE_OF_LOADER] = 0xff; /* a loader without an id */
	zp[HDR_LOADFLAGS] |= LOADED_HIGH;
	put32(zp, HDR_CODE32_START, (uint32_t)r->kernel_at);
	put32(zp, HDR_RAMDISK_IMAGE, isize ? (uint32_t)r->initrd_at : 0);
	put32(zp, HDR_RAMDISK_SIZE, (uint32_t)isize);
	put32(zp, HDR_CMD_LINE_PTR, (uint32_t)LB_CMDLINE);
	put64(zp, ZP_ACPI_RSDP_ADDR, RSDP_AT);
	/* Low RAM, the BIOS area with the ACPI tables, the rest of RAM. */
	e820(zp, 0, 0, 0x9f000, E820_RAM);
	e820(zp, 1, 0x9f000, 0x100000 - 0x9f000, E820_RESERVED);
	e820(zp, 2, 0x100000, cell->ram_size - 0x100000, E820_RAM);
}

/* --- the whole -------------------------------------------------------------- */

static int check_kernel(const uint8_t *k, size_t ksize, char *err,
			size_t errsize)
{
	if (ksize < 0x1000 || memcmp(k + HDR_MAGIC, "HdrS", 4))
		return fail(err, errsize,
			    "not a Linux bzImage (no \"HdrS\" setup header)", 0,
			    0);
	if (get32(k, HDR_VERSION) % 0x10000 < MIN_VERSION)
		return fail(
			err, errsize,
			"boot protocol %llx is older than 2.10, which brig needs",
			get32(k, HDR_VERSION) % 0x10000, 0);
	if (!(k[HDR_LOADFLAGS] & LOADED_HIGH))
		return fail(err, errsize,
			    "not a bzImage (a zImage loads below 1 MiB)", 0, 0);
	return 0;
}

/* Where the protected-mode part goes and how much room it needs. */
static int place_kernel(const uint8_t *k, const struct lb_cell *cell,
			struct lb_result *r, char *err, size_t errsize)
{
	uint64_t align = get32(k, HDR_KERNEL_ALIGNMENT);
	uint64_t at = k[HDR_RELOCATABLE] ? get64(k, HDR_PREF_ADDRESS) :
					   get32(k, HDR_CODE32_START);

	if (k[HDR_RELOCATABLE] && align && (at % align))
		at += align - at % align;
	if (at < 0x100000)
		at = 0x100000;
	r->kernel_at = at;
	r->kernel_end = at + get32(k, HDR_INIT_SIZE);
	if (r->kernel_end > cell->ram_size)
		return fail(
			err, errsize,
			"the kernel needs RAM up to %#llx to unpack (its init_size), the cell has %#llx",
			r->kernel_end, cell->ram_size);
	return 0;
}

static int place_initrd(const uint8_t *k, size_t isize,
			const struct lb_cell *cell, struct lb_result *r,
			char *err, size_t errsize)
{
	uint64_t top = cell->ram_size, max = get32(k, HDR_INITRD_ADDR_MAX);

	if (!isize)
		return 0;
	if (max && top > max + 1)
		top = max + 1;
	if (top > 0x100000000ULL)
		top = 0x100000000ULL;
	if (isize > top || ((top - isize) & ~0xfffULL) < r->kernel_end)
		return fail(
			err, errsize,
			"no room for a %llu-byte initramfs above the kernel (which needs RAM up to %#llx)",
			isize, r->kernel_end);
	r->initrd_at = (top - isize) & ~0xfffULL;
	return 0;
}

static int check_cell(const uint8_t *k, const char *cmdline,
		      const struct lb_cell *cell, char *err, size_t errsize)
{
	uint32_t max = get32(k, HDR_CMDLINE_SIZE);

	if (!cell->cpus || cell->cpus > LB_MAX_CPUS)
		return fail(err, errsize, "a Linux cell needs 1 to %llu CPUs",
			    LB_MAX_CPUS, 0);
	if (cell->ram_size < 0x200000)
		return fail(
			err, errsize,
			"the cell's RAM at guest-physical 0 is %#llx bytes: far too small for Linux",
			cell->ram_size, 0);
	if (strlen(cmdline) > (max ? max : 255) ||
	    strlen(cmdline) >= LB_ACPI - LB_CMDLINE)
		return fail(
			err, errsize,
			"the command line has %llu characters, the kernel takes %llu",
			strlen(cmdline), max ? max : 255);
	return 0;
}

static int alloc_images(struct lb_result *r, size_t cmdlen)
{
	r->low = calloc(1, 0x1000);
	r->params = calloc(1, 0x1000);
	r->cmdline = calloc(1, cmdlen + 1);
	r->acpi = calloc(1, FIRMWARE_SIZE);
	return r->low && r->params && r->cmdline && r->acpi ? 0 : -1;
}

static void add(struct lb_result *r, uint64_t gpa, const void *data,
		size_t size)
{
	r->images[r->count++] = (struct lb_image){ gpa, data, size };
}

int lb_build(const uint8_t *kernel, size_t ksize, const uint8_t *initrd,
	     size_t isize, const char *cmdline, const struct lb_cell *cell,
	     struct lb_result *r, char *err, size_t errsize)
{
	size_t tramp = (size_t)(linux_tramp_end - linux_tramp_start);
	size_t params_off = (size_t)(linux_tramp_params - linux_tramp_start);
	size_t setup;

	memset(r, 0, sizeof(*r));
	if (check_kernel(kernel, ksize, err, errsize) ||
	    check_cell(kernel, cmdline, cell, err, errsize) ||
	    place_kernel(kernel, cell, r, err, errsize) ||
	    place_initrd(kernel, isize, cell, r, err, errsize))
		return -1;
	setup = ((size_t)(kernel[HDR_SETUP_SECTS] ?: 4) + 1) * 512;
	if (setup >= ksize)
		return fail(
			err, errsize,
			"the bzImage ends inside its setup code (%llu of %llu bytes)",
			ksize, setup);
	if (alloc_images(r, strlen(cmdline))) {
		lb_free(r);
		return fail(err, errsize, "out of memory", 0, 0);
	}
	memcpy(r->low, linux_tramp_start, tramp);
	put32(r->low, (unsigned int)params_off, (uint32_t)LB_BOOT_PARAMS);
	put32(r->low, (unsigned int)params_off + 4, (uint32_t)r->kernel_at);
	build_params(r->params, kernel, cell, r, isize);
	memcpy(r->cmdline, cmdline, strlen(cmdline) + 1);
	build_acpi(r->acpi, cell);
	build_reset_vector(r->acpi);
	add(r, 0, r->low, 0x1000);
	add(r, LB_BOOT_PARAMS, r->params, 0x1000);
	add(r, LB_CMDLINE, r->cmdline, strlen(cmdline) + 1);
	add(r, LB_ACPI, r->acpi, FIRMWARE_SIZE);
	add(r, r->kernel_at, kernel + setup, ksize - setup);
	if (isize)
		add(r, r->initrd_at, initrd, isize);
	return 0;
}

void lb_free(struct lb_result *r)
{
	free(r->low);
	free(r->params);
	free(r->cmdline);
	free(r->acpi);
	r->low = r->params = r->cmdline = r->acpi = NULL;
}
