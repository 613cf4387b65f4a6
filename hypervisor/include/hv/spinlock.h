/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ticket spinlocks. Fair, so a CPU hammering a lock cannot starve another
 * CPU's management request. Hypervisor code never sleeps and runs with
 * interrupts off, so a spinning CPU only waits for another CPU's short
 * critical section.
 */
#ifndef _HV_SPINLOCK_H
#define _HV_SPINLOCK_H

#include <hv/types.h>
#include <arch/processor.h>

typedef struct {
	u16 next;
	u16 owner;
} spinlock_t;

#define SPINLOCK_INIT                                                          \
	{                                                                      \
		0, 0                                                           \
	}
#define DEFINE_SPINLOCK(name) spinlock_t name = SPINLOCK_INIT

static inline void spin_lock(spinlock_t *lock)
{
	u16 ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

/*
 * spin_lock() for a CPU that others may be waiting on meanwhile: serve()
 * runs on every turn of the wait.
 */
static inline void spin_lock_serving(spinlock_t *lock, void (*serve)(void))
{
	u16 ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&lock->owner, __ATOMIC_ACQUIRE) != ticket) {
		serve();
		cpu_relax();
	}
}

static inline void spin_unlock(spinlock_t *lock)
{
	__atomic_store_n(&lock->owner, (u16)(lock->owner + 1),
			 __ATOMIC_RELEASE);
}

#endif /* _HV_SPINLOCK_H */
