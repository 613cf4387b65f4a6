/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The comm region: one page of a cell's own memory through which the
 * hypervisor and the cell talk, and through which the cell learns the
 * platform facts it cannot measure cheaply itself.
 *
 * The hypervisor fills it at cell start. Messages go one at a time: the
 * hypervisor clears reply_from_cell before it writes msg_to_cell; the cell
 * clears msg_to_cell before it writes its reply. See docs/comm-region.md.
 */
#ifndef _BRIG_COMM_H
#define _BRIG_COMM_H

#include "config.h"

#define BRIG_COMM_SIGNATURE "BRIGCOMM"
#define BRIG_COMM_REVISION 1

/* msg_to_cell */
#define BRIG_MSG_NONE 0
#define BRIG_MSG_SHUTDOWN_REQUEST 1

/* reply_from_cell */
#define BRIG_REPLY_NONE 0
#define BRIG_REPLY_UNKNOWN_MSG 1
#define BRIG_REPLY_DENIED 2
#define BRIG_REPLY_APPROVED 3
/*
 * The cell stops itself, in its own order (an OS powering off): the
 * hypervisor waits, up to the same timeout, for it to end (shut down or
 * failed).
 */
#define BRIG_REPLY_STOPPING 4

/*
 * cell_caps, written by the cell: what it does beyond its description.
 * LISTENS: it answers messages although its description says passive
 * (the comm region is then no longer ignored): an OS whose guest driver
 * loaded after boot (brig_guest.ko in a Linux cell).
 */
#define BRIG_COMM_CAP_LISTENS 0x1

/* cell_state, and the result of BRIG_HC_CELL_GET_STATE */
#define BRIG_CELL_STATE_RUNNING 0
#define BRIG_CELL_STATE_RUNNING_LOCKED 1 /* denies shutdown for now */
#define BRIG_CELL_STATE_SHUT_DOWN 2
#define BRIG_CELL_STATE_FAILED 3
#define BRIG_CELL_STATE_FAILED_COMM_REV 4 /* inmate speaks another revision */
#define BRIG_CELL_STATE_STOPPED 5 /* created or loaded, never started */

/*
 * Power and reset control an x86 cell has, emulated by the hypervisor for
 * every cell on ports it cannot own (brig cell linux names them in the
 * ACPI tables it builds; docs/linux-cell.md). Each ends the cell, never
 * the machine:
 *  - the reset control register: a write with RST_CPU set, as on a PC's
 *    chipset (and the i8042's pulse-reset command 0xfe to port 0x64):
 *    state shut down, the reset said on the console;
 *  - the ACPI sleep control register (hardware-reduced ACPI; the sleep
 *    status register is the same port): SLP_EN with sleep type 5, the one
 *    state the tables offer (S5, soft off): state shut down; another
 *    sleep type: failed;
 *  - a pvpanic device: a write with the "panicked" bit: failed. Reads
 *    say which events it takes.
 */
#define BRIG_X86_RESET_PORT 0xcf9
#define BRIG_X86_RESET_RST_CPU 0x04
#define BRIG_X86_RESET_VALUE 0x06 /* full reset: SYS_RST | RST_CPU */
#define BRIG_X86_SLEEP_PORT 0xcfa
#define BRIG_X86_SLEEP_TYPE(v) (((v) >> 2) & 7)
#define BRIG_X86_SLEEP_ENABLE 0x20
#define BRIG_X86_SLEEP_TYPE_S5 5
#define BRIG_X86_PVPANIC_PORT 0x505
#define BRIG_X86_PVPANIC_PANICKED 0x01

struct brig_comm_region {
	char signature[BRIG_SIGNATURE_LEN]; /* BRIG_COMM_SIGNATURE */
	__u16 revision; /* BRIG_COMM_REVISION */
	__u16 reserved0;
	__u32 msg_to_cell; /* written by the hypervisor */
	__u32 reply_from_cell; /* written by the cell */
	__u32 cell_state; /* written by the cell */
	__u32 num_cpus; /* CPUs of this cell */
	__u32 cell_id;

	__u64 tsc_khz; /* 0: unknown, calibrate yourself */
	__u64 apic_khz; /* local APIC timer input clock; 0: unknown */
	__u64 pci_mmconfig_base; /* 0: none visible to the cell */
	__u16 pm_timer_port; /* 0: none */
	__u16 reserved1[3];
	struct brig_console console; /* the cell's console, from its desc */
	__u32 cell_caps; /* written by the cell: BRIG_COMM_CAP_* */
	__u32 reserved2;
	__u64 reserved[7];
};
BRIG_ABI_ASSERT_SIZE(struct brig_comm_region, 144);

#endif /* _BRIG_COMM_H */
