// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the shared description checker (hypervisor/config-
 * check.c), which the hypervisor runs on every blob the root hands it.
 * Whatever the bytes, it must neither read outside them nor misbehave
 * (AddressSanitizer and UndefinedBehaviorSanitizer watch).
 *
 * Input: a byte n (cells: n % 4), then the blobs, each a 16-bit little-
 * endian length and that many bytes: the system first, then the cells.
 * A short input gives fewer or shorter blobs, which is a case as well.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <brig/config-check.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, enum brig_check_severity sev,
		   const struct brig_check_where *where, const char *msg)
{
	/* Touch the message: a bad pointer or a missing NUL shows here. */
	*(volatile size_t *)ctx += strlen(msg) + (size_t)sev + where->index;
}

/*
 * One blob in a buffer of its own, exactly its length: a read past the
 * end is a read past the allocation, which ASan catches.
 */
static struct brig_check_blob take(const uint8_t **p, size_t *left)
{
	struct brig_check_blob b = { NULL, 0 };
	size_t len;
	void *copy;

	if (*left < 2)
		return b;
	len = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
	*p += 2;
	*left -= 2;
	if (len > *left)
		len = *left;
	copy = malloc(len ? len : 1);
	memcpy(copy, *p, len);
	*p += len;
	*left -= len;
	b.data = copy;
	b.size = len;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile size_t sink = 0;
	struct brig_check_reporter rep = { ignore, (void *)&sink };
	struct brig_check_blob sys, cells[3];
	unsigned int n;

	if (!size)
		return 0;
	n = data[0] % 4;
	data++;
	size--;
	sys = take(&data, &size);
	for (unsigned int i = 0; i < n; i++)
		cells[i] = take(&data, &size);
	if (sys.data) {
		brig_check_system(&sys, &rep);
		for (unsigned int i = 0; i < n; i++)
			if (cells[i].data)
				brig_check_cell(&cells[i], i, &rep);
		brig_check_set(&sys, cells, n, &rep);
	}
	free((void *)sys.data);
	for (unsigned int i = 0; i < n; i++)
		free((void *)cells[i].data);
	return 0;
}
