// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the shared blob checker, hypervisor/config-check.c, on
 * hand-built blobs: exactly the code and the input the hypervisor sees when
 * the root cell hands it a config. Every test breaks one thing of a valid
 * system or cell and asserts the exact report (blob, item, index, message)
 * and the error count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <brig/ivshmem.h>

#include "blob-builder.h"

struct rec {
	enum brig_check_severity sev;
	struct brig_check_where where;
	char msg[320];
};

static struct rec recs[128];
static unsigned int nrecs;

static void collect(void *ctx, enum brig_check_severity sev,
		    const struct brig_check_where *where, const char *msg)
{
	(void)ctx;
	assert_true(nrecs < 128);
	recs[nrecs].sev = sev;
	recs[nrecs].where = *where;
	snprintf(recs[nrecs].msg, sizeof(recs[nrecs].msg), "%s", msg);
	nrecs++;
}

static const struct brig_check_reporter rep = { collect, NULL };

static void print_recs(void)
{
	unsigned int i;

	for (i = 0; i < nrecs; i++)
		print_message("  report: blob %d item %d index %u: %s\n",
			      recs[i].where.blob, recs[i].where.item,
			      recs[i].where.index, recs[i].msg);
}

/* Fails unless exactly this report was made. */
static void expect(int blob, enum brig_check_item item, unsigned int index,
		   const char *msg)
{
	unsigned int i;

	for (i = 0; i < nrecs; i++)
		if (recs[i].where.blob == blob && recs[i].where.item == item &&
		    recs[i].where.index == index && !strcmp(recs[i].msg, msg))
			return;
	print_recs();
	fail_msg("missing report: blob %d item %d index %u: %s", blob, item,
		 index, msg);
}

static unsigned int run_cell(const struct cell_parts *c, long size_delta)
{
	struct brig_check_blob b = pack_cell(c);
	unsigned int errors;

	b.size = (__u64)((long)b.size + size_delta);
	nrecs = 0;
	errors = brig_check_cell(&b, 0, &rep);
	free((void *)b.data);
	return errors;
}

static unsigned int run_system(const struct system_parts *s)
{
	struct brig_check_blob b = pack_system(s);
	unsigned int errors;

	nrecs = 0;
	errors = brig_check_system(&b, &rep);
	free((void *)b.data);
	return errors;
}

static unsigned int run_set(const struct system_parts *s,
			    const struct cell_parts *cells, unsigned int n)
{
	struct brig_check_blob sys = pack_system(s), blobs[4];
	unsigned int errors, i;

	for (i = 0; i < n; i++)
		blobs[i] = pack_cell(&cells[i]);
	nrecs = 0;
	errors = brig_check_set(&sys, blobs, n, &rep);
	for (i = 0; i < n; i++)
		free((void *)blobs[i].data);
	free((void *)sys.data);
	return errors;
}

/* Asserts the count and that it matches the number of error reports. */
static void assert_errors(unsigned int got, unsigned int want)
{
	unsigned int i, counted = 0;

	for (i = 0; i < nrecs; i++)
		counted += recs[i].sev == BRIG_CHECK_ERROR;
	if (got != want || counted != got)
		print_recs();
	assert_int_equal(got, want);
	assert_int_equal(counted, got);
}

/* Names are NUL-padded: the checker refuses leftovers after the NUL. */
static void set_name(struct cell_parts *c, const char *name)
{
	memset(c->hdr.name, 0, sizeof(c->hdr.name));
	strcpy(c->hdr.name, name);
}

static struct system_parts sys;
static struct cell_parts cells[3];

static int setup(void **state)
{
	(void)state;
	qemu_system(&sys);
	hello_cell(&cells[0], "a", 1, 0x3b000000);
	hello_cell(&cells[1], "b", 2, 0x3c000000);
	cells[1].pio[0] = ports(0x3f8, 8, PIO_RW);
	cells[1].hdr.console.address = 0x3f8;
	return 0;
}

/* --- valid input ---------------------------------------------------------- */

static void valid_set_passes(void **state)
{
	(void)state;
	assert_errors(run_set(&sys, cells, 2), 0);
	assert_int_equal(nrecs, 0);
}

static void layout_of_valid_blobs(void **state)
{
	struct brig_check_blob s = pack_system(&sys), c = pack_cell(&cells[0]);

	(void)state;
	assert_int_equal(brig_check_layout(&s, 1), 1);
	assert_int_equal(brig_check_layout(&c, 0), 1);
	assert_int_equal(brig_check_layout(&c, 1), 0);
	c.size--;
	assert_int_equal(brig_check_layout(&c, 0), 0);
	free((void *)s.data);
	free((void *)c.data);
}

/* --- layout: truncated and corrupted blobs --------------------------------- */

static void truncated_cell(void **state)
{
	(void)state;
	/* 128 header + 8 cpus + 2 * 32 memory + 2 * 16 ports = 0xe8 */
	assert_errors(run_cell(&cells[0], -8), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "blob is 0xe0 bytes but its header describes 0xe8 bytes (truncated or corrupted file)");
}

static void trailing_garbage(void **state)
{
	(void)state;
	assert_errors(run_cell(&cells[0], 8), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "blob is 0xf0 bytes but its header describes 0xe8 bytes (truncated or corrupted file)");
}

static void shorter_than_header(void **state)
{
	(void)state;
	assert_errors(run_cell(&cells[0], -(0xe8 - 100)), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "blob is 0x64 bytes, too short for a cell description (0x80 bytes at least): truncated file?");
}

static void bad_signature(void **state)
{
	(void)state;
	cells[0].hdr.signature[0] = 'X';
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "not a cell description: signature is not \"BRIGCELL\"");
}

static void bad_revision(void **state)
{
	(void)state;
	cells[0].hdr.revision = 2;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "config revision 2, this build understands revision 1: recompile the description");
}

static void bad_cpu_set_size(void **state)
{
	(void)state;
	cells[0].hdr.cpu_set_size = 12;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_CPUS, 0,
	       "cpu_set_size 12 is not a non-zero multiple of 8 up to 32");
}

static void truncated_system(void **state)
{
	struct brig_check_blob b = pack_system(&sys);

	(void)state;
	b.size = 100;
	nrecs = 0;
	assert_errors(brig_check_system(&b, &rep), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_SYSTEM_HEADER, 0,
	       "blob is 0x64 bytes, too short for a system description (0x1a0 bytes at least): truncated file?");
	free((void *)b.data);
}

/* --- one cell: header ----------------------------------------------------- */

static void empty_cpu_set(void **state)
{
	(void)state;
	cells[0].cpus[0] = 0;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_CPUS, 0, "the CPU set is empty");
}

static void name_not_terminated(void **state)
{
	(void)state;
	memset(cells[0].hdr.name, 'a', BRIG_CELL_NAME_LEN);
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "name is not NUL-terminated within 32 bytes");
}

static void name_empty_and_bad(void **state)
{
	(void)state;
	cells[0].hdr.name[0] = '\0';
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0, "name is empty");
	set_name(&cells[0], "a/b");
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "name \"a/b\" may only have letters, digits, '.', '_' and '-'");
}

/* A name is one word of the command line and of brig cell list. */
static void name_characters(void **state)
{
	static const char *const bad[] = { "hel lo",	  "tab\there", "a,b",
					   "caf\xc3\xa9", "x$y",       "a:b" };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		set_name(&cells[0], bad[i]);
		assert_errors(run_cell(&cells[0], 0), 1);
		snprintf(
			want, sizeof(want),
			"name \"%s\" may only have letters, digits, '.', '_' and '-'",
			bad[i]);
		expect(0, BRIG_CHECK_HEADER, 0, want);
	}
	set_name(&cells[0], "0123");
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "name \"0123\" is all digits: brig would take it for a cell id");
	set_name(&cells[0], "-rt");
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "name \"-rt\" starts with '-': brig would take it for an option");
	set_name(&cells[0], "RT_cell-1.2");
	assert_errors(run_cell(&cells[0], 0), 0);
	set_name(&cells[0], "2nd");
	assert_errors(run_cell(&cells[0], 0), 0);
	/* the root cell's name too */
	set_name(&sys.root, "my root");
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_HEADER, 0,
	       "name \"my root\" may only have letters, digits, '.', '_' and '-'");
}

