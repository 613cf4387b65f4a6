// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A small printf: enough for diagnostics and benchmark lines, no floating
 * point. The formatter writes through a sink so that printk (console) and
 * snprintk (buffer) share it.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%; length modifiers h, l, ll, z;
 * a field width (number or *), and the flags '0' and '-'.
 */
#include <inmate.h>

struct sink {
	char *buf; /* NULL: console */
	size_t size;
	size_t len; /* characters produced, even those not stored */
};

struct spec {
	bool left, zero;
	unsigned int width;
	int length; /* 0 int, 1 long, 2 long long, -1 short */
	char conv;
};

static void sink_putc(struct sink *s, char c)
{
	if (!s->buf)
		console_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *str, size_t len,
		       const struct spec *sp)
{
	size_t pad = sp->width > len ? sp->width - len : 0;
	char fill = sp->zero && !sp->left ? '0' : ' ';

	/* a sign goes before zero padding: "-0042", not "00-42" */
	if (fill == '0' && len && *str == '-') {
		sink_putc(s, *str++);
		len--;
	}
	if (!sp->left)
		while (pad--)
			sink_putc(s, fill);
	while (len--)
		sink_putc(s, *str++);
	if (sp->left)
		while (pad--)
			sink_putc(s, ' ');
}

static void put_number(struct sink *s, unsigned long long v, bool negative,
		       unsigned int base, bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		tmp[--i] = '-';
	put_padded(s, &tmp[i], sizeof(tmp) - (size_t)i, sp);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);

		sp->width = w < 0 ? 0 : (unsigned int)w;
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*f++ - '0');
	for (; *f == 'l' || *f == 'z' || *f == 'h'; f++)
		sp->length += *f == 'h' ? -1 : *f == 'z' ? 2 : 1;
	sp->conv = *f;
	return *f ? f + 1 : f;
}

static void put_signed(struct sink *s, va_list *ap, const struct spec *sp)
{
	long long v = sp->length >= 2 ? va_arg(*ap, long long) :
		      sp->length == 1 ? va_arg(*ap, long) :
					va_arg(*ap, int);
	unsigned long long mag;

	if (sp->length < 0)
		v = (short)v;
	mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	put_number(s, mag, v < 0, 10, false, sp);
}

static void put_unsigned(struct sink *s, va_list *ap, const struct spec *sp,
			 unsigned int base)
{
	unsigned long long v = sp->length >= 2 ?
				       va_arg(*ap, unsigned long long) :
			       sp->length == 1 ? va_arg(*ap, unsigned long) :
						 va_arg(*ap, unsigned int);

	if (sp->length < 0)
		v = (unsigned short)v;
	put_number(s, v, false, base, sp->conv == 'X', sp);
}

static void format_one(struct sink *s, const struct spec *sp, va_list *ap)
{
	const char *str;
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		put_signed(s, ap, sp);
		break;
	case 'u':
		put_unsigned(s, ap, sp, 10);
		break;
	case 'x':
	case 'X':
		put_unsigned(s, ap, sp, 16);
		break;
	case 'p':
		sink_putc(s, '0');
		sink_putc(s, 'x');
		put_number(s, (unsigned long long)va_arg(*ap, void *), false,
			   16, false, sp);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		put_padded(s, str, strlen(str), sp);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_padded(s, &c, 1, sp);
		break;
	case '%':
		sink_putc(s, '%');
		break;
	default: /* unknown: show it rather than guess its argument */
		sink_putc(s, '%');
		if (sp->conv)
			sink_putc(s, sp->conv);
	}
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			sink_putc(s, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		format_one(s, &sp, &args);
	}
	va_end(args);
}

/*
 * One CPU's message at a time on the console (SMP inmates). The holder
 * is known by its stack: a fatal exception that interrupted printk() on
 * the same CPU prints anyway instead of waiting for itself.
 */
static unsigned long console_owner;

/* Every CPU's stack is 16 KiB, 16 KiB aligned (entry.S, smp.c). */
static bool same_stack(unsigned long a, unsigned long b)
{
	return a >> 14 == b >> 14;
}

int vprintk(const char *fmt, va_list ap)
{
	unsigned long me = (unsigned long)__builtin_frame_address(0), none;
	struct sink s = { .buf = NULL };
	bool nested = false;

	for (;;) {
		none = 0;
		if (__atomic_compare_exchange_n(&console_owner, &none, me,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
		if (same_stack(none, me)) {
			nested = true;
			break;
		}
		cpu_relax();
	}
	format(&s, fmt, ap);
	if (!nested)
		__atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
	return (int)s.len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintk(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size };

	format(&s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int snprintk(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintk(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
