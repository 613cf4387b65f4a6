/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scrubbing the CPU state no VM switch covers when a CPU changes owner
 * (scrub.c); the local APIC has its own scrub in apic.c.
 */
#ifndef _ARCH_SCRUB_H
#define _ARCH_SCRUB_H

struct per_cpu;

/*
 * At enable: an Intel PT trace Linux runs is stopped (its output would
 * pass the second-stage tables; the root may not turn it on again).
 */
void x86_pt_off(struct per_cpu *cpu);
/* Linux's values of the scrubbed MSRs, kept at enable for the way back. */
void x86_scrub_save_linux(struct per_cpu *cpu);
/* Before a cell starts on cpu: reset values, nothing of the last owner. */
void x86_scrub_for_cell(struct per_cpu *cpu);
/* Before cpu goes back to the root: Linux's values, nothing of the cell. */
void x86_scrub_for_root(struct per_cpu *cpu);
/*
 * XSETBV from the hypervisor (XCR0 = xcr0), also where host mode runs
 * with Linux's CR4 and Linux has XSAVE off.
 */
void x86_xsetbv(u64 xcr0);

#endif /* _ARCH_SCRUB_H */
