// SPDX-License-Identifier: GPL-2.0
/*
 * Cell management: validate, create, load, start, shut down, destroy.
 *
 * Every request is checked completely before anything changes
 * (docs/design.md, promise 4): the description the root hands over is copied into the
 * hypervisor's own memory first, so the root cannot change it between the
 * check and its use, and checked with the same code the tool and the
 * driver use, against the system description and every existing cell.
 *
 * CPUs are steered by requests (CPU_REQ_*) posted in their per-CPU data and
 * a kick; a CPU handles its requests on its way back into the guest (see
 * cpu_handle_requests() in cpu.c). The CPU that issues a request waits until the
 * target has acted on it where the order matters (parking before memory
 * moves, TLB flushes before memory is handed over).
 */
#include <brig/config-check.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/ivshmem.h>
#include <hv/control.h>
#include <hv/memory.h>
#include <hv/page-pool.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/string.h>

struct cell root_cell;
DEFINE_SPINLOCK(cell_lock);
static struct cell *cells[MAX_CELLS]; /* [0] is the root; under cell_lock */

struct cell *cell_find(unsigned int id)
{
	return id < MAX_CELLS ? cells[id] : NULL;
}

unsigned int cell_count(void)
{
	unsigned int n = 0;

	for (unsigned int id = 0; id < MAX_CELLS; id++)
		n += cells[id] != NULL;
	return n;
}

const struct brig_memory *cell_region_of(const struct cell *cell, u64 gpa)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);

	for (unsigned int n = 0; n < cell->config->num_memory_regions; n++)
		if (gpa >= mem[n].virt_start &&
		    gpa - mem[n].virt_start < mem[n].size)
			return &mem[n];
	return NULL;
}

/* --- CPU requests -------------------------------------------------------- */

static void park_cell_cpus(struct cell *cell)
{
	unsigned int n;

	/* A parked CPU gets no PARK: it would outlive the next START. */
	for_each_cell_cpu(n, cell)
		if (!READ_ONCE(per_cpu(n)->parked))
			cpu_post(per_cpu(n), CPU_REQ_PARK);
	for_each_cell_cpu(n, cell)
		while (!READ_ONCE(per_cpu(n)->parked))
			cpu_relax();
}

/* --- checking a description ------------------------------------------- */

static void report(void *ctx, enum brig_check_severity sev,
		   const struct brig_check_where *where, const char *msg)
{
	if (sev == BRIG_CHECK_ERROR)
		printk("brig: cell description refused: %s\n", msg);
}

static void free_config(const struct brig_cell_desc *config, u64 size)
{
	if (config)
		page_free(&mem_pool, (void *)config,
			  ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
}

/* The root's blob, copied into pool pages so it cannot change under us. */
static struct brig_cell_desc *copy_config(u64 gpa, u64 size)
{
	void *copy;

	if (size < sizeof(struct brig_cell_desc) ||
	    size > BRIG_HC_MAX_CONFIG_SIZE || !root_owns_ram(gpa, size))
		return NULL;
	copy = page_alloc(&mem_pool, ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
	if (copy)
		memcpy(copy, phys_to_hv(gpa), size);
	return copy;
}

/*
 * CPUs: in the root and in the hypervisor; for create (not for the dry
 * run, which the driver makes before it takes them from Linux) also not
 * the one asking.
 */
static int check_cpus(const struct brig_cell_desc *config, bool create)
{
	for (unsigned int n = 0; n < config->cpu_set_size * 8; n++) {
		struct per_cpu *cpu;

		if (!brig_cell_has_cpu(config, n))
			continue;
		if (n >= CONFIG_MAX_CPUS || !per_cpu(n)->online ||
		    per_cpu(n)->cell != &root_cell) {
			printk("brig: cell description refused: CPU %u is not the root cell's to give\n",
			       n);
			return -EINVAL;
		}
		cpu = per_cpu(n);
		if (create && cpu == this_cpu()) {
			printk("brig: cell description refused: CPU %u is the CPU asking for it\n",
			       n);
			return -EINVAL;
		}
	}
	return 0;
}

/* Against the system and every cell that exists. Caller holds cell_lock. */
static int check_config(const struct brig_cell_desc *config, u64 size,
			bool create)
{
	const struct brig_check_reporter rep = { report, NULL };
	struct brig_check_blob blobs[MAX_CELLS];
	struct brig_check_blob system = { system_config,
					  hv_header.config_size };
	unsigned int n = 0;

	for (unsigned int id = 1; id < MAX_CELLS; id++)
		if (cells[id])
			blobs[n++] = (struct brig_check_blob){
				cells[id]->config, cells[id]->config_size
			};
	blobs[n++] = (struct brig_check_blob){ config, size };
	if (brig_check_set(&system, blobs, n, &rep))
		return -EINVAL;
	for (unsigned int id = 1; id < MAX_CELLS; id++)
		if (cells[id] && !strncmp(cells[id]->config->name, config->name,
					  BRIG_CELL_NAME_LEN)) {
			printk("brig: cell description refused: a cell named \"%s\" exists\n",
			       config->name);
			return -EEXIST;
		}
	if (check_cpus(config, create) || pci_cell_check(config))
		return -EINVAL;
	return arch_cell_check(config);
}

long cell_validate(u64 gpa, u64 size)
{
	struct brig_cell_desc *config = copy_config(gpa, size);
	long err;

	if (!config)
		return -EINVAL;
	cell_lock_acquire();
	err = check_config(config, size, false);
	cell_lock_release();
	free_config(config, size);
	return err;
}

/* --- create and destroy ------------------------------------------------- */

static struct brig_comm_region *find_comm_region(const struct cell *cell)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);

	for (unsigned int n = 0; n < cell->config->num_memory_regions; n++)
		if (mem[n].flags & BRIG_MEM_COMM_REGION)
			return phys_to_hv(mem[n].phys_start);
	return NULL;
}

