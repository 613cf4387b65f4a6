// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmem channels (hv/ivshmem.h): each peer a virtual PCI function in
 * the register model of brig/ivshmem.h, the channel the memory and the
 * lock they share.
 */
#include <brig/hypercall.h>
#include <brig/ivshmem.h>
#include <hv/arch.h>
#include <hv/cell.h>
#include <hv/ivshmem.h>
#include <hv/mmio.h>
#include <hv/paging.h>
#include <hv/pci.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/string.h>

#define MAX_ENDS PCI_MAX_VDEVS /* every peer is a virtual function */
#define MAX_CHANNELS MAX_ENDS

/* Configuration space of a peer's function (dword indexes below). */
#define CFG_COMMAND 0x04
#define CFG_VENDOR_CAP 0x40
#define CFG_MSIX_CAP 0x60
#define CMD_MEMORY BIT(1)
#define MSIX_CTRL_ENABLE BIT(31) /* of the capability's first dword */
#define MSIX_CTRL_MASKALL BIT(30)
#define MSIX_ENTRY_MASKED BIT(0)

struct msix_entry {
	u32 addr_lo, addr_hi, data, ctrl;
};

/* One peer: a cell's side of a channel. */
struct end {
	struct pci_vdev vdev;
	struct channel *ch;
	struct cell *cell;
	const struct brig_ivshmem *d;
	/* under ch->lock */
	bool running; /* its cell runs: doorbells reach it */
	u32 int_ctrl;
	u32 state;
	bool oneshot;
	u32 msix_ctrl; /* the capability's control, as its owner set it */
	struct msix_entry msix[BRIG_IVSHMEM_MAX_VECTORS];
	/* where each vector goes, once its owner made it live */
	bool live[BRIG_IVSHMEM_MAX_VECTORS];
	unsigned int cpu[BRIG_IVSHMEM_MAX_VECTORS];
	unsigned int vector[BRIG_IVSHMEM_MAX_VECTORS];
};

struct channel {
	bool used;
	u16 id;
	u64 phys, size;
	spinlock_t lock;
	struct end *peer[BRIG_IVSHMEM_MAX_PEERS];
};

static struct end ends[MAX_ENDS];
static struct channel channels[MAX_CHANNELS];

u64 ivshmem_mem_size(const struct brig_ivshmem *d)
{
	return BRIG_IVSHMEM_STATE_TABLE_SIZE + (u64)d->rw_size +
	       (u64)d->num_peers * d->out_size;
}

static u64 out_offset(const struct brig_ivshmem *d, unsigned int peer)
{
	return BRIG_IVSHMEM_STATE_TABLE_SIZE + (u64)d->rw_size +
	       (u64)peer * d->out_size;
}

static bool is_ivshmem(const struct brig_pci_device *dev)
{
	return dev->type == BRIG_PCI_TYPE_IVSHMEM;
}

/* --- memory --------------------------------------------------------------- */

static int map_one(const struct paging_structs *pg,
		   const struct brig_ivshmem *d)
{
	int err = paging_map(pg, d->shmem_virt, d->shmem_phys,
			     BRIG_IVSHMEM_STATE_TABLE_SIZE, PAGE_READ);

	if (!err && d->rw_size)
		err = paging_map(pg,
				 d->shmem_virt + BRIG_IVSHMEM_STATE_TABLE_SIZE,
				 d->shmem_phys + BRIG_IVSHMEM_STATE_TABLE_SIZE,
				 d->rw_size, PAGE_RW);
	for (unsigned int p = 0; p < d->num_peers && !err && d->out_size; p++)
		err = paging_map(pg, d->shmem_virt + out_offset(d, p),
				 d->shmem_phys + out_offset(d, p), d->out_size,
				 p == d->peer ? PAGE_RW : PAGE_READ);
	return err;
}

int ivshmem_map_sections(struct cell *cell)
{
	const struct brig_pci_device *dev = brig_cell_pci_devices(cell->config);
	int err = 0;

	for (unsigned int n = 0; n < cell->config->num_pci_devices && !err; n++)
		if (is_ivshmem(&dev[n]))
			err = map_one(&cell->stage2, &dev[n].ivshmem);
	return err;
}

