// SPDX-License-Identifier: GPL-2.0
/*
 * The per-cell registry of trapped memory ranges and the dispatch of a
 * trapped access (hv/mmio.h).
 *
 * The root cell is never stopped for touching memory it does not own (the
 * hypervisor region, a cell's memory, a device a cell holds): a read
 * returns all-ones, as from a bus with nothing behind it, a write is
 * dropped, and the console names the first access to each page so the
 * offender can be found without flooding the console (docs/design.md,
 * promise 5).
 */
#include <hv/cell.h>
#include <hv/mmio.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>

static bool overlaps(const struct mmio_region *r, u64 start, u64 size)
{
	return start < r->start + r->size && r->start < start + size;
}

int mmio_register(struct cell *cell, u64 start, u64 size,
		  mmio_handler_t handler, void *arg)
{
	struct mmio_registry *reg = &cell->mmio;
	int err = 0;

	if (!size || start + size < start || !handler)
		return -EINVAL;
	spin_lock(&reg->lock);
	for (unsigned int n = 0; n < reg->count && !err; n++)
		if (overlaps(&reg->regions[n], start, size))
			err = -EEXIST;
	if (!err && reg->count == MMIO_MAX_REGIONS)
		err = -ENOSPC;
	if (!err)
		reg->regions[reg->count++] =
			(struct mmio_region){ start, size, handler, arg };
	spin_unlock(&reg->lock);
	if (err)
		printk("brig: cannot trap %llx+%llx for cell %u: %d\n",
		       (unsigned long long)start, (unsigned long long)size,
		       cell->id, err);
	return err;
}

/* Drop entry n, keeping the others packed. Caller holds the lock. */
static void drop(struct mmio_registry *reg, unsigned int n)
{
	reg->regions[n] = reg->regions[--reg->count];
}

void mmio_unregister(struct cell *cell, u64 start)
{
	struct mmio_registry *reg = &cell->mmio;

	spin_lock(&reg->lock);
	for (unsigned int n = 0; n < reg->count; n++)
		if (reg->regions[n].start == start) {
			drop(reg, n);
			break;
		}
	spin_unlock(&reg->lock);
}

void mmio_unregister_arg(struct cell *cell, const void *arg)
{
	struct mmio_registry *reg = &cell->mmio;

	spin_lock(&reg->lock);
	for (unsigned int n = reg->count; n-- > 0;)
		if (reg->regions[n].arg == arg)
			drop(reg, n);
	spin_unlock(&reg->lock);
}

/* A copy of the range covering address; false if there is none. */
static bool lookup(struct cell *cell, u64 address, struct mmio_region *out)
{
	struct mmio_registry *reg = &cell->mmio;
	bool found = false;

	spin_lock(&reg->lock);
	for (unsigned int n = 0; n < reg->count && !found; n++)
		if (overlaps(&reg->regions[n], address, 1)) {
			*out = reg->regions[n];
			found = true;
		}
	spin_unlock(&reg->lock);
	return found;
}

bool mmio_is_trapped(struct cell *cell, u64 address)
{
	struct mmio_region r;

	return lookup(cell, address, &r);
}

void mmio_root_forbidden(struct per_cpu *cpu, struct mmio_access *acc)
{
	const struct brig_memory *hv = &system_config->hypervisor_memory;
	bool in_hv = acc->address >= hv->phys_start &&
		     acc->address - hv->phys_start < hv->size;

	if (report_once(acc->address & PAGE_MASK))
		printk("brig: root cell CPU %u: %u-byte %s at %llx denied (%s); reads return all-ones, writes are dropped\n",
		       cpu->cpu_id, acc->size, acc->is_write ? "write" : "read",
		       (unsigned long long)acc->address,
		       in_hv ? "hypervisor memory" : "not the root's memory");
	acc->value = ~0ULL;
}

enum mmio_result mmio_handle_access(struct per_cpu *cpu,
				    struct mmio_access *acc)
{
	struct mmio_region r;

	if (!acc->is_write)
		acc->value = 0;
	if (lookup(cpu->cell, acc->address, &r)) {
		/* Handlers see accesses within their range only. */
		if (acc->address - r.start + acc->size <= r.size)
			return r.handler(cpu, acc, r.arg);
		if (cpu->cell == &root_cell) {
			mmio_root_forbidden(cpu, acc);
			return MMIO_HANDLED;
		}
		cell_fail(
			cpu,
			"%u-byte access at %llx crosses the end of an emulated range",
			acc->size, (unsigned long long)acc->address);
		return MMIO_CELL_FAILED;
	}
	if (cpu->cell != &root_cell)
		return MMIO_UNHANDLED;
	mmio_root_forbidden(cpu, acc);
	return MMIO_HANDLED;
}

#define REPORTED_KEYS 32

static DEFINE_SPINLOCK(report_lock);
static u64 reported[REPORTED_KEYS];
static unsigned int num_reported;

bool report_once(u64 key)
{
	bool first = true;

	spin_lock(&report_lock);
	for (unsigned int n = 0; n < num_reported; n++)
		if (reported[n] == key)
			first = false;
	if (first && num_reported < REPORTED_KEYS)
		reported[num_reported++] = key;
	else if (first)
		first = false;
	spin_unlock(&report_lock);
	return first;
}