static int free_id(void)
{
	for (unsigned int id = 1; id < MAX_CELLS; id++)
		if (!cells[id])
			return (int)id;
	return -ENOSPC;
}

/*
 * The cell's memory: its own tables, then out of the root's; then what
 * only the arch knows (permission maps, devices, interrupt pins). On
 * failure everything is back where it was.
 */
static int take_resources(struct cell *cell)
{
	int err = cell_map_memory(cell);

	if (!err)
		err = root_map_regions(cell, false, 0);
	if (!err)
		err = arch_cell_create(cell);
	if (!err) {
		/* After the arch made the cell's IOMMU domain. */
		err = pci_cell_create(cell);
		/* From now on no root CPU reaches the devices: still as set? */
		if (!err) {
			flush_root_tlbs();
			err = pci_cell_verify(cell);
			/* Its channels' memory left the root with the rest. */
			if (!err)
				err = ivshmem_cell_create(cell);
			if (err)
				pci_cell_destroy(cell);
		}
		if (err)
			arch_cell_destroy(cell);
	}
	if (err) {
		root_map_regions(cell, true, 0);
		paging_destroy(&cell->stage2);
		flush_root_tlbs();
		printk("brig: cannot set up the cell's tables: %d\n", err);
	}
	return err;
}

/*
 * The cell's devices, interrupt pins and permissions go back while its
 * CPUs are still parked in it: nothing the cell's devices raise can reach
 * a CPU after it left (the arch drains what is pending when it scrubs).
 */
static void release_devices(struct cell *cell)
{
	ivshmem_cell_destroy(cell);
	pci_cell_destroy(cell);
	arch_cell_destroy(cell);
}

/*
 * What the cell had of the root's RAM goes back zeroed: the root gave it
 * away, it does not get the cell's data with it. Regions the root shared
 * all along hold nothing it could not read anyway. The cell's CPUs and
 * devices are quiet by now, so nothing writes behind the clearing.
 */
static void scrub_memory(const struct cell *cell, u32 only_flags)
{
	const struct brig_memory *mem = brig_cell_mem_regions(cell->config);

	for (unsigned int n = 0; n < cell->config->num_memory_regions; n++)
		if (mem[n].type == BRIG_MEM_TYPE_RAM &&
		    !(mem[n].flags & BRIG_MEM_ROOTSHARED) &&
		    (!only_flags || (mem[n].flags & only_flags)))
			memset(phys_to_hv(mem[n].phys_start), 0, mem[n].size);
}