bool ivshmem_channel_held(u64 phys, const struct cell *except)
{
	for (unsigned int n = 0; n < MAX_ENDS; n++)
		if (ends[n].cell && ends[n].cell != except &&
		    ends[n].d->shmem_phys == phys)
			return true;
	return false;
}

bool ivshmem_root_peer(u64 phys)
{
	for (unsigned int n = 0; n < MAX_ENDS; n++)
		if (ends[n].cell == &root_cell && ends[n].d->shmem_phys == phys)
			return true;
	return false;
}

bool ivshmem_describe(const struct cell *cell, u64 gpa, char *buf,
		      unsigned int size)
{
	const struct brig_pci_device *dev = brig_cell_pci_devices(cell->config);

	for (unsigned int n = 0; n < cell->config->num_pci_devices; n++) {
		const struct brig_ivshmem *d = &dev[n].ivshmem;
		u64 off = gpa - d->shmem_virt, out;

		if (!is_ivshmem(&dev[n]) || gpa < d->shmem_virt ||
		    off >= ivshmem_mem_size(d))
			continue;
		out = off - out_offset(d, 0);
		if (off < BRIG_IVSHMEM_STATE_TABLE_SIZE)
			snprintf(
				buf, size,
				"the state table of ivshmem channel %u (read-only)",
				d->channel);
		else if (off < out_offset(d, 0))
			snprintf(buf, size,
				 "the read/write section of ivshmem channel %u",
				 d->channel);
		else
			snprintf(
				buf, size,
				"peer %llu's output section of ivshmem channel %u (%s)",
				(unsigned long long)(out / d->out_size),
				d->channel,
				out / d->out_size == d->peer ? "its own" :
							       "read-only");
		return true;
	}
	return false;
}

static u32 *state_table(const struct channel *ch)
{
	return phys_to_hv(ch->phys);
}

/* --- interrupts ----------------------------------------------------------- */

/*
 * Where vector v of the root's end goes now. Its Linux may move the
 * interrupt without touching the MSI-X entry (with interrupt remapping it
 * rewrites the remapping entry only), so it is resolved at each doorbell;
 * one that no longer passes is dropped, and said once.
 */
static bool root_target(struct end *e, unsigned int v)
{
	const struct msix_entry *m = &e->msix[v];
	const char *why;

	if (arch_msi_target(e->cell, e->vdev.bdf,
			    (u64)m->addr_hi << 32 | m->addr_lo, m->data,
			    &e->cpu[v], &e->vector[v], &why))
		return true;
	if (report_once(0x1e00000000ULL | (u64)e->vdev.bdf << 8 | v))
		printk("brig: root cell: doorbell for MSI-X entry %u of ivshmem device " BDF_FMT
		       " dropped: %s; reported once\n",
		       v, BDF_ARGS(e->vdev.bdf), why);
	return false;
}

/*
 * Send vector v of end e if its owner lets it through: live[v] already
 * says MSI-X is on and the function and entry unmasked (update_vector()
 * runs on every change of those). Under e->ch->lock.
 */
static bool deliver(struct end *e, unsigned int v)
{
	if (!e->running || !(e->int_ctrl & BRIG_IVSHMEM_INT_ENABLE) ||
	    v >= e->d->vectors || !e->live[v])
		return false;
	if (e->cell == &root_cell && !root_target(e, v))
		return false;
	arch_raise_irq(e->cpu[v], e->vector[v]);
	if (e->oneshot)
		e->int_ctrl &= ~BRIG_IVSHMEM_INT_ENABLE;
	return true;
}

/* A peer's state changed: its table entry, vector 0 at every other peer. */
static void set_state(struct end *e, u32 state)
{
	struct channel *ch = e->ch;
	bool changed = e->state != state;

	e->state = state;
	WRITE_ONCE(state_table(ch)[e->d->peer], state);
	if (!changed)
		return;
	for (unsigned int p = 0; p < BRIG_IVSHMEM_MAX_PEERS; p++)
		if (ch->peer[p] && ch->peer[p] != e)
			deliver(ch->peer[p], 0);
}

