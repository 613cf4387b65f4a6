/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Global hypervisor state set up by the first CPU that enters, and the
 * entry/teardown protocol between the core and the arch code.
 */
#ifndef _HV_SETUP_H
#define _HV_SETUP_H

#include <brig/config.h>
#include <brig/header.h>
#include <hv/paging.h>

struct per_cpu;
struct arch_entry_state;

extern struct brig_hv_header hv_header;
/* The system description the driver copied behind the image; validated. */
extern const struct brig_system_desc *system_config;
/* The hypervisor's own address space. */
extern struct paging_structs hv_paging;

/* Host-physical <-> hypervisor-virtual, for the hypervisor region. */
u64 hv_virt_to_phys(const void *virt);
/* A host-physical address of the root cell's RAM, as the hypervisor sees it. */
void *phys_to_hv(u64 phys);

/*
 * Called by the arch entry code on every CPU that enters, on that CPU's
 * hypervisor stack. Returns only on failure, with a negative errno, after
 * the arch code has undone what it did; on success the CPU continues in
 * Linux as a guest of the hypervisor.
 */
int hv_entry(unsigned int cpu_id, struct arch_entry_state *state);

#endif /* _HV_SETUP_H */
