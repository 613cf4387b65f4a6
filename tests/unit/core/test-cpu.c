// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU request protocol (hypervisor/cpu.c) against the host stub arch:
 * posting and kicking, taking requests, waiting for them, and the order
 * and effect of each request in cpu_handle_requests(). CPU 0 plays the
 * root's CPU that asks, CPU 1 a CPU of a cell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stub-arch.h"

#define ENTRY 0xf000ULL

static struct {
	struct brig_cell_desc desc;
	u64 cpus[1];
} cfg;
static struct cell cell;

static int setup(void **state)
{
	(void)state;
	stub_reset();
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.desc.name, "inmate");
	cfg.desc.cpu_set_size = 8;
	cfg.desc.entry = ENTRY;
	cfg.cpus[0] = 0x2;
	memset(&cell, 0, sizeof(cell));
	cell.id = 1;
	cell.config = &cfg.desc;
	per_cpu(0)->cell = &root_cell;
	per_cpu(0)->online = true;
	per_cpu(1)->cell = &cell;
	per_cpu(1)->online = true;
	return 0;
}

static unsigned int requests(unsigned int cpu)
{
	return __atomic_load_n(&per_cpu(cpu)->requests, __ATOMIC_SEQ_CST);
}

/* The CPU the test runs on handles its requests, as on its way out. */
static bool handle_on(unsigned int cpu)
{
	stub_set_cpu(cpu);
	return cpu_handle_requests(per_cpu(cpu));
}

/* What another CPU (0) posts while cpu is busy. */
static void post_from_cpu0(struct per_cpu *cpu, unsigned int req)
{
	unsigned long sp = stub_sp;

	stub_set_cpu(0);
	cpu_post(cpu, req);
	stub_sp = sp;
}

static void test_this_cpu(void **state)
{
	(void)state;
	assert_ptr_equal(this_cpu(), per_cpu(0));
	stub_set_cpu(5);
	assert_ptr_equal(this_cpu(), per_cpu(5));
	/* Anywhere on its stack. */
	stub_sp = (unsigned long)per_cpu(3)->stack + HV_STACK_SIZE - 8;
	assert_ptr_equal(this_cpu(), per_cpu(3));
}

/* --- posting ------------------------------------------------------------- */

static void test_post(void **state)
{
	const struct stub_event *e;

	(void)state;
	cpu_post(per_cpu(1), CPU_REQ_FLUSH);
	assert_int_equal(requests(1), CPU_REQ_FLUSH);
	assert_int_equal(stub_count(EV_KICK, 1), 1);
	e = stub_find(EV_KICK, 1, 0);
	assert_int_equal(e->caller, 0);
	/* The request is there before the kick that makes it noticed. */
	assert_int_equal(e->requests, CPU_REQ_FLUSH);

	cpu_post(per_cpu(1), CPU_REQ_PARK);
	assert_int_equal(requests(1), CPU_REQ_FLUSH | CPU_REQ_PARK);
	assert_int_equal(stub_count(EV_KICK, 1), 2);
	assert_int_equal(stub_find(EV_KICK, 1, 1)->requests,
			 CPU_REQ_FLUSH | CPU_REQ_PARK);

	/* The calling CPU is not kicked: it handles them on its way out. */
	cpu_post(per_cpu(0), CPU_REQ_FLUSH);
	assert_int_equal(requests(0), CPU_REQ_FLUSH);
	assert_int_equal(stub_count(EV_KICK, 0), 0);
	assert_int_equal(stub_num_events, 2);
}

static void test_request_wake(void **state)
{
	const struct stub_event *e;

	(void)state;
	cpu_request_wake(per_cpu(1), 0x9a000);
	assert_int_equal(requests(1), CPU_REQ_WAKE);
	assert_int_equal(per_cpu(1)->start_entry, 0x9a000);
	e = stub_find(EV_KICK, 1, 0);
	assert_non_null(e);
	assert_int_equal(e->requests, CPU_REQ_WAKE);
	cpu_request_off(per_cpu(1));
	assert_int_equal(requests(1), CPU_REQ_WAKE | CPU_REQ_OFF);
}

