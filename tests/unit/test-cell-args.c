// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the argument parsing of `brig cell`, called directly in the
 * tool's library: cell references (id or name), the image list of
 * `cell load` with its -a and -s options, addresses, and the cpu lists
 * that sysfs prints. What the command line does with a failure (usage,
 * exit status 2) is test-cli.c's business.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <brig/ioctl.h>

#include "brig-tool.h"

static char err[CELL_ERR_LEN];

static void refs(void **state)
{
	struct brig_cell_ref ref;

	(void)state;
	assert_int_equal(cell_parse_ref("3", &ref, err), 0);
	assert_int_equal(ref.id, 3);
	assert_int_equal(cell_parse_ref("0", &ref, err), 0);
	assert_int_equal(ref.id, 0);
	assert_int_equal(cell_parse_ref("hello", &ref, err), 0);
	assert_int_equal(ref.id, -1);
	assert_string_equal(ref.name, "hello");
	assert_int_equal(ref.flags, 0);
	/* digits and letters: a name */
	assert_int_equal(cell_parse_ref("1a", &ref, err), 0);
	assert_int_equal(ref.id, -1);
	assert_int_equal(cell_parse_ref("99999999999", &ref, err), -1);
	assert_non_null(strstr(err, "too large"));
	assert_int_equal(cell_parse_ref("a-name-of-thirty-two-characters!",
					&ref, err),
			 -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(cell_parse_ref("a-name-of-thirty-one-characters", &ref,
					err),
			 0);
	assert_int_equal(cell_parse_ref("", &ref, err), -1);
	assert_int_equal(cell_parse_ref("--force", &ref, err), -1);
}

static void addrs(void **state)
{
	unsigned long long a;

	(void)state;
	assert_int_equal(cell_parse_addr("0x1000", &a), 0);
	assert_int_equal(a, 0x1000);
	assert_int_equal(cell_parse_addr("4096", &a), 0);
	assert_int_equal(a, 4096);
	assert_int_equal(cell_parse_addr("0xffffffffffffffff", &a), 0);
	assert_true(a == ~0ull);
	assert_int_equal(cell_parse_addr("0x10000000000000000", &a), -1);
	assert_int_equal(cell_parse_addr("", &a), -1);
	assert_int_equal(cell_parse_addr("-1", &a), -1);
	assert_int_equal(cell_parse_addr("12k", &a), -1);
	assert_int_equal(cell_parse_addr("0x", &a), -1);
	assert_int_equal(cell_parse_addr(" 1", &a), -1);
}

#define PARSE(...)                                                             \
	({                                                                     \
		char *argv_[] = { __VA_ARGS__ };                               \
		cell_parse_load((int)(sizeof(argv_) / sizeof(argv_[0])),       \
				argv_, items, &n, err);                        \
	})

static void load_images(void **state)
{
	struct load_item items[16];
	unsigned int n;

	(void)state;
	assert_int_equal(PARSE("a.bin"), 0);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].file, "a.bin");
	assert_true(items[0].addr == 0);

	assert_int_equal(PARSE("a.bin", "-a", "0x100000", "b.bin", "-s", "x=1",
			       "-s", "y", "-a", "0x2000"),
			 0);
	assert_int_equal(n, 4);
	assert_string_equal(items[0].file, "a.bin");
	assert_true(items[0].addr == 0x100000);
	assert_string_equal(items[1].file, "b.bin");
	assert_true(items[1].addr == 0);
	assert_null(items[2].file);
	assert_string_equal(items[2].string, "x=1");
	assert_true(items[2].addr == 0x1000);
	assert_string_equal(items[3].string, "y");
	assert_true(items[3].addr == 0x2000);

	/* a string alone is enough; "-" is a file name (odd, but a file) */
	assert_int_equal(PARSE("-s", "only"), 0);
	assert_int_equal(n, 1);
	assert_int_equal(PARSE("-"), 0);
	assert_string_equal(items[0].file, "-");
}

static void load_errors(void **state)
{
	struct load_item items[16];
	unsigned int n;

	(void)state;
	assert_int_equal(PARSE("-a", "0x1000", "a.bin"), -1);
	assert_non_null(
		strstr(err, "-a needs an IMAGE or -s STRING before it"));
	assert_int_equal(PARSE("a.bin", "-a"), -1);
	assert_non_null(strstr(err, "-a needs an address"));
	assert_int_equal(PARSE("a.bin", "-a", "zz"), -1);
	assert_non_null(strstr(err, "\"zz\" is not an address"));
	assert_int_equal(PARSE("a.bin", "-a", "1", "-a", "2"), -1);
	assert_non_null(strstr(err, "a second -a 2"));
	assert_int_equal(PARSE("a.bin", "-s"), -1);
	assert_non_null(strstr(err, "-s needs a string"));
	assert_int_equal(PARSE("a.bin", "--address", "1"), -1);
	assert_non_null(strstr(err, "unknown option \"--address\""));
	assert_int_equal(cell_parse_load(0, NULL, items, &n, err), -1);
	assert_non_null(strstr(err, "at least one"));
}

static void cpu_lists(void **state)
{
	unsigned int cpus[8];

	(void)state;
	assert_int_equal(cell_parse_cpu_list("1\n", cpus, 8), 1);
	assert_int_equal(cpus[0], 1);
	assert_int_equal(cell_parse_cpu_list("0-2,5", cpus, 8), 4);
	assert_int_equal(cpus[2], 2);
	assert_int_equal(cpus[3], 5);
	assert_int_equal(cell_parse_cpu_list("", cpus, 8), 0);
	assert_int_equal(cell_parse_cpu_list("0-8", cpus, 8), -1);
	assert_int_equal(cell_parse_cpu_list("3-1", cpus, 8), -1);
	assert_int_equal(cell_parse_cpu_list("2,1", cpus, 8), -1);
	assert_int_equal(cell_parse_cpu_list("1,,2", cpus, 8), -1);
	assert_int_equal(cell_parse_cpu_list("x", cpus, 8), -1);
	assert_int_equal(cell_parse_cpu_list("1-", cpus, 8), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refs),	       cmocka_unit_test(addrs),
		cmocka_unit_test(load_images), cmocka_unit_test(load_errors),
		cmocka_unit_test(cpu_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