static void reserved_and_flags(void **state)
{
	(void)state;
	cells[0].hdr.reserved[3] = 1;
	cells[0].hdr.flags = 0x20;
	cells[0].hdr.architecture = 9;
	assert_errors(run_cell(&cells[0], 0), 3);
	expect(0, BRIG_CHECK_HEADER, 0, "reserved fields are not zero");
	expect(0, BRIG_CHECK_HEADER, 0, "unknown cell flags 0x20");
	expect(0, BRIG_CHECK_HEADER, 0, "unknown architecture 9");
}

/* The OS-cell port setting: a cell's, never the root's. */
static void unowned_ports_flag(void **state)
{
	(void)state;
	cells[0].hdr.flags = BRIG_CELL_UNOWNED_PORTS_IGNORED;
	assert_errors(run_cell(&cells[0], 0), 0);
	sys.root.hdr.flags = BRIG_CELL_UNOWNED_PORTS_IGNORED;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_HEADER, 0,
	       "unowned-ports is a cell setting: the root's unowned ports always read as all-ones");
	cells[0].hdr.flags |= BRIG_CELL_UNOWNED_MSRS_FAULT;
	assert_errors(run_cell(&cells[0], 0), 0);
	sys.root.hdr.flags = BRIG_CELL_UNOWNED_MSRS_FAULT;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_HEADER, 0,
	       "unowned-msrs is a cell setting: the root always gets #GP for the MSRs it may not touch");
	cells[0].hdr.flags |= BRIG_CELL_HALT_EXITS;
	assert_errors(run_cell(&cells[0], 0), 0);
	sys.root.hdr.flags = BRIG_CELL_HALT_EXITS;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_HEADER, 0,
	       "halt is a cell setting: the root's HLT always runs natively");
}

static void entry_outside(void **state)
{
	(void)state;
	cells[0].hdr.entry = 0x100000; /* the comm region: not executable */
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "entry 0x100000 is not inside an executable RAM region of the cell");
}

/* --- one cell: memory ----------------------------------------------------- */

static void region_unaligned(void **state)
{
	(void)state;
	cells[0].mem[0].size = 0xff800;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_MEMORY, 0,
	       "phys 0x3b000000, virt 0x0 and size 0xff800 must all be multiples of 4 KiB");
}

static void region_zero_size(void **state)
{
	(void)state;
	cells[0].mem[1].size = 0;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_MEMORY, 1, "size is zero");
}

static void region_wraps(void **state)
{
	(void)state;
	cells[0].mem[1].virt_start = 0xfffffffffffff000ull;
	cells[0].mem[1].size = 0x2000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_MEMORY, 1,
	       "range wraps around the end of the address space");
}

static void regions_overlap(void **state)
{
	(void)state;
	cells[0].mem[1].virt_start = 0x80000;
	cells[0].mem[1].phys_start = 0x3b0ff000;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_MEMORY, 1,
	       "guest-physical range 0x80000-0x80fff overlaps memory region 0 (0x0-0xfffff)");
	expect(0, BRIG_CHECK_MEMORY, 1,
	       "host-physical range 0x3b0ff000-0x3b0fffff overlaps memory region 0 (0x3b000000-0x3b0fffff)");
}

static void region_bad_type_and_flags(void **state)
{
	(void)state;
	cells[0].mem[0].type = 3;
	cells[0].mem[0].flags |= 0x100;
	assert_errors(run_cell(&cells[0], 0), 3);
	expect(0, BRIG_CHECK_MEMORY, 0, "unknown memory type 3");
	expect(0, BRIG_CHECK_MEMORY, 0, "unknown memory flags 0x100");
	/* no RAM region left to hold the entry point */
	expect(0, BRIG_CHECK_HEADER, 0,
	       "entry 0x0 is not inside an executable RAM region of the cell");
}

static void reserved_flag_in_cell(void **state)
{
	(void)state;
	cells[0].mem[0].flags |= BRIG_MEM_RESERVED;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_MEMORY, 0,
	       "the reserved flag is only meaningful in the root cell");
}

static void comm_region_missing(void **state)
{
	(void)state;
	cells[0].mem[1].flags &= ~(__u32)BRIG_MEM_COMM_REGION;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "the cell has no comm region (a RAM region flagged comm-region)");
}

static void comm_region_twice_and_wrong(void **state)
{
	(void)state;
	cells[0].mem[2] = region(0x3b101000, 0x101000, 0x1000,
				 BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_COMM_REGION);
	cells[0].hdr.num_memory_regions = 3;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_MEMORY, 2,
	       "a second comm region: a cell has exactly one");
	expect(0, BRIG_CHECK_MEMORY, 2,
	       "the comm region must be RAM with read and write access");
}

/* --- one cell: ports, console, devices ------------------------------------ */

static void ports_out_of_range(void **state)
{
	(void)state;
	cells[0].pio[1] = ports(0xfffc, 8, BRIG_PIO_READ);
	cells[0].pio[2] = ports(0x80, 0, BRIG_PIO_READ);
	cells[0].hdr.num_port_ranges = 3;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_PORTS, 1,
	       "base 0xfffc length 0x8 is not a non-empty range inside ports 0x0-0xffff");
	expect(0, BRIG_CHECK_PORTS, 2,
	       "base 0x80 length 0x0 is not a non-empty range inside ports 0x0-0xffff");
}

static void ports_over_pci_config(void **state)
{
	(void)state;
	cells[0].pio[2] = ports(0xcf8, 4, PIO_RW);
	cells[0].pio[3] = ports(0xcfc, 0x10, BRIG_PIO_READ | BRIG_PIO_SHARED);
	cells[0].hdr.num_port_ranges = 4;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_PORTS, 2,
	       "ports 0xcf8-0xcfb overlap the PCI configuration mechanism at 0xcf8-0xcff, which the hypervisor emulates");
	expect(0, BRIG_CHECK_PORTS, 3,
	       "ports 0xcfc-0xd0b overlap the PCI configuration mechanism at 0xcf8-0xcff, which the hypervisor emulates");
}

/*
 * What resets the machine (the i8042's command fe, port A's bit 0) and the
 * pvpanic port the hypervisor emulates are never a cell's to write;
 * sharing them read-only stays possible.
 */
static void ports_that_reset_the_machine(void **state)
{
	(void)state;
	cells[0].pio[2] = ports(0x60, 5, PIO_RW);
	cells[0].pio[3] = ports(0x90, 4, PIO_RW);
	cells[0].hdr.num_port_ranges = 4;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_PORTS, 2,
	       "ports 0x60-0x64 are writable and include 0x64, the i8042 command port (its command fe resets the machine); give it read-only if at all");
	expect(0, BRIG_CHECK_PORTS, 3,
	       "ports 0x90-0x93 are writable and include 0x92, system control port A (its bit 0 resets the machine); give it read-only if at all");
	cells[0].pio[2] = ports(0x505, 1, PIO_RW);
	cells[0].pio[3] = ports(0x60, 5, BRIG_PIO_READ);
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PORTS, 2,
	       "ports 0x505-0x505 are writable and include 0x505, the port of the pvpanic device the hypervisor emulates; give it read-only if at all");
	cells[0].pio[2] = ports(0xb0, 4, PIO_RW);
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PORTS, 2,
	       "ports 0xb0-0xb3 are writable and include 0xb2, the SMI command port (it runs the firmware's SMM code); give it read-only if at all");
}

static void shared_ports_writable(void **state)
{
	(void)state;
	cells[0].pio[1].flags |= BRIG_PIO_WRITE;
	cells[0].pio[1].reserved = 1;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_PORTS, 1,
	       "a shared port range must be read-only (read without write)");
	expect(0, BRIG_CHECK_PORTS, 1, "reserved field is not zero");
}

/* A root CPU waits in the hypervisor for the answer: bounded. */
static void shutdown_timeout_bounded(void **state)
{
	(void)state;
	cells[0].hdr.shutdown_timeout_ms = BRIG_MAX_SHUTDOWN_TIMEOUT_MS;
	assert_errors(run_cell(&cells[0], 0), 0);
	cells[0].hdr.shutdown_timeout_ms = BRIG_MAX_SHUTDOWN_TIMEOUT_MS + 1;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "shutdown-timeout-ms 5001 is above 5000: the root's CPU waits in the hypervisor for the answer");
}

