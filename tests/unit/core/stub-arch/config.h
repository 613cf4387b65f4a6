/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The build configuration of the host stub arch, in place of Kconfig's
 * autoconf.h: passed with -include to the unit tests that link the core
 * against the stub (tests/unit/core/Makefile) and to the core's
 * syntax-only build in scripts/check-boundary.sh. Eight CPUs: enough for
 * a caller, a cell's online and offline CPUs and other cells' CPUs.
 */
#ifndef _STUB_CONFIG_H
#define _STUB_CONFIG_H

#define CONFIG_ARCH "stub"
#define CONFIG_BOARD "host"
#define CONFIG_MAX_CPUS 8

#endif /* _STUB_CONFIG_H */
