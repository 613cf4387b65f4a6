/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host stub of the arch contract (hv/arch.h), as the core's unit tests
 * drive it. stub-arch.c implements the hooks the tested core files call
 * and records each call as an event; tests choose the calling CPU, what a
 * kick does and what a parked CPU's wait turn does, then assert on the
 * events and on what the core printed.
 *
 * Needs cmocka.h (and what it needs) included first.
 */
#ifndef _TEST_STUB_ARCH_H
#define _TEST_STUB_ARCH_H

#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/page-pool.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/setup.h>

enum stub_event_type {
	EV_KICK, /* arch_cpu_kick(): cpu is the target, caller the sender */
	EV_FLUSH, /* arch_cpu_flush_stage2() */
	EV_PARK_RELAX, /* arch_cpu_park_relax(): one turn of a parked CPU */
	EV_UNPARKED, /* arch_cpu_unparked() */
	EV_START, /* arch_cpu_start(): arg is the entry */
	EV_RESET_TO_ROOT, /* arch_cpu_reset_to_root() */
	EV_WAIT_FOR_ROOT, /* arch_cpu_wait_for_root() */
	EV_LEAVE, /* arch_cpu_leave() */
};

struct stub_event {
	enum stub_event_type type;
	unsigned int cpu; /* the CPU the hook is about */
	unsigned int caller; /* this_cpu() when it was called */
	u64 arg;
	unsigned int requests; /* the CPU's requests at that moment */
	bool parked; /* its parked flag at that moment */
	unsigned long pool_used; /* page_pool_used(&mem_pool) then */
};

#define STUB_MAX_EVENTS 512
#define STUB_ANY_CPU (~0u)

extern struct stub_event stub_events[STUB_MAX_EVENTS];
extern unsigned int stub_num_events;

/* What arch_cpu_kick() does besides recording the event. */
enum stub_kick_mode {
	STUB_KICK_RECORD, /* nothing: the request waits */
	/* the target handles its requests at once, inside the kick */
	STUB_KICK_SYNC,
	/* the target handles them on the next turn of a spin loop */
	STUB_KICK_DEFERRED,
};
extern enum stub_kick_mode stub_kick_mode;
/* How a kicked CPU handles its requests (cpu_handle_requests). */
extern bool (*stub_kick_handler)(struct per_cpu *cpu);

/* Hooks, all NULL after stub_reset(). */
extern void (*stub_on_relax)(unsigned long turn);
extern void (*stub_on_park_relax)(struct per_cpu *cpu, unsigned int turn);
extern void (*stub_on_flush)(struct per_cpu *cpu);

/*
 * arch_cpu_leave() longjmps here when stub_leave_armed (it must not
 * return); otherwise the test fails.
 */
extern jmp_buf stub_leave_jmp;
extern bool stub_leave_armed;

/* Turns of cpu_relax() since the reset, and the limit that fails a test. */
extern unsigned long stub_relax_turns;
#define STUB_MAX_RELAX_TURNS 100000UL
#define STUB_MAX_PARK_TURNS 1000U

/*
 * A 4-level second-stage format for the host: 4 KiB, 2 MiB and 1 GiB
 * pages. arch_stage2_format() returns it.
 */
extern const struct paging_format stub_format;

/* Everything printk() printed since the reset. */
extern char stub_log[];
bool stub_logged(const char *s);
unsigned int stub_log_count(const char *s);

/*
 * Forget events, output and hooks; every CPU zeroed (cpu_id = its number,
 * offline, no cell); the calling CPU is CPU 0.
 */
void stub_reset(void);

/* this_cpu() is CPU n from now on. */
void stub_set_cpu(unsigned int n);

/* Events of a type for a CPU (STUB_ANY_CPU: any). */
unsigned int stub_count(enum stub_event_type type, unsigned int cpu);
/* The nth (from 0) such event, or NULL. */
const struct stub_event *stub_find(enum stub_event_type type, unsigned int cpu,
				   unsigned int nth);
/* Index of that event in stub_events, or -1. */
int stub_index(enum stub_event_type type, unsigned int cpu, unsigned int nth);

#endif /* _TEST_STUB_ARCH_H */