static void test_take_request(void **state)
{
	(void)state;
	per_cpu(1)->requests = CPU_REQ_FLUSH | CPU_REQ_PARK | CPU_REQ_START;
	assert_int_equal(cpu_take_request(per_cpu(1),
					  CPU_REQ_FLUSH | CPU_REQ_TO_ROOT),
			 CPU_REQ_FLUSH);
	assert_int_equal(requests(1), CPU_REQ_PARK | CPU_REQ_START);
	assert_int_equal(cpu_take_request(per_cpu(1), CPU_REQ_FLUSH), 0);
	assert_int_equal(cpu_take_request(per_cpu(1), 0), 0);
	assert_int_equal(requests(1), CPU_REQ_PARK | CPU_REQ_START);
	assert_int_equal(cpu_take_request(per_cpu(1), ~0u),
			 CPU_REQ_PARK | CPU_REQ_START);
	assert_int_equal(requests(1), 0);
	assert_int_equal(stub_num_events, 0);
}

/* --- waiting ------------------------------------------------------------- */

static void take_flush_at_turn_3(unsigned long turn)
{
	if (turn == 3)
		cpu_take_request(per_cpu(1), CPU_REQ_FLUSH);
}

static void test_wait_until_clear(void **state)
{
	(void)state;
	/* Nothing to wait for. */
	per_cpu(1)->requests = CPU_REQ_PARK;
	cpu_wait_until_clear(per_cpu(1), CPU_REQ_FLUSH | CPU_REQ_START);
	assert_int_equal(stub_relax_turns, 0);

	/* Spins until the target took it; other requests do not matter. */
	per_cpu(1)->requests = CPU_REQ_FLUSH | CPU_REQ_PARK;
	stub_on_relax = take_flush_at_turn_3;
	cpu_wait_until_clear(per_cpu(1), CPU_REQ_FLUSH);
	assert_int_equal(stub_relax_turns, 3);
	assert_int_equal(requests(1), CPU_REQ_PARK);
}

static void test_wait_for_kicked_cpu(void **state)
{
	const struct stub_event *e;

	(void)state;
	stub_kick_mode = STUB_KICK_DEFERRED;
	stub_kick_handler = cpu_handle_requests;
	cpu_post(per_cpu(1), CPU_REQ_FLUSH);
	assert_int_equal(stub_count(EV_FLUSH, STUB_ANY_CPU), 0);
	cpu_wait_until_clear(per_cpu(1), CPU_REQ_FLUSH);
	assert_true(stub_relax_turns >= 1);
	e = stub_find(EV_FLUSH, 1, 0);
	assert_non_null(e);
	assert_int_equal(e->caller, 1); /* on CPU 1, not on the waiter */
	assert_int_equal(requests(1), 0);
}

/* --- cpu_handle_requests ------------------------------------------------- */

static void test_handle_nothing(void **state)
{
	(void)state;
	assert_false(handle_on(1));
	assert_int_equal(stub_num_events, 0);
}

static void test_handle_leave_first(void **state)
{
	unsigned int all = CPU_REQ_LEAVE | CPU_REQ_FLUSH | CPU_REQ_PARK |
			   CPU_REQ_START | CPU_REQ_TO_ROOT;

	(void)state;
	per_cpu(1)->requests = all;
	stub_leave_armed = true;
	if (setjmp(stub_leave_jmp) == 0) {
		handle_on(1);
		fail_msg("cpu_handle_requests() returned with CPU_REQ_LEAVE");
	}
	/* It left before acting on anything else. */
	assert_int_equal(stub_num_events, 1);
	assert_int_equal(stub_events[0].type, EV_LEAVE);
	assert_int_equal(stub_events[0].cpu, 1);
	assert_int_equal(requests(1), all);
}

