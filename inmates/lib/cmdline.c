// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The inmate command line: a NUL-terminated string of space-separated
 * "key=value" words (or bare "flag" words) that `brig cell load -s` puts
 * at INMATE_CMDLINE. The linker script leaves that page zero-filled, so an
 * inmate loaded without one sees an empty string. The page is never
 * written by the library; scans stop at its end even without a NUL.
 */
#include <inmate.h>

#ifndef INMATE_TEST_CMDLINE
static const char *const cmdline_page = (const char *)INMATE_CMDLINE;
#else
/* Host unit tests (tests/test-lib.c) provide the page themselves. */
extern const char INMATE_TEST_CMDLINE[];
static const char *const cmdline_page = INMATE_TEST_CMDLINE;
#endif

const char *cmdline(void)
{
	/* Whatever was loaded must end inside the page to be used at all. */
	if (strnlen(cmdline_page, INMATE_CMDLINE_SIZE) == INMATE_CMDLINE_SIZE)
		return "";
	return cmdline_page;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Finds the last word whose key is name. Returns its value (after '='),
 * or a pointer to "" for a bare word, or NULL; *len gets the value length.
 */
static const char *find(const char *name, size_t *len)
{
	size_t nlen = strlen(name);
	const char *p = cmdline(), *found = NULL;

	while (*p) {
		const char *word = p;

		while (*p && !is_space(*p))
			p++;
		if ((size_t)(p - word) >= nlen && !strncmp(word, name, nlen)) {
			const char *rest = word + nlen;

			if (rest == p) {
				found = rest;
				*len = 0;
			} else if (*rest == '=') {
				found = rest + 1;
				*len = (size_t)(p - found);
			}
		}
		while (*p && is_space(*p))
			p++;
	}
	return found;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Decimal, or hexadecimal after 0x; anything malformed gives def. */
long long cmdline_parse_int(const char *name, long long def)
{
	size_t len, i = 0;
	const char *v = find(name, &len);
	unsigned long long n = 0;
	unsigned int base = 10;
	bool negative = false;

	if (!v || !len)
		return def;
	if (v[0] == '-' || v[0] == '+') {
		negative = v[0] == '-';
		i++;
	}
	if (len - i > 2 && v[i] == '0' &&
	    (v[i + 1] == 'x' || v[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i == len)
		return def;
	for (; i < len; i++) {
		int d = digit_value(v[i]);

		if (d >= (int)base)
			return def;
		n = n * base + (unsigned int)d;
	}
	return negative ? -(long long)n : (long long)n;
}

const char *cmdline_parse_str(const char *name, char *buf, size_t size,
			      const char *def)
{
	size_t len;
	const char *v = find(name, &len);

	if (!size)
		return buf;
	if (!v) {
		v = def ? def : "";
		len = strlen(v);
	}
	if (len >= size)
		len = size - 1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return buf;
}

static bool word_is(const char *v, size_t len, const char *word)
{
	return strlen(word) == len && !strncmp(v, word, len);
}

bool cmdline_parse_bool(const char *name, bool def)
{
	static const char *const yes[] = { "1", "y", "yes", "true", "on" };
	static const char *const no[] = { "0", "n", "no", "false", "off" };
	size_t len, i;
	const char *v = find(name, &len);

	if (!v)
		return def;
	if (!len)
		return true; /* a bare flag */
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (word_is(v, len, yes[i]))
			return true;
		if (word_is(v, len, no[i]))
			return false;
	}
	return def;
}
