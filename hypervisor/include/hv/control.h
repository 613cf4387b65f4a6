/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercall dispatch: the arch exit handlers decode the calling convention
 * and hand the code and arguments to hypercall(); the result goes back to
 * the caller's RAX (x86) unchanged.
 */
#ifndef _HV_CONTROL_H
#define _HV_CONTROL_H

#include <hv/types.h>

struct per_cpu;

long hypercall(struct per_cpu *cpu, unsigned long code, unsigned long arg1,
	       unsigned long arg2);

#endif /* _HV_CONTROL_H */