static void test_handle_flush(void **state)
{
	(void)state;
	per_cpu(1)->requests = CPU_REQ_FLUSH;
	assert_true(handle_on(1));
	assert_int_equal(stub_num_events, 1);
	assert_int_equal(stub_events[0].type, EV_FLUSH);
	assert_int_equal(stub_events[0].cpu, 1);
	assert_int_equal(requests(1), 0);
	assert_int_equal(per_cpu(1)->arch.flushes, 1);
}

static unsigned int post_turn;
static unsigned int post_req;

static void post_at_turn(struct per_cpu *cpu, unsigned int turn)
{
	if (turn == post_turn)
		post_from_cpu0(cpu, post_req);
}

static void test_park_until_start(void **state)
{
	int unparked, start;

	(void)state;
	per_cpu(1)->stats[BRIG_EXIT_MMIO] = 7;
	per_cpu(1)->requests = CPU_REQ_PARK;
	post_turn = 3;
	post_req = CPU_REQ_START;
	stub_on_park_relax = post_at_turn;
	assert_false(per_cpu(1)->parked);
	assert_true(handle_on(1));

	assert_int_equal(stub_count(EV_PARK_RELAX, 1), 3);
	for (unsigned int n = 0; n < 3; n++) {
		const struct stub_event *e = stub_find(EV_PARK_RELAX, 1, n);

		assert_true(e->parked); /* acknowledged while it waits */
		assert_int_equal(e->arg, n + 1);
	}
	/* START came from CPU 0, with a kick. */
	assert_int_equal(stub_find(EV_KICK, 1, 0)->caller, 0);
	unparked = stub_index(EV_UNPARKED, 1, 0);
	start = stub_index(EV_START, 1, 0);
	assert_true(unparked > stub_index(EV_PARK_RELAX, 1, 2));
	assert_true(start > unparked);
	assert_int_equal(stub_events[start].arg, ENTRY);
	assert_false(stub_events[start].parked);
	assert_false(per_cpu(1)->parked);
	assert_int_equal(requests(1), 0);
	assert_int_equal(per_cpu(1)->stats[BRIG_EXIT_MMIO], 0);
}

static void post_flush_park_start(struct per_cpu *cpu, unsigned int turn)
{
	static const unsigned int req[] = { 0, CPU_REQ_FLUSH, CPU_REQ_PARK,
					    CPU_REQ_START };

	if (turn < ARRAY_SIZE(req))
		post_from_cpu0(cpu, req[turn]);
}

static void test_parked_cpu_takes_flush_and_park(void **state)
{
	(void)state;
	per_cpu(1)->requests = CPU_REQ_PARK;
	stub_on_park_relax = post_flush_park_start;
	assert_true(handle_on(1));
	/* Parked, it runs no guest: a FLUSH is taken, nothing flushed. */
	assert_int_equal(stub_count(EV_FLUSH, STUB_ANY_CPU), 0);
	assert_int_equal(stub_find(EV_PARK_RELAX, 1, 1)->requests, 0);
	/* A PARK while parked does not outlive the START. */
	assert_int_equal(stub_count(EV_START, 1), 1);
	assert_int_equal(requests(1), 0);
	assert_false(per_cpu(1)->parked);
}

static void test_park_until_to_root(void **state)
{
	int reset, wait;

	(void)state;
	per_cpu(1)->requests = CPU_REQ_PARK;
	post_turn = 2;
	post_req = CPU_REQ_TO_ROOT;
	stub_on_park_relax = post_at_turn;
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_PARK_RELAX, 1), 2);
	reset = stub_index(EV_RESET_TO_ROOT, 1, 0);
	wait = stub_index(EV_WAIT_FOR_ROOT, 1, 0);
	assert_true(stub_index(EV_UNPARKED, 1, 0) < reset);
	assert_true(reset >= 0 && reset < wait);
	assert_false(per_cpu(1)->parked);
	assert_int_equal(stub_count(EV_START, 1), 0);
}