/* The memory goes back too, once the cell's CPUs are the root's again. */
static void give_back_memory(struct cell *cell)
{
	scrub_memory(cell, 0);
	/* The cell's tables first: their pages may be what the root needs. */
	paging_destroy(&cell->stage2);
	/*
	 * Out of pool pages even so: what did not go back stays out of the
	 * root's reach (no one else's either) until disable, and is said.
	 */
	if (root_map_regions(cell, true, 0))
		printk("brig: cell \"%s\": the hypervisor's pool ran out giving its memory back; what is missing stays unmapped for the root until disable\n",
		       cell->config->name);
	/* Merges back into large pages retired the root's small tables. */
	flush_root_tlbs();
}

long cell_create(u64 gpa, u64 size)
{
	struct brig_cell_desc *config = copy_config(gpa, size);
	struct cell *cell = NULL;
	unsigned int n;
	long err;
	int id;

	if (!config)
		return -EINVAL;
	cell_lock_acquire();
	err = check_config(config, size, true);
	id = free_id();
	if (!err && id < 0)
		err = id;
	if (!err) {
		cell = page_alloc(&mem_pool,
				  ALIGN_UP(sizeof(*cell), PAGE_SIZE) /
					  PAGE_SIZE);
		err = cell ? 0 : -ENOMEM;
	}
	if (err)
		goto fail;
	cell->id = (unsigned int)id;
	cell->config = config;
	cell->config_size = size;
	cell->state = BRIG_CELL_STATE_STOPPED;
	cell->comm = find_comm_region(cell);
	err = take_resources(cell);
	if (err)
		goto fail;

	/* The CPUs leave the root: parked until the cell starts. */
	for_each_cell_cpu(n, cell)
		per_cpu(n)->cell = cell;
	park_cell_cpus(cell);
	flush_root_tlbs();
	cells[id] = cell;
	cell_lock_release();
	printk("brig: cell \"%s\" created (id %d)\n", config->name, id);
	return id;

fail:
	cell_lock_release();
	if (cell)
		page_free(&mem_pool, cell,
			  ALIGN_UP(sizeof(*cell), PAGE_SIZE) / PAGE_SIZE);
	free_config(config, size);
	return err;
}

static struct cell *get_cell(unsigned int id)
{
	struct cell *cell = id ? cell_find(id) : NULL;

	if (!cell)
		printk("brig: no cell with id %u%s\n", id,
		       id ? "" : " (the root cell cannot be managed)");
	return cell;
}

static bool is_running(const struct cell *cell)
{
	return READ_ONCE(cell->state) == BRIG_CELL_STATE_RUNNING;
}

/* Whether a passive cell said it listens (an OS's guest driver loaded). */
static bool cell_listens(const struct cell *cell)
{
	return !(cell->config->flags & BRIG_CELL_PASSIVE_COMMREG) ||
	       (READ_ONCE(cell->comm->cell_caps) & BRIG_COMM_CAP_LISTENS);
}

/*
 * Wait for the cell's reply, in slices: a cell that ends itself meanwhile
 * (it powered off: 0 is returned as if it approved) is not waited for to
 * the end. One that stops listening once asked has not answered: it is
 * not waited for either, and counts as silent (-ETIMEDOUT).
 */
static int wait_for_reply(struct cell *cell, u32 timeout_ms, u32 *reply)
{
	u32 waited = 0, slice;

	do {
		slice = timeout_ms - waited < 10 ? timeout_ms - waited : 10;
		*reply = arch_wait_for_reply(&cell->comm->reply_from_cell,
					     slice);
		if (*reply != BRIG_REPLY_NONE)
			return 0;
		if (!is_running(cell))
			return 0;
		if (!cell_listens(cell))
			return -ETIMEDOUT;
		waited += slice;
	} while (waited < timeout_ms);
	return -ETIMEDOUT;
}

/*
 * Ask the cell whether it may stop: 0 if it agrees, has no comm region or
 * ended itself meanwhile; -EBUSY if it denies; -EINPROGRESS if it stops
 * itself (it powers off, in its own time: the caller waits for its state
 * to leave RUNNING and asks again); -ETIMEDOUT if it does not answer in
 * time, or is asked again after it said it stops itself (it had its
 * time); -ENOTCONN if it cannot be asked (passive, and it has not said it
 * listens).
 */
