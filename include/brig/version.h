/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Release version of brig. The ABI revisions that the pieces check against
 * each other live next to the structures they describe (config.h, comm.h,
 * header.h), not here: a release may keep every ABI unchanged.
 */
#ifndef _BRIG_VERSION_H
#define _BRIG_VERSION_H

#define BRIG_VERSION "0.1.0"

#endif /* _BRIG_VERSION_H */
