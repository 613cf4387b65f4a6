// SPDX-License-Identifier: GPL-2.0
/*
 * IO-APIC pins of cells (arch/ioapic.h).
 *
 * An IO-APIC has one select register (IOREGSEL) in front of all its
 * registers, so whoever selects must also complete the access before
 * anyone else selects: once the hypervisor traps the root's page, every
 * real access is the hypervisor's, done under one lock, and each cell
 * (the root too) has a select register of its own, emulated.
 *
 * Why the real entry of a cell's pin never holds what the cell wrote: a
 * compatibility-format entry would be delivered without any check, to any
 * CPU. It holds a remappable entry instead (VT-d spec, 5.1.5.1: vector,
 * trigger and polarity of the pin, the handle of the remapping entry),
 * and the remapping entry, built by the hypervisor from the validated
 * wish, says where the interrupt goes and that only this IO-APIC may
 * raise it.
 */
#include <hv/cell.h>
#include <hv/mmio.h>
#include <hv/memory.h>
#include <hv/paging.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/setup.h>
#include <hv/spinlock.h>
#include <arch/apic.h>
#include <arch/exits.h>
#include <arch/ioapic.h>
#include <arch/iommu.h>
#include <arch/layout.h>
#include <arch/mmio.h>
#include <arch/percpu-types.h>

/* The register page: select, window and (version 0x20 and up) EOI. */
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOEOI 0x40

/* Registers behind the window. */
#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_RTE 0x10 /* two per pin: low, high */

/* Redirection entry fields (compatibility format unless said). */
#define RTE_VECTOR 0xffULL
#define RTE_MODE(e) ((unsigned int)((e) >> 8) & 7) /* 0 fixed, 1 lowest */
#define RTE_LOGICAL BIT_ULL(11) /* remappable format: handle bit 15 */
#define RTE_BUSY BIT_ULL(12)
#define RTE_LOW BIT_ULL(13)
#define RTE_RIRR BIT_ULL(14)
#define RTE_LEVEL BIT_ULL(15)
#define RTE_MASKED BIT_ULL(16)
#define RTE_REMAPPABLE BIT_ULL(48)
#define RTE_DEST(e) ((u32)((e) >> 56))

struct ioapic {
	const struct brig_irqchip *desc; /* the root's description */
	volatile u32 *regs;
	unsigned int pins; /* redirection entries it has */
	u8 version;
	struct cell *owner[BRIG_IRQCHIP_PINS]; /* NULL: the root's */
	u64 root_rte[BRIG_IRQCHIP_PINS]; /* a cell's pin: what the root wrote */
	u64 cell_rte[BRIG_IRQCHIP_PINS]; /* a cell's pin: what the cell wrote */
};

static struct ioapic chips[X86_MAX_IOAPICS];
static unsigned int num_chips;
static DEFINE_SPINLOCK(ioapic_lock);

static struct ioapic *chip_at(u64 page)
{
	for (unsigned int n = 0; n < num_chips; n++)
		if (chips[n].desc->address == page)
			return &chips[n];
	return NULL;
}

static unsigned int index_of(const struct ioapic *a)
{
	return (unsigned int)(a - chips);
}

/* --- the real registers (caller holds ioapic_lock) ---------------------- */

static u32 reg_read(struct ioapic *a, u32 reg)
{
	a->regs[IOREGSEL / 4] = reg;
	return a->regs[IOWIN / 4];
}

static void reg_write(struct ioapic *a, u32 reg, u32 val)
{
	a->regs[IOREGSEL / 4] = reg;
	a->regs[IOWIN / 4] = val;
}

static u64 rte_read(struct ioapic *a, unsigned int pin)
{
	return reg_read(a, REG_RTE + 2 * pin) |
	       (u64)reg_read(a, REG_RTE + 2 * pin + 1) << 32;
}

