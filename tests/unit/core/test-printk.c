// SPDX-License-Identifier: GPL-2.0
/* The hypervisor's vsnprintf: every conversion brig's messages use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <hv/printk.h>

static void check(const char *expect, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(const char *expect, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_string_equal(buf, expect);
	assert_int_equal(n, (int)strlen(expect));
}

static void test_conversions(void **state)
{
	(void)state;
	check("cpu 3: 0x3a000000", "cpu %u: 0x%llx", 3u, 0x3a000000ULL);
	check("-42 42", "%d %i", -42, 42);
	check("ffffffffffffffff", "%lx", ~0UL);
	check("DEADBEEF", "%X", 0xdeadbeefu);
	check("c=x %", "c=%c %%", 'x');
	{
		/* Through a variable: gcc rightly warns about a literal NULL. */
		const char *volatile none = NULL;

		check("(null)", "%s", none);
	}
	check("0x1000", "%p", (void *)0x1000);
	check("-9223372036854775808", "%lld",
	      (long long)(-0x7fffffffffffffffLL - 1));
	check("18446744073709551615", "%llu", ~0ULL);
	check("42", "%zu", (size_t)42);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	check("00ff", "%04x", 0xffu);
	check("  ab", "%4s", "ab");
	check("ab  |", "%-4s|", "ab");
	check("-007", "%04d", -7);
	check("   -7", "%5d", -7);
	check("12345", "%3u", 12345u);
}

static void test_truncation(void **state)
{
	char buf[6];

	(void)state;
	assert_int_equal(snprintf(buf, sizeof(buf), "%s", "hypervisor"), 10);
	assert_string_equal(buf, "hyper");
	assert_int_equal(snprintf(buf, 0, "abc"), 3);
	assert_int_equal(snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests_name("printk", tests, NULL, NULL);
}
