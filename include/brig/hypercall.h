/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Hypercalls: how a cell (the root cell's driver, or an inmate) calls the
 * hypervisor.
 *
 * x86-64: the code goes in RAX, the first argument in RDI, the second in
 * RSI; the result comes back in RAX, a negative errno on failure. The
 * instruction is VMCALL on Intel VT-x and VMMCALL on AMD-V: the caller picks
 * it from the CPU vendor. Hypercalls from CPL > 0 are refused.
 *
 * Management hypercalls (everything but the console and the cell's own
 * state) are accepted from the root cell only. Addresses passed as
 * arguments are guest-physical addresses of the caller.
 */
#ifndef _BRIG_HYPERCALL_H
#define _BRIG_HYPERCALL_H

#include "types.h"

/*
 * Root cell only. Cells are named by the id CELL_CREATE returned (> 0; the
 * root cell is 0). A description blob is passed by the guest-physical
 * address of a physically contiguous copy in the root's RAM plus its size.
 */
/*
 * Refused while cells exist. arg2: a mask of CPUs (below 64) that Linux
 * took offline for disable (BRIG_CPU_INFO_LEAVES_OFFLINE): they leave the
 * hypervisor with the caller and halt until Linux's INIT and SIPI.
 */
#define BRIG_HC_DISABLE 0
#define BRIG_HC_CELL_VALIDATE 1 /* arg1: blob address, arg2: size; dry run */
#define BRIG_HC_CELL_CREATE 2 /* arg1: blob address, arg2: size; -> id */
/*
 * arg1: id, arg2: BRIG_SHUTDOWN_*; (re)starts at the entry address. A
 * running cell is first stopped as by SHUTDOWN: -EBUSY if it denies.
 */
#define BRIG_HC_CELL_START 3
/*
 * arg1: id, arg2: BRIG_SHUTDOWN_*; stops the cell as SHUTDOWN does (-EBUSY
 * if a running cell denies), maps its loadable regions into the root
 */
#define BRIG_HC_CELL_SET_LOADABLE 4
/*
 * arg1: id, arg2: BRIG_SHUTDOWN_*; asks the cell (comm region), stops it if
 * it agrees or FORCE is given; -EBUSY if it denies; -ETIMEDOUT if it does
 * not answer in time (it is stopped then and FAILED)
 */
#define BRIG_HC_CELL_SHUTDOWN 5
/*
 * arg1: id, arg2: BRIG_SHUTDOWN_*; as SHUTDOWN (a cell that does not answer
 * in time is destroyed all the same), then every resource goes back to the
 * root; its CPUs wait for Linux's add_cpu
 */
#define BRIG_HC_CELL_DESTROY 6
#define BRIG_HC_HYPERVISOR_GET_INFO 7 /* arg1: BRIG_INFO_* */
#define BRIG_HC_CELL_GET_STATE 8 /* arg1: id; -> BRIG_CELL_STATE_* */
#define BRIG_HC_CPU_GET_INFO 9 /* arg1: cpu, arg2: BRIG_CPU_INFO_* */
#define BRIG_HC_CONSOLE_READ 10 /* arg1: buffer page, arg2: from seq */
/* any cell */
/* arg1: character; the root, and cells flagged BRIG_CELL_DEBUG_CONSOLE */
#define BRIG_HC_DEBUG_CONSOLE_PUTC 11
/*
 * arg1: cell id (0: the root), arg2: n << 16 | what, about its n-th ivshmem
 * device (counting ivshmem devices only). what 0: BRIG_CHANNEL_INFO();
 * what 1 + p: the state-table entry of peer p. -ENOENT: no such cell or
 * device; -EINVAL: p not below the channel's peers.
 */
#define BRIG_HC_CELL_CHANNEL_INFO 12
/*
 * arg1: cell id, arg2: n << 2 | what, about the n-th port of the cell's
 * unowned-port counters (BRIG_CELL_UNOWNED_PORTS_IGNORED), in the order
 * the ports were first touched: what 0: the port, 1: its reads, 2: its
 * writes. n == BRIG_PORT_STATS_MAX, what 0: accesses to ports beyond
 * those (not counted per port). -ENOENT: no such cell, or no n-th port.
 */
#define BRIG_HC_CELL_PORT_STATS 13
#define BRIG_PORT_STATS_MAX 64
#define BRIG_HC_COUNT 14

/* BRIG_HC_CELL_CHANNEL_INFO, what 0 */
#define BRIG_CHANNEL_INFO(channel, present, peer, peers)                       \
	((__u64)(channel) << 32 | (__u64)(present) << 16 |                     \
	 (__u64)(peer) << 8 | (__u64)(peers))
#define BRIG_CHANNEL_ID(info) ((unsigned int)((info) >> 32) & 0xffff)
#define BRIG_CHANNEL_PRESENT(info) ((unsigned int)((info) >> 16) & 0xffff)
#define BRIG_CHANNEL_PEER(info) ((unsigned int)((info) >> 8) & 0xff)
#define BRIG_CHANNEL_PEERS(info) ((unsigned int)(info)&0xff)

/* The blob handed to CELL_VALIDATE/CREATE is at most this large. */
#define BRIG_HC_MAX_CONFIG_SIZE (1024 * 1024)

#define BRIG_SHUTDOWN_FORCE 0x1 /* override a cell's denial */

/*
 * BRIG_HC_CONSOLE_READ fills one page of the caller's RAM with console
 * output starting at byte number arg2 (bytes ever written). If the ring no
 * longer holds that byte, copying starts at the oldest one it holds:
 * first_seq then says where, so the reader knows what it missed. Returns
 * the number of bytes copied.
 */
struct brig_console_page {
	__u64 first_seq; /* sequence number of data[0] */
	__u32 bytes; /* valid bytes in data */
	__u32 reserved;
	char data[4096 - 16];
};
BRIG_ABI_ASSERT_SIZE(struct brig_console_page, 4096);

/* BRIG_HC_HYPERVISOR_GET_INFO */
#define BRIG_INFO_MEM_POOL_SIZE 0 /* pages */
#define BRIG_INFO_MEM_POOL_USED 1 /* pages */
#define BRIG_INFO_NUM_CELLS 2 /* the root cell included */
#define BRIG_INFO_PAGING_LEVELS 3 /* depth of the hypervisor's own tables */
#define BRIG_INFO_VENDOR 4 /* BRIG_VENDOR_* backend in use */

#define BRIG_VENDOR_AMD_SVM 1
#define BRIG_VENDOR_INTEL_VMX 2

/* BRIG_HC_CPU_GET_INFO: the CPU's state, or one of its exit counters */
#define BRIG_CPU_INFO_STATE 0
/*
 * 1: disable must find this CPU offline in Linux. A cell left its APIC in
 * x2APIC mode under an xAPIC Linux; switching it back needs a reset on
 * some CPUs (Bochs), which only an offline CPU can take: the driver
 * takes it offline, the hypervisor lets it go, and Linux's own INIT and
 * SIPI bring it up again.
 */
#define BRIG_CPU_INFO_LEAVES_OFFLINE 1
#define BRIG_CPU_INFO_STAT_BASE 1000 /* + BRIG_EXIT_* */

#define BRIG_CPU_RUNNING 0
#define BRIG_CPU_PARKED 1 /* in a cell that is not running, or failed */

/*
 * VM exits are counted per CPU by reason, at the single exit entry point.
 * The reasons are vendor-neutral: VMX and SVM exits map onto them. One list,
 * expanded into the numbers here and into the names the driver and tools
 * print.
 */
#define BRIG_EXIT_REASONS(X)                                                   \
	X(TOTAL, "total")                                                      \
	X(HYPERCALL, "hypercall")                                              \
	X(CPUID, "cpuid")                                                      \
	X(PIO, "pio")                                                          \
	X(MSR, "msr")                                                          \
	X(MMIO, "mmio")                                                        \
	X(XAPIC, "xapic")                                                      \
	X(X2APIC_ICR, "x2apic_icr")                                            \
	X(MANAGEMENT, "management")                                            \
	X(NMI, "nmi")                                                          \
	X(INIT_SIPI, "init_sipi")                                              \
	X(CR, "cr")                                                            \
	X(XSETBV, "xsetbv")                                                    \
	X(EXCEPTION, "exception")                                              \
	X(OTHER, "other")                                                      \
	X(HLT, "hlt")

#define BRIG_EXIT_ENUM(sym, name) BRIG_EXIT_##sym,
enum brig_exit_reason { BRIG_EXIT_REASONS(BRIG_EXIT_ENUM) BRIG_EXIT_COUNT };
#undef BRIG_EXIT_ENUM

#endif /* _BRIG_HYPERCALL_H */