static void console_checks(void **state)
{
	(void)state;
	cells[0].hdr.console.type = 9;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_CONSOLE, 0, "unknown console type 9");
	cells[0].hdr.console.type = BRIG_CON_PIO_8250;
	cells[0].hdr.console.address = 0x3f8;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_CONSOLE, 0,
	       "console ports 0x3f8-0x3ff are not in a writable port range of the cell");
}

/* A 16550's divisor latch is 16 bits; port consoles live in port space. */
static void console_ranges(void **state)
{
	struct brig_console *dbg = &sys.sys.debug_console;

	(void)state;
	cells[0].hdr.console.divider = 0xffff;
	assert_errors(run_cell(&cells[0], 0), 0);
	cells[0].hdr.console.divider = 0x10000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_CONSOLE, 0,
	       "divider 0x10000 does not fit the 16-bit divisor latch of a 16550 UART (at most 0xffff)");
	cells[0].hdr.console.divider = 1;
	cells[0].hdr.console.address = 0x100002f8ull;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_CONSOLE, 0,
	       "console port 0x100002f8 is outside ports 0x0-0xffff");
	cells[0].hdr.console.type = BRIG_CON_MMIO_8250;
	cells[0].hdr.console.address = 0;
	cells[0].hdr.console.divider = 0xffffffff;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_CONSOLE, 0,
	       "divider 0xffffffff does not fit the 16-bit divisor latch of a 16550 UART (at most 0xffff)");
	expect(0, BRIG_CHECK_CONSOLE, 0,
	       "MMIO console address 0x0 is not a UART's register block");

	/* the hypervisor's own console, which was checked for its type only */
	dbg->address = 0x100e9;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_DEBUG_CONSOLE, 0,
	       "console port 0x100e9 is outside ports 0x0-0xffff");
	dbg->address = 0xe9;
	dbg->divider = 1;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_DEBUG_CONSOLE, 0,
	       "divider 0x1 given for the debug port, which has no baud rate: leave it out");
	dbg->type = BRIG_CON_PIO_8250;
	dbg->address = 0x3f8;
	dbg->divider = 0xffffffff;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_DEBUG_CONSOLE, 0,
	       "divider 0xffffffff does not fit the 16-bit divisor latch of a 16550 UART (at most 0xffff)");
	dbg->address = 0xfffc;
	dbg->divider = 1;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_DEBUG_CONSOLE, 0,
	       "console port 0xfffc is outside ports 0x0-0xffff");
	dbg->type = BRIG_CON_NONE;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_DEBUG_CONSOLE, 0,
	       "address and divider must be 0 without a console");
	dbg->type = 7;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_DEBUG_CONSOLE, 0,
	       "unknown console type 7");
}

/* The IO-APIC at 0xfec00000 with pins first..last, as irqchip n of c. */
static void give_pins(struct cell_parts *c, unsigned int n, unsigned int first,
		      unsigned int last)
{
	unsigned int pin;

	memset(&c->irq[n], 0, sizeof(c->irq[n]));
	c->irq[n].address = 0xfec00000;
	c->irq[n].id = 0xff00;
	for (pin = first; pin <= last; pin++)
		c->irq[n].pin_bitmap[pin / 64] |= 1ull << (pin % 64);
	if (c->hdr.num_irqchips <= n)
		c->hdr.num_irqchips = n + 1;
}

static void devices_in_cell(void **state)
{
	(void)state;
	/* A PCI device and an IO-APIC pin are fine. */
	give_pins(&cells[0], 0, 23, 23);
	cells[0].hdr.num_pci_devices = 1;
	cells[0].pci[0].type = BRIG_PCI_TYPE_DEVICE;
	cells[0].pci[0].bdf = BRIG_PCI_BDF(0, 3, 0);
	assert_errors(run_cell(&cells[0], 0), 0);
	/* ... and so is one the description lets change owners unreset. */
	cells[0].pci[0].flags = BRIG_PCI_FLAG_NO_RESET;
	assert_errors(run_cell(&cells[0], 0), 0);
}

static void bad_irqchips_in_cell(void **state)
{
	(void)state;
	give_pins(&cells[0], 0, 23, 23);
	give_pins(&cells[0], 1, 22, 22);
	give_pins(&cells[0], 2, 0, 0);
	cells[0].irq[2].address = 0xfec00800;
	cells[0].irq[2].pin_bitmap[0] = 0;
	assert_errors(run_cell(&cells[0], 0), 2);
	expect(0, BRIG_CHECK_IRQCHIP, 1,
	       "IO-APIC at 0xfec00000 is listed twice");
	expect(0, BRIG_CHECK_IRQCHIP, 2,
	       "address 0xfec00800 must be a non-zero multiple of 4 KiB");
	/* The cell must not map the controller it has pins of. */
	cells[0].hdr.num_irqchips = 1;
	cells[0].irq[0].pin_bitmap[0] = 0;
	cells[0].mem[0] = region(0xfec00000, 0x0, 0x1000, BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_WRITE);
	assert_errors(run_cell(&cells[0], 0), 3);
	expect(0, BRIG_CHECK_IRQCHIP, 0, "no pins listed");
	expect(0, BRIG_CHECK_MEMORY, 0,
	       "region 0xfec00000-0xfec00fff covers the IO-APIC at 0xfec00000: the hypervisor emulates it for the cell (drop the region, keep the irqchip)");
}

/*
 * What the hypervisor keeps is refused in a cell even where the root's
 * description offers it as MMIO: the local APIC and MSI range, an IOMMU's
 * registers, an IO-APIC page, MMCONFIG.
 */
static void kept_resources_in_set(void **state)
{
	(void)state;
	sys.sys.platform.num_iommu_units = 1;
	sys.sys.platform.iommu_units[0].type = BRIG_IOMMU_VTD;
	sys.sys.platform.iommu_units[0].base = 0xfed90000;
	sys.sys.platform.iommu_units[0].size = 0x1000;
	sys.sys.platform.pci_mmconfig_end_bus = 0;
	give_pins(&sys.root, 0, 0, 23);
	/* The root offers the whole of 0xb0000000-0xffffffff as MMIO. */
	sys.root.mem[2] = region(0xb0000000, 0xb0000000, 0x50000000,
				 BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_WRITE);
	cells[0].mem[2] = region(0xfee00000, 0x10000000, 0x1000,
				 BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_WRITE);
	cells[0].mem[3] = region(0xfed90000, 0x10001000, 0x1000,
				 BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_WRITE);
	cells[0].mem[4] = region(0xfec00000, 0x10002000, 0x1000,
				 BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_WRITE);
	/* One device's configuration page, inside MMCONFIG. */
	cells[0].mem[5] = region(0xb0018000, 0x10003000, 0x1000,
				 BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_WRITE);
	/* Beside all of them: fine. */
	cells[0].mem[6] = region(0xfea00000, 0x10004000, 0x1000,
				 BRIG_MEM_TYPE_MMIO,
				 BRIG_MEM_READ | BRIG_MEM_WRITE);
	cells[0].hdr.num_memory_regions = 7;
	assert_errors(run_set(&sys, cells, 1), 4);
	expect(0, BRIG_CHECK_MEMORY, 2,
	       "host-physical range 0xfee00000-0xfee00fff overlaps the local APIC and MSI range at 0xfee00000-0xfeefffff, which the hypervisor keeps");
	expect(0, BRIG_CHECK_MEMORY, 3,
	       "host-physical range 0xfed90000-0xfed90fff overlaps the registers of an IOMMU unit at 0xfed90000-0xfed90fff, which the hypervisor keeps");
	expect(0, BRIG_CHECK_MEMORY, 4,
	       "host-physical range 0xfec00000-0xfec00fff overlaps an IO-APIC at 0xfec00000-0xfec00fff, which the hypervisor keeps");
	expect(0, BRIG_CHECK_MEMORY, 5,
	       "host-physical range 0xb0018000-0xb0018fff overlaps PCI configuration space (MMCONFIG) at 0xb0000000-0xb00fffff, which the hypervisor keeps");
	/* The root itself keeps them: no error for its own description. */
	assert_errors(run_system(&sys), 0);
}

/*
 * An AMD-Vi unit's own PCI function is the hypervisor's: no cell may list
 * it, whatever else the description allows; the root may.
 */