/* Masked while half written: no interrupt ever sees a mixed entry. */
static void rte_write(struct ioapic *a, unsigned int pin, u64 e)
{
	reg_write(a, REG_RTE + 2 * pin, (u32)(e | RTE_MASKED));
	reg_write(a, REG_RTE + 2 * pin + 1, (u32)(e >> 32));
	reg_write(a, REG_RTE + 2 * pin, (u32)e);
}

static bool pin_set(const struct brig_irqchip *ic, unsigned int pin)
{
	return (ic->pin_bitmap[pin / 64] >> (pin % 64)) & 1;
}

/* The pin's remapping slot among all cells' (arch/iommu.h). */
static unsigned int slot_of(const struct ioapic *a, unsigned int pin)
{
	return IOMMU_SLOTS_PCI + index_of(a) * BRIG_IRQCHIP_PINS + pin;
}

/* --- set-up -------------------------------------------------------------- */

static enum mmio_result root_mmio(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg);

static bool remaps_pins(const struct brig_irqchip *ic)
{
	return iommu_described_remaps_ioapic(ic->iommu);
}

int x86_ioapic_init(void)
{
	const struct brig_cell_desc *root = &system_config->root_cell;
	const struct brig_irqchip *ic = brig_cell_irqchips(root);

	for (unsigned int n = 0; n < root->num_irqchips; n++, ic++) {
		int err;

		/* Without a unit to remap its pins it stays the root's. */
		if (!remaps_pins(ic))
			continue;
		if (num_chips == X86_MAX_IOAPICS) {
			printk("brig: more than %u IO-APICs described\n",
			       X86_MAX_IOAPICS);
			return -EINVAL;
		}
		err = paging_map(&hv_paging, PHYS_MAP_BASE + ic->address,
				 ic->address, PAGE_SIZE, PAGE_RW | PAGE_DEVICE);
		if (!err)
			err = root_unmap(ic->address, PAGE_SIZE);
		if (!err)
			err = mmio_register(&root_cell, ic->address, PAGE_SIZE,
					    root_mmio, &chips[num_chips]);
		if (err)
			return err;
		chips[num_chips].desc = ic;
		chips[num_chips].regs = phys_to_hv(ic->address);
		num_chips++;
	}
	return 0;
}

int x86_ioapic_takeover(void)
{
	for (unsigned int n = 0; n < num_chips; n++) {
		struct ioapic *a = &chips[n];
		u32 ver = reg_read(a, REG_VER);

		if (ver == ~0u) {
			printk("brig: no IO-APIC at %llx\n",
			       (unsigned long long)a->desc->address);
			return -ENODEV;
		}
		a->version = (u8)ver;
		a->pins = MIN(((ver >> 16) & 0xff) + 1, BRIG_IRQCHIP_PINS);
		/* No CPU is inside Linux: its last selection is settled. */
		root_cell.arch.ioapic_regsel[n] = a->regs[IOREGSEL / 4] & 0xff;
		printk("brig: IO-APIC at %llx (version %x, %u pins): its page traps, its pins can go to cells\n",
		       (unsigned long long)a->desc->address, a->version,
		       a->pins);
	}
	return 0;
}

void x86_ioapic_release(void)
{
	spin_lock(&ioapic_lock);
	for (unsigned int n = 0; n < num_chips; n++)
		if (chips[n].pins)
			chips[n].regs[IOREGSEL / 4] =
				root_cell.arch.ioapic_regsel[n];
	spin_unlock(&ioapic_lock);
}

/* --- cells taking pins and giving them back ------------------------------ */

