/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few string and memory functions the core needs. In the hypervisor
 * they come from string.c; unit tests of pure core code use libc's.
 */
#ifndef _HV_STRING_H
#define _HV_STRING_H

#include <hv/types.h>

#ifdef __BRIG_FREESTANDING__
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
#else
#include <string.h>
#endif

#endif /* _HV_STRING_H */