static void iommu_function_in_set(void **state)
{
	(void)state;
	sys.sys.platform.num_iommu_units = 2;
	sys.sys.platform.iommu_units[0].type = BRIG_IOMMU_AMDVI;
	sys.sys.platform.iommu_units[0].base = 0xfeb80000;
	sys.sys.platform.iommu_units[0].size = 0x80000;
	sys.sys.platform.iommu_units[0].amd_bdf = BRIG_PCI_BDF(0, 0, 2);
	sys.sys.platform.iommu_units[0].amd_cap = 0x40;
	sys.sys.platform.iommu_units[1] = sys.sys.platform.iommu_units[0];
	sys.sys.platform.iommu_units[1].base = 0xfec80000;
	sys.sys.platform.iommu_units[1].amd_bdf = BRIG_PCI_BDF(0x40, 0, 2);
	sys.root.hdr.num_pci_devices = 1;
	sys.root.pci[0].type = BRIG_PCI_TYPE_DEVICE;
	sys.root.pci[0].bdf = BRIG_PCI_BDF(0, 0, 2);
	cells[0].hdr.num_pci_devices = 3;
	cells[0].pci[0].type = BRIG_PCI_TYPE_DEVICE;
	cells[0].pci[0].bdf = BRIG_PCI_BDF(0, 3, 0);
	cells[0].pci[1].type = BRIG_PCI_TYPE_DEVICE;
	cells[0].pci[1].bdf = BRIG_PCI_BDF(0, 0, 2);
	cells[0].pci[2].type = BRIG_PCI_TYPE_DEVICE;
	cells[0].pci[2].bdf = BRIG_PCI_BDF(0x40, 0, 2);
	cells[0].pci[2].iommu = 1;
	assert_errors(run_set(&sys, cells, 1), 2);
	expect(0, BRIG_CHECK_PCI, 1,
	       "PCI device bus 0 device 0 function 2 is the own function of IOMMU unit 0 (amd_bdf), which the hypervisor keeps");
	expect(0, BRIG_CHECK_PCI, 2,
	       "PCI device bus 64 device 0 function 2 is the own function of IOMMU unit 1 (amd_bdf), which the hypervisor keeps");
	assert_errors(run_system(&sys), 0);
	/* The same function number under a VT-d unit (amd_bdf 0) is a device. */
	sys.sys.platform.num_iommu_units = 0;
	memset(sys.sys.platform.iommu_units, 0,
	       sizeof(sys.sys.platform.iommu_units));
	assert_errors(run_set(&sys, cells, 1), 0);
}

static void bad_devices_in_cell(void **state)
{
	(void)state;
	cells[0].hdr.num_pci_devices = 3;
	cells[0].pci[0].type = BRIG_PCI_TYPE_BRIDGE;
	cells[0].pci[0].bdf = BRIG_PCI_BDF(0, 3, 0);
	cells[0].pci[1].type = BRIG_PCI_TYPE_DEVICE;
	cells[0].pci[1].bdf = BRIG_PCI_BDF(0, 3, 0);
	cells[0].pci[2].type = BRIG_PCI_TYPE_DEVICE;
	cells[0].pci[2].bdf = BRIG_PCI_BDF(0, 4, 0);
	cells[0].pci[2].domain = 1;
	assert_errors(run_cell(&cells[0], 0), 3);
	expect(0, BRIG_CHECK_PCI, 0,
	       "PCI bridges cannot be given to a cell yet (not implemented)");
	expect(0, BRIG_CHECK_PCI, 1,
	       "PCI device bus 0 device 3 function 0 listed twice");
	expect(0, BRIG_CHECK_PCI, 2,
	       "PCI segment 1: cells may only be given devices of segment 0");
	cells[0].hdr.num_pci_devices = 1;
	cells[0].pci[0].type = BRIG_PCI_TYPE_DEVICE;
	cells[0].pci[0].bdf = 0;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 0,
	       "00:00.0 is the host bridge: it stays the root's");
	/* A BAR register has 32 bits; 0 means "not checked". */
	cells[0].pci[0].bdf = BRIG_PCI_BDF(0, 3, 0);
	cells[0].pci[0].bar_mask[0] = 0xfffff000;
	cells[0].pci[0].bar_mask[2] = 0x1fffff000ull;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 0,
	       "bar-mask of BAR 2 is 0x1fffff000: a BAR register has 32 bits");
}

/* --- the system ----------------------------------------------------------- */

static void root_devices_allowed(void **state)
{
	(void)state;
	give_pins(&sys.root, 0, 0, 23);
	sys.root.hdr.num_pci_devices = 1;
	sys.root.pci[0].type = BRIG_PCI_TYPE_DEVICE;
	assert_errors(run_system(&sys), 0);
	sys.root.pci[0].type = 7;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "unknown PCI device type 7");
	/* The root's devices change owners only through a cell's list. */
	sys.root.pci[0].type = BRIG_PCI_TYPE_DEVICE;
	sys.root.pci[0].flags = BRIG_PCI_FLAG_NO_RESET;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "reset \"none\" applies to a cell's devices of type \"device\" only");
}

/* Pins move from the root: only its own, and to one cell at a time. */
static void pins_in_set(void **state)
{
	(void)state;
	give_pins(&cells[0], 0, 23, 23);
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_IRQCHIP, 0,
	       "IO-APIC at 0xfec00000 is not one of the root cell's irqchips");
	sys.sys.platform.num_iommu_units = 1;
	sys.sys.platform.iommu_units[0].type = BRIG_IOMMU_VTD;
	sys.sys.platform.iommu_units[0].base = 0xfed90000;
	sys.sys.platform.iommu_units[0].size = 0x1000;
	give_pins(&sys.root, 0, 0, 22);
	give_pins(&cells[1], 0, 22, 23);
	cells[1].irq[0].id = 0xa0;
	assert_errors(run_set(&sys, cells, 2), 4);
	expect(0, BRIG_CHECK_IRQCHIP, 0,
	       "IO-APIC at 0xfec00000: pin 23 is not one of the root cell's");
	expect(1, BRIG_CHECK_IRQCHIP, 0,
	       "IO-APIC at 0xfec00000: id, iommu and pin-base must be the root cell's (0xff00, 0, 0)");
	expect(1, BRIG_CHECK_IRQCHIP, 0,
	       "IO-APIC at 0xfec00000: pin 23 is not one of the root cell's");
	expect(1, BRIG_CHECK_IRQCHIP, 0,
	       "IO-APIC at 0xfec00000: pin 23 is also given to cell \"a\"");
	give_pins(&sys.root, 0, 0, 23);
	give_pins(&cells[1], 0, 21, 21);
	cells[0].irq[0].iommu = 1;
	sys.root.irq[0].iommu = 1;
	assert_errors(run_set(&sys, cells, 2), 2);
	expect(0, BRIG_CHECK_IRQCHIP, 0,
	       "IO-APIC at 0xfec00000: its pins need interrupt remapping, but IOMMU unit 1 is not described");
	expect(1, BRIG_CHECK_IRQCHIP, 0,
	       "IO-APIC at 0xfec00000: id, iommu and pin-base must be the root cell's (0xff00, 1, 0)");
}

static void root_not_identity(void **state)
{
	(void)state;
	sys.root.mem[2].virt_start = 0xfed00000;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_MEMORY, 2,
	       "root cell memory must be mapped 1:1, but phys 0xfec00000 != virt 0xfed00000");
}

static void hypervisor_unaligned(void **state)
{
	(void)state;
	sys.sys.hypervisor_memory.phys_start = 0x3a100000;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_HYPERVISOR, 0,
	       "start 0x3a100000 and size 0x1000000 must be non-zero multiples of 2 MiB (the driver maps the hypervisor with 2 MiB pages)");
}

static void root_maps_hypervisor(void **state)
{
	(void)state;
	sys.root.mem[0].size = 0x3b000000;
	sys.root.mem[0].virt_start = 0;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_MEMORY, 0,
	       "host-physical range 0x0-0x3affffff overlaps the hypervisor region 0x3a000000-0x3affffff");
}

static void root_comm_region_and_cpu0(void **state)
{
	(void)state;
	sys.root.mem[0].flags |= BRIG_MEM_COMM_REGION;
	sys.root.cpus[0] = 0xe;
	assert_errors(run_system(&sys), 2);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_MEMORY, 0,
	       "the root cell has no comm region");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_CPUS, 0,
	       "the root cell must own CPU 0, the CPU Linux booted on");
}

