// SPDX-License-Identifier: GPL-2.0
/*
 * The per-cell registry of trapped ranges and the dispatch of a trapped
 * access (hypervisor/mmio.c), against the host stub arch: registering,
 * removing, looking up, calling the handler with its argument and the
 * access record, the root's forbidden-access answer and report_once().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/mmio.h>
#include "stub-arch.h"

#define HV_BASE 0x3a000000ULL
#define HV_SIZE 0x1000000ULL
#define REPORTED_KEYS 32 /* report_once()'s table in mmio.c */

static struct brig_system_desc sys;
static struct cell cell; /* a cell besides the root, on CPU 1 */

/*
 * report_once() keeps its keys for the life of the program: the tests
 * that make it report a new page count them here, so that the last test
 * knows how much room is left.
 */
static unsigned int keys_taken;

/* What the recording handler saw, and what it answers. */
static struct {
	unsigned int calls;
	struct per_cpu *cpu;
	struct mmio_access *acc;
	void *arg;
	u64 value_in; /* acc->value when it was called */
	u64 read_value; /* what it returns for a read */
	enum mmio_result result;
} h;

static enum mmio_result rec_handler(struct per_cpu *cpu,
				    struct mmio_access *acc, void *arg)
{
	h.calls++;
	h.cpu = cpu;
	h.acc = acc;
	h.arg = arg;
	h.value_in = acc->value;
	if (!acc->is_write)
		acc->value = h.read_value;
	return h.result;
}

static int setup(void **state)
{
	(void)state;
	stub_reset();
	memset(&sys, 0, sizeof(sys));
	sys.hypervisor_memory.phys_start = HV_BASE;
	sys.hypervisor_memory.size = HV_SIZE;
	system_config = &sys;
	memset(&cell, 0, sizeof(cell));
	cell.id = 1;
	per_cpu(0)->cell = &root_cell;
	per_cpu(1)->cell = &cell;
	memset(&h, 0, sizeof(h));
	h.result = MMIO_HANDLED;
	return 0;
}

static int reg(struct cell *c, u64 start, u64 size, void *arg)
{
	return mmio_register(c, start, size, rec_handler, arg);
}

static struct mmio_access read_at(u64 address, unsigned int size)
{
	return (struct mmio_access){ .address = address,
				     .value = 0xdeadbeef,
				     .size = size,
				     .is_write = false };
}

/* --- mmio_register ------------------------------------------------------- */

static void test_register(void **state)
{
	int arg;

	(void)state;
	assert_int_equal(reg(&cell, 0x1000, 0x1000, &arg), 0);
	assert_int_equal(cell.mmio.count, 1);
	assert_int_equal(cell.mmio.regions[0].start, 0x1000);
	assert_int_equal(cell.mmio.regions[0].size, 0x1000);
	assert_ptr_equal(cell.mmio.regions[0].handler, rec_handler);
	assert_ptr_equal(cell.mmio.regions[0].arg, &arg);
	/* Not every range is page sized: an 8-byte register. */
	assert_int_equal(reg(&cell, 0x2008, 8, &arg), 0);
	assert_int_equal(cell.mmio.count, 2);
	assert_string_equal(stub_log, "");
}

static void test_register_overlap(void **state)
{
	(void)state;
	assert_int_equal(reg(&cell, 0x10000, 0x1000, NULL), 0);
	/* Head, tail, inside, around, the same range: all refused. */
	assert_int_equal(reg(&cell, 0xf800, 0x1000, NULL), -EEXIST);
	assert_int_equal(reg(&cell, 0x10800, 0x1000, NULL), -EEXIST);
	assert_int_equal(reg(&cell, 0x10100, 0x10, NULL), -EEXIST);
	assert_int_equal(reg(&cell, 0xf000, 0x3000, NULL), -EEXIST);
	assert_int_equal(reg(&cell, 0x10000, 0x1000, NULL), -EEXIST);
	assert_int_equal(reg(&cell, 0x10fff, 1, NULL), -EEXIST);
	assert_int_equal(cell.mmio.count, 1);
	/* Touching is not overlapping. */
	assert_int_equal(reg(&cell, 0xf000, 0x1000, NULL), 0);
	assert_int_equal(reg(&cell, 0x11000, 0x1000, NULL), 0);
	assert_int_equal(cell.mmio.count, 3);
	/* The same range in another cell is that cell's business. */
	assert_int_equal(reg(&root_cell, 0x10000, 0x1000, NULL), 0);
	assert_true(
		stub_logged("brig: cannot trap f800+1000 for cell 1: -17\n"));
	assert_int_equal(stub_log_count("cannot trap"), 6);
}