int x86_ioapic_check(const struct brig_cell_desc *config)
{
	const struct brig_irqchip *ic = brig_cell_irqchips(config);
	int err = 0;

	spin_lock(&ioapic_lock);
	for (unsigned int n = 0; n < config->num_irqchips && !err; n++, ic++) {
		struct ioapic *a = chip_at(ic->address);

		if (!a || !iommu_remaps_ioapic(ic->iommu)) {
			printk("brig: cell description refused: IO-APIC at %llx: its pins can only go to cells through an IOMMU unit that remaps them (VT-d with interrupt remapping)\n",
			       (unsigned long long)ic->address);
			err = -EINVAL;
			break;
		}
		for (unsigned int pin = 0; pin < BRIG_IRQCHIP_PINS && !err;
		     pin++) {
			if (!pin_set(ic, pin))
				continue;
			if (pin >= a->pins) {
				printk("brig: cell description refused: IO-APIC at %llx has no pin %u (it has %u)\n",
				       (unsigned long long)ic->address, pin,
				       a->pins);
				err = -EINVAL;
			} else if (a->owner[pin]) {
				printk("brig: cell description refused: pin %u of the IO-APIC at %llx belongs to cell \"%s\"\n",
				       pin, (unsigned long long)ic->address,
				       a->owner[pin]->config->name);
				err = -EBUSY;
			}
		}
	}
	spin_unlock(&ioapic_lock);
	return err;
}

void x86_ioapic_cell_create(struct cell *cell)
{
	const struct brig_irqchip *ic = brig_cell_irqchips(cell->config);

	spin_lock(&ioapic_lock);
	for (unsigned int n = 0; n < cell->config->num_irqchips; n++, ic++) {
		struct ioapic *a = chip_at(ic->address);

		cell->arch.ioapic_regsel[index_of(a)] = 0;
		for (unsigned int pin = 0; pin < a->pins; pin++) {
			if (!pin_set(ic, pin))
				continue;
			/* x86_ioapic_check() found the pin the root's. */
			a->root_rte[pin] = rte_read(a, pin);
			rte_write(a, pin, a->root_rte[pin] | RTE_MASKED);
			a->cell_rte[pin] = RTE_MASKED;
			a->owner[pin] = cell;
			printk("brig: IO-APIC at %llx: pin %u goes to cell \"%s\"\n",
			       (unsigned long long)ic->address, pin,
			       cell->config->name);
		}
	}
	spin_unlock(&ioapic_lock);
}

/*
 * A level pin the cell left in service (remote IRR set) would never
 * interrupt the root again: end it, by the EOI register where there is
 * one, else by making the pin edge-triggered for a moment.
 */
static void end_level_interrupt(struct ioapic *a, unsigned int pin, u64 e)
{
	if (!(e & RTE_RIRR))
		return;
	if (a->version >= 0x20) {
		a->regs[IOEOI / 4] = (u32)(e & RTE_VECTOR);
	} else {
		rte_write(a, pin, (e | RTE_MASKED) & ~RTE_LEVEL);
		rte_write(a, pin, e | RTE_MASKED);
	}
}

void x86_ioapic_cell_destroy(struct cell *cell)
{
	spin_lock(&ioapic_lock);
	for (unsigned int n = 0; n < num_chips; n++) {
		struct ioapic *a = &chips[n];

		for (unsigned int pin = 0; pin < a->pins; pin++) {
			u64 e;

			if (a->owner[pin] != cell)
				continue;
			e = rte_read(a, pin);
			rte_write(a, pin, e | RTE_MASKED);
			end_level_interrupt(a, pin, e);
			iommu_clear_cell_irte(a->desc->iommu, a->desc->id,
					      slot_of(a, pin), pin);
			a->owner[pin] = NULL;
			rte_write(a, pin, a->root_rte[pin]);
		}
	}
	spin_unlock(&ioapic_lock);
}

/* --- the root's accesses ------------------------------------------------- */

/* The window at register reg, as the root sees it. */
static void root_window(struct per_cpu *cpu, struct ioapic *a, u32 reg,
			const struct mmio_access *acc, u32 *val)
{
	unsigned int pin = (reg - REG_RTE) / 2;

	if (reg >= REG_RTE && pin < a->pins && a->owner[pin]) {
		/* A cell's pin: the root's entry waits in the shadow. */
		u32 *half = (u32 *)&a->root_rte[pin] + (reg & 1);

		if (!acc->is_write) {
			*val = *half;
			return;
		}
		*half = (u32)acc->value;
		if (report_once(a->desc->address | 0x800 | pin))
			printk("brig: root cell CPU %u: pin %u of the IO-APIC at %llx belongs to cell \"%s\": the root's entry is kept for when the cell is destroyed\n",
			       cpu->cpu_id, pin,
			       (unsigned long long)a->desc->address,
			       a->owner[pin]->config->name);
		return;
	}
	if (acc->is_write)
		reg_write(a, reg, (u32)acc->value);
	else
		*val = reg_read(a, reg);
}

