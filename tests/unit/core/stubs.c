// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's environment for unit tests: panic() becomes a cmocka
 * assertion (so tests can expect one), and pool pages are ordinary memory
 * whose "physical" address is their user-space address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <hv/panic.h>
#include <hv/paging.h>
#include "stubs.h"

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	abort(); /* not reached when a test expects the panic */
}

void *paging_phys_to_virt(u64 phys)
{
	return (void *)(uintptr_t)phys;
}

u64 paging_virt_to_phys(const void *virt)
{
	return (u64)(uintptr_t)virt;
}

void *test_pool_create(struct page_pool *pool, unsigned long pages)
{
	void *mem = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);

	assert_non_null(mem);
	assert_int_equal(page_pool_init(pool, mem, pages), 0);
	return mem;
}