static void system_header_and_platform(void **state)
{
	(void)state;
	sys.sys.architecture = BRIG_ARCH_ARM64;
	sys.sys.platform.pci_mmconfig_base = 0xb0080000;
	sys.sys.platform.num_iommu_units = 1;
	sys.sys.platform.iommu_units[0].type = 7;
	sys.sys.platform.iommu_units[0].base = 0xfed90000;
	sys.sys.platform.iommu_units[0].size = 0x1000;
	sys.sys.platform.iommu_units[1].base = 1;
	assert_errors(run_system(&sys), 4);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_SYSTEM_HEADER, 0,
	       "system architecture 2 differs from the root cell's 1");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PLATFORM, 0,
	       "PCI MMCONFIG base 0xb0080000 is not 1 MiB aligned");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_IOMMU, 0, "unknown IOMMU type 7");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_IOMMU, 1,
	       "unused IOMMU unit entry is not zero");
}

/*
 * The MMCONFIG window (1 MiB per bus from pci-mmconfig-base) must not cover
 * what the hypervisor emulates or owns.
 */
static void mmconfig_ranges(void **state)
{
	struct brig_platform *p = &sys.sys.platform;

	(void)state;
	p->pci_mmconfig_base = 0xe0000000; /* 0xe0000000-0xefffffff: fine */
	assert_errors(run_system(&sys), 0);
	p->pci_mmconfig_base = 0xfee00000;
	p->pci_mmconfig_end_bus = 0;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PLATFORM, 0,
	       "PCI MMCONFIG 0xfee00000-0xfeefffff (pci-mmconfig-base and -end-bus) overlaps the local APIC and MSI range at 0xfee00000-0xfeefffff");
	/* buses 0-0x3f from 0xfc000000 reach the IO-APIC, the IOMMU, the APIC */
	p->pci_mmconfig_base = 0xfc000000;
	p->pci_mmconfig_end_bus = 0x3f;
	p->num_iommu_units = 1;
	p->iommu_units[0].type = BRIG_IOMMU_VTD;
	p->iommu_units[0].base = 0xfed90000;
	p->iommu_units[0].size = 0x1000;
	give_pins(&sys.root, 0, 0, 23);
	assert_errors(run_system(&sys), 3);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PLATFORM, 0,
	       "PCI MMCONFIG 0xfc000000-0xffffffff (pci-mmconfig-base and -end-bus) overlaps the local APIC and MSI range at 0xfee00000-0xfeefffff");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PLATFORM, 0,
	       "PCI MMCONFIG 0xfc000000-0xffffffff (pci-mmconfig-base and -end-bus) overlaps the registers of an IOMMU unit at 0xfed90000-0xfed90fff");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PLATFORM, 0,
	       "PCI MMCONFIG 0xfc000000-0xffffffff (pci-mmconfig-base and -end-bus) overlaps an IO-APIC at 0xfec00000-0xfec00fff");
	p->pci_mmconfig_base = 0x3a000000;
	p->pci_mmconfig_end_bus = 0;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PLATFORM, 0,
	       "PCI MMCONFIG 0x3a000000-0x3a0fffff (pci-mmconfig-base and -end-bus) overlaps the hypervisor region at 0x3a000000-0x3affffff");
	p->pci_mmconfig_base = 0xfffffffffff00000ull;
	p->pci_mmconfig_end_bus = 1;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PLATFORM, 0,
	       "PCI MMCONFIG at 0xfffffffffff00000 for 2 buses wraps around the end of the address space");
}

/* --- the set -------------------------------------------------------------- */

static void cpu_rules(void **state)
{
	(void)state;
	cells[0].cpus[0] = 1 << 0 | 1 << 5;
	cells[1].cpus[0] = 1 << 2;
	cells[2] = cells[1];
	set_name(&cells[2], "c");
	cells[2].mem[0].phys_start = 0x3d000000;
	cells[2].mem[1].phys_start = 0x3d100000;
	cells[2].pio[0] = ports(0x2e8, 8, PIO_RW);
	cells[2].hdr.console.address = 0x2e8;
	assert_errors(run_set(&sys, cells, 3), 3);
	expect(0, BRIG_CHECK_CPUS, 0,
	       "CPU 0 stays with the root cell: Linux cannot give up the CPU it booted on");
	expect(0, BRIG_CHECK_CPUS, 5,
	       "CPU 5 is not one of the root cell's CPUs");
	expect(2, BRIG_CHECK_CPUS, 2, "CPU 2 is also given to cell \"b\"");
}

static void cell_memory_in_system_ram(void **state)
{
	(void)state;
	cells[0].mem[0].phys_start = 0x1000000;
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_MEMORY, 0,
	       "host-physical range 0x1000000-0x10fffff is not inside a reserved RAM region of the root cell (memory Linux does not use)");
}

static void cell_memory_on_hypervisor(void **state)
{
	(void)state;
	cells[0].mem[0].phys_start = 0x3af00000;
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_MEMORY, 0,
	       "host-physical range 0x3af00000-0x3affffff overlaps the hypervisor region 0x3a000000-0x3affffff");
}

static void cell_mmio_needs_root_mmio(void **state)
{
	(void)state;
	cells[0].mem[2] = region(0xfec00000, 0xfec00000, 0x1000,
				 BRIG_MEM_TYPE_MMIO, BRIG_MEM_READ);
	cells[0].mem[3] = region(0xfed00000, 0xfed00000, 0x1000,
				 BRIG_MEM_TYPE_MMIO, BRIG_MEM_READ);
	cells[0].hdr.num_memory_regions = 4;
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_MEMORY, 3,
	       "host-physical range 0xfed00000-0xfed00fff is not inside an MMIO region of the root cell");
}

static void cell_memory_across_adjacent_pools(void **state)
{
	(void)state;
	/* split the pool in two: a region crossing the seam is still fine */
	sys.root.mem[1].size = 0x100000;
	sys.root.mem[3] = region(0x3b100000, 0x3b100000, 0x4f00000,
				 BRIG_MEM_TYPE_RAM, RWX | BRIG_MEM_RESERVED);
	sys.root.hdr.num_memory_regions = 4;
	cells[0].mem[0].size = 0x200000;
	cells[0].mem[1].phys_start = 0x3b200000;
	cells[0].mem[1].virt_start = 0x200000;
	assert_errors(run_set(&sys, cells, 1), 0);
}

static void cells_overlap(void **state)
{
	(void)state;
	cells[1].mem[0].phys_start = 0x3b000000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_MEMORY, 0,
	       "host-physical range 0x3b000000-0x3b0fffff overlaps memory region 0 (0x3b000000-0x3b0fffff) of cell \"a\"");
}

static void ports_outside_root(void **state)
{
	(void)state;
	sys.root.pio[0] = ports(0, 0x400, PIO_RW);
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_PORTS, 1,
	       "ports 0x608-0x60b are not inside the root cell's port ranges");
}

static void ports_claimed_twice(void **state)
{
	(void)state;
	/* COM2 in both cells is an error; the shared PM timer is not */
	cells[1].pio[0] = ports(0x2f8, 8, PIO_RW);
	cells[1].hdr.console.address = 0x2f8;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PORTS, 0,
	       "ports 0x2f8-0x2ff are also claimed by cell \"a\" (only ranges that both mark shared may overlap)");
}

static void duplicate_names(void **state)
{
	(void)state;
	set_name(&cells[1], "a");
	set_name(&cells[0], "root");
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(0, BRIG_CHECK_HEADER, 0,
	       "cell name \"root\" is the name of the root cell");
	set_name(&cells[0], "a");
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_HEADER, 0,
	       "cell name \"a\" is already used by cell description 0");
}

/* A broken blob is reported and left out of the set checks, not read. */
static void broken_blob_in_set(void **state)
{
	(void)state;
	cells[0].hdr.cpu_set_size = 0;
	cells[1].mem[0].phys_start = 0x3b000000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(0, BRIG_CHECK_CPUS, 0,
	       "cpu_set_size 0 is not a non-zero multiple of 8 up to 32");
}

