/* SPDX-License-Identifier: GPL-2.0 */
/* What the core expects from its surroundings, as the unit tests supply it. */
#ifndef _TEST_STUBS_H
#define _TEST_STUBS_H

#include <hv/page-pool.h>

/* A pool over freshly allocated, page-aligned memory. */
void *test_pool_create(struct page_pool *pool, unsigned long pages);

#endif