static void test_to_root(void **state)
{
	int reset, wait;

	(void)state;
	per_cpu(1)->requests = CPU_REQ_TO_ROOT;
	assert_true(handle_on(1));
	reset = stub_index(EV_RESET_TO_ROOT, 1, 0);
	wait = stub_index(EV_WAIT_FOR_ROOT, 1, 0);
	assert_int_equal(reset, 0);
	assert_int_equal(wait, 1);
	/* Scrubbed while the poster still waits; taken before the wait. */
	assert_int_equal(stub_events[reset].requests, CPU_REQ_TO_ROOT);
	assert_int_equal(stub_events[wait].requests, 0);
	assert_int_equal(stub_num_events, 2);
}

static void test_to_root_before_start(void **state)
{
	(void)state;
	/*
	 * A cell took the CPU while it waited for the root (the wait ends on
	 * START): it starts in the same pass, never re-entering the guest it
	 * left with that cell's context.
	 */
	per_cpu(1)->requests = CPU_REQ_TO_ROOT | CPU_REQ_START;
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_WAIT_FOR_ROOT, 1), 1);
	assert_int_equal(stub_count(EV_START, 1), 1);
	assert_true(stub_index(EV_WAIT_FOR_ROOT, 1, 0) <
		    stub_index(EV_START, 1, 0));
	assert_int_equal(requests(1), 0);
}

static void test_handle_order(void **state)
{
	int flush, unparked, start;

	(void)state;
	per_cpu(1)->requests = CPU_REQ_START | CPU_REQ_PARK | CPU_REQ_FLUSH;
	assert_true(handle_on(1));
	flush = stub_index(EV_FLUSH, 1, 0);
	unparked = stub_index(EV_UNPARKED, 1, 0);
	start = stub_index(EV_START, 1, 0);
	assert_int_equal(flush, 0);
	assert_int_equal(unparked, 1); /* START was there: no wait at all */
	assert_int_equal(start, 2);
	assert_int_equal(stub_num_events, 3);
	assert_int_equal(requests(1), 0);
}

static void test_start_at_cell_entry(void **state)
{
	(void)state;
	for (unsigned int n = 0; n < BRIG_EXIT_COUNT; n++)
		per_cpu(1)->stats[n] = n + 1;
	post_from_cpu0(per_cpu(1), CPU_REQ_START);
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_START, 1), 1);
	assert_int_equal(stub_find(EV_START, 1, 0)->arg, ENTRY);
	assert_int_equal(stub_find(EV_START, 1, 0)->requests, 0);
	for (unsigned int n = 0; n < BRIG_EXIT_COUNT; n++)
		assert_int_equal(per_cpu(1)->stats[n], 0);
	assert_string_equal(stub_log,
			    "brig: CPU 1 starts cell \"inmate\" at f000\n");
}

/* A CPU that is not the boot CPU starts off and waits for its wake. */
static void test_start_off_until_wake(void **state)
{
	(void)state;
	per_cpu(1)->start_off = true;
	per_cpu(1)->start_entry = 0x9a000; /* what the waking CPU names */
	post_from_cpu0(per_cpu(1), CPU_REQ_START);
	post_turn = 2;
	post_req = CPU_REQ_WAKE;
	stub_on_park_relax = post_at_turn;
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_PARK_RELAX, 1), 2);
	/* Off, it is not parked: a PARK must reach it as a request. */
	assert_false(stub_find(EV_PARK_RELAX, 1, 0)->parked);
	assert_int_equal(stub_count(EV_START, 1), 1);
	assert_int_equal(stub_find(EV_START, 1, 0)->arg, 0x9a000);
	assert_false(per_cpu(1)->off);
	assert_int_equal(per_cpu(1)->stats[BRIG_EXIT_INIT_SIPI], 1);
	assert_true(stub_logged(
		"CPU 1 of cell \"inmate\" waits to be started by the cell\n"));
	assert_int_equal(requests(1), 0);
}

/* A wake for a CPU that runs is dropped, as a SIPI is by the hardware. */
static void test_wake_running_dropped(void **state)
{
	(void)state;
	cpu_request_wake(per_cpu(1), 0x9a000);
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_START, 1), 0);
	assert_int_equal(requests(1), 0);
	assert_int_equal(per_cpu(1)->stats[BRIG_EXIT_INIT_SIPI], 0);
}

