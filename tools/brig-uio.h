/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The root's ivshmem devices as brig_ivshmem.ko shows them: UIO devices
 * named "brig-ivshmem" under /sys/class/uio. Shared by `brig latency` and
 * brig-pingpong, which links nothing else of the tool.
 */
#ifndef _BRIG_UIO_H
#define _BRIG_UIO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRIG_UIO_CLASS "/sys/class/uio"
#define BRIG_UIO_NAME "brig-ivshmem"

/* A number in /sys/class/uio/<uio>/<what> (decimal or 0x...), or -1. */
static inline long long brig_uio_value(const char *uio, const char *what)
{
	char path[128], buf[64];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), BRIG_UIO_CLASS "/%s/%s", uio, what);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

/* Whether uio ("uio0") is one of brig_ivshmem.ko's devices. */
static inline int brig_uio_is_ivshmem(const char *uio)
{
	char path[128], name[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), BRIG_UIO_CLASS "/%s/name", uio);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(name, sizeof(name), f))
		name[0] = 0;
	fclose(f);
	return !strcmp(name, BRIG_UIO_NAME "\n");
}

#endif /* _BRIG_UIO_H */