/*
 * Vector v of e is live when MSI-X is on, neither the function nor the
 * entry is masked: then its message must pass the interrupt policy.
 * False: it does not, *why says how (the caller fails the cell, without
 * the lock). Under e->ch->lock.
 */
static bool update_vector(struct end *e, unsigned int v, const char **why)
{
	const struct msix_entry *m = &e->msix[v];
	u64 addr = (u64)m->addr_hi << 32 | m->addr_lo;

	e->live[v] = false;
	if ((e->msix_ctrl & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL)) !=
		    MSIX_CTRL_ENABLE ||
	    (m->ctrl & MSIX_ENTRY_MASKED))
		return true;
	if (!arch_msi_target(e->cell, e->vdev.bdf, addr, m->data, &e->cpu[v],
			     &e->vector[v], why))
		return false;
	e->live[v] = true;
	return true;
}

/*
 * Entry v went live aimed where the policy forbids: a cell fails (false);
 * the root's entry stays off, which is reported (true: the root goes on).
 */
static bool refuse_vector(struct per_cpu *cpu, const struct end *e,
			  unsigned int v, const char *why)
{
	if (e->cell != &root_cell) {
		cell_fail(cpu,
			  "MSI-X entry %u of ivshmem device " BDF_FMT
			  " (address %x:%08x data %x): %s",
			  v, BDF_ARGS(e->vdev.bdf), e->msix[v].addr_hi,
			  e->msix[v].addr_lo, e->msix[v].data, why);
		return false;
	}
	if (report_once(0x1d00000000ULL | (u64)e->vdev.bdf << 8 | v))
		printk("brig: root cell CPU %u: MSI-X entry %u of ivshmem device " BDF_FMT
		       " (address %x:%08x data %x) refused: %s; the vector stays off; reported once\n",
		       cpu->cpu_id, v, BDF_ARGS(e->vdev.bdf),
		       e->msix[v].addr_hi, e->msix[v].addr_lo, e->msix[v].data,
		       why);
	return true;
}

/* --- registers and MSI-X table (BAR 0 and 1) ------------------------------ */

static u32 reg_read(struct end *e, unsigned int off)
{
	switch (off) {
	case BRIG_IVSHMEM_REG_ID:
		return e->d->peer;
	case BRIG_IVSHMEM_REG_MAX_PEERS:
		return e->d->num_peers;
	case BRIG_IVSHMEM_REG_INTX_CTRL:
		return e->int_ctrl;
	case BRIG_IVSHMEM_REG_STATE:
		return e->state;
	}
	return 0;
}

static void doorbell(struct end *e, u32 val)
{
	unsigned int target = val >> 16;

	/* A missing peer, or one that does not run: dropped. */
	if (target < BRIG_IVSHMEM_MAX_PEERS && e->ch->peer[target])
		deliver(e->ch->peer[target], val & 0xffff);
}

static void reg_write(struct end *e, unsigned int off, u32 val)
{
	/*
	 * A CPU of a cell that is being stopped (another of its CPUs
	 * failed) may still be on its way here: it changes nothing.
	 */
	if (!e->running)
		return;
	switch (off) {
	case BRIG_IVSHMEM_REG_INTX_CTRL:
		e->int_ctrl = val & BRIG_IVSHMEM_INT_ENABLE;
		break;
	case BRIG_IVSHMEM_REG_DOORBELL:
		doorbell(e, val);
		break;
	case BRIG_IVSHMEM_REG_STATE:
		set_state(e, val);
		break;
	}
}

static u32 msix_read(const struct end *e, unsigned int off)
{
	unsigned int v = off / 16;

	if (v >= e->d->vectors)
		return 0; /* beyond the table: the pending bits, never set */
	return ((const u32 *)&e->msix[v])[(off % 16) / 4];
}

/* False: the entry went live aimed where the policy forbids (*v, *why). */
static bool msix_write(struct end *e, unsigned int off, u32 val,
		       unsigned int *v, const char **why)
{
	*v = off / 16;
	if (*v >= e->d->vectors)
		return true;
	if (off % 16 == 12)
		val &= MSIX_ENTRY_MASKED;
	((u32 *)&e->msix[*v])[(off % 16) / 4] = val;
	return update_vector(e, *v, why);
}