/* INIT and SIPI together: stopped, then started at the SIPI's page. */
static void test_off_then_wake(void **state)
{
	(void)state;
	cpu_request_off(per_cpu(1));
	cpu_request_wake(per_cpu(1), 0x9a000);
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_START, 1), 1);
	assert_int_equal(stub_find(EV_START, 1, 0)->arg, 0x9a000);
	assert_int_equal(stub_count(EV_PARK_RELAX, 1), 0);
	assert_false(per_cpu(1)->off);
	assert_int_equal(per_cpu(1)->stats[BRIG_EXIT_INIT_SIPI], 2);
}

/* By waiting turn in all (a park's turns count from 1 again). */
static unsigned int wait_turns;

static void post_park_wake_start(struct per_cpu *cpu, unsigned int turn)
{
	static const unsigned int req[] = { CPU_REQ_PARK, CPU_REQ_WAKE,
					    CPU_REQ_START, CPU_REQ_TO_ROOT };

	(void)turn;
	if (wait_turns < ARRAY_SIZE(req))
		post_from_cpu0(cpu, req[wait_turns++]);
}

/*
 * An off CPU parks when the cell stops; a wake that reaches it parked is
 * void, and so is one pending at the next START: it is off again, until
 * the root takes it back.
 */
static void test_off_cpu_parks_and_drops_wakes(void **state)
{
	(void)state;
	per_cpu(1)->start_off = true;
	per_cpu(1)->requests = CPU_REQ_OFF;
	wait_turns = 0;
	stub_on_park_relax = post_park_wake_start;
	assert_true(handle_on(1));
	assert_false(stub_find(EV_PARK_RELAX, 1, 0)->parked); /* off */
	assert_true(stub_find(EV_PARK_RELAX, 1, 1)->parked); /* parked */
	assert_int_equal(stub_count(EV_START, 1), 0);
	assert_int_equal(stub_count(EV_RESET_TO_ROOT, 1), 1);
	assert_int_equal(stub_count(EV_WAIT_FOR_ROOT, 1), 1);
	assert_false(per_cpu(1)->off);
	assert_false(per_cpu(1)->parked);
	assert_int_equal(requests(1), 0);
}

static void post_park_wake_to_root(struct per_cpu *cpu, unsigned int turn)
{
	static const unsigned int req[] = { CPU_REQ_PARK, CPU_REQ_WAKE,
					    CPU_REQ_TO_ROOT };

	(void)turn;
	if (wait_turns < ARRAY_SIZE(req))
		post_from_cpu0(cpu, req[wait_turns++]);
}

/* The park itself drops a wake: none is left when the root takes it. */
static void test_park_drops_wake(void **state)
{
	(void)state;
	per_cpu(1)->requests = CPU_REQ_OFF;
	wait_turns = 0;
	stub_on_park_relax = post_park_wake_to_root;
	assert_true(handle_on(1));
	/* Turns: off (PARK comes), parked (WAKE comes), parked again. */
	assert_int_equal(stub_count(EV_PARK_RELAX, 1), 3);
	assert_true(stub_find(EV_PARK_RELAX, 1, 2)->parked);
	assert_int_equal(stub_find(EV_PARK_RELAX, 1, 2)->requests, 0);
	assert_int_equal(stub_count(EV_START, 1), 0);
	assert_int_equal(stub_count(EV_WAIT_FOR_ROOT, 1), 1);
	assert_int_equal(requests(1), 0);
	assert_false(per_cpu(1)->off);
}

/* A START takes what a wake left pending with it. */
static void test_start_drops_pending_wake(void **state)
{
	(void)state;
	per_cpu(1)->start_off = true;
	per_cpu(1)->requests = CPU_REQ_START | CPU_REQ_WAKE | CPU_REQ_OFF;
	post_turn = 1;
	post_req = CPU_REQ_TO_ROOT;
	stub_on_park_relax = post_at_turn;
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_START, 1), 0);
	assert_int_equal(stub_count(EV_RESET_TO_ROOT, 1), 1);
	assert_int_equal(per_cpu(1)->stats[BRIG_EXIT_INIT_SIPI], 0);
}