static void test_register_invalid(void **state)
{
	(void)state;
	assert_int_equal(reg(&cell, 0x1000, 0, NULL), -EINVAL);
	/* Wraps around the end of the address space. */
	assert_int_equal(reg(&cell, ~0xfffULL, 0x2000, NULL), -EINVAL);
	assert_int_equal(reg(&cell, ~0ULL, 2, NULL), -EINVAL);
	assert_int_equal(mmio_register(&cell, 0x1000, 0x1000, NULL, NULL),
			 -EINVAL);
	assert_int_equal(cell.mmio.count, 0);
	assert_false(mmio_is_trapped(&cell, 0x1000));
	/* Unlike an overlap or a full registry, this is not printed. */
	assert_string_equal(stub_log, "");
}

static void test_register_full(void **state)
{
	(void)state;
	for (unsigned int n = 0; n < MMIO_MAX_REGIONS; n++)
		assert_int_equal(
			reg(&cell, 0x100000 + n * 0x1000, 0x1000, NULL), 0);
	assert_int_equal(cell.mmio.count, MMIO_MAX_REGIONS);
	assert_int_equal(reg(&cell, 0x900000, 0x1000, NULL), -ENOSPC);
	assert_true(stub_logged("cannot trap 900000+1000 for cell 1: -28\n"));
	/* An overlap is still named as such. */
	assert_int_equal(reg(&cell, 0x100000, 0x1000, NULL), -EEXIST);
	assert_false(mmio_is_trapped(&cell, 0x900000));
	/* Room again once one goes. */
	mmio_unregister(&cell, 0x105000);
	assert_int_equal(reg(&cell, 0x900000, 0x1000, NULL), 0);
	assert_true(mmio_is_trapped(&cell, 0x900000));
	assert_false(mmio_is_trapped(&cell, 0x105000));
}

/* --- mmio_unregister, mmio_unregister_arg, mmio_is_trapped --------------- */

static void test_unregister(void **state)
{
	int a, b, c;
	struct mmio_access acc = read_at(0x3000, 4);

	(void)state;
	assert_int_equal(reg(&cell, 0x1000, 0x1000, &a), 0);
	assert_int_equal(reg(&cell, 0x2000, 0x1000, &b), 0);
	assert_int_equal(reg(&cell, 0x3000, 0x1000, &c), 0);
	/* Only a range's start names it. */
	mmio_unregister(&cell, 0x2800);
	mmio_unregister(&cell, 0x5000);
	assert_int_equal(cell.mmio.count, 3);

	mmio_unregister(&cell, 0x2000);
	assert_int_equal(cell.mmio.count, 2);
	assert_false(mmio_is_trapped(&cell, 0x2000));
	assert_false(mmio_is_trapped(&cell, 0x2fff));
	assert_true(mmio_is_trapped(&cell, 0x1000));
	assert_true(mmio_is_trapped(&cell, 0x3fff));
	/* The range that moved into the hole still has its own argument. */
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_HANDLED);
	assert_ptr_equal(h.arg, &c);
	/* Its start is free to be registered again. */
	assert_int_equal(reg(&cell, 0x2000, 0x1000, &b), 0);
}

static void test_unregister_arg(void **state)
{
	int a, b;

	(void)state;
	assert_int_equal(reg(&cell, 0x1000, 0x1000, &a), 0);
	assert_int_equal(reg(&cell, 0x2000, 0x1000, &b), 0);
	assert_int_equal(reg(&cell, 0x3000, 0x1000, &a), 0);
	assert_int_equal(reg(&cell, 0x4000, 0x1000, &a), 0);
	assert_int_equal(reg(&root_cell, 0x1000, 0x1000, &a), 0);

	mmio_unregister_arg(&cell, &a);
	assert_int_equal(cell.mmio.count, 1);
	assert_false(mmio_is_trapped(&cell, 0x1000));
	assert_true(mmio_is_trapped(&cell, 0x2000));
	assert_false(mmio_is_trapped(&cell, 0x3000));
	assert_false(mmio_is_trapped(&cell, 0x4000));
	assert_ptr_equal(cell.mmio.regions[0].arg, &b);
	/* Another cell's ranges with the same argument stay. */
	assert_true(mmio_is_trapped(&root_cell, 0x1000));
	/* Nothing with that argument left: nothing happens. */
	mmio_unregister_arg(&cell, &a);
	assert_int_equal(cell.mmio.count, 1);
}

