/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a stock x86-64 Linux kernel (a bzImage) needs to boot in a cell:
 * the images `brig cell linux` loads. Pure: it reads the kernel's setup
 * header and writes memory images, and the unit tests check them.
 *
 * Guest-physical layout (the cell's RAM is one region from 0):
 *   0x0       a real-mode trampoline into the 32-bit boot protocol
 *   0x7000    the boot parameters ("zero page") with the memory map
 *   0x8000    the command line
 *   0xe0000   ACPI tables: RSDP, XSDT, FADT, MADT, DSDT (reserved in the map)
 *   0xffff0   the reset vector: asks the hypervisor for a reset
 *   16 MiB    the kernel's protected-mode part (its preferred address)
 *   the top   the initramfs, page-aligned
 */
#ifndef _BRIG_LINUX_BOOT_H
#define _BRIG_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#define LB_MAX_CPUS 64
#define LB_BOOT_PARAMS 0x7000ULL
#define LB_CMDLINE 0x8000ULL
#define LB_ACPI 0xe0000ULL
#define LB_ACPI_END 0x100000ULL
#define LB_MAX_IMAGES 6

/* The cell as the kernel will see it. */
struct lb_cell {
	uint64_t ram_size; /* bytes of RAM at guest-physical 0 */
	uint64_t comm_region; /* its guest-physical page; 0: none */
	unsigned int cpus; /* the first is the boot CPU */
	uint32_t apic_ids[LB_MAX_CPUS];
};

struct lb_image {
	uint64_t gpa;
	const void *data;
	size_t size;
};

struct lb_result {
	struct lb_image images[LB_MAX_IMAGES];
	unsigned int count;
	uint64_t kernel_at, kernel_end; /* kernel_end: load + init_size */
	uint64_t initrd_at;
	/* Owned by the result: free with lb_free(). */
	void *low, *params, *cmdline, *acpi; /* acpi: 0xe0000 to 1 MiB */
};

/*
 * Build the images for kernel (size ksize, a bzImage), the optional
 * initrd and the command line. 0 on success; otherwise -1 and err says
 * in one line what is wrong.
 */
int lb_build(const uint8_t *kernel, size_t ksize, const uint8_t *initrd,
	     size_t isize, const char *cmdline, const struct lb_cell *cell,
	     struct lb_result *out, char *err, size_t errsize);
void lb_free(struct lb_result *r);

/* ACPI: the sum of a table's bytes is 0. */
uint8_t lb_checksum(const void *p, size_t len);

#endif /* _BRIG_LINUX_BOOT_H */
