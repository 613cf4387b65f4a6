/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IO-APIC pins given to cells (ioapic.c).
 *
 * The root cell's description lists each IO-APIC with the pins it owns;
 * on a system whose IOMMU remaps IO-APIC interrupts (VT-d), the hypervisor
 * takes every listed IO-APIC's register page out of the root's
 * second-stage tables at enable and emulates it: the root's accesses pass
 * through, except to the entries of pins a cell owns. A cell listing pins
 * gets them when it is created: they are masked, the root keeps a shadow
 * of what it wrote there (restored on destroy), and the cell's own
 * accesses to the controller trap. An entry the cell programs is checked
 * (a fixed or lowest-priority interrupt to one of its own CPUs, physical
 * destination) and becomes a remapping entry tied to the IO-APIC's source
 * id; the real entry holds only the handle of it. Pins it does not own
 * read as masked, and writing one stops the cell.
 *
 * Locking: one lock serialises every access to the controllers' shared
 * select register. Cell management holds cell_lock too; the trapped
 * accesses never wait for cell_lock.
 */
#ifndef _ARCH_IOAPIC_H
#define _ARCH_IOAPIC_H

#include <hv/types.h>
#include <brig/config.h>

#define X86_MAX_IOAPICS 4

struct cell;
struct per_cpu;

/* arch_init(): map the root's IO-APICs for the hypervisor, trap the root. */
int x86_ioapic_init(void);

/* Every CPU is in the hypervisor: find out what each IO-APIC has. */
int x86_ioapic_takeover(void);

/* Dry run: can the cell have its pins? Prints why not. */
int x86_ioapic_check(const struct brig_cell_desc *config);

/* Take the cell's pins from the root / give them back. */
void x86_ioapic_cell_create(struct cell *cell);
void x86_ioapic_cell_destroy(struct cell *cell);

/*
 * Trap the pages of the IO-APICs the cell has pins of (its accesses are
 * emulated: the shared select register, its own pins' entries). The
 * root's trapped pages are registered by x86_ioapic_init().
 */
int x86_ioapic_cell_traps(struct cell *cell);

/* Disable: the select register as the root last set it. */
void x86_ioapic_release(void);

#endif /* _ARCH_IOAPIC_H */
