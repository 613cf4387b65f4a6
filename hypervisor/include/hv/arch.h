/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hooks every architecture implements for the core. Core code reaches
 * arch code only through these; each is documented here, once.
 */
#ifndef _HV_ARCH_H
#define _HV_ARCH_H

#include <hv/types.h>
#include <brig/config.h>

/*
 * Write len bytes of s to the console con describes (BRIG_CON_*). Called
 * with the console lock held, possibly from a panic: must not allocate,
 * must not take locks, may busy-wait on the device.
 */
void arch_console_write(const struct brig_console *con, const char *s,
			size_t len);

/* Stop the calling CPU for good, with interrupts and NMIs masked. */
void __noreturn arch_cpu_stop(void);

/* The calling CPU's logical id (the root cell's CPU numbering). */
unsigned int arch_cpu_id(void);

struct per_cpu;
struct arch_entry_state;

/*
 * Global arch setup, run once by the first CPU in, after the core has set
 * up the page pool: check that the CPU has what brig needs (naming what is
 * missing), pick the vendor backend, build the hypervisor's own page tables
 * (hv_paging) and the root cell's second-stage tables. Returns 0 or a
 * negative errno; on failure nothing needs undoing (the region is reloaded
 * on the next enable).
 */
int arch_init(void);

/*
 * Global setup that must not race with Linux: run by one CPU once every
 * CPU has finished arch_cpu_init() (all are inside the hypervisor with
 * interrupts off), before any enters guest mode. Takes the devices brig
 * drives from Linux (the IOMMUs). On failure it has undone itself.
 */
int arch_takeover_devices(void);

/*
 * Disable: give those devices back to Linux with its own state, once,
 * before the first CPU leaves the hypervisor.
 */
void arch_release_devices(void);

/* Report faults the devices recorded (DMA blocked by an IOMMU). */
void arch_poll_device_faults(void);

/*
 * Per-CPU setup on entry: take over the CPU from Linux (capture its state,
 * load the hypervisor's descriptor tables and page tables, switch the
 * virtualization extension on, build the guest state from what Linux had).
 * On failure everything done so far is undone before returning.
 */
int arch_cpu_init(struct per_cpu *cpu, struct arch_entry_state *state);

/* Undo arch_cpu_init() after another CPU failed: the CPU stays native. */
void arch_cpu_restore(struct per_cpu *cpu);

/* Enter the guest for the first time: Linux resumes as the root cell. */
void __noreturn arch_cpu_activate(struct per_cpu *cpu);

/*
 * Leave guest mode for good on the calling CPU (BRIG_HC_DISABLE): load the
 * guest's state into the CPU, switch virtualization off and continue in
 * Linux natively, with the hypercall returning 0.
 */
void __noreturn arch_cpu_deactivate(struct per_cpu *cpu);

struct cell;

/*
 * What only the architecture can tell about a new cell description (its
 * PCI devices exist and are free, say), checked before anything changes;
 * prints why not. Caller holds cell_lock.
 */
int arch_cell_check(const struct brig_cell_desc *config);

/*
 * Build a new cell's second-stage tables and port and MSR permissions,
 * and take its memory and ports from the root (the caller flushes the
 * root's TLBs). On failure nothing has changed.
 */
int arch_cell_create(struct cell *cell);

/* Give a cell's memory and ports back to the root and free its tables. */
void arch_cell_destroy(struct cell *cell);

/*
 * Map a stopped cell's loadable regions into the root (so the driver can
 * copy images in), or unmap them again (the caller flushes).
 */
int arch_cell_map_loadable(struct cell *cell, bool map);

/* Disable must find this CPU offline in Linux (BRIG_CPU_INFO_LEAVES_OFFLINE). */
bool arch_cpu_leaves_offline(const struct per_cpu *cpu);

/* Make target notice its requests now (an NMI on x86). */
void arch_cpu_kick(struct per_cpu *target);

/*
 * Poll *reply until it is not BRIG_REPLY_NONE or timeout_ms passed;
 * returns the last value read.
 */
u32 arch_wait_for_reply(const u32 *reply, u32 timeout_ms);

/* BRIG_INFO_VENDOR and BRIG_INFO_PAGING_LEVELS for the root. */
unsigned int arch_vendor(void);
unsigned int arch_paging_levels(void);

#endif /* _HV_ARCH_H */