static int ask_shutdown(struct cell *cell)
{
	struct brig_comm_region *comm = cell->comm;
	u32 timeout_ms = cell->config->shutdown_timeout_ms ?: 1000;
	u32 reply;
	int err;

	if (!comm)
		return 0;
	if (cell->stopping)
		return -ETIMEDOUT;
	if (!cell_listens(cell))
		return -ENOTCONN;
	WRITE_ONCE(comm->reply_from_cell, BRIG_REPLY_NONE);
	WRITE_ONCE(comm->msg_to_cell, BRIG_MSG_SHUTDOWN_REQUEST);
	err = wait_for_reply(cell, timeout_ms, &reply);
	if (err || reply == BRIG_REPLY_APPROVED || !is_running(cell))
		return err;
	if (reply == BRIG_REPLY_DENIED)
		return -EBUSY;
	if (reply == BRIG_REPLY_STOPPING) {
		cell->stopping = true;
		return -EINPROGRESS;
	}
	return -ETIMEDOUT;
}

/*
 * Stop a running cell, with its consent unless forced: -EBUSY if it
 * denied, -EINPROGRESS if it stops itself, -ENOTCONN if it cannot be
 * asked (in all three it runs on); -ETIMEDOUT if it did not answer and
 * was not forced (it is stopped and FAILED then); 0 once it is stopped.
 */