/* The root's access to a trapped IO-APIC page. */
static enum mmio_result root_mmio(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg)
{
	struct ioapic *a = arg;
	unsigned int off = (unsigned int)(acc->address & ~PAGE_MASK);
	u32 *sel, val = ~0u;

	sel = &root_cell.arch.ioapic_regsel[index_of(a)];
	spin_lock(&ioapic_lock);
	if (acc->size != 4 || (off & 3))
		; /* the IO-APIC takes aligned 32-bit accesses only */
	else if (off == IOREGSEL && acc->is_write)
		*sel = (u32)acc->value & 0xff;
	else if (off == IOREGSEL)
		val = *sel;
	else if (off == IOWIN)
		root_window(cpu, a, *sel, acc, &val);
	else if (off == IOEOI && acc->is_write)
		a->regs[IOEOI / 4] = (u32)acc->value;
	spin_unlock(&ioapic_lock);
	if (!acc->is_write)
		acc->value = val;
	return MMIO_HANDLED;
}

/* --- the cells' accesses ------------------------------------------------- */

static const char *cpu_kind(const struct per_cpu *target)
{
	if (!target)
		return "no CPU";
	return target->cell == &root_cell ? "a root CPU" : "another cell's CPU";
}

/*
 * The cell's entry for its pin, now in cell_rte: mask the pin, or
 * validate the wish and point the pin at a remapping entry made of it.
 * False after the cell was stopped.
 */
static bool apply_pin(struct per_cpu *cpu, struct ioapic *a, unsigned int pin)
{
	u64 e = a->cell_rte[pin];
	u32 dest = RTE_DEST(e), addr, data, handle;
	struct per_cpu *target = x86_cpu_by_apic_id(dest);
	unsigned int flags = RTE_MODE(e) == 1 ? IOMMU_IRQ_LOWEST : 0;

	/* Until a valid wish is in place, the pin stays quiet. */
	rte_write(a, pin, rte_read(a, pin) | RTE_MASKED);
	if (e & RTE_MASKED)
		return true;
	if (RTE_MODE(e) > 1 || (e & RTE_LOGICAL) || (e & RTE_VECTOR) < 16) {
		cell_fail(
			cpu,
			"IO-APIC at %llx pin %u: entry %llx is not a fixed or lowest-priority interrupt to one CPU (physical destination)",
			(unsigned long long)a->desc->address, pin,
			(unsigned long long)e);
		return false;
	}
	if (!target || target->cell != cpu->cell) {
		cell_fail(
			cpu,
			"IO-APIC at %llx pin %u aimed at APIC id %u (%s), not a CPU of the cell",
			(unsigned long long)a->desc->address, pin, dest,
			cpu_kind(target));
		return false;
	}
	if (e & RTE_LEVEL)
		flags |= IOMMU_IRQ_LEVEL;
	if (iommu_set_cell_irte(a->desc->iommu, a->desc->id, slot_of(a, pin),
				pin, target->arch.apic_id, (u8)(e & RTE_VECTOR),
				flags, &addr, &data)) {
		cell_fail(
			cpu,
			"no interrupt remapping entry for IO-APIC at %llx pin %u",
			(unsigned long long)a->desc->address, pin);
		return false;
	}
	/* The handle, as the remappable MSI address carries it. */
	handle = ((addr >> 5) & 0x7fff) | ((addr >> 2) & 1) << 15;
	rte_write(a, pin,
		  (e & (RTE_VECTOR | RTE_LOW | RTE_LEVEL)) |
			  (u64)(handle >> 15) << 11 | RTE_REMAPPABLE |
			  (u64)(handle & 0x7fff) << 49);
	return true;
}

