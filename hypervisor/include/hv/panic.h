/* SPDX-License-Identifier: GPL-2.0 */
/*
 * panic(): a broken invariant. The message names the invariant; the CPU then
 * stops for good. Never used for a cell's bad behaviour or bad input, which
 * fail the cell or the request instead.
 */
#ifndef _HV_PANIC_H
#define _HV_PANIC_H

void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

#endif /* _HV_PANIC_H */
