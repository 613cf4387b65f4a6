/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Validation of binary config blobs (config.h), shared by everybody who
 * accepts one: the hypervisor checks what the root cell hands it, the
 * driver and the `brig` tool check before they hand anything on, and the
 * unit tests check the checker. One implementation, hypervisor/config-check.c,
 * freestanding C without any libc, linked into all of them.
 *
 * The checker never stops at the first problem: every problem found is passed
 * to a report callback together with a struct brig_check_where that says
 * which blob, which item and which array index it concerns, so that a caller
 * with more context (the tool knows the device-tree node of every array
 * entry) can say where the problem is in the user's own terms.
 */
#ifndef _BRIG_CONFIG_CHECK_H
#define _BRIG_CONFIG_CHECK_H

#include "config.h"

enum brig_check_severity {
	BRIG_CHECK_ERROR,
	BRIG_CHECK_WARNING,
};

/* brig_check_where.blob of the system description (and its root cell). */
#define BRIG_CHECK_SYSTEM (-1)

/* The part of a blob that a report is about. */
enum brig_check_item {
	BRIG_CHECK_SYSTEM_HEADER, /* a header field of the system blob */
	BRIG_CHECK_HEADER, /* a header field of the cell (or root cell) */
	BRIG_CHECK_CPUS, /* the cpu set; index is the CPU number */
	BRIG_CHECK_MEMORY, /* index into the memory regions */
	BRIG_CHECK_PORTS, /* index into the port ranges */
	BRIG_CHECK_IRQCHIP, /* index into the irqchips */
	BRIG_CHECK_PCI, /* index into the PCI devices */
	BRIG_CHECK_CONSOLE, /* the cell's console */
	BRIG_CHECK_HYPERVISOR, /* system: hypervisor_memory */
	BRIG_CHECK_DEBUG_CONSOLE, /* system: debug_console */
	BRIG_CHECK_PLATFORM, /* system: platform, except the IOMMU units */
	BRIG_CHECK_IOMMU, /* system: index into platform.iommu_units */
};

struct brig_check_where {
	int blob; /* BRIG_CHECK_SYSTEM, or the index of the cell blob */
	enum brig_check_item item;
	unsigned int index; /* see enum brig_check_item; 0 if unused */
};

/*
 * Called once per problem. msg is a complete sentence fragment without the
 * location ("host-physical range 0x0-0xfff overlaps ..."); it lives only
 * for the duration of the call.
 */
typedef void (*brig_check_report_fn)(void *ctx,
				     enum brig_check_severity severity,
				     const struct brig_check_where *where,
				     const char *msg);

struct brig_check_reporter {
	brig_check_report_fn report;
	void *ctx;
};

/* A blob as the caller received it: size is what it got, not what it says. */
struct brig_check_blob {
	const void *data;
	__u64 size;
};

/*
 * Check one system blob (hypervisor, platform and root cell) on its own.
 * Returns the number of errors reported (warnings are not counted).
 */
unsigned int brig_check_system(const struct brig_check_blob *system,
			       const struct brig_check_reporter *rep);

/*
 * Check one cell blob on its own; index is used for brig_check_where.blob.
 * Returns the number of errors reported.
 */
unsigned int brig_check_cell(const struct brig_check_blob *cell,
			     unsigned int index,
			     const struct brig_check_reporter *rep);

/*
 * Check a system blob and the cell blobs meant to run on it: every blob on
 * its own, then the cells against the root cell and against each other.
 * A blob whose layout cannot be trusted (see brig_check_layout()) is left
 * out of the checks between blobs. Returns the number of errors reported.
 */
unsigned int brig_check_set(const struct brig_check_blob *system,
			    const struct brig_check_blob *cells,
			    unsigned int num_cells,
			    const struct brig_check_reporter *rep);

/*
 * Whether the arrays of a blob can be reached safely through the accessors
 * of config.h: signature, revision, cpu_set_size and the total size are
 * right. Reports nothing. Returns 1 if so, 0 if not.
 */
int brig_check_layout(const struct brig_check_blob *blob, int is_system);

#endif /* _BRIG_CONFIG_CHECK_H */