static void post_flush_then_wake(struct per_cpu *cpu, unsigned int turn)
{
	if (turn == 1)
		post_from_cpu0(cpu, CPU_REQ_FLUSH);
	else if (turn == 3)
		post_from_cpu0(cpu, CPU_REQ_WAKE);
}

/* An off CPU takes a FLUSH at once (it runs no guest) and waits on. */
static void test_off_cpu_takes_flush(void **state)
{
	(void)state;
	per_cpu(1)->requests = CPU_REQ_OFF;
	per_cpu(1)->start_entry = 0x9a000;
	stub_on_park_relax = post_flush_then_wake;
	assert_true(handle_on(1));
	assert_int_equal(stub_find(EV_PARK_RELAX, 1, 1)->requests, 0);
	assert_int_equal(stub_count(EV_FLUSH, STUB_ANY_CPU), 0);
	assert_int_equal(stub_count(EV_PARK_RELAX, 1), 3);
	assert_int_equal(stub_find(EV_START, 1, 0)->arg, 0x9a000);
}

/* --- HLT with interrupts off (halt = "exits") ----------------------------- */

/* CPU 2 joins the cell (halt = "exits") as a second CPU, running. */
static void add_cpu2(void)
{
	cfg.desc.flags = BRIG_CELL_HALT_EXITS;
	cfg.cpus[0] = 0x6;
	per_cpu(2)->cell = &cell;
	per_cpu(2)->online = true;
}

/* The only CPU halts for good: nothing can wake the cell, it shut down. */
static void test_halt_last_cpu_ends_cell(void **state)
{
	(void)state;
	cfg.desc.flags = BRIG_CELL_HALT_EXITS;
	cell.state = BRIG_CELL_STATE_RUNNING;
	stub_set_cpu(1);
	cpu_stop_halted(per_cpu(1));
	assert_true(per_cpu(1)->off);
	assert_int_equal(cell.state, BRIG_CELL_STATE_SHUT_DOWN);
}

/* One of two halts: the other may still wake it; the second ends it. */
static void test_halt_waits_for_every_cpu(void **state)
{
	(void)state;
	add_cpu2();
	cell.state = BRIG_CELL_STATE_RUNNING;
	stub_set_cpu(1);
	cpu_stop_halted(per_cpu(1));
	assert_true(per_cpu(1)->off);
	assert_int_equal(cell.state, BRIG_CELL_STATE_RUNNING);
	stub_set_cpu(2);
	cpu_stop_halted(per_cpu(2));
	assert_int_equal(cell.state, BRIG_CELL_STATE_SHUT_DOWN);
}

/* A CPU off with a wake (or start) still pending will run: the cell lives on. */
static void test_halt_pending_wake_keeps_cell(void **state)
{
	(void)state;
	add_cpu2();
	cell.state = BRIG_CELL_STATE_RUNNING;
	per_cpu(2)->off = true;
	per_cpu(2)->requests = CPU_REQ_WAKE;
	stub_set_cpu(1);
	cpu_stop_halted(per_cpu(1));
	assert_int_equal(cell.state, BRIG_CELL_STATE_RUNNING);
	per_cpu(2)->requests = CPU_REQ_START;
	cpu_stop_halted(per_cpu(1));
	assert_int_equal(cell.state, BRIG_CELL_STATE_RUNNING);
}

/*
 * CPU 2 sent CPU 1 an INIT and then halted before CPU 1 took it: CPU 1,
 * going off, finds no CPU left to run and ends the cell. Not in a cell
 * whose HLT runs natively (its halted CPUs are not known).
 */