/* The window at register reg, as the cell sees it. False: stopped. */
static bool cell_window(struct per_cpu *cpu, struct ioapic *a, u32 reg,
			const struct mmio_access *acc, u32 *val)
{
	unsigned int pin = (reg - REG_RTE) / 2;
	u32 *half;

	if (reg < REG_RTE || pin >= a->pins) {
		/* Id, version, arbitration: read-only for cells. */
		if (!acc->is_write)
			*val = reg <= REG_ARB ? reg_read(a, reg) : 0;
		return true;
	}
	if (a->owner[pin] != cpu->cell) {
		/* Someone else's pin: looks unused, and must stay so. */
		if (!acc->is_write) {
			*val = (reg & 1) ? 0 : (u32)RTE_MASKED;
			return true;
		}
		cell_fail(
			cpu,
			"write of %x to pin %u of the IO-APIC at %llx, which is not the cell's",
			(u32)acc->value, pin,
			(unsigned long long)a->desc->address);
		return false;
	}
	half = (u32 *)&a->cell_rte[pin] + (reg & 1);
	if (acc->is_write) {
		*half = (u32)acc->value &
			((reg & 1) ? ~0u : ~(u32)(RTE_BUSY | RTE_RIRR));
		return apply_pin(cpu, a, pin);
	}
	/* Delivery status and remote IRR are the pin's own. */
	*val = *half;
	if (!(reg & 1))
		*val |= reg_read(a, reg) & (u32)(RTE_BUSY | RTE_RIRR);
	return true;
}

/*
 * The EOI register ends every pin in service with the vector: allowed
 * only if no pin outside the cell has it.
 */
static void cell_eoi(struct per_cpu *cpu, struct ioapic *a, u32 vector)
{
	if (a->version < 0x20)
		return;
	for (unsigned int pin = 0; pin < a->pins; pin++)
		if (a->owner[pin] != cpu->cell &&
		    (rte_read(a, pin) & RTE_VECTOR) == (vector & 0xff))
			return;
	a->regs[IOEOI / 4] = vector & 0xff;
}

/* A cell's access to the page of an IO-APIC it has pins of. */
static enum mmio_result cell_mmio(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg)
{
	struct ioapic *a = arg;
	unsigned int off = (unsigned int)(acc->address & ~PAGE_MASK);
	u32 *sel, val = 0;
	bool ok = true;

	if (acc->size != 4 || (off & 3)) {
		cell_fail(cpu, "%u-byte access to the IO-APIC at %llx",
			  acc->size, (unsigned long long)acc->address);
		return MMIO_CELL_FAILED;
	}
	sel = &cpu->cell->arch.ioapic_regsel[index_of(a)];
	spin_lock(&ioapic_lock);
	if (off == IOREGSEL && acc->is_write)
		*sel = (u32)acc->value & 0xff;
	else if (off == IOREGSEL)
		val = *sel;
	else if (off == IOWIN)
		ok = cell_window(cpu, a, *sel, acc, &val);
	else if (off == IOEOI && acc->is_write)
		cell_eoi(cpu, a, (u32)acc->value);
	spin_unlock(&ioapic_lock);
	if (!ok)
		return MMIO_CELL_FAILED;
	if (!acc->is_write)
		acc->value = val;
	return MMIO_HANDLED;
}

int x86_ioapic_cell_traps(struct cell *cell)
{
	const struct brig_irqchip *ic = brig_cell_irqchips(cell->config);
	int err = 0;

	for (unsigned int n = 0; n < cell->config->num_irqchips && !err;
	     n++, ic++) {
		struct ioapic *a = chip_at(ic->address);

		if (a)
			err = mmio_register(cell, ic->address, PAGE_SIZE,
					    cell_mmio, a);
	}
	return err;
}
