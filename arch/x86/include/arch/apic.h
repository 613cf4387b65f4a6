/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC: the ICR writes the hypervisor intercepts, INIT/SIPI emulation
 * and NMIs used for management between CPUs.
 */
#ifndef _ARCH_APIC_H
#define _ARCH_APIC_H

#include <hv/types.h>
#include <hv/mmio.h>
#include <arch/x86.h>

struct per_cpu;

/* ICR fields (x2APIC: destination in bits 32..63) */
#define APIC_ICR_VECTOR(icr) ((u32)(icr)&0xff)
#define APIC_ICR_DM(icr) (((u32)(icr) >> 8) & 7)
#define APIC_DM_FIXED 0
#define APIC_DM_NMI 4
#define APIC_DM_INIT 5
#define APIC_DM_STARTUP 6
#define APIC_ICR_LOGICAL BIT(11)
#define APIC_ICR_LEVEL_ASSERT BIT(14)
#define APIC_ICR_TRIGGER_LEVEL BIT(15)
#define APIC_ICR_SHORTHAND(icr) (((u32)(icr) >> 18) & 3)
#define APIC_SH_NONE 0
#define APIC_SH_SELF 1
#define APIC_SH_ALL 2
#define APIC_SH_OTHERS 3
/*
 * x2APIC ICR bits 0..31 that a WRMSR must leave clear (#GP): delivery
 * status (12), 13, 16-17, 20-31. An xAPIC ICR ignores them instead.
 */
#define APIC_ICR_RESERVED 0xfff33000u
/* What a re-sent IPI carries: vector, delivery mode, level, trigger. */
#define APIC_ICR_SEND_BITS 0xc7ffULL

/*
 * The root wrote the x2APIC ICR. INIT and SIPI to CPUs of the root are
 * emulated (the target parks until its SIPI, then restarts in real mode at
 * the vector); everything else is passed on. Returns false if the write
 * must fault (#GP).
 */
bool x86_x2apic_icr_write(struct per_cpu *cpu, u64 icr);

/* An NMI IPI from the CPU's cell waits: make it the guest's pending NMI. */
void x86_take_cell_nmi(struct per_cpu *cpu);

/*
 * A cell CPU's APIC base MSR: the cell's view (xAPIC at start), and a
 * write to it, false for one the hardware would refuse.
 */
u64 x86_cell_apicbase(const struct per_cpu *cpu);
bool x86_cell_apicbase_write(struct per_cpu *cpu, u64 val);

/* LINT0 and LINT1 writes of a cell trap: the pins' delivery mode. */
static inline bool x86_cell_lint_msr(u32 msr)
{
	return msr == MSR_X2APIC_BASE + 0x35 || msr == MSR_X2APIC_BASE + 0x36;
}

/* A cell's write of its x2APIC LINT0 or LINT1 register (MSR 0x835/0x836). */
bool x86_cell_lint_write(struct per_cpu *cpu, u32 msr, u64 val);

/* The xAPIC page of a cell CPU, emulated (the cell's MMIO handler). */
enum mmio_result x86_cell_xapic_access(struct per_cpu *cpu,
				       struct mmio_access *acc, void *arg);

/*
 * Act on management requests posted to this CPU (INIT, SIPI). Returns true
 * if there were any, i.e. the NMI that brought the CPU here was ours.
 */
bool x86_check_init_sipi(struct per_cpu *cpu);

/*
 * The root accessed its xAPIC page (it traps: a range of the root's
 * registry, hv/mmio.h): carry the access out.
 */
enum mmio_result x86_xapic_access(struct per_cpu *cpu, struct mmio_access *acc,
				  void *arg);

/*
 * The root's local APICs run in xAPIC mode (Linux without interrupt
 * remapping): their page is taken out of the root's second-stage tables.
 */
extern bool x86_root_xapic;
#define X86_XAPIC_PAGE 0xfee00000ULL

/*
 * The root's APIC base MSR as Linux sees it (it keeps its xAPIC view of
 * a CPU a cell left in x2APIC mode), and a write to it.
 */
/* Per CPU at enable: what the IPI filter needs of Linux's APIC set-up. */
void x86_apic_cpu_init(struct per_cpu *cpu);
u64 x86_root_apicbase(const struct per_cpu *cpu);
bool x86_root_apicbase_write(struct per_cpu *cpu, u64 val);

/*
 * Disable, on this CPU: give Linux back the APIC mode it had. False if
 * the APIC could not be switched back (it is then globally disabled and
 * only a reset brings it back).
 */
bool x86_apic_leave(struct per_cpu *cpu);

/* The CPU inside brig with this physical APIC id, or NULL. */
struct per_cpu *x86_cpu_by_apic_id(u32 apic_id);

/*
 * The first of the root's CPUs an interrupt with this destination reaches
 * (x2apic: a 32-bit destination, else an 8-bit one; logical: matched the
 * way the root's APICs match it), or NULL if it names none of them.
 */
struct per_cpu *x86_root_irq_cpu(bool x2apic, bool logical, u32 dest);

/* Send an NMI to a CPU (in host mode or guest mode). */
void x86_send_nmi(struct per_cpu *target);

/*
 * This CPU took an NMI: was it one of ours (x86_send_nmi())? Linux's
 * otherwise, for a root CPU to get back.
 */
bool x86_nmi_is_ours(struct per_cpu *cpu);

#endif /* _ARCH_APIC_H */
