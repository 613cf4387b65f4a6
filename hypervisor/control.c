// SPDX-License-Identifier: GPL-2.0
/*
 * The control hypercalls: what the root cell's driver asks of the
 * hypervisor. Every argument is checked before anything changes; an
 * unknown code or a bad argument returns a negative errno and leaves the
 * system as it was.
 */
#include <brig/hypercall.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/ivshmem.h>
#include <hv/control.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/string.h>

static long get_info(unsigned long what)
{
	switch (what) {
	case BRIG_INFO_MEM_POOL_SIZE:
		return (long)mem_pool.pages;
	case BRIG_INFO_MEM_POOL_USED:
		return (long)page_pool_used(&mem_pool);
	case BRIG_INFO_NUM_CELLS:
		return cell_count();
	case BRIG_INFO_PAGING_LEVELS:
		return arch_paging_levels();
	case BRIG_INFO_VENDOR:
		return arch_vendor();
	default:
		return -EINVAL;
	}
}

static long cpu_get_info(unsigned long cpu_id, unsigned long what)
{
	struct per_cpu *cpu;

	if (cpu_id >= CONFIG_MAX_CPUS || !per_cpu(cpu_id)->online)
		return -ENOENT;
	cpu = per_cpu(cpu_id);
	if (what == BRIG_CPU_INFO_LEAVES_OFFLINE)
		return arch_cpu_leaves_offline(cpu);
	if (what == BRIG_CPU_INFO_STATE)
		return READ_ONCE(cpu->parked) ? BRIG_CPU_PARKED :
						BRIG_CPU_RUNNING;
	if (what >= BRIG_CPU_INFO_STAT_BASE &&
	    what < BRIG_CPU_INFO_STAT_BASE + BRIG_EXIT_COUNT)
		/* Counters only grow; the root reads them as unsigned. */
		return (long)READ_ONCE(
			cpu->stats[what - BRIG_CPU_INFO_STAT_BASE]);
	return -EINVAL;
}

static long console_read_page(unsigned long gpa, unsigned long seq)
{
	struct brig_console_page *page;
	u64 next = seq;
	size_t n;

	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !root_owns_ram(gpa, PAGE_SIZE))
		return -EFAULT;
	/* Whoever reads the console sees the devices' latest faults too. */
	arch_poll_device_faults();
	page = phys_to_hv(gpa);
	n = console_read(&next, page->data, sizeof(page->data));
	page->first_seq = next - n;
	page->bytes = (u32)n;
	page->reserved = 0;
	return (long)n;
}

static bool devices_released; /* under cell_lock */

/*
 * The root's CPUs the driver took offline for disable (mask) leave the
 * hypervisor for good (CPU_REQ_LEAVE) and halt, and Linux brings them up
 * natively. Done by the first CPU to leave, before any CPU returns to
 * Linux (whose driver then frees the hypervisor). Only the root's own
 * CPUs: it can hurt nobody but itself with a wrong mask.
 */
static void release_offline_cpus(struct per_cpu *self, u64 mask)
{
	unsigned int n;

	for (n = 0; n < CONFIG_MAX_CPUS && n < 64; n++) {
		struct per_cpu *c = per_cpu(n);

		if (!(mask & BIT_ULL(n)) || c == self || !c->online ||
		    c->cell != &root_cell)
			continue;
		cpu_post(c, CPU_REQ_LEAVE);
		while (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			cpu_relax();
	}
}

static long disable(struct per_cpu *cpu, u64 offline_cpus)
{
	unsigned int cells;

	cell_lock_acquire();
	cells = cell_count();
	cell_lock_release();
	if (cells > 1) {
		printk("brig: disable refused: %u cell(s) still exist\n",
		       cells - 1);
		return -EBUSY;
	}
	/* The first CPU to leave hands the devices back, before it goes. */
	cell_lock_acquire();
	if (!devices_released) {
		devices_released = true;
		arch_release_devices();
		release_offline_cpus(cpu, offline_cpus);
	}
	cell_lock_release();
	printk("brig: CPU %u leaves the hypervisor\n", cpu->cpu_id);
	cpu->online = false;
	arch_cpu_deactivate(cpu);
}

static long channel_info(unsigned int id, unsigned long which)
{
	struct cell *cell;
	long ret = -ENOENT;

	cell_lock_acquire();
	cell = id ? cell_find(id) : &root_cell;
	if (cell)
		ret = ivshmem_cell_info(cell, which);
	cell_lock_release();
	return ret;
}

static long port_stats(unsigned int id, unsigned long which)
{
	struct cell *cell;
	long ret = -ENOENT;

	cell_lock_acquire();
	cell = id ? cell_find(id) : NULL;
	if (cell)
		ret = arch_cell_port_stat(cell, which);
	cell_lock_release();
	return ret;
}

/*
 * Management belongs to the root; the hypervisor console is shared, so a
 * cell writes to it only when its description grants it.
 */
static bool allowed(const struct per_cpu *cpu, unsigned long code)
{
	return cpu->cell == &root_cell ||
	       (code == BRIG_HC_DEBUG_CONSOLE_PUTC &&
		(cpu->cell->config->flags & BRIG_CELL_DEBUG_CONSOLE));
}

long hypercall(struct per_cpu *cpu, unsigned long code, unsigned long arg1,
	       unsigned long arg2)
{
	if (!allowed(cpu, code))
		return -EPERM;
	switch (code) {
	case BRIG_HC_DISABLE:
		return disable(cpu, arg2);
	case BRIG_HC_CELL_VALIDATE:
		return cell_validate(arg1, arg2);
	case BRIG_HC_CELL_CREATE:
		return cell_create(arg1, arg2);
	case BRIG_HC_CELL_START:
		return cell_start((unsigned int)arg1, arg2);
	case BRIG_HC_CELL_SET_LOADABLE:
		return cell_set_loadable((unsigned int)arg1, arg2);
	case BRIG_HC_CELL_SHUTDOWN:
		return cell_shutdown((unsigned int)arg1, arg2);
	case BRIG_HC_CELL_DESTROY:
		return cell_destroy((unsigned int)arg1, arg2);
	case BRIG_HC_CELL_GET_STATE:
		return cell_get_state((unsigned int)arg1);
	case BRIG_HC_HYPERVISOR_GET_INFO:
		return get_info(arg1);
	case BRIG_HC_CPU_GET_INFO:
		return cpu_get_info(arg1, arg2);
	case BRIG_HC_CONSOLE_READ:
		return console_read_page(arg1, arg2);
	case BRIG_HC_DEBUG_CONSOLE_PUTC:
		printk("%c", (char)arg1);
		return 0;
	case BRIG_HC_CELL_CHANNEL_INFO:
		return channel_info((unsigned int)arg1, arg2);
	case BRIG_HC_CELL_PORT_STATS:
		return port_stats((unsigned int)arg1, arg2);
	default:
		return -ENOSYS;
	}
}
