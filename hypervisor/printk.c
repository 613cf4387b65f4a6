// SPDX-License-Identifier: GPL-2.0
/*
 * A small vsnprintf for hypervisor messages. It supports what brig's
 * messages use and nothing more (no floating point: the hypervisor is
 * built with -mgeneral-regs-only, and a message never needs it).
 */
#include <hv/printk.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* length of the full output, even past size */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width,
		       bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static void put_number(struct out *o, unsigned long long v, bool negative,
		       unsigned int base, bool upper, int width, bool left,
		       char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = sizeof(tmp);

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (pad == '0') {
			put(o, '-');
			width--;
		} else {
			tmp[--n] = '-';
		}
	}
	put_padded(o, tmp + n, sizeof(tmp) - (size_t)n, width, left, pad);
}

/* Fetch an integer argument of the given length modifier (0, 1=l, 2=ll). */
static unsigned long long get_arg(va_list *ap, int lng, bool is_signed,
				  bool *negative)
{
	long long s;

	*negative = false;
	if (!is_signed) {
		if (lng == 2)
			return va_arg(*ap, unsigned long long);
		if (lng == 1)
			return va_arg(*ap, unsigned long);
		return va_arg(*ap, unsigned int);
	}
	if (lng == 2)
		s = va_arg(*ap, long long);
	else if (lng == 1)
		s = va_arg(*ap, long);
	else
		s = va_arg(*ap, int);
	if (s < 0) {
		*negative = true;
		return (unsigned long long)0 - (unsigned long long)s;
	}
	return (unsigned long long)s;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;

	__builtin_va_copy(args, ap);
	for (; *fmt; fmt++) {
		bool left = false, negative;
		char pad = ' ';
		int width = 0, lng = 0;
		unsigned long long v;
		const char *s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '-' || *fmt == '0'; fmt++) {
			if (*fmt == '-')
				left = true;
			else
				pad = '0';
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng = lng < 2 ? lng + 1 : 2;

		switch (*fmt) {
		case 'd':
		case 'i':
			v = get_arg(&args, lng, true, &negative);
			put_number(&o, v, negative, 10, false, width, left,
				   pad);
			break;
		case 'u':
		case 'x':
		case 'X':
			v = get_arg(&args, lng, false, &negative);
			put_number(&o, v, false, *fmt == 'u' ? 10 : 16,
				   *fmt == 'X', width, left, pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, (unsigned long)va_arg(args, void *),
				   false, 16, false, width, left, pad);
			break;
		case 'c':
			put(&o, (char)va_arg(args, int));
			break;
		case 's':
			s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			{
				size_t n = 0;

				while (s[n])
					n++;
				put_padded(&o, s, n, width, left, ' ');
			}
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