/*
 * Aligned 32-bit accesses only, as the model says; others read 0 and are
 * dropped. Decoding off: all-ones and dropped, as on a real bus.
 */
static enum mmio_result bar_access(struct per_cpu *cpu, struct mmio_access *acc,
				   void *arg)
{
	struct end *e = arg;
	unsigned int off = (unsigned int)(acc->address - e->d->bar_base);
	const char *why = NULL;
	unsigned int v = 0;
	bool ok = true;

	if (!(READ_ONCE(e->vdev.cfg[CFG_COMMAND / 4]) & CMD_MEMORY)) {
		acc->value = ~0ULL;
		return MMIO_HANDLED;
	}
	if (acc->size != 4 || (off & 3)) {
		acc->value = 0;
		return MMIO_HANDLED;
	}
	spin_lock(&e->ch->lock);
	if (off < BRIG_IVSHMEM_REG_BAR_SIZE) {
		if (acc->is_write)
			reg_write(e, off, (u32)acc->value);
		else
			acc->value = reg_read(e, off);
	} else {
		off -= BRIG_IVSHMEM_REG_BAR_SIZE;
		if (acc->is_write)
			ok = msix_write(e, off, (u32)acc->value, &v, &why);
		else
			acc->value = msix_read(e, off);
	}
	spin_unlock(&e->ch->lock);
	if (ok || refuse_vector(cpu, e, v, why))
		return MMIO_HANDLED;
	return MMIO_CELL_FAILED;
}

/* --- the root's writes the model forbids --------------------------------- */

/* Which section off is in: 0 the state table, 1 common, 2 + p outputs. */
static unsigned int section_of(const struct brig_ivshmem *d, u64 off)
{
	if (off < BRIG_IVSHMEM_STATE_TABLE_SIZE)
		return 0;
	if (off < out_offset(d, 0))
		return 1;
	return 2 + (unsigned int)((off - out_offset(d, 0)) / d->out_size);
}

/*
 * The root's access to channel memory that faulted: a write where the
 * model makes it read-only (the state table, another peer's output
 * section), as every other part is mapped readable and its own parts
 * writable. The root is not stopped for it: the write is dropped and
 * reported, once per section. A read (it cannot fault) reads memory.
 */
static enum mmio_result root_shmem_access(struct per_cpu *cpu,
					  struct mmio_access *acc, void *arg)
{
	const struct end *e = arg;
	u64 off = acc->address - e->d->shmem_virt;
	const u8 *mem = (const u8 *)state_table(e->ch);
	char what[96];

	if (!acc->is_write) {
		acc->value = 0;
		for (unsigned int b = 0; b < acc->size && off + b < e->ch->size;
		     b++)
			acc->value |= (u64)mem[off + b] << (8 * b);
		return MMIO_HANDLED;
	}
	if (report_once(0x1f00000000ULL | (u64)e->d->channel << 8 |
			section_of(e->d, off)) &&
	    ivshmem_describe(&root_cell, acc->address, what, sizeof(what)))
		printk("brig: root cell CPU %u: write of %s at %llx dropped; reported once per section\n",
		       cpu->cpu_id, what, (unsigned long long)acc->address);
	return MMIO_HANDLED;
}

int ivshmem_root_restrict(const struct paging_structs *pg)
{
	const struct brig_cell_desc *c = root_cell.config;
	const struct brig_pci_device *dev = brig_cell_pci_devices(c);
	int err = 0;

	for (unsigned int n = 0; n < c->num_pci_devices && !err; n++) {
		const struct brig_ivshmem *d = &dev[n].ivshmem;
		unsigned int flags;

		/* Only what the description let it reach (DMA: flagged RAM). */
		if (!is_ivshmem(&dev[n]) ||
		    paging_virt_to_phys_walk(pg, d->shmem_phys, &flags) ==
			    INVALID_PHYS)
			continue;
		err = paging_unmap(pg, d->shmem_phys, ivshmem_mem_size(d));
		if (!err)
			err = map_one(pg, d);
	}
	return err;
}

