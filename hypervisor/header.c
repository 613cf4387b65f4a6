// SPDX-License-Identifier: GPL-2.0
/*
 * The image header (brig/header.h), placed at offset 0 of the image by the
 * linker script. Sizes and the entry offset come from linker symbols, so
 * they always describe the image they sit in.
 */
#include <brig/config.h>
#include <brig/header.h>
#include <hv/percpu.h>
#include <hv/setup.h>

extern char __image_size[], __entry_offset[], __console_offset[];

struct brig_hv_header hv_header __section(".header") __used = {
	.signature = BRIG_HV_SIGNATURE,
	.revision = BRIG_HV_REVISION,
	.architecture = HV_ARCH,
	.link_base = HV_LINK_BASE,
	.image_size = (unsigned long)__image_size,
	.percpu_size = sizeof(struct per_cpu),
	.entry = (unsigned long)__entry_offset,
	.max_cpus = CONFIG_MAX_CPUS,
	.console_offset = (unsigned long)__console_offset,
};
