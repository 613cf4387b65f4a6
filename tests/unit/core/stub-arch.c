// SPDX-License-Identifier: GPL-2.0
/*
 * The host stub of the arch contract (hv/arch.h) and the core's globals
 * that live in files the unit tests do not link (setup.c, cell.c,
 * header.c, console.c). Each hook the tested core files call records an
 * event (stub-arch.h); what a kick or a parked CPU's turn does is the
 * test's choice. printk() formats with the hypervisor's own vsnprintf
 * (hypervisor/printk.c) into stub_log. panic() is stubs.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/printk.h>
#include "stub-arch.h"

/* --- the core's globals ------------------------------------------------- */

struct per_cpu per_cpu_area[CONFIG_MAX_CPUS];
const struct brig_system_desc *system_config;
struct brig_hv_header hv_header;
struct paging_structs hv_paging;
struct cell root_cell;
DEFINE_SPINLOCK(cell_lock);

/* "Physical" addresses are user-space addresses, as in stubs.c. */
void *phys_to_hv(u64 phys)
{
	return (void *)(uintptr_t)phys;
}

u64 hv_virt_to_phys(const void *virt)
{
	return (u64)(uintptr_t)virt;
}

/* --- the test's side ---------------------------------------------------- */

unsigned long stub_sp;
struct stub_event stub_events[STUB_MAX_EVENTS];
unsigned int stub_num_events;
enum stub_kick_mode stub_kick_mode;
bool (*stub_kick_handler)(struct per_cpu *cpu);
void (*stub_on_relax)(unsigned long turn);
void (*stub_on_park_relax)(struct per_cpu *cpu, unsigned int turn);
void (*stub_on_flush)(struct per_cpu *cpu);
jmp_buf stub_leave_jmp;
bool stub_leave_armed;
unsigned long stub_relax_turns;

#define STUB_LOG_SIZE 65536
char stub_log[STUB_LOG_SIZE];
static size_t stub_log_len;

/* An address on CPU n's hypervisor stack. */
static unsigned long sp_of(const struct per_cpu *cpu)
{
	return (unsigned long)cpu->stack + HV_STACK_SIZE / 2;
}

void stub_set_cpu(unsigned int n)
{
	assert_true(n < CONFIG_MAX_CPUS);
	stub_sp = sp_of(per_cpu(n));
}

void stub_reset(void)
{
	memset(per_cpu_area, 0, sizeof(per_cpu_area));
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++)
		per_cpu(n)->cpu_id = n;
	memset(&root_cell, 0, sizeof(root_cell));
	stub_num_events = 0;
	stub_kick_mode = STUB_KICK_RECORD;
	stub_kick_handler = NULL;
	stub_on_relax = NULL;
	stub_on_park_relax = NULL;
	stub_on_flush = NULL;
	stub_leave_armed = false;
	stub_relax_turns = 0;
	stub_log_len = 0;
	stub_log[0] = '\0';
	stub_set_cpu(0);
}

static void record(enum stub_event_type type, const struct per_cpu *cpu,
		   u64 arg)
{
	struct stub_event *e;

	if (stub_num_events == STUB_MAX_EVENTS)
		fail_msg("more than %u arch hook calls", STUB_MAX_EVENTS);
	e = &stub_events[stub_num_events++];
	e->type = type;
	e->cpu = cpu->cpu_id;
	e->caller = this_cpu()->cpu_id;
	e->arg = arg;
	e->requests = __atomic_load_n(&cpu->requests, __ATOMIC_SEQ_CST);
	e->parked = cpu->parked;
	e->pool_used = page_pool_used(&mem_pool);
}

int stub_index(enum stub_event_type type, unsigned int cpu, unsigned int nth)
{
	for (unsigned int i = 0; i < stub_num_events; i++)
		if (stub_events[i].type == type &&
		    (cpu == STUB_ANY_CPU || stub_events[i].cpu == cpu) &&
		    nth-- == 0)
			return (int)i;
	return -1;
}

const struct stub_event *stub_find(enum stub_event_type type, unsigned int cpu,
				   unsigned int nth)
{
	int i = stub_index(type, cpu, nth);

	return i < 0 ? NULL : &stub_events[i];
}

unsigned int stub_count(enum stub_event_type type, unsigned int cpu)
{
	unsigned int n = 0;

	while (stub_index(type, cpu, n) >= 0)
		n++;
	return n;
}

bool stub_logged(const char *s)
{
	return strstr(stub_log, s) != NULL;
}