static void every_problem_reported(void **state)
{
	(void)state;
	cells[0].hdr.name[0] = '\0';
	cells[0].mem[0].size = 0x100800;
	cells[0].pio[1].flags |= BRIG_PIO_WRITE;
	cells[0].cpus[0] |= 1;
	/* the unaligned size also makes region 0 reach into the comm page */
	assert_errors(run_set(&sys, cells, 1), 6);
	expect(0, BRIG_CHECK_HEADER, 0, "name is empty");
	expect(0, BRIG_CHECK_MEMORY, 0,
	       "phys 0x3b000000, virt 0x0 and size 0x100800 must all be multiples of 4 KiB");
	expect(0, BRIG_CHECK_MEMORY, 1,
	       "host-physical range 0x3b100000-0x3b100fff overlaps memory region 0 (0x3b000000-0x3b1007ff)");
	expect(0, BRIG_CHECK_MEMORY, 1,
	       "guest-physical range 0x100000-0x100fff overlaps memory region 0 (0x0-0x1007ff)");
	expect(0, BRIG_CHECK_PORTS, 1,
	       "a shared port range must be read-only (read without write)");
	expect(0, BRIG_CHECK_CPUS, 0,
	       "CPU 0 stays with the root cell: Linux cannot give up the CPU it booted on");
}

/* --- ivshmem channels ------------------------------------------------------ */

/*
 * Side peer of channel 1 as PCI device n of c (00:0e.n): 4 KiB state
 * table, 4 KiB rw section, two 4 KiB output sections (16 KiB) at
 * 0x3e000000 in the reserved pool, seen at guest 0x200000; BARs at
 * 0xc0000000. Both cells of setup() can take a side as it is.
 */
static struct brig_ivshmem *give_ivshmem(struct cell_parts *c, unsigned int n,
					 unsigned int peer)
{
	struct brig_pci_device *pci = &c->pci[n];

	memset(pci, 0, sizeof(*pci));
	pci->type = BRIG_PCI_TYPE_IVSHMEM;
	pci->bdf = BRIG_PCI_BDF(0, 14, n);
	pci->ivshmem.shmem_phys = 0x3e000000;
	pci->ivshmem.shmem_virt = 0x200000;
	pci->ivshmem.bar_base = 0xc0000000;
	pci->ivshmem.rw_size = 0x1000;
	pci->ivshmem.out_size = 0x1000;
	pci->ivshmem.channel = 1;
	pci->ivshmem.protocol = BRIG_IVSHMEM_PROTO_USER_FIRST;
	pci->ivshmem.peer = (__u8)peer;
	pci->ivshmem.num_peers = 2;
	pci->ivshmem.vectors = 1;
	if (c->hdr.num_pci_devices <= n)
		c->hdr.num_pci_devices = n + 1;
	return &pci->ivshmem;
}

/* One per-cell error for device 0 of cell a, with this message. */
static void expect_one_cell_error(const char *msg)
{
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 0, msg);
}

/*
 * Two peers of one channel share memory that is no memory region of
 * either: the cross-cell overlap rule of memory regions does not see it.
 */
static void ivshmem_pair_passes(void **state)
{
	(void)state;
	give_ivshmem(&cells[0], 0, 0);
	give_ivshmem(&cells[1], 0, 1);
	assert_errors(run_cell(&cells[0], 0), 0);
	assert_errors(run_cell(&cells[1], 0), 0);
	assert_errors(run_set(&sys, cells, 2), 0);
	assert_int_equal(nrecs, 0);
	/* the widest: 16 peers, 16 vectors, BARs just below 4 GiB, bus 255 */
	cells[0].pci[0].bdf = BRIG_PCI_BDF(255, 31, 7);
	cells[0].pci[0].ivshmem.num_peers = 16;
	cells[0].pci[0].ivshmem.peer = 15;
	cells[0].pci[0].ivshmem.vectors = 16;
	cells[0].pci[0].ivshmem.bar_base = 0xffffe000;
	assert_errors(run_cell(&cells[0], 0), 0);
	/* a protocol of each accepted kind */
	cells[0].pci[0].ivshmem.protocol = BRIG_IVSHMEM_PROTO_UNDEFINED;
	assert_errors(run_cell(&cells[0], 0), 0);
	cells[0].pci[0].ivshmem.protocol = BRIG_IVSHMEM_PROTO_NET;
	assert_errors(run_cell(&cells[0], 0), 0);
	cells[0].pci[0].ivshmem.protocol = BRIG_IVSHMEM_PROTO_USER_LAST;
	assert_errors(run_cell(&cells[0], 0), 0);
	/* no rw and no output sections: just the state table */
	cells[0].pci[0].ivshmem.rw_size = 0;
	cells[0].pci[0].ivshmem.out_size = 0;
	assert_errors(run_cell(&cells[0], 0), 0);
}

/* The root as peer 0: its memory 1:1 in its reserved RAM, BARs outside. */
static struct brig_ivshmem *give_root_ivshmem(void)
{
	struct brig_ivshmem *iv = give_ivshmem(&sys.root, 0, 0);

	sys.root.pci[0].bdf = BRIG_PCI_BDF(0, 15, 0);
	iv->shmem_virt = iv->shmem_phys;
	return iv;
}

static void ivshmem_root_peer_passes(void **state)
{
	(void)state;
	give_root_ivshmem();
	give_ivshmem(&cells[1], 0, 1);
	assert_errors(run_system(&sys), 0);
	assert_errors(run_set(&sys, cells, 2), 0);
	assert_int_equal(nrecs, 0);
}

static void ivshmem_root_peer_refused(void **state)
{
	(void)state;
	give_root_ivshmem()->shmem_virt = 0x200000;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "ivshmem shmem_virt 0x200000 differs from shmem_phys 0x3e000000: the root maps its channel memory 1:1");
	/* BARs where the root has memory: they would not trap */
	give_root_ivshmem()->bar_base = 0x3b000000;
	assert_errors(run_system(&sys), 1);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "ivshmem BARs: range 0x3b000000-0x3b001fff overlaps memory region 1 (0x3b000000-0x3fffffff) of the root cell: the root's accesses to them must trap");
	/* a segment the hypervisor does not emulate, a bus beyond ECAM */
	give_root_ivshmem();
	sys.root.pci[0].domain = 1;
	sys.sys.platform.pci_mmconfig_end_bus = 0x7f;
	sys.root.pci[0].bdf = BRIG_PCI_BDF(0x80, 0, 0);
	assert_errors(run_system(&sys), 2);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "PCI segment 1: the root's ivshmem devices must be in segment 0");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "ivshmem device on bus 128, beyond the MMCONFIG window (buses 0-127)");
	sys.sys.platform.pci_mmconfig_end_bus = 0xff;
	/* BARs on the local APIC, memory Linux uses */
	give_root_ivshmem()->bar_base = 0xfee00000;
	sys.root.pci[0].ivshmem.shmem_phys = 0x1000000;
	sys.root.pci[0].ivshmem.shmem_virt = 0x1000000;
	assert_errors(run_system(&sys), 2);
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "ivshmem BARs: host-physical range 0xfee00000-0xfee01fff overlaps the local APIC and MSI range at 0xfee00000-0xfeefffff, which the hypervisor keeps");
	expect(BRIG_CHECK_SYSTEM, BRIG_CHECK_PCI, 0,
	       "ivshmem shared memory: host-physical range 0x1000000-0x1003fff is not inside a reserved RAM region of the root cell (memory Linux does not use)");
}

/* A cell's side must agree with the root's, and keep off its memory. */
static void ivshmem_root_peer_mismatch(void **state)
{
	(void)state;
	give_root_ivshmem();
	give_ivshmem(&cells[1], 0, 1)->out_size = 0x2000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: out_size 0x2000 here, 0x1000 in cell \"root\"");
	give_ivshmem(&cells[1], 0, 0);
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: peer 0 here and in cell \"root\": each peer of a channel has its own id");
	/* no peer at all, but RAM on the root's channel */
	cells[1].hdr.num_pci_devices = 0;
	cells[1].mem[0].phys_start = 0x3e000000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_MEMORY, 0,
	       "host-physical range 0x3e000000-0x3e0fffff overlaps the shared memory of ivshmem channel 1 (0x3e000000-0x3e003fff) of cell \"root\"");
}

