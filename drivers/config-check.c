// SPDX-License-Identifier: GPL-2.0
/*
 * The shared config checker, built into the driver as it is built into the
 * hypervisor and the tool: one implementation of the rules, checked before
 * anything is handed on.
 */
#include "../hypervisor/config-check.c"
