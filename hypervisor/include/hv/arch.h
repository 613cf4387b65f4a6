/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the core and an architecture: every hook the core
 * calls, documented here, once. Core code reaches arch code only through
 * these and through the arch type headers it may include (the structs it
 * embeds: arch/layout.h, arch/processor.h, arch/percpu-types.h,
 * arch/cell-types.h; scripts/check-boundary.sh enforces the list). The
 * unit tests link the core against a host stub of this contract
 * (tests/unit/core/stub-arch), which is what keeps it arch-neutral.
 */
#ifndef _HV_ARCH_H
#define _HV_ARCH_H

#include <hv/types.h>
#include <brig/config.h>

struct cell;
struct paging_format;
struct per_cpu;
struct arch_entry_state;

/* --- console and global setup ------------------------------------------- */

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

/* --- a CPU's life ------------------------------------------------------- */

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

/* --- CPU control: what cpu_handle_requests() asks of the arch ---------- */

/* Make target notice its requests now (an NMI on x86). */
void arch_cpu_kick(struct per_cpu *target);

/* CPU_REQ_FLUSH: drop what the CPU caches of its cell's second stage. */
void arch_cpu_flush_stage2(struct per_cpu *cpu);

/*
 * One turn of a parked CPU's wait: let a pending kick in (it is the
 * core's own) and spin politely.
 */
void arch_cpu_park_relax(struct per_cpu *cpu);

/* The CPU leaves its park for a START or TO_ROOT: forget stale kicks. */
void arch_cpu_unparked(struct per_cpu *cpu);

/*
 * CPU_REQ_START and CPU_REQ_WAKE: run the CPU's cell from entry, in the
 * state the architecture resets a CPU to (x86: real mode, CS based at the
 * entry's 4 KiB page, IP the offset in it, as a SIPI leaves it), with
 * the cell's tables and permissions. Nothing the CPU cached of the tables
 * it ran before may survive: a parked CPU drops CPU_REQ_FLUSH because
 * every way out of the park (this, or arch_cpu_wait_for_root()) flushes.
 */
void arch_cpu_start(struct per_cpu *cpu, u64 entry);

/*
 * CPU_REQ_TO_ROOT, first half: scrub what the cell left in the CPU (its
 * interrupt controller state, debug and extended registers) and make it
 * a root CPU that the root has not brought up yet.
 */
void arch_cpu_reset_to_root(struct per_cpu *cpu);

/*
 * Second half, after the request is taken: wait until the root brings
 * the CPU up (x86: INIT/SIPI), or until a cell takes it (CPU_REQ_START).
 * The CPU then runs the root's tables with nothing of the cell's cached.
 */
void arch_cpu_wait_for_root(struct per_cpu *cpu);

/*
 * CPU_REQ_LEAVE (disable, the root has the CPU offline): leave the
 * hypervisor for good and halt.
 */
void __noreturn arch_cpu_leave(struct per_cpu *cpu);

/* Disable must find this CPU offline in Linux (BRIG_CPU_INFO_LEAVES_OFFLINE). */
bool arch_cpu_leaves_offline(const struct per_cpu *cpu);

/*
 * Poll *reply until it is not BRIG_REPLY_NONE or timeout_ms passed;
 * returns the last value read.
 */
u32 arch_wait_for_reply(const u32 *reply, u32 timeout_ms);

/* --- memory and cells --------------------------------------------------- */

/* The format of second-stage tables (NPT or EPT on x86). */
const struct paging_format *arch_stage2_format(void);

/*
 * What only the architecture can tell about a new cell description (its
 * PCI devices exist and are free, say), checked before anything changes;
 * prints why not. Caller holds cell_lock.
 */
int arch_cell_check(const struct brig_cell_desc *config);

/* BRIG_HC_CELL_PORT_STATS for a cell (-ENOENT where there are no ports). */
long arch_cell_port_stat(struct cell *cell, unsigned long which);

/*
 * The arch part of a new cell, after the core built its second-stage
 * tables (cell->stage2) and took its memory from the root: port and MSR
 * permissions, its devices and interrupt pins. The caller flushes the
 * root's TLBs. On failure the arch part has undone itself.
 */
int arch_cell_create(struct cell *cell);

/*
 * Undo arch_cell_create() while the cell's CPUs are still parked in it:
 * its devices and pins stop raising interrupts at them before they leave
 * (arch_cpu_reset_to_root() drains what is already pending). The core
 * then moves the CPUs to the root, gives the memory back and frees the
 * tables.
 */
void arch_cell_destroy(struct cell *cell);

/* --- PCI devices of cells ----------------------------------------------- */

/* IOMMU unit index names a unit brig drives, with interrupt remapping. */
bool arch_iommu_unit_usable(unsigned int unit);

/*
 * Device bdf's DMA goes through cell's domain from now on / the root's
 * again. Caller holds cell_lock.
 */
int arch_iommu_assign_device(struct cell *cell, unsigned int unit, u16 bdf);
void arch_iommu_unassign_device(unsigned int unit, u16 bdf);

/*
 * A message the cell wants its device bdf to send (kind "MSI" or
 * "MSI-X", as the cell wrote address and data): validate it against the
 * interrupt policy (an interrupt to one of the cell's own CPUs) and make
 * the device's remapping entry index (0: MSI, 1 + n: MSI-X entry n; slot
 * numbers it among all cells' entries). *out_addr and *out_data are what
 * the device must send instead. False: the cell was stopped (cell_fail()
 * said why).
 */
bool arch_pci_msi_remap(struct per_cpu *cpu, unsigned int unit, u16 bdf,
			unsigned int slot, unsigned int index, const char *kind,
			u64 addr, u32 data, u32 *out_addr, u32 *out_data);

/* Switch that remapping entry off. */
void arch_pci_msi_clear(unsigned int unit, u16 bdf, unsigned int slot,
			unsigned int index);

/*
 * The root's accesses through the arch's own configuration mechanism
 * (0xcf8/0xcfc on x86) start or stop trapping: they must while cells
 * hold devices or the root has virtual ones (pci_root_config()).
 */
void arch_pci_root_config_trap(bool trap);

/*
 * Without ECAM: whether a function answers at bdf, asked through the
 * arch's own configuration mechanism (0xcf8/0xcfc on x86), whose latch
 * the root shares. Only while no CPU runs a guest (enable).
 */
bool arch_pci_function_present(u16 bdf);

/* --- interrupts of virtual devices --------------------------------------- */

/*
 * An MSI message a guest of cell wrote for its virtual device bdf
 * (address and data as written), under the interrupt policy: a fixed or
 * lowest-priority interrupt, physical destination, to one CPU of cell.
 * The root's messages may also be in the forms its Linux writes: an
 * interrupt-remapping format, resolved through the hypervisor's validated
 * copy of the root's remapping entry as it is at the time of the call,
 * or a logical destination, resolved through the logical ids the root's
 * CPUs hold; the first of the root's CPUs it names takes it. *cpu and
 * *vector: where it goes. False: refused, *why says why.
 */
bool arch_msi_target(const struct cell *cell, u16 bdf, u64 addr, u32 data,
		     unsigned int *cpu, unsigned int *vector, const char **why);

/*
 * Raise vector at CPU cpu (a fixed interrupt), from any CPU. What the
 * calling CPU stored before is visible to the target when it takes it.
 */
void arch_raise_irq(unsigned int cpu, unsigned int vector);

/* BRIG_INFO_VENDOR and BRIG_INFO_PAGING_LEVELS for the root. */
unsigned int arch_vendor(void);
unsigned int arch_paging_levels(void);

#endif /* _HV_ARCH_H */