/* The fields a virtual device has in common with physical ones. */
static void ivshmem_device_fields(void **state)
{
	(void)state;
	give_ivshmem(&cells[0], 0, 0)->reserved = 1;
	expect_one_cell_error("ivshmem reserved field is not zero");
	give_ivshmem(&cells[0], 0, 0);
	cells[0].pci[0].iommu = 1;
	expect_one_cell_error(
		"ivshmem iommu 1 must be 0: the device is virtual, behind no IOMMU unit");
	give_ivshmem(&cells[0], 0, 0);
	cells[0].pci[0].flags = 2;
	expect_one_cell_error("unknown PCI device flags 0x2");
	give_ivshmem(&cells[0], 0, 0);
	cells[0].pci[0].flags = BRIG_PCI_FLAG_NO_RESET;
	expect_one_cell_error(
		"reset \"none\" applies to a cell's devices of type \"device\" only");
	give_ivshmem(&cells[0], 0, 0);
	cells[0].pci[0].domain = 1;
	expect_one_cell_error(
		"PCI segment 1: cells may only be given devices of segment 0");
	give_ivshmem(&cells[0], 0, 0);
	cells[0].pci[0].bdf = 0;
	expect_one_cell_error(
		"00:00.0 is the host bridge: it stays the root's");
	/* a second device at the same bdf, of another channel, elsewhere */
	give_ivshmem(&cells[0], 0, 0);
	give_ivshmem(&cells[0], 1, 0)->channel = 2;
	cells[0].pci[1].bdf = cells[0].pci[0].bdf;
	cells[0].pci[1].ivshmem.shmem_phys = 0x3e100000;
	cells[0].pci[1].ivshmem.shmem_virt = 0x300000;
	cells[0].pci[1].ivshmem.bar_base = 0xc0002000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 1,
	       "PCI device bus 0 device 14 function 0 listed twice");
}

static void ivshmem_peers_and_vectors(void **state)
{
	struct brig_ivshmem *iv = give_ivshmem(&cells[0], 0, 0);

	(void)state;
	iv->num_peers = 1;
	expect_one_cell_error("ivshmem num_peers 1 is not between 2 and 16");
	iv->num_peers = 17;
	expect_one_cell_error("ivshmem num_peers 17 is not between 2 and 16");
	iv->num_peers = 2;
	iv->peer = 2;
	expect_one_cell_error("ivshmem peer 2 is not below num_peers 2");
	iv->peer = 1;
	iv->vectors = 0;
	expect_one_cell_error("ivshmem vectors 0 is not between 1 and 16");
	iv->vectors = 17;
	expect_one_cell_error("ivshmem vectors 17 is not between 1 and 16");
}

static void ivshmem_protocols(void **state)
{
	struct brig_ivshmem *iv = give_ivshmem(&cells[0], 0, 0);

	(void)state;
	iv->protocol = 0x0002;
	expect_one_cell_error(
		"ivshmem protocol 0x2 is reserved (0x2-0x3fff): use 0x0 (undefined), 0x1 (network) or 0x4000-0x7fff (user-defined)");
	iv->protocol = 0x3fff;
	expect_one_cell_error(
		"ivshmem protocol 0x3fff is reserved (0x2-0x3fff): use 0x0 (undefined), 0x1 (network) or 0x4000-0x7fff (user-defined)");
	iv->protocol = 0x8000;
	expect_one_cell_error(
		"ivshmem protocol 0x8000 is a virtio transport (0x8000-0xffff), which brig does not support");
	iv->protocol = 0xffff;
	expect_one_cell_error(
		"ivshmem protocol 0xffff is a virtio transport (0x8000-0xffff), which brig does not support");
}

static void ivshmem_alignment(void **state)
{
	struct brig_ivshmem *iv = give_ivshmem(&cells[0], 0, 0);

	(void)state;
	iv->rw_size = 0x800;
	expect_one_cell_error(
		"ivshmem rw_size 0x800 is not a multiple of 4 KiB");
	iv->rw_size = 0x1000;
	iv->out_size = 0x1800;
	expect_one_cell_error(
		"ivshmem out_size 0x1800 is not a multiple of 4 KiB");
	iv->out_size = 0x1000;
	iv->shmem_phys = 0x3e000800;
	expect_one_cell_error(
		"ivshmem shmem_phys 0x3e000800 is not a multiple of 4 KiB");
	iv->shmem_phys = 0x3e000000;
	iv->shmem_virt = 0x200010;
	expect_one_cell_error(
		"ivshmem shmem_virt 0x200010 is not a multiple of 4 KiB");
	iv->shmem_virt = 0x200000;
	iv->bar_base = 0xc0000100;
	expect_one_cell_error(
		"ivshmem bar_base 0xc0000100 is not a multiple of 4 KiB");
}

/* 32-bit BARs: both must end below 4 GiB; 0 is no address for a BAR. */
static void ivshmem_bar_range(void **state)
{
	struct brig_ivshmem *iv = give_ivshmem(&cells[0], 0, 0);

	(void)state;
	iv->bar_base = 0;
	expect_one_cell_error(
		"ivshmem bar_base 0x0 must be non-zero and leave both BARs (8 KiB) below 4 GiB: they are 32-bit BARs");
	iv->bar_base = 0xfffff000;
	expect_one_cell_error(
		"ivshmem bar_base 0xfffff000 must be non-zero and leave both BARs (8 KiB) below 4 GiB: they are 32-bit BARs");
	iv->bar_base = 0x100000000ull;
	expect_one_cell_error(
		"ivshmem bar_base 0x100000000 must be non-zero and leave both BARs (8 KiB) below 4 GiB: they are 32-bit BARs");
}

/* The total size is computed in 64 bits; the ranges must not wrap. */
static void ivshmem_size_wraps(void **state)
{
	struct brig_ivshmem *iv = give_ivshmem(&cells[0], 0, 0);

	(void)state;
	iv->shmem_phys = 0xffffffffffffe000ull;
	expect_one_cell_error(
		"ivshmem shared memory of 0x4000 bytes (state table, rw_size, num_peers * out_size) at shmem_phys 0xffffffffffffe000 wraps around the end of the address space");
	iv->shmem_phys = 0x3e000000;
	/* 4 KiB + (2^32 - 4 KiB) + 2 * (2^32 - 4 KiB): no 32-bit overflow */
	iv->rw_size = 0xfffff000;
	iv->out_size = 0xfffff000;
	iv->shmem_virt = 0xfffffffe00000000ull;
	expect_one_cell_error(
		"ivshmem shared memory of 0x2ffffe000 bytes (state table, rw_size, num_peers * out_size) at shmem_virt 0xfffffffe00000000 wraps around the end of the address space");
}

/* Within a cell: guest-physical against its memory, host against its RAM. */
static void ivshmem_overlaps_cell(void **state)
{
	struct brig_ivshmem *iv = give_ivshmem(&cells[0], 0, 0);

	(void)state;
	iv->shmem_virt = 0x80000;
	expect_one_cell_error(
		"ivshmem shared memory: guest-physical range 0x80000-0x83fff overlaps memory region 0 (0x0-0xfffff)");
	iv->shmem_virt = 0x200000;
	iv->bar_base = 0x100000;
	expect_one_cell_error(
		"ivshmem BARs: guest-physical range 0x100000-0x101fff overlaps memory region 1 (0x100000-0x100fff)");
	iv->bar_base = 0x202000;
	expect_one_cell_error(
		"ivshmem shared memory: guest-physical range 0x200000-0x203fff overlaps the device's own BARs (0x202000-0x203fff)");
	iv->bar_base = 0xc0000000;
	iv->shmem_phys = 0x3b080000;
	expect_one_cell_error(
		"ivshmem shared memory: host-physical range 0x3b080000-0x3b083fff overlaps memory region 0 (0x3b000000-0x3b0fffff)");
	iv->shmem_phys = 0x3e000000;
	/* the IO-APIC the hypervisor emulates for the cell */
	give_pins(&cells[0], 0, 23, 23);
	iv->bar_base = 0xfec00000;
	expect_one_cell_error(
		"ivshmem BARs: guest-physical range 0xfec00000-0xfec01fff covers the IO-APIC at 0xfec00000, which the hypervisor emulates for the cell");
}