static void test_init_to_last_cpu_ends_cell(void **state)
{
	(void)state;
	add_cpu2();
	cell.state = BRIG_CELL_STATE_RUNNING;
	per_cpu(2)->off = true;
	cpu_request_off(per_cpu(1));
	/* Off, it waits until the root takes it back (destroy). */
	post_turn = 1;
	post_req = CPU_REQ_TO_ROOT;
	stub_on_park_relax = post_at_turn;
	assert_true(handle_on(1));
	assert_int_equal(cell.state, BRIG_CELL_STATE_SHUT_DOWN);

	setup(NULL);
	add_cpu2();
	cfg.desc.flags = 0;
	cell.state = BRIG_CELL_STATE_RUNNING;
	per_cpu(2)->off = true;
	cpu_request_off(per_cpu(1));
	stub_on_park_relax = post_at_turn;
	assert_true(handle_on(1));
	assert_int_equal(cell.state, BRIG_CELL_STATE_RUNNING);
}

/*
 * A SIPI that came while the CPU ran is void: still pending at its HLT, it
 * must not start the halted CPU. An INIT and SIPI pending together do:
 * they came before the HLT.
 */
static void test_halt_drops_stale_wake(void **state)
{
	(void)state;
	add_cpu2();
	per_cpu(1)->requests = CPU_REQ_WAKE;
	stub_set_cpu(1);
	cpu_stop_halted(per_cpu(1));
	assert_int_equal(requests(1), 0);
	assert_true(per_cpu(1)->off);

	per_cpu(1)->off = false;
	per_cpu(1)->requests = CPU_REQ_OFF | CPU_REQ_WAKE;
	per_cpu(1)->start_entry = 0x9a000;
	cpu_stop_halted(per_cpu(1));
	assert_int_equal(requests(1), CPU_REQ_OFF | CPU_REQ_WAKE);
	assert_true(handle_on(1));
	assert_int_equal(stub_find(EV_START, 1, 0)->arg, 0x9a000);
	assert_false(per_cpu(1)->off);
}

/*
 * A halted CPU does not go back into its guest with nothing requested
 * (the exit path's early return): it waits, and a wake from the cell
 * starts it at the wake's entry, marked on.
 */
static void test_halted_cpu_waits_for_wake(void **state)
{
	(void)state;
	add_cpu2();
	stub_set_cpu(1);
	cpu_stop_halted(per_cpu(1));
	per_cpu(1)->start_entry = 0x9a000;
	post_turn = 2;
	post_req = CPU_REQ_WAKE;
	stub_on_park_relax = post_at_turn;
	assert_true(handle_on(1));
	assert_int_equal(stub_count(EV_PARK_RELAX, 1), 2);
	assert_int_equal(stub_count(EV_START, 1), 1);
	assert_int_equal(stub_find(EV_START, 1, 0)->arg, 0x9a000);
	assert_false(per_cpu(1)->off);
	assert_int_equal(requests(1), 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_this_cpu),
		T(test_post),
		T(test_request_wake),
		T(test_take_request),
		T(test_wait_until_clear),
		T(test_wait_for_kicked_cpu),
		T(test_handle_nothing),
		T(test_handle_leave_first),
		T(test_handle_flush),
		T(test_park_until_start),
		T(test_parked_cpu_takes_flush_and_park),
		T(test_park_until_to_root),
		T(test_to_root),
		T(test_to_root_before_start),
		T(test_handle_order),
		T(test_start_at_cell_entry),
		T(test_start_off_until_wake),
		T(test_wake_running_dropped),
		T(test_off_then_wake),
		T(test_off_cpu_parks_and_drops_wakes),
		T(test_park_drops_wake),
		T(test_start_drops_pending_wake),
		T(test_off_cpu_takes_flush),
		T(test_halt_last_cpu_ends_cell),
		T(test_halt_waits_for_every_cpu),
		T(test_halt_pending_wake_keeps_cell),
		T(test_init_to_last_cpu_ends_cell),
		T(test_halt_drops_stale_wake),
		T(test_halted_cpu_waits_for_wake),
	};

	return cmocka_run_group_tests_name("cpu", tests, NULL, NULL);
}