static int stop_cell(struct cell *cell, unsigned long flags)
{
	int err = 0;

	if (is_running(cell)) {
		err = ask_shutdown(cell);
		if (err == -EBUSY && !(flags & BRIG_SHUTDOWN_FORCE)) {
			printk("brig: cell \"%s\" denied the shutdown request\n",
			       cell->config->name);
			return err;
		}
		if (err == -EINPROGRESS && !(flags & BRIG_SHUTDOWN_FORCE)) {
			printk("brig: cell \"%s\" stops itself\n",
			       cell->config->name);
			return err;
		}
		if (err == -ENOTCONN && !(flags & BRIG_SHUTDOWN_FORCE)) {
			printk("brig: cell \"%s\" cannot be asked to stop (passive comm region, and nothing in it listens): only a forced request stops it\n",
			       cell->config->name);
			return err;
		}
		if (err == -EINPROGRESS || err == -ENOTCONN)
			err = 0; /* forced: stopped now */
	}
	/* First: no doorbell is sent to CPUs about to park. */
	ivshmem_cell_stopped(cell);
	park_cell_cpus(cell);
	if (err == -ETIMEDOUT) {
		u32 seen = BRIG_CELL_STATE_RUNNING;

		/* What it ended as by itself meanwhile stands: no timeout. */
		if (!__atomic_compare_exchange_n(
			    &cell->state, &seen, BRIG_CELL_STATE_FAILED, false,
			    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return 0;
		printk("brig: cell \"%s\" did not %s in %u ms: stopped, marked failed\n",
		       cell->config->name,
		       cell->stopping ? "stop itself" :
					"answer the shutdown request",
		       cell->config->shutdown_timeout_ms ?: 1000);
		return (flags & BRIG_SHUTDOWN_FORCE) ? 0 : err;
	} else {
		u32 seen = READ_ONCE(cell->state);

		/* A failure its CPUs reported meanwhile (no lock) stands. */
		if (seen != BRIG_CELL_STATE_FAILED)
			__atomic_compare_exchange_n(&cell->state, &seen,
						    BRIG_CELL_STATE_SHUT_DOWN,
						    false, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
	}
	return 0;
}

/*
 * Every request that stops a cell on the way to something else (load,
 * start again, destroy) asks it first, as shutdown does: a cell that
 * denies keeps running unless the root forces it. One that does not
 * answer is stopped anyway: what the root asked for goes on.
 */
static int stop_for_root(struct cell *cell, unsigned long flags)
{
	int err = stop_cell(cell, flags);

	return err == -ETIMEDOUT ? 0 : err;
}

/* Map (or unmap) the loadable regions in the root. */
static int set_loadable(struct cell *cell, bool loadable)
{
	int err;

	if (cell->loadable == loadable)
		return 0;
	/*
	 * Loading shows the root the cell's loadable RAM: what the cell left
	 * there since it last started is zeroed first, as on destroy.
	 */
	if (loadable && cell->has_run) {
		scrub_memory(cell, BRIG_MEM_LOADABLE);
		cell->has_run = false;
	}
	err = root_map_regions(cell, loadable, BRIG_MEM_LOADABLE);
	if (err)
		return err;
	if (!loadable)
		flush_root_tlbs();
	cell->loadable = loadable;
	return 0;
}

long cell_set_loadable(unsigned int id, unsigned long flags)
{
	struct cell *cell;
	long err = -ENOENT;

	if (flags & ~BRIG_SHUTDOWN_FORCE)
		return -EINVAL;
	cell_lock_acquire();
	cell = get_cell(id);
	if (cell)
		err = stop_for_root(cell, flags);
	if (!err) {
		if (cell->state != BRIG_CELL_STATE_FAILED)
			cell->state = BRIG_CELL_STATE_STOPPED;
		err = set_loadable(cell, true);
	}
	cell_lock_release();
	return err;
}

static void fill_comm_region(struct cell *cell)
{
	struct brig_comm_region *comm = cell->comm;
	unsigned int n, cpus = 0;

	if (!comm)
		return;
	for_each_cell_cpu(n, cell)
		cpus++;
	memset(comm, 0, sizeof(*comm));
	memcpy(comm->signature, BRIG_COMM_SIGNATURE, sizeof(comm->signature));
	comm->revision = BRIG_COMM_REVISION;
	comm->cell_state = BRIG_CELL_STATE_RUNNING;
	comm->num_cpus = cpus;
	comm->cell_id = cell->id;
	comm->tsc_khz = hv_header.tsc_khz;
	comm->pm_timer_port = system_config->platform.pm_timer_port;
	comm->console = cell->config->console;
}

unsigned int cell_boot_cpu(const struct cell *cell)
{
	unsigned int n;

	for_each_cell_cpu(n, cell)
		return n;
	return 0; /* the checker refuses an empty CPU set */
}

/*
 * The boot CPU runs from the entry, the others wait, off, until the cell
 * wakes them (x86: INIT/SIPI). They take their START first, so that what
 * the boot CPU asks of them comes after it; each START is taken before
 * any later request, so a shutdown cannot overtake it.
 */
static void start_cpus(struct cell *cell)
{
	unsigned int n, boot = cell_boot_cpu(cell);

	for_each_cell_cpu(n, cell) {
		WRITE_ONCE(per_cpu(n)->start_off, n != boot);
		if (n != boot)
			cpu_post(per_cpu(n), CPU_REQ_START);
	}
	for_each_cell_cpu(n, cell)
		cpu_wait_until_clear(per_cpu(n), CPU_REQ_START);
	cpu_post(per_cpu(boot), CPU_REQ_START);
	cpu_wait_until_clear(per_cpu(boot), CPU_REQ_START);
}

long cell_start(unsigned int id, unsigned long flags)
{
	struct cell *cell;
	long err = -ENOENT;

	if (flags & ~BRIG_SHUTDOWN_FORCE)
		return -EINVAL;
	cell_lock_acquire();
	cell = get_cell(id);
	if (!cell)
		goto out;
	err = stop_for_root(cell, flags);
	if (!err)
		err = set_loadable(cell, false);
	if (err)
		goto out;
	fill_comm_region(cell);
	ivshmem_cell_started(cell);
	cell->has_run = true;
	cell->stopping = false;
	cell->state = BRIG_CELL_STATE_RUNNING;
	start_cpus(cell);
	printk("brig: cell \"%s\" started\n", cell->config->name);
out:
	cell_lock_release();
	return err;
}

long cell_shutdown(unsigned int id, unsigned long flags)
{
	struct cell *cell;
	long err = -ENOENT;

	if (flags & ~BRIG_SHUTDOWN_FORCE)
		return -EINVAL;
	cell_lock_acquire();
	cell = get_cell(id);
	if (cell)
		err = stop_cell(cell, flags);
	cell_lock_release();
	return err;
}

long cell_destroy(unsigned int id, unsigned long flags)
{
	struct cell *cell;
	unsigned int n;
	long err = -ENOENT;

	if (flags & ~BRIG_SHUTDOWN_FORCE)
		return -EINVAL;
	cell_lock_acquire();
	cell = get_cell(id);
	if (cell)
		err = stop_for_root(cell, flags);
	if (err)
		goto out;
	set_loadable(cell, false);
	release_devices(cell);
	/* Scrubbed, back in the root, waiting for Linux to bring them up. */
	for_each_cell_cpu(n, cell) {
		per_cpu(n)->cell = &root_cell;
		cpu_post(per_cpu(n), CPU_REQ_TO_ROOT);
	}
	for_each_cell_cpu(n, cell)
		cpu_wait_until_clear(per_cpu(n), CPU_REQ_TO_ROOT);
	give_back_memory(cell);
	cells[id] = NULL;
	printk("brig: cell \"%s\" destroyed, its resources are the root's again\n",
	       cell->config->name);
	free_config(cell->config, cell->config_size);
	page_free(&mem_pool, cell,
		  ALIGN_UP(sizeof(*cell), PAGE_SIZE) / PAGE_SIZE);
out:
	cell_lock_release();
	return err;
}

long cell_get_state(unsigned int id)
{
	struct cell *cell;
	long state = -ENOENT;

	/* A device fault found now stops its cell before we answer. */
	arch_poll_device_faults();
	cell_lock_acquire();
	cell = cell_find(id);
	if (cell) {
		state = READ_ONCE(cell->state);
		/*
		 * A running cell may say it must not be stopped now, or that
		 * it failed by itself (an inmate's fatal exception).
		 */
		if (state == BRIG_CELL_STATE_RUNNING && cell->comm) {
			u32 said = READ_ONCE(cell->comm->cell_state);

			if (said == BRIG_CELL_STATE_RUNNING_LOCKED ||
			    said == BRIG_CELL_STATE_FAILED)
				state = said;
		}
	}
	cell_lock_release();
	return state;
}

/*
 * Stop a cell from inside: report why (who: which CPU, if any), set its
 * end state (a failure is never turned back into an orderly end) and park
 * its CPUs (a CPU already parked gets no PARK: it would outlive the next
 * START). The calling CPU, if it is one of them, parks on its way out.
 */
static void end_cell(struct cell *cell, const char *who, u32 state,
		     const char *fmt, va_list ap)
{
	char msg[200];
	unsigned int n;
	u32 seen;

	if (state == BRIG_CELL_STATE_FAILED) {
		WRITE_ONCE(cell->state, state);
	} else {
		/* Another CPU of the cell may fail it meanwhile (no lock). */
		seen = READ_ONCE(cell->state);
		if (seen == BRIG_CELL_STATE_FAILED ||
		    !__atomic_compare_exchange_n(&cell->state, &seen, state,
						 false, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
			state = seen;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	printk("brig: cell \"%s\" (id %u)%s: %s; cell stopped, state %s\n",
	       cell->config->name, cell->id, who, msg,
	       state == BRIG_CELL_STATE_FAILED ? "failed" : "shut down");
	for_each_cell_cpu(n, cell)
		if (per_cpu(n) == this_cpu() || !READ_ONCE(per_cpu(n)->parked))
			cpu_post(per_cpu(n), CPU_REQ_PARK);
	/* Its channels' peers hear it went (a doorbell to it is dropped). */
	ivshmem_cell_stopped(cell);
}

void cell_fail(struct per_cpu *cpu, const char *fmt, ...)
{
	char who[16];
	va_list ap;

	snprintf(who, sizeof(who), " CPU %u", cpu->cpu_id);
	va_start(ap, fmt);
	end_cell(cpu->cell, who, BRIG_CELL_STATE_FAILED, fmt, ap);
	va_end(ap);
}

void cell_end(struct per_cpu *cpu, const char *fmt, ...)
{
	char who[16];
	va_list ap;

	snprintf(who, sizeof(who), " CPU %u", cpu->cpu_id);
	va_start(ap, fmt);
	end_cell(cpu->cell, who, BRIG_CELL_STATE_SHUT_DOWN, fmt, ap);
	va_end(ap);
}

void cell_fail_remote(struct cell *cell, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end_cell(cell, "", BRIG_CELL_STATE_FAILED, fmt, ap);
	va_end(ap);
}

void cell_init_root(void)
{
	root_cell.id = 0;
	root_cell.config = &system_config->root_cell;
	root_cell.config_size = brig_cell_desc_size(root_cell.config);
	root_cell.state = BRIG_CELL_STATE_RUNNING;
	/* Root CPUs run on while its tables change: free only after flushes. */
	root_cell.stage2.retired = &root_cell.retired;
	cells[0] = &root_cell;
}