/* Two devices of one cell: one side per channel, nothing shared. */
static void ivshmem_two_in_cell(void **state)
{
	struct brig_ivshmem *a = give_ivshmem(&cells[0], 0, 0);
	struct brig_ivshmem *b = give_ivshmem(&cells[0], 1, 1);

	(void)state;
	b->shmem_virt = 0x300000;
	b->bar_base = 0xc0002000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 1,
	       "channel 1 is also PCI device 0 of this cell: a cell is one peer of a channel");
	/* another channel: apart, fine; then each range on the other's */
	b->channel = 2;
	b->shmem_phys = 0x3e100000;
	assert_errors(run_cell(&cells[0], 0), 0);
	b->shmem_phys = 0x3e002000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 1,
	       "channel 2: host-physical range 0x3e002000-0x3e005fff overlaps channel 1 (0x3e000000-0x3e003fff) of PCI device 0");
	b->shmem_phys = 0x3e100000;
	b->shmem_virt = 0x202000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 1,
	       "ivshmem shared memory: guest-physical range 0x202000-0x205fff overlaps the shared memory of PCI device 0 (0x200000-0x203fff)");
	b->shmem_virt = 0xc0001000;
	b->bar_base = 0xd0000000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 1,
	       "ivshmem shared memory: guest-physical range 0xc0001000-0xc0004fff overlaps the BARs of PCI device 0 (0xc0000000-0xc0001fff)");
	b->shmem_virt = 0x300000;
	b->bar_base = 0x203000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 1,
	       "ivshmem BARs: guest-physical range 0x203000-0x204fff overlaps the shared memory of PCI device 0 (0x200000-0x203fff)");
	b->bar_base = 0xc0001000;
	assert_errors(run_cell(&cells[0], 0), 1);
	expect(0, BRIG_CHECK_PCI, 1,
	       "ivshmem BARs: guest-physical range 0xc0001000-0xc0002fff overlaps the BARs of PCI device 0 (0xc0000000-0xc0001fff)");
	(void)a;
}

/* Channel memory comes from reserved root RAM, as cell RAM does. */
static void ivshmem_memory_from_root(void **state)
{
	struct brig_ivshmem *iv = give_ivshmem(&cells[0], 0, 0);

	(void)state;
	iv->shmem_phys = 0x1000000;
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_PCI, 0,
	       "ivshmem shared memory: host-physical range 0x1000000-0x1003fff is not inside a reserved RAM region of the root cell (memory Linux does not use)");
	iv->shmem_phys = 0x3aff0000;
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_PCI, 0,
	       "ivshmem shared memory: host-physical range 0x3aff0000-0x3aff3fff overlaps the hypervisor region 0x3a000000-0x3affffff");
	/* what the hypervisor keeps, even where the root calls it its RAM */
	iv->shmem_phys = 0x3f000000;
	sys.sys.platform.num_iommu_units = 1;
	sys.sys.platform.iommu_units[0].type = BRIG_IOMMU_VTD;
	sys.sys.platform.iommu_units[0].base = 0x3f002000;
	sys.sys.platform.iommu_units[0].size = 0x1000;
	assert_errors(run_set(&sys, cells, 1), 1);
	expect(0, BRIG_CHECK_PCI, 0,
	       "ivshmem shared memory: host-physical range 0x3f000000-0x3f003fff overlaps the registers of an IOMMU unit at 0x3f002000-0x3f002fff, which the hypervisor keeps");
}

/* Every side of a channel describes the same channel. */
static void ivshmem_peers_disagree(void **state)
{
	struct brig_ivshmem *b;

	(void)state;
	give_ivshmem(&cells[0], 0, 0);
	b = give_ivshmem(&cells[1], 0, 1);
	b->shmem_phys = 0x3e100000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: shmem_phys 0x3e100000 here, 0x3e000000 in cell \"a\"");
	b = give_ivshmem(&cells[1], 0, 1);
	b->rw_size = 0x2000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: rw_size 0x2000 here, 0x1000 in cell \"a\"");
	b = give_ivshmem(&cells[1], 0, 1);
	b->out_size = 0x2000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: out_size 0x2000 here, 0x1000 in cell \"a\"");
	b = give_ivshmem(&cells[1], 0, 1);
	b->num_peers = 3;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: num_peers 3 here, 2 in cell \"a\"");
	b = give_ivshmem(&cells[1], 0, 1);
	b->protocol = BRIG_IVSHMEM_PROTO_NET;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: protocol 0x1 here, 0x4000 in cell \"a\"");
	b = give_ivshmem(&cells[1], 0, 1);
	b->vectors = 4;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: vectors 4 here, 1 in cell \"a\"");
	give_ivshmem(&cells[1], 0, 0);
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 1: peer 0 here and in cell \"a\": each peer of a channel has its own id");
}

/* Channel memory is the channel's: no other channel's, no cell's RAM. */
static void ivshmem_memory_between_cells(void **state)
{
	struct brig_ivshmem *a = give_ivshmem(&cells[0], 0, 0);
	struct brig_ivshmem *b = give_ivshmem(&cells[1], 0, 0);

	(void)state;
	b->channel = 2;
	b->shmem_phys = 0x3e002000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "channel 2: host-physical range 0x3e002000-0x3e005fff overlaps channel 1 (0x3e000000-0x3e003fff) of cell \"a\"");
	/* the later cell's channel on the earlier cell's RAM */
	b->shmem_phys = 0x3b000000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_PCI, 0,
	       "ivshmem shared memory: host-physical range 0x3b000000-0x3b003fff overlaps memory region 0 (0x3b000000-0x3b0fffff) of cell \"a\"");
	/* the earlier cell's channel on the later cell's RAM */
	cells[1].hdr.num_pci_devices = 0;
	a->shmem_phys = 0x3c000000;
	assert_errors(run_set(&sys, cells, 2), 1);
	expect(1, BRIG_CHECK_MEMORY, 0,
	       "host-physical range 0x3c000000-0x3c0fffff overlaps the shared memory of ivshmem channel 1 (0x3c000000-0x3c003fff) of cell \"a\"");
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(valid_set_passes),
		T(layout_of_valid_blobs),
		T(truncated_cell),
		T(trailing_garbage),
		T(shorter_than_header),
		T(bad_signature),
		T(bad_revision),
		T(bad_cpu_set_size),
		T(truncated_system),
		T(empty_cpu_set),
		T(name_not_terminated),
		T(name_empty_and_bad),
		T(name_characters),
		T(reserved_and_flags),
		T(unowned_ports_flag),
		T(entry_outside),
		T(region_unaligned),
		T(region_zero_size),
		T(region_wraps),
		T(regions_overlap),
		T(region_bad_type_and_flags),
		T(reserved_flag_in_cell),
		T(comm_region_missing),
		T(comm_region_twice_and_wrong),
		T(ports_out_of_range),
		T(ports_over_pci_config),
		T(ports_that_reset_the_machine),
		T(shared_ports_writable),
		T(console_checks),
		T(shutdown_timeout_bounded),
		T(console_ranges),
		T(devices_in_cell),
		T(bad_irqchips_in_cell),
		T(bad_devices_in_cell),
		T(root_devices_allowed),
		T(pins_in_set),
		T(kept_resources_in_set),
		T(iommu_function_in_set),
		T(root_not_identity),
		T(hypervisor_unaligned),
		T(root_maps_hypervisor),
		T(root_comm_region_and_cpu0),
		T(system_header_and_platform),
		T(mmconfig_ranges),
		T(cpu_rules),
		T(cell_memory_in_system_ram),
		T(cell_memory_on_hypervisor),
		T(cell_mmio_needs_root_mmio),
		T(cell_memory_across_adjacent_pools),
		T(cells_overlap),
		T(ports_outside_root),
		T(ports_claimed_twice),
		T(duplicate_names),
		T(broken_blob_in_set),
		T(every_problem_reported),
		T(ivshmem_pair_passes),
		T(ivshmem_root_peer_passes),
		T(ivshmem_root_peer_refused),
		T(ivshmem_root_peer_mismatch),
		T(ivshmem_device_fields),
		T(ivshmem_peers_and_vectors),
		T(ivshmem_protocols),
		T(ivshmem_alignment),
		T(ivshmem_bar_range),
		T(ivshmem_size_wraps),
		T(ivshmem_overlaps_cell),
		T(ivshmem_two_in_cell),
		T(ivshmem_memory_from_root),
		T(ivshmem_peers_disagree),
		T(ivshmem_memory_between_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