static void test_is_trapped(void **state)
{
	(void)state;
	assert_false(mmio_is_trapped(&cell, 0));
	assert_int_equal(reg(&cell, 0xfee00000, 0x1000, NULL), 0);
	assert_false(mmio_is_trapped(&cell, 0xfedfffff));
	assert_true(mmio_is_trapped(&cell, 0xfee00000));
	assert_true(mmio_is_trapped(&cell, 0xfee00fff));
	assert_false(mmio_is_trapped(&cell, 0xfee01000));
	assert_false(mmio_is_trapped(&root_cell, 0xfee00000));
}

/* --- mmio_handle_access -------------------------------------------------- */

static void test_handle_read(void **state)
{
	int arg;
	struct mmio_access acc = read_at(0xfee00030, 4);

	(void)state;
	assert_int_equal(reg(&cell, 0xfee00000, 0x1000, &arg), 0);
	h.read_value = 0x50014;
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_HANDLED);
	assert_int_equal(h.calls, 1);
	assert_ptr_equal(h.cpu, per_cpu(1));
	assert_ptr_equal(h.acc, &acc); /* the record itself, not a copy */
	assert_ptr_equal(h.arg, &arg);
	assert_int_equal(h.value_in, 0); /* a read starts from 0 */
	assert_int_equal(acc.value, 0x50014);
	assert_int_equal(acc.address, 0xfee00030);
	assert_int_equal(acc.size, 4);
	assert_string_equal(stub_log, "");
}

static void test_handle_write(void **state)
{
	struct mmio_access acc = { .address = 0xfee000b0,
				   .value = 0x1234,
				   .size = 4,
				   .is_write = true };

	(void)state;
	assert_int_equal(reg(&cell, 0xfee00000, 0x1000, NULL), 0);
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_HANDLED);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.value_in, 0x1234);
	assert_int_equal(acc.value, 0x1234);
	assert_true(h.acc->is_write);
}

static void test_handle_cell_failed(void **state)
{
	struct mmio_access acc = read_at(0xfee00000, 4);

	(void)state;
	assert_int_equal(reg(&cell, 0xfee00000, 0x1000, NULL), 0);
	h.result = MMIO_CELL_FAILED;
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc),
			 MMIO_CELL_FAILED);
	assert_int_equal(h.calls, 1);
}

static void test_handle_cell_no_range(void **state)
{
	struct mmio_access acc = read_at(0xfee00000, 4);

	(void)state;
	assert_int_equal(reg(&root_cell, 0xfee00000, 0x1000, NULL), 0);
	/* The root's range is not the cell's. */
	assert_int_equal(mmio_handle_access(per_cpu(1), &acc), MMIO_UNHANDLED);
	assert_int_equal(h.calls, 0);
	assert_int_equal(acc.value, 0);
	assert_string_equal(stub_log, ""); /* the arch code reports it */
}

static void test_handle_root_range(void **state)
{
	struct mmio_access acc = read_at(0xfed90008, 8);
	int arg;

	(void)state;
	assert_int_equal(reg(&root_cell, 0xfed90000, 0x1000, &arg), 0);
	h.read_value = 0x10000000000ULL;
	assert_int_equal(mmio_handle_access(per_cpu(0), &acc), MMIO_HANDLED);
	assert_int_equal(h.calls, 1);
	assert_ptr_equal(h.arg, &arg);
	assert_int_equal(acc.value, 0x10000000000ULL);
	assert_string_equal(stub_log, "");
}

