/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stub of the arch part of a cell (embedded in struct cell). The core
 * never looks inside; the stub keeps nothing per cell.
 */
#ifndef _ARCH_CELL_TYPES_H
#define _ARCH_CELL_TYPES_H

#include <hv/types.h>

struct cell_arch {
	unsigned long unused;
};

#endif /* _ARCH_CELL_TYPES_H */
