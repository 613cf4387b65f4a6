// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Host unit tests (cmocka) of the inmate library's pure logic: the printk
 * formatter and the command-line parser. The library files are compiled
 * exactly as for an inmate (freestanding), only the command-line page is
 * redirected to test_page here. inmate.h cannot be included next to the C
 * library's headers (it defines size_t and bool itself), so the few
 * prototypes are repeated; the types agree on x86-64.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

int snprintk(char *buf, size_t size, const char *fmt, ...);
const char *cmdline(void);
long long cmdline_parse_int(const char *name, long long def);
const char *cmdline_parse_str(const char *name, char *buf, size_t size,
			      const char *def);
bool cmdline_parse_bool(const char *name, bool def);
void console_putc(char c);

char test_page[4096];

/* printk.c writes here for printk(); the tests use snprintk only. */
void console_putc(char c)
{
	(void)c;
}

static void set_cmdline(const char *s)
{
	memset(test_page, 0, sizeof(test_page));
	strcpy(test_page, s);
}

#define FMT(expect, ...)                                                       \
	do {                                                                   \
		char buf[128];                                                 \
		int n = snprintk(buf, sizeof(buf), __VA_ARGS__);               \
		assert_string_equal(buf, expect);                              \
		assert_int_equal(n, strlen(expect));                           \
	} while (0)

static void test_printk_integers(void **state)
{
	(void)state;
	FMT("42 -42 0", "%d %i %u", 42, -42, 0U);
	FMT("[   -7] [-7   ] [-0007]", "[%5d] [%-5d] [%05d]", -7, -7, -7);
	FMT("abc ABC 00ff", "%x %X %04x", 0xabcU, 0xabcU, 0xffU);
	FMT("-9223372036854775808", "%lld", LLONG_MIN);
	FMT("18446744073709551615", "%llu", ULLONG_MAX);
	FMT("ffffffffffffffff", "%lx", ~0UL);
	FMT("4294967295", "%u", UINT_MAX);
	FMT("-1 65535", "%hd %hu", 65535, 65535);
	FMT("123 123", "%zu %*d", (size_t)123, 3, 123);
}

static void test_printk_others(void **state)
{
	(void)state;
	FMT("a|  b|c  |", "%c|%3c|%-3c|", 'a', 'b', 'c');
	FMT("x (null) [  hi]", "x %s [%4s]", (char *)NULL, "hi");
	FMT("100%", "100%%");
	FMT("0x1000", "%p", (void *)0x1000);
	FMT("%q", "%q");
}

static void test_printk_truncates(void **state)
{
	char buf[6];

	(void)state;
	assert_int_equal(snprintk(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "01234");
	assert_int_equal(snprintk(buf, 0, "abc"), 3);
}

static void test_cmdline_int(void **state)
{
	(void)state;
	set_cmdline("period-us=250 hex=0x1F neg=-12 bad=12x empty= a=1 a=2");
	assert_int_equal(cmdline_parse_int("period-us", 1000), 250);
	assert_int_equal(cmdline_parse_int("hex", 0), 31);
	assert_int_equal(cmdline_parse_int("neg", 0), -12);
	assert_int_equal(cmdline_parse_int("bad", 7), 7);
	assert_int_equal(cmdline_parse_int("empty", 7), 7);
	assert_int_equal(cmdline_parse_int("missing", 7), 7);
	assert_int_equal(cmdline_parse_int("a", 0), 2); /* last one wins */
	assert_int_equal(cmdline_parse_int("period", 5), 5); /* no prefix */
}

static void test_cmdline_bool(void **state)
{
	(void)state;
	set_cmdline("  flag  on=yes off=off odd=maybe deny-shutdown=1\t");
	assert_true(cmdline_parse_bool("flag", false));
	assert_true(cmdline_parse_bool("on", false));
	assert_false(cmdline_parse_bool("off", true));
	assert_true(cmdline_parse_bool("odd", true));
	assert_false(cmdline_parse_bool("odd", false));
	assert_true(cmdline_parse_bool("deny-shutdown", false));
	assert_false(cmdline_parse_bool("deny", false));
}

static void test_cmdline_str(void **state)
{
	char buf[6];

	(void)state;
	set_cmdline("mode=periodic x=");
	assert_string_equal(cmdline_parse_str("mode", buf, sizeof(buf), "auto"),
			    "perio");
	assert_string_equal(cmdline_parse_str("none", buf, sizeof(buf), "auto"),
			    "auto");
	assert_string_equal(cmdline_parse_str("x", buf, sizeof(buf), "auto"),
			    "");
	assert_string_equal(cmdline(), "mode=periodic x=");
}

static void test_cmdline_unterminated(void **state)
{
	(void)state;
	memset(test_page, 'a', sizeof(test_page));
	assert_string_equal(cmdline(), "");
	assert_int_equal(cmdline_parse_int("a", 3), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printk_integers),
		cmocka_unit_test(test_printk_others),
		cmocka_unit_test(test_printk_truncates),
		cmocka_unit_test(test_cmdline_int),
		cmocka_unit_test(test_cmdline_bool),
		cmocka_unit_test(test_cmdline_str),
		cmocka_unit_test(test_cmdline_unterminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