unsigned int stub_log_count(const char *s)
{
	unsigned int n = 0;

	for (const char *p = stub_log; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

void printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	if (stub_log_len + n >= STUB_LOG_SIZE)
		fail_msg("printk: more than %d bytes of output", STUB_LOG_SIZE);
	memcpy(stub_log + stub_log_len, buf, n + 1);
	stub_log_len += n;
	if (getenv("STUB_PRINTK"))
		fputs(buf, stderr);
}

/* --- processor.h -------------------------------------------------------- */

/* Run target's request handler on target's stack, as its kick would. */
static void deliver(struct per_cpu *target)
{
	unsigned long sp = stub_sp;

	if (!stub_kick_handler)
		return;
	stub_sp = sp_of(target);
	stub_kick_handler(target);
	stub_sp = sp;
}

void stub_cpu_relax(void)
{
	if (++stub_relax_turns > STUB_MAX_RELAX_TURNS)
		fail_msg("a spin loop ran %lu turns: it would never end",
			 STUB_MAX_RELAX_TURNS);
	if (stub_on_relax)
		stub_on_relax(stub_relax_turns);
	for (unsigned int n = 0; n < CONFIG_MAX_CPUS; n++)
		if (per_cpu(n)->arch.kick_pending) {
			per_cpu(n)->arch.kick_pending = false;
			deliver(per_cpu(n));
		}
}

/* --- hv/arch.h: CPU control --------------------------------------------- */

void arch_cpu_kick(struct per_cpu *target)
{
	record(EV_KICK, target, 0);
	target->arch.kicks++;
	if (stub_kick_mode == STUB_KICK_SYNC)
		deliver(target);
	else if (stub_kick_mode == STUB_KICK_DEFERRED)
		target->arch.kick_pending = true;
}

void arch_cpu_flush_stage2(struct per_cpu *cpu)
{
	record(EV_FLUSH, cpu, 0);
	cpu->arch.flushes++;
	if (stub_on_flush)
		stub_on_flush(cpu);
}

void arch_cpu_park_relax(struct per_cpu *cpu)
{
	unsigned int turn = ++cpu->arch.park_turns;

	record(EV_PARK_RELAX, cpu, turn);
	if (turn > STUB_MAX_PARK_TURNS)
		fail_msg("CPU %u parked for %u turns: nothing wakes it",
			 cpu->cpu_id, STUB_MAX_PARK_TURNS);
	if (stub_on_park_relax)
		stub_on_park_relax(cpu, turn);
}

void arch_cpu_unparked(struct per_cpu *cpu)
{
	record(EV_UNPARKED, cpu, 0);
	cpu->arch.park_turns = 0;
}

void arch_cpu_start(struct per_cpu *cpu, u64 entry)
{
	record(EV_START, cpu, entry);
}

void arch_cpu_reset_to_root(struct per_cpu *cpu)
{
	record(EV_RESET_TO_ROOT, cpu, 0);
}

void arch_cpu_wait_for_root(struct per_cpu *cpu)
{
	record(EV_WAIT_FOR_ROOT, cpu, 0);
}

void __noreturn arch_cpu_leave(struct per_cpu *cpu)
{
	record(EV_LEAVE, cpu, 0);
	if (stub_leave_armed) {
		stub_leave_armed = false;
		longjmp(stub_leave_jmp, 1);
	}
	fail_msg("CPU %u left the hypervisor unexpectedly", cpu->cpu_id);
	abort();
}

/* --- hv/arch.h: memory -------------------------------------------------- */

/*
 * Entries: bit 0 present, bits 1-4 the PAGE_* rights, bit 7 a large page
 * (a leaf above the last level), bits 12-51 the frame or table.
 */
#define STUB_PRESENT 0x1ULL
#define STUB_LARGE 0x80ULL
#define STUB_ADDR 0x000ffffffffff000ULL

static u64 stub_make_leaf(u64 phys, unsigned int flags, bool large)
{
	return phys | (u64)(flags & 0xf) << 1 | STUB_PRESENT |
	       (large ? STUB_LARGE : 0);
}

static u64 stub_make_table(u64 table_phys, unsigned int level)
{
	(void)level;
	return table_phys | STUB_PRESENT;
}

static bool stub_is_present(u64 entry)
{
	return entry & STUB_PRESENT;
}

static bool stub_is_leaf(u64 entry, bool last_level)
{
	return last_level || (entry & STUB_LARGE);
}

static u64 stub_entry_phys(u64 entry, bool large)
{
	(void)large;
	return entry & STUB_ADDR;
}

static unsigned int stub_entry_flags(u64 entry)
{
	return (entry >> 1) & 0xf;
}

const struct paging_format stub_format = {
	.levels = 4,
	.leaf_levels = (1u << 1) | (1u << 2), /* 1 GiB and 2 MiB */
	.make_leaf = stub_make_leaf,
	.make_table = stub_make_table,
	.is_present = stub_is_present,
	.is_leaf = stub_is_leaf,
	.entry_phys = stub_entry_phys,
	.entry_flags = stub_entry_flags,
};

const struct paging_format *arch_stage2_format(void)
{
	return &stub_format;
}

/* The cell fails: said on the log, its state FAILED (cell.c's, simplified). */
void cell_fail(struct per_cpu *cpu, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("brig: cell \"%s\" CPU %u: %s; cell stopped, state failed\n",
	       cpu->cell->config->name, cpu->cpu_id, msg);
	cpu->cell->state = BRIG_CELL_STATE_FAILED;
}

/* The cell ends itself: likewise, state SHUT_DOWN unless it failed. */
void cell_end(struct per_cpu *cpu, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("brig: cell \"%s\" CPU %u: %s; cell stopped, state shut down\n",
	       cpu->cell->config->name, cpu->cpu_id, msg);
	if (cpu->cell->state != BRIG_CELL_STATE_FAILED)
		cpu->cell->state = BRIG_CELL_STATE_SHUT_DOWN;
}
