/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor console. Every message goes to the debug console named in
 * the system description (port 0xE9 on the emulated boards, a UART on real
 * ones) and into a ring buffer that the root cell reads with
 * BRIG_HC_CONSOLE_READ (`brig console`).
 */
#ifndef _HV_PRINTK_H
#define _HV_PRINTK_H

#include <hv/types.h>
#include <brig/config.h>
#include <brig/header.h>

#ifdef __BRIG_FREESTANDING__
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#else
/* Unit tests: keep libc's formatter apart from the one under test. */
#include <stdarg.h>
#define vsnprintf hv_vsnprintf
#define snprintf hv_snprintf
#endif

/*
 * Format into buf (always NUL-terminated when size > 0). Supports %s %c %d
 * %i %u %x %X %p %% with the l/ll/z length modifiers, a field width and
 * the '0' and '-' flags. Returns the length the full output would have.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Send console output to con from now on (the system description's). */
void console_set_device(const struct brig_console *con);

/* The console ring as the root reads it. */
#define CONSOLE_RING_SIZE BRIG_HV_CONSOLE_SIZE

/*
 * Copy console output starting at sequence number *seq (bytes ever written)
 * into buf. If the ring has overwritten part of what was asked for, copying
 * starts at the oldest byte still held. Returns the bytes copied and
 * advances *seq past them.
 */
size_t console_read(u64 *seq, char *buf, size_t size);

#endif /* _HV_PRINTK_H */