/* --- configuration space -------------------------------------------------- */

/* After the core applied a write: MSI-X control and one-shot mode. */
static bool cfg_written(struct per_cpu *cpu, struct pci_vdev *dev,
			unsigned int reg, u32 old, u32 val)
{
	struct end *e = dev->priv;
	const char *why = NULL, *bad_why = NULL;
	unsigned int v, bad = 0;

	(void)old;
	spin_lock(&e->ch->lock);
	if (reg == CFG_VENDOR_CAP) {
		e->oneshot = (val >> 24) & BRIG_IVSHMEM_PRIV_ONESHOT;
	} else if (reg == CFG_MSIX_CAP) {
		e->msix_ctrl = val & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
		/* Every entry is updated; the first refused one is said. */
		for (v = 0; v < e->d->vectors; v++)
			if (!update_vector(e, v, &why) && !bad_why) {
				bad = v;
				bad_why = why;
			}
	}
	spin_unlock(&e->ch->lock);
	return !bad_why || refuse_vector(cpu, e, bad, bad_why);
}

static const struct pci_vdev_ops vdev_ops = { .on_write = cfg_written };

/* The function as a reset leaves it: decoding and MSI-X off, all masked. */
static void reset_config(struct end *e)
{
	const struct brig_ivshmem *d = e->d;
	struct pci_vdev *dev = &e->vdev;

	memset(dev->cfg, 0, sizeof(dev->cfg));
	memset(dev->wmask, 0, sizeof(dev->wmask));
	dev->cfg[0] = (u32)BRIG_IVSHMEM_DEVICE << 16 | BRIG_IVSHMEM_VENDOR;
	dev->cfg[1] = BIT(20); /* status: capability list */
	dev->wmask[1] = BIT(1) | BIT(2) | BIT(10); /* memory, master, no INTx */
	dev->cfg[2] = (u32)BRIG_IVSHMEM_CLASS << 24 | (u32)d->protocol << 8;
	dev->cfg[4] = (u32)d->bar_base;
	dev->cfg[5] = (u32)d->bar_base + BRIG_IVSHMEM_REG_BAR_SIZE;
	dev->bar_size[0] = BRIG_IVSHMEM_REG_BAR_SIZE;
	dev->bar_size[1] = BRIG_IVSHMEM_MSIX_BAR_SIZE;
	dev->cfg[11] = dev->cfg[0]; /* subsystem: brig's own model */
	dev->cfg[13] = CFG_VENDOR_CAP;
	dev->cfg[CFG_VENDOR_CAP / 4] = BRIG_IVSHMEM_CAP_LENGTH << 16 |
				       CFG_MSIX_CAP << 8 | 0x09;
	dev->wmask[CFG_VENDOR_CAP / 4] = (u32)BRIG_IVSHMEM_PRIV_ONESHOT << 24;
	dev->cfg[CFG_VENDOR_CAP / 4 + 1] = BRIG_IVSHMEM_STATE_TABLE_SIZE;
	dev->cfg[CFG_VENDOR_CAP / 4 + 2] = d->rw_size;
	dev->cfg[CFG_VENDOR_CAP / 4 + 4] = d->out_size;
	dev->cfg[CFG_VENDOR_CAP / 4 + 6] = (u32)d->shmem_virt;
	dev->cfg[CFG_VENDOR_CAP / 4 + 7] = (u32)(d->shmem_virt >> 32);
	dev->cfg[CFG_MSIX_CAP / 4] = (u32)(d->vectors - 1) << 16 | 0x11;
	dev->wmask[CFG_MSIX_CAP / 4] = MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL;
	dev->cfg[CFG_MSIX_CAP / 4 + 1] = 1; /* table: BAR 1, offset 0 */
	dev->cfg[CFG_MSIX_CAP / 4 + 2] = BRIG_IVSHMEM_MSIX_PBA | 1;
}

