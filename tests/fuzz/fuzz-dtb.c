// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the description compiler (tools/config-dts.c) on
 * arbitrary device-tree blobs, the way `brig config check` and `brig
 * config compile` take a .dtb, then the shared checker on what it built.
 * Any input must end in a blob or in diagnostics, never in a crash, a
 * read outside the input or undefined behaviour (ASan, UBSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <brig/config-check.h>
#include "brig-tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(void *ctx, enum brig_check_severity sev,
		   const struct brig_check_where *where, const char *msg)
{
	*(volatile size_t *)ctx += strlen(msg) + (size_t)sev + where->index;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile size_t sink = 0;
	struct brig_check_reporter rep = { ignore, (void *)&sink };
	struct config cfg = { .file = strdup("fuzz.dtb") };
	struct diags d = { 0 };
	void *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (!dtb_to_config(copy, size, &cfg, &d) && cfg.blob) {
		struct brig_check_blob b = { cfg.blob, cfg.size };

		if (cfg.is_system)
			brig_check_system(&b, &rep);
		else
			brig_check_cell(&b, 0, &rep);
	}
	config_free(&cfg);
	diags_free(&d);
	free(copy);
	return 0;
}