static void test_handle_root_forbidden(void **state)
{
	struct mmio_access acc = read_at(0x3c000010, 4);
	struct mmio_access wr = { .address = 0x3c000ff8,
				  .value = 0x55,
				  .size = 8,
				  .is_write = true };

	(void)state;
	assert_int_equal(mmio_handle_access(per_cpu(0), &acc), MMIO_HANDLED);
	assert_int_equal(acc.value, ~0ULL);
	assert_string_equal(
		stub_log,
		"brig: root cell CPU 0: 4-byte read at 3c000010 denied (not the root's memory); reads return all-ones, writes are dropped\n");
	keys_taken++;

	/* The same page again, a write this time: dropped, not reported. */
	assert_int_equal(mmio_handle_access(per_cpu(0), &wr), MMIO_HANDLED);
	assert_int_equal(stub_log_count("denied"), 1);
	assert_int_equal(h.calls, 0);

	/* The next page is reported, once. */
	stub_set_cpu(2);
	per_cpu(2)->cell = &root_cell;
	wr.address = 0x3c001000;
	assert_int_equal(mmio_handle_access(per_cpu(2), &wr), MMIO_HANDLED);
	assert_int_equal(mmio_handle_access(per_cpu(2), &wr), MMIO_HANDLED);
	assert_true(stub_logged(
		"brig: root cell CPU 2: 8-byte write at 3c001000 denied (not the root's memory)"));
	assert_int_equal(stub_log_count("denied"), 2);
	keys_taken++;
}

/* --- mmio_root_forbidden ------------------------------------------------- */

static void test_root_forbidden_names_hypervisor(void **state)
{
	struct mmio_access acc = read_at(HV_BASE + 0x10, 2);

	(void)state;
	mmio_root_forbidden(per_cpu(0), &acc);
	assert_int_equal(acc.value, ~0ULL);
	assert_true(stub_logged(
		"2-byte read at 3a000010 denied (hypervisor memory)"));
	keys_taken++;
	/* Its last page is the hypervisor's, the next one is not. */
	acc.address = HV_BASE + HV_SIZE - 1;
	mmio_root_forbidden(per_cpu(0), &acc);
	assert_true(stub_logged("at 3affffff denied (hypervisor memory)"));
	keys_taken++;
	acc.address = HV_BASE + HV_SIZE;
	mmio_root_forbidden(per_cpu(0), &acc);
	assert_true(stub_logged("at 3b000000 denied (not the root's memory)"));
	keys_taken++;
	assert_int_equal(stub_log_count("denied"), 3);
}

/* --- report_once ---------------------------------------------------------- */

static void test_report_once(void **state)
{
	(void)state;
	assert_true(report_once(0x1234000));
	assert_false(report_once(0x1234000));
	assert_false(report_once(0x1234000));
	keys_taken++;
	assert_true(report_once(0x1235000));
	assert_false(report_once(0x1235000));
	keys_taken++;
}

/* Runs last: it fills the table for good. */
static void test_report_once_full(void **state)
{
	unsigned int fresh = 0;
	struct mmio_access acc = read_at(0x7000000, 4);

	(void)state;
	while (fresh < 2 * REPORTED_KEYS && report_once(0xabc00000 + fresh))
		fresh++;
	assert_int_equal(keys_taken + fresh, REPORTED_KEYS);
	/* Full: a new key is not reported, now or later. */
	assert_false(report_once(0xfff00000));
	assert_false(report_once(0xfff00000));
	/* Keys it holds are still known. */
	assert_false(report_once(0x1234000));
	assert_false(report_once(0xabc00000));
	/* The root's forbidden accesses go on, unreported. */
	assert_int_equal(mmio_handle_access(per_cpu(0), &acc), MMIO_HANDLED);
	assert_int_equal(acc.value, ~0ULL);
	assert_string_equal(stub_log, "");
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_register),
		T(test_register_overlap),
		T(test_register_invalid),
		T(test_register_full),
		T(test_unregister),
		T(test_unregister_arg),
		T(test_is_trapped),
		T(test_handle_read),
		T(test_handle_write),
		T(test_handle_cell_failed),
		T(test_handle_cell_no_range),
		T(test_handle_root_range),
		T(test_handle_root_forbidden),
		T(test_root_forbidden_names_hypervisor),
		T(test_report_once),
		T(test_report_once_full),
	};

	return cmocka_run_group_tests_name("mmio", tests, NULL, NULL);
}