/* Registers, MSI-X and state as after reset. Under e->ch->lock. */
static void reset_end(struct end *e)
{
	reset_config(e);
	e->int_ctrl = 0;
	e->oneshot = false;
	e->msix_ctrl = 0;
	for (unsigned int v = 0; v < BRIG_IVSHMEM_MAX_VECTORS; v++) {
		e->msix[v] = (struct msix_entry){ .ctrl = MSIX_ENTRY_MASKED };
		e->live[v] = false;
	}
}

/* --- peers joining and leaving ------------------------------------------- */

static struct channel *find_channel(u16 id)
{
	for (unsigned int n = 0; n < MAX_CHANNELS; n++)
		if (channels[n].used && channels[n].id == id)
			return &channels[n];
	return NULL;
}

static struct channel *get_channel(const struct brig_ivshmem *d)
{
	struct channel *ch = find_channel(d->channel);

	if (ch)
		return ch->phys == d->shmem_phys &&
				       ch->size == ivshmem_mem_size(d) ?
			       ch :
			       NULL;
	for (unsigned int n = 0; n < MAX_CHANNELS; n++) {
		ch = &channels[n];
		if (ch->used)
			continue;
		memset(ch, 0, sizeof(*ch));
		ch->used = true;
		ch->id = d->channel;
		ch->phys = d->shmem_phys;
		ch->size = ivshmem_mem_size(d);
		return ch;
	}
	return NULL;
}

static struct end *free_end(void)
{
	for (unsigned int n = 0; n < MAX_ENDS; n++)
		if (!ends[n].cell)
			return &ends[n];
	return NULL;
}

static bool channel_empty(const struct channel *ch)
{
	for (unsigned int p = 0; p < BRIG_IVSHMEM_MAX_PEERS; p++)
		if (ch->peer[p])
			return false;
	return true;
}

/*
 * The peer leaves: its entry reads 0, the others hear it; the last one
 * out zeroes the memory for the root. Its cell's CPUs are parked.
 */
static void leave(struct end *e)
{
	struct channel *ch = e->ch;

	mmio_unregister_arg(e->cell, e);
	pci_vdev_detach(&e->vdev);
	spin_lock(&ch->lock);
	e->running = false;
	set_state(e, 0);
	ch->peer[e->d->peer] = NULL;
	spin_unlock(&ch->lock);
	/*
	 * What it left in its output section does not go to whoever is
	 * peer d->peer next (another cell, maybe).
	 */
	if (e->d->out_size)
		memset((u8 *)state_table(ch) + out_offset(e->d, e->d->peer), 0,
		       e->d->out_size);
	if (channel_empty(ch)) {
		memset(state_table(ch), 0, ch->size);
		ch->used = false;
	}
	e->cell = NULL;
}

static int join(struct cell *cell, const struct brig_pci_device *dev)
{
	const struct brig_ivshmem *d = &dev->ivshmem;
	struct channel *ch = get_channel(d);
	struct end *e = free_end();
	int err;

	/* The checker compared the descriptions; this only keeps us safe. */
	if (!ch || !e || ch->peer[d->peer]) {
		printk("brig: ivshmem channel %u: peer %u cannot join (%s)\n",
		       d->channel, d->peer,
		       !ch ? "its memory differs, or no channel left" :
		       !e  ? "no device left" :
			     "that peer exists");
		if (ch && channel_empty(ch))
			ch->used = false;
		return !e ? -ENOSPC : -EINVAL;
	}
	memset(e, 0, sizeof(*e));
	e->ch = ch;
	e->cell = cell;
	e->d = d;
	e->vdev.bdf = dev->bdf;
	e->vdev.ops = &vdev_ops;
	e->vdev.priv = e;
	e->vdev.fixed_bars = true;
	reset_end(e);
	err = pci_vdev_attach(cell, &e->vdev);
	if (!err)
		err = mmio_register(cell, d->bar_base,
				    BRIG_IVSHMEM_REG_BAR_SIZE +
					    BRIG_IVSHMEM_MSIX_BAR_SIZE,
				    bar_access, e);
	if (!err && cell == &root_cell)
		err = mmio_register(cell, d->shmem_virt, ivshmem_mem_size(d),
				    root_shmem_access, e);
	if (err) {
		printk("brig: ivshmem channel %u: peer %u cannot join (%d): its BARs at %llx or, for the root, its memory overlap another trapped range\n",
		       d->channel, d->peer, err,
		       (unsigned long long)d->bar_base);
		mmio_unregister_arg(cell, e);
		pci_vdev_detach(&e->vdev);
		e->cell = NULL;
		if (channel_empty(ch))
			ch->used = false;
		return err;
	}
	spin_lock(&ch->lock);
	ch->peer[d->peer] = e;
	WRITE_ONCE(state_table(ch)[d->peer], 0);
	spin_unlock(&ch->lock);
	return 0;
}

int ivshmem_cell_create(struct cell *cell)
{
	const struct brig_pci_device *dev = brig_cell_pci_devices(cell->config);
	int err = 0;

	for (unsigned int n = 0; n < cell->config->num_pci_devices && !err; n++)
		if (is_ivshmem(&dev[n]))
			err = join(cell, &dev[n]);
	if (err)
		ivshmem_cell_destroy(cell);
	return err;
}

void ivshmem_cell_destroy(struct cell *cell)
{
	for (unsigned int n = 0; n < MAX_ENDS; n++)
		if (ends[n].cell == cell)
			leave(&ends[n]);
}

int ivshmem_root_init(void)
{
	int err = ivshmem_cell_create(&root_cell);

	if (!err)
		err = ivshmem_root_restrict(&root_cell.stage2);
	if (err) {
		printk("brig: the root's ivshmem devices cannot be set up (%d)\n",
		       err);
		return err;
	}
	ivshmem_cell_started(&root_cell);
	return 0;
}

void ivshmem_cell_started(struct cell *cell)
{
	for (unsigned int n = 0; n < MAX_ENDS; n++) {
		struct end *e = &ends[n];

		if (e->cell != cell)
			continue;
		spin_lock(&e->ch->lock);
		reset_end(e);
		set_state(e, 0); /* what a stopped CPU wrote late is gone */
		e->running = true;
		spin_unlock(&e->ch->lock);
	}
}

void ivshmem_cell_stopped(struct cell *cell)
{
	for (unsigned int n = 0; n < MAX_ENDS; n++) {
		struct end *e = &ends[n];

		if (READ_ONCE(e->cell) != cell)
			continue;
		spin_lock(&e->ch->lock);
		/*
		 * A failure found elsewhere (a device fault) may race the
		 * cell's destroy: a peer that left already has no entry to
		 * clear, and its memory may be the root's again.
		 */
		if (e->ch->peer[e->d->peer] == e) {
			e->running = false;
			set_state(e, 0);
		}
		spin_unlock(&e->ch->lock);
	}
}

/* --- what the root asks about ------------------------------------------ */

static struct end *nth_end(const struct cell *cell, unsigned int n)
{
	const struct brig_pci_device *dev = brig_cell_pci_devices(cell->config);
	const struct brig_ivshmem *d = NULL;

	for (unsigned int i = 0; i < cell->config->num_pci_devices && !d; i++)
		if (is_ivshmem(&dev[i]) && n-- == 0)
			d = &dev[i].ivshmem;
	for (unsigned int i = 0; i < MAX_ENDS && d; i++)
		if (ends[i].cell == cell && ends[i].d == d)
			return &ends[i];
	return NULL;
}

static long end_info(const struct end *e, unsigned int what)
{
	const struct channel *ch = e->ch;
	unsigned int present = 0;

	if (what > e->d->num_peers)
		return -EINVAL;
	if (what)
		return READ_ONCE(state_table(ch)[what - 1]);
	for (unsigned int p = 0; p < e->d->num_peers; p++)
		if (ch->peer[p])
			present |= 1u << p;
	return (long)BRIG_CHANNEL_INFO(e->d->channel, present, e->d->peer,
				       e->d->num_peers);
}

long ivshmem_cell_info(const struct cell *cell, unsigned long which)
{
	struct end *e = nth_end(cell, (unsigned int)(which >> 16));

	return e ? end_info(e, which & 0xffff) : -ENOENT;
}
